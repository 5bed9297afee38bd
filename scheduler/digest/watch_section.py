"""One digest section per ``notify: digest`` watchlist: what its query caught in the digest's window.

The crawl only sends ``instant`` watchlists; the others are run here over
the articles stored since the previous digest (see
:func:`pipelines.watch_scan.scan_stored`), one entry per event.  Strings are
cleaned like every other article string in the digest.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from crawler.config import Config
from pipelines.watch_scan import scan_stored
from scheduler.digest.sanitize import clean, safe_url, title

MAX_ENTRIES = 30


@dataclass(frozen=True)
class WatchEntry:
    title: str
    url: str | None
    source: str
    lang: str | None
    published: datetime | None
    terms: tuple[str, ...]
    reports: int


@dataclass(frozen=True)
class WatchSection:
    name: str
    query: str
    entries: tuple[WatchEntry, ...]
    hidden: int


def watch_sections(conn: sqlite3.Connection, config: Config, since: datetime, until: datetime) -> tuple[WatchSection, ...]:
    """The ``digest`` watchlists in configuration order, each with its events of the window."""
    watchlists = [w for w in config.watchlists if w.notify == "digest"]
    if not watchlists:
        return ()
    tz = ZoneInfo(config.timezone)
    found = scan_stored(conn, {w.name: w.query for w in watchlists}, since, until)
    sections = []
    for watchlist in watchlists:
        hits = found[watchlist.name]
        entries = tuple(
            WatchEntry(
                title=title(hit.title) or safe_url(hit.url) or "—", url=safe_url(hit.url), source=clean(hit.source),
                lang=hit.lang, published=_local(hit.published_at, tz),
                terms=tuple(t for t in (clean(term) for term in hit.terms) if t), reports=hit.reports,
            )
            for hit in hits[:MAX_ENTRIES]
        )
        sections.append(WatchSection(watchlist.name, clean(watchlist.source), entries, len(hits) - len(entries)))
    return tuple(sections)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return moment.astimezone(tz) if moment else None
