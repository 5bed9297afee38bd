"""The text/plain part: what terminal mail readers and previews show.

Article strings arrive cleaned (one line each, no control or bidi
characters), so an article cannot forge headings or lines here.
"""

from __future__ import annotations

import textwrap

from babel.dates import format_date, format_datetime

from scheduler.digest.build import Copy, Digest, Story
from scheduler.digest.watch_section import WatchSection
from scheduler.digest.names import LOCALES, join_names, label, partner_name, subtype_name
from scheduler.web.links import event_url, feedback_url

WIDTH = 90


def render_text(digest: Digest) -> str:
    lang = digest.language
    locale = LOCALES[lang]
    since = format_datetime(digest.since, "d MMM y HH:mm", locale=locale)
    lines = [
        f"newsmon — {label('title', lang)} — {format_date(digest.day, 'long', locale=locale)}",
        "",
    ]
    if digest.empty:
        lines += [label("empty", lang, since=since), ""]
    else:
        lines += [label("count", lang, n=len(digest.stories), since=since), ""]
    for group in digest.groups:
        heading = partner_name(group.partner, lang) if group.partner else label("no_partner", lang)
        lines += [f"== {heading} ({len(group.stories)}) ==", ""]
        for story in group.stories:
            lines += _story(story, lang) + _links(story, digest.links, lang) + [""]
    if digest.hidden:
        lines += [label("more", lang, n=digest.hidden), ""]
    for section in digest.watch:
        lines += _watch(section, lang)
    lines += [f"== {label('health', lang)} ==", ""]
    if digest.problems:
        for problem in digest.problems:
            details = [problem.state_name(lang), problem.reason]
            if problem.last_error and problem.last_error not in problem.reason:
                details.append(problem.last_error)
            if problem.advice:
                details.append(problem.advice)
            lines.append(f"- {problem.source}: {' — '.join(d for d in details if d)}")
    else:
        lines.append(label("health_ok", lang))
    lines += ["", "-- ", label("footer", lang, tz=digest.timezone)]
    return "\n".join(lines) + "\n"


def _watch(section: WatchSection, lang: str) -> list[str]:
    lines = [f"== {label('watch', lang, name=section.name)} ({len(section.entries) + section.hidden}) ==",
             f"   {section.query}", ""]
    if not section.entries:
        lines += [label("watch_none", lang), ""]
    for entry in section.entries:
        meta = [entry.source]
        if entry.published:
            meta.append(entry.published.strftime("%Y-%m-%d %H:%M"))
        if entry.reports > 1:
            meta.append(label("reports", lang, n=entry.reports))
        lines.append(f"* {entry.title}")
        if entry.url:
            lines.append(f"  {entry.url}")
        lines.append("  " + " · ".join(meta))
        if entry.terms:
            lines.append(f"  {label('matched', lang)} {join_names(list(entry.terms), lang)}")
        lines.append("")
    if section.hidden:
        lines += [label("more", lang, n=section.hidden), ""]
    return lines


def _story(story: Story, lang: str) -> list[str]:
    meta = [story.source]
    if story.published:
        meta.append(story.published.strftime("%Y-%m-%d %H:%M"))
    subtype = subtype_name(story.subtype, lang)
    if subtype:
        meta.append(subtype)
    lines = [f"* {story.title}"]
    if story.url:
        lines.append(f"  {story.url}")
    lines.append("  " + " · ".join(meta))
    if story.excerpt:
        lines += textwrap.wrap(story.excerpt, WIDTH, max_lines=2, placeholder=" …", initial_indent="  ", subsequent_indent="  ")
    if story.partners:
        lines.append(f"  {label('partners', lang)} {join_names([partner_name(p, lang) for p in story.partners], lang)}")
    if story.copies:
        copies = join_names([_copy(c) for c in story.copies], lang)
        lines.append(f"  {label('also', lang)} {copies}")
    return lines


def _copy(copy: Copy) -> str:
    name = f"{copy.source} ({copy.lang})" if copy.lang else copy.source
    return f"{name} <{copy.url}>" if copy.url else name


def _links(story: Story, base: str | None, lang: str) -> list[str]:
    """The event page and the two feedback links (each opens a confirmation page)."""
    if not base or story.event is None:
        return []
    return [
        f"  {label('open_event', lang)} {event_url(base, story.event)}",
        f"  {label('mark_relevant', lang)}: {feedback_url(base, story.event, 'relevant')}",
        f"  {label('mark_not_relevant', lang)}: {feedback_url(base, story.event, 'not_relevant')}",
    ]
