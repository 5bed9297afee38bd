"""Select the day's flagged events and shape them for the renderers.

Article strings are cleaned here, once (see :mod:`sanitize`).  Every report
of one event (``articles.event_id``: copies, rewrites, other languages) folds
into one story with an "also reported by" line naming each site and
language, and an event already mailed in a recent digest is not mailed again
when another report of it turns up later.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crawler.config import Config
from pipelines.dbtime import from_db, to_db
from pipelines.store import read_rows
from scheduler.digest.health_section import SourceProblem, source_problems
from scheduler.digest.sanitize import clean, excerpt, safe_url, title
from scheduler.digest.watch_section import WatchSection, watch_sections

FIRST_DIGEST_HOURS = 24
# Articles stored while the previous digest was being sent are caught by
# looking back this far; ids already mailed are excluded, so nothing repeats.
WINDOW_SLACK = timedelta(hours=1)
PRIOR_DIGESTS = 7

@dataclass(frozen=True)
class Copy:
    source: str
    url: str | None
    lang: str | None = None


@dataclass(frozen=True)
class Story:
    id: int
    title: str
    url: str | None
    source: str
    lang: str | None
    published: datetime | None
    excerpt: str
    score: float
    subtype: str | None
    partners: tuple[str, ...]
    copies: tuple[Copy, ...]
    event: int | None = None  # the event page's id in `newsmon serve`


@dataclass(frozen=True)
class PartnerGroup:
    partner: str | None
    stories: tuple[Story, ...]


@dataclass(frozen=True)
class Digest:
    day: date
    since: datetime
    until: datetime
    timezone: str
    language: str
    groups: tuple[PartnerGroup, ...]
    hidden: int
    problems: tuple[SourceProblem, ...]
    watch: tuple[WatchSection, ...] = ()  # one per `notify: digest` watchlist
    links: str | None = None  # serve.base_url: each story links to its event page and feedback

    @property
    def stories(self) -> list[Story]:
        return [story for group in self.groups for story in group.stories]

    @property
    def article_ids(self) -> list[int]:
        return sorted(story.id for story in self.stories)

    @property
    def empty(self) -> bool:
        """No flagged story (watchlist sections may still have entries)."""
        return not self.groups

    @property
    def nothing_new(self) -> bool:
        """Neither a flagged story nor a watchlist entry: what ``digest.send_empty`` is about."""
        return self.empty and not any(section.entries for section in self.watch)


def digest_window(conn: sqlite3.Connection, day: date, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """From the previous sent digest (or 24 h back) to now, but never past the day's end."""
    day_end = datetime.combine(day + timedelta(days=1), time(0), tz)
    until = min(now, day_end)
    row = conn.execute(
        "SELECT max(sent_at) FROM digests WHERE status IN ('sent', 'partial') AND digest_date < ?", [day.isoformat()]
    ).fetchone()
    since = (from_db(row[0]) if row else None) or until - timedelta(hours=FIRST_DIGEST_HOURS)
    return since, until


def build_digest(conn: sqlite3.Connection, config: Config, day: date, now: datetime) -> Digest:
    """The digest of ``day`` as it would be mailed at ``now``: one story per flagged event."""
    tz = ZoneInfo(config.timezone)
    since, until = digest_window(conn, day, tz, now)
    mailed_ids, mailed_events = _already_mailed(conn, day)
    rows = conn.execute(
        """
        SELECT id, event_id FROM articles
        WHERE flagged = 1 AND fetched_at > ? AND fetched_at <= ?
        ORDER BY id
        """,
        [to_db(since - WINDOW_SLACK), to_db(until)],
    ).fetchall()
    events: dict[int, None] = {}
    for article_id, event_id in rows:
        event = event_id if event_id is not None else -article_id  # not grouped yet: an event of its own
        if article_id in mailed_ids or event in mailed_events:
            continue
        events.setdefault(event)
    stories = [_story(conn, event, config.digest.language, tz) for event in events]
    stories.sort(key=lambda s: (-s.score, s.id))
    shown = stories[: config.digest.max_stories]
    return Digest(
        day=day, since=since.astimezone(tz), until=until.astimezone(tz), timezone=config.timezone,
        language=config.digest.language, groups=_group(shown), hidden=len(stories) - len(shown),
        problems=tuple(source_problems(conn, config, until)), watch=watch_sections(conn, config, since, until),
        links=config.serve.base_url,
    )


def _already_mailed(conn: sqlite3.Connection, day: date) -> tuple[set[int], set[int]]:
    """Article ids mailed by the last digests, and their events (negative ids: articles not grouped)."""
    ids: set[int] = set()
    for digest in read_rows(
        conn, "SELECT article_ids FROM digests WHERE status IN ('sent', 'partial') AND digest_date < ? ORDER BY digest_date DESC LIMIT ?",
        [day.isoformat(), PRIOR_DIGESTS],
    ):
        ids.update(digest["article_ids"])
    if not ids:
        return ids, set()
    marks = ",".join("?" * len(ids))
    events = {row[0] if row[0] is not None else -row[1]
              for row in conn.execute(f"SELECT event_id, id FROM articles WHERE id IN ({marks})", list(ids))}
    return ids, events


def _story(conn: sqlite3.Connection, event: int, language: str, tz: ZoneInfo) -> Story:
    """The event's report in the digest's language (else its earliest) stands for it; the others are
    'also reported by', with their site and language; partners are the union of the reports'."""
    where, param = ("event_id = ?", event) if event > 0 else ("id = ?", -event)
    reports = read_rows(
        conn,
        f"""SELECT id, COALESCE(published_url, url) AS url, source, lang, title, text, published_at, score, subtype, partners, flagged
            FROM articles WHERE {where} ORDER BY COALESCE(published_at, fetched_at), id""",
        [param],
    )
    primary = next((r for r in reports if r["lang"] == language and r["title"]), reports[0])
    copies: dict[tuple[str, str | None], Copy] = {}
    partners: list[str] = []
    for report in reports:
        for code in report["partners"]:
            if clean(code) and clean(code) not in partners:
                partners.append(clean(code))
        name = clean(report["source"])
        if report["id"] != primary["id"] and (name, report["lang"]) not in copies:
            copies[(name, report["lang"])] = Copy(name, safe_url(report["url"]), report["lang"])
    flagged = [r for r in reports if r["flagged"]] or reports
    return Story(
        id=primary["id"], title=title(primary["title"]) or safe_url(primary["url"]) or "—",
        url=safe_url(primary["url"]), source=clean(primary["source"]), lang=primary["lang"],
        published=_local(primary["published_at"], tz), excerpt=excerpt(primary["text"]),
        score=max(float(r["score"] or 0) for r in reports),
        subtype=clean(primary["subtype"] if primary["flagged"] else flagged[0]["subtype"]) or None,
        partners=tuple(partners), copies=tuple(copies.values()), event=event if event > 0 else None,
    )


def _local(value: str | None, tz: ZoneInfo) -> datetime | None:
    moment = from_db(value)
    return moment.astimezone(tz) if moment else None


def _group(stories: list[Story]) -> tuple[PartnerGroup, ...]:
    """Each story sits under its first-named partner; groups follow their best story's score."""
    groups: dict[str | None, list[Story]] = {}
    for story in stories:
        groups.setdefault(story.partners[0] if story.partners else None, []).append(story)
    ordered = sorted(groups.items(), key=lambda item: (item[0] is None, -item[1][0].score))
    return tuple(PartnerGroup(partner, tuple(items)) for partner, items in ordered)
