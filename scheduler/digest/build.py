"""Select the day's flagged stories and shape them for the renderers.

Article strings are cleaned here, once (see :mod:`sanitize`).  Republished
copies (same ``cluster_id``) fold into one story with an "also reported by"
line, and a story already mailed in a recent digest is not mailed again when
a copy of it turns up later.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from crawler.config import Config
from pipelines.store import parse_stored_time
from scheduler.digest.health_section import SourceProblem, source_problems
from scheduler.digest.sanitize import clean, excerpt, safe_url

FIRST_DIGEST_HOURS = 24
# Articles stored while the previous digest was being sent are caught by
# looking back this far; ids already mailed are excluded, so nothing repeats.
WINDOW_SLACK = timedelta(hours=1)
PRIOR_DIGESTS = 7

@dataclass(frozen=True)
class Copy:
    source: str
    url: str | None


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

    @property
    def stories(self) -> list[Story]:
        return [story for group in self.groups for story in group.stories]

    @property
    def article_ids(self) -> list[int]:
        return sorted(story.id for story in self.stories)

    @property
    def empty(self) -> bool:
        return not self.groups


def digest_window(conn: sqlite3.Connection, day: date, tz: ZoneInfo, now: datetime) -> tuple[datetime, datetime]:
    """From the previous sent digest (or 24 h back) to now, but never past the day's end."""
    day_end = datetime.combine(day + timedelta(days=1), time(0), tz)
    until = min(now, day_end)
    row = conn.execute(
        "SELECT max(sent_at) FROM digests WHERE status = 'sent' AND digest_date < ?", [day.isoformat()]
    ).fetchone()
    since = (parse_stored_time(row[0]) if row else None) or until - timedelta(hours=FIRST_DIGEST_HOURS)
    return since, until


def build_digest(conn: sqlite3.Connection, config: Config, day: date, now: datetime) -> Digest:
    """The digest of ``day`` as it would be mailed at ``now``."""
    tz = ZoneInfo(config.timezone)
    since, until = digest_window(conn, day, tz, now)
    mailed_ids, mailed_clusters = _already_mailed(conn, day)
    rows = conn.execute(
        """
        SELECT id, url, source, lang, title, text, published_at, cluster_id, score, subtype, partners
        FROM articles WHERE flagged = 1 AND datetime(fetched_at) > datetime(?) AND datetime(fetched_at) <= datetime(?)
        ORDER BY id
        """,
        [(since - WINDOW_SLACK).isoformat(timespec="seconds"), until.isoformat(timespec="seconds")],
    ).fetchall()
    clusters: dict[int, list[sqlite3.Row]] = {}
    for row in rows:
        cluster = row["cluster_id"] or row["id"]
        if row["id"] in mailed_ids or cluster in mailed_clusters:
            continue
        clusters.setdefault(cluster, []).append(row)
    stories = [_story(conn, members, tz) for members in clusters.values()]
    stories.sort(key=lambda s: (-s.score, s.id))
    shown = stories[: config.digest.max_stories]
    return Digest(
        day=day, since=since.astimezone(tz), until=until.astimezone(tz), timezone=config.timezone,
        language=config.digest.language, groups=_group(shown), hidden=len(stories) - len(shown),
        problems=tuple(source_problems(conn, config, until)),
    )


def _already_mailed(conn: sqlite3.Connection, day: date) -> tuple[set[int], set[int]]:
    ids: set[int] = set()
    for (article_ids,) in conn.execute(
        "SELECT article_ids FROM digests WHERE status = 'sent' AND digest_date < ? ORDER BY digest_date DESC LIMIT ?",
        [day.isoformat(), PRIOR_DIGESTS],
    ):
        ids.update(json.loads(article_ids or "[]"))
    if not ids:
        return ids, set()
    marks = ",".join("?" * len(ids))
    clusters = {row[0] for row in conn.execute(f"SELECT DISTINCT cluster_id FROM articles WHERE id IN ({marks})", list(ids))}
    return ids, clusters - {None}


def _story(conn: sqlite3.Connection, members: list[sqlite3.Row], tz: ZoneInfo) -> Story:
    """The cluster's earliest article stands for it; every other copy is 'also reported by'."""
    primary = members[0]
    cluster = primary["cluster_id"] or primary["id"]
    copies: dict[str, Copy] = {}
    for source, url in conn.execute(
        "SELECT source, url FROM articles WHERE cluster_id = ? AND id <> ? ORDER BY id", [cluster, primary["id"]]
    ):
        name = clean(source)
        if name != clean(primary["source"]) and name not in copies:
            copies[name] = Copy(name, safe_url(url))
    partners = tuple(clean(p) for p in json.loads(primary["partners"] or "[]") if clean(p))
    return Story(
        id=primary["id"], title=clean(primary["title"]) or safe_url(primary["url"]) or "—",
        url=safe_url(primary["url"]), source=clean(primary["source"]), lang=primary["lang"],
        published=_local(primary["published_at"], tz), excerpt=excerpt(primary["text"]),
        score=max(float(m["score"] or 0) for m in members), subtype=clean(primary["subtype"]) or None,
        partners=partners, copies=tuple(copies.values()),
    )


def _local(value: str | None, tz: ZoneInfo) -> datetime | None:
    moment = parse_stored_time(value, tz)
    return moment.astimezone(tz) if moment else None


def _group(stories: list[Story]) -> tuple[PartnerGroup, ...]:
    """Each story sits under its first-named partner; groups follow their best story's score."""
    groups: dict[str | None, list[Story]] = {}
    for story in stories:
        groups.setdefault(story.partners[0] if story.partners else None, []).append(story)
    ordered = sorted(groups.items(), key=lambda item: (item[0] is None, -item[1][0].score))
    return tuple(PartnerGroup(partner, tuple(items)) for partner, items in ordered)
