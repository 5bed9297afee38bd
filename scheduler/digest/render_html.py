"""The text/html part: a table layout with inline styles only.

Mail clients strip ``<style>`` blocks and ignore most CSS, so layout is
tables and every style is inline.  Direction is set twice, as attributes
(``dir``, ``align``) and as CSS, because some clients honour only one of
them; Arabic stories are right-to-left whatever the reader's language, and
numbers and source names are isolated so they do not get reordered.  Every
string that reaches the markup goes through :func:`esc`.
"""

from __future__ import annotations

from html import escape

from babel.dates import format_date, format_datetime

from scheduler.digest.build import Digest, Story
from scheduler.digest.watch_section import WatchSection
from scheduler.digest.names import LOCALES, join_names, label, partner_name, subtype_name, text_direction
from scheduler.web.links import event_url, feedback_url

FONT = "font-family:Arial,Helvetica,'Segoe UI',Tahoma,sans-serif"
ACCENT = "#1f4e79"
MUTED = "#5f6b7a"


def esc(value: object) -> str:
    return escape(str(value), quote=True)


def _dir(lang: str | None) -> str:
    """Attributes and CSS that set a block's direction in every client."""
    direction = text_direction(lang)
    side = "right" if direction == "rtl" else "left"
    lang_attr = f' lang="{esc(lang)}"' if lang else ""
    return f'dir="{direction}"{lang_attr} align="{side}" style="direction:{direction};text-align:{side};'


def render_html(digest: Digest) -> str:
    lang = digest.language
    locale = LOCALES[lang]
    since = format_datetime(digest.since, "d MMM y HH:mm", locale=locale)
    heading = f"newsmon — {label('title', lang)}"
    day = format_date(digest.day, "long", locale=locale)
    summary = label("empty" if digest.empty else "count", lang, n=len(digest.stories), since=since)
    rows = [
        f'<tr><td {_dir(lang)}padding:20px 24px 14px;border-bottom:3px solid {ACCENT};">'
        f'<div style="font-size:20px;font-weight:bold;color:{ACCENT};">{esc(heading)}</div>'
        f'<div style="font-size:14px;color:#1f2933;margin-top:4px;">{esc(day)}</div>'
        f'<div style="font-size:13px;color:{MUTED};margin-top:6px;">{esc(summary)}</div></td></tr>'
    ]
    for group in digest.groups:
        name = partner_name(group.partner, lang) if group.partner else label("no_partner", lang)
        rows.append(
            f'<tr><td {_dir(lang)}padding:18px 24px 6px;">'
            f'<h2 style="margin:0;font-size:17px;color:{ACCENT};border-bottom:1px solid #d9e2ec;padding-bottom:4px;">'
            f'{esc(name)} <span style="color:{MUTED};font-weight:normal;">({len(group.stories)})</span></h2></td></tr>'
        )
        rows.extend(_story(story, lang, digest.links) for story in group.stories)
    if digest.hidden:
        rows.append(f'<tr><td {_dir(lang)}padding:10px 24px;font-size:13px;color:{MUTED};">'
                    f'{esc(label("more", lang, n=digest.hidden))}</td></tr>')
    for section in digest.watch:
        rows.extend(_watch(section, lang))
    rows.append(_health(digest))
    rows.append(f'<tr><td {_dir(lang)}padding:14px 24px;font-size:12px;color:{MUTED};border-top:1px solid #d9e2ec;">'
                f'{esc(label("footer", lang, tz=digest.timezone))}</td></tr>')
    direction = text_direction(lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{esc(lang)}" dir="{direction}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{esc(heading)} — {esc(day)}</title>\n'
        f'</head>\n<body style="margin:0;padding:0;background:#eef1f5;">\n'
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#eef1f5;">'
        f'<tr><td align="center" style="padding:16px 8px;">\n'
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
        f'style="max-width:680px;background:#ffffff;border:1px solid #d9e2ec;{FONT};color:#1f2933;">\n'
        + "\n".join(rows)
        + "\n</table>\n</td></tr></table>\n</body>\n</html>\n"
    )


def _story(story: Story, lang: str, links: str | None = None) -> str:
    title = esc(story.title)
    if story.url:
        title = f'<a href="{esc(story.url)}" style="color:#0b5cad;text-decoration:none;">{title}</a>'
    meta = [f"<bdi>{esc(story.source)}</bdi>"]
    if story.published:
        meta.append(f'<span dir="ltr">{esc(story.published.strftime("%Y-%m-%d %H:%M"))}</span>')
    subtype = subtype_name(story.subtype, lang)
    if subtype:
        meta.append(esc(subtype))
    details = []
    if story.partners:
        names = join_names([f"<bdi>{esc(partner_name(p, lang))}</bdi>" for p in story.partners], lang)
        details.append(f"<div>{esc(label('partners', lang))} {names}</div>")
    if story.copies:
        copies = join_names([
            (f'<a href="{esc(c.url)}" style="color:#0b5cad;"><bdi>{esc(c.source)}</bdi></a>' if c.url
             else f"<bdi>{esc(c.source)}</bdi>") + (f" ({esc(c.lang)})" if c.lang else "")
            for c in story.copies
        ], lang)
        details.append(f"<div>{esc(label('also', lang))} {copies}</div>")
    if links and story.event is not None:
        details.append(
            f'<div><a href="{esc(event_url(links, story.event))}" style="color:#0b5cad;">{esc(label("open_event", lang).rstrip(" :"))}</a>'
            f' · <a href="{esc(feedback_url(links, story.event, "relevant"))}" style="color:#1e6b34;">'
            f'{esc(label("mark_relevant", lang))}</a>'
            f' · <a href="{esc(feedback_url(links, story.event, "not_relevant"))}" style="color:#a61b1b;">'
            f'{esc(label("mark_not_relevant", lang))}</a></div>')
    return (
        f'<tr><td style="padding:10px 24px 12px;border-bottom:1px solid #eef1f5;">'
        f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">'
        f'<tr><td {_dir(story.lang)}">'
        f'<div style="font-size:16px;font-weight:bold;line-height:1.4;">{title}</div>'
        f'<div style="font-size:14px;line-height:1.6;color:#3e4c59;margin-top:4px;">{esc(story.excerpt)}</div></td></tr>'
        f'<tr><td {_dir(lang)}font-size:12px;line-height:1.6;color:{MUTED};padding-top:6px;">'
        f'<div>{" · ".join(meta)}</div>{"".join(details)}</td></tr>'
        f"</table></td></tr>"
    )


def _watch(section: WatchSection, lang: str) -> list[str]:
    heading = esc(label("watch", lang, name=section.name))
    rows = [
        f'<tr><td {_dir(lang)}padding:18px 24px 6px;">'
        f'<h2 style="margin:0;font-size:17px;color:{ACCENT};border-bottom:1px solid #d9e2ec;padding-bottom:4px;">'
        f'{heading} <span style="color:{MUTED};font-weight:normal;">({len(section.entries) + section.hidden})</span></h2>'
        f'<div dir="auto" style="font-size:12px;color:{MUTED};margin-top:4px;"><bdi>{esc(section.query)}</bdi></div></td></tr>'
    ]
    if not section.entries:
        rows.append(f'<tr><td {_dir(lang)}padding:6px 24px;font-size:13px;color:{MUTED};">{esc(label("watch_none", lang))}</td></tr>')
    for entry in section.entries:
        title = esc(entry.title)
        if entry.url:
            title = f'<a href="{esc(entry.url)}" style="color:#0b5cad;text-decoration:none;">{title}</a>'
        meta = [f"<bdi>{esc(entry.source)}</bdi>"]
        if entry.published:
            meta.append(f'<span dir="ltr">{esc(entry.published.strftime("%Y-%m-%d %H:%M"))}</span>')
        if entry.reports > 1:
            meta.append(esc(label("reports", lang, n=entry.reports)))
        terms = join_names([f"<bdi>{esc(t)}</bdi>" for t in entry.terms], lang)
        rows.append(
            f'<tr><td style="padding:8px 24px 10px;border-bottom:1px solid #eef1f5;">'
            f'<div {_dir(entry.lang)}font-size:15px;font-weight:bold;line-height:1.4;">{title}</div>'
            f'<div {_dir(lang)}font-size:12px;line-height:1.6;color:{MUTED};">{" · ".join(meta)}'
            + (f'<br>{esc(label("matched", lang))} {terms}' if entry.terms else "") + "</div></td></tr>"
        )
    if section.hidden:
        rows.append(f'<tr><td {_dir(lang)}padding:6px 24px;font-size:13px;color:{MUTED};">'
                    f'{esc(label("more", lang, n=section.hidden))}</td></tr>')
    return rows


def _health(digest: Digest) -> str:
    lang = digest.language
    heading = f'<h2 style="margin:0 0 6px;font-size:15px;color:{ACCENT};">{esc(label("health", lang))}</h2>'
    if not digest.problems:
        body = f'<div style="font-size:13px;color:{MUTED};">{esc(label("health_ok", lang))}</div>'
    else:
        items = []
        for problem in digest.problems:
            details = [f"<b>{esc(problem.state_name(lang))}</b>"]
            details += [f"<bdi>{esc(d)}</bdi>" for d in (problem.reason, problem.last_error)
                        if d and (d == problem.reason or d not in problem.reason)]
            if problem.advice:
                details.append(f"<bdi>{esc(problem.advice)}</bdi>")
            items.append(f'<li style="margin:2px 0;"><bdi>{esc(problem.source)}</bdi>: {" — ".join(details)}</li>')
        body = f'<ul style="margin:0;padding-{"right" if lang == "ar" else "left"}:20px;font-size:13px;">{"".join(items)}</ul>'
    return f'<tr><td {_dir(lang)}padding:18px 24px 14px;background:#f7f9fb;">{heading}{body}</td></tr>'
