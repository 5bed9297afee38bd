"""Per-source health from the crawl history: is each site still feeding us?

A news monitor fails its users most often by going quiet without saying so:
a site changes its markup, starts answering 403, or simply stops publishing
where we look.  This module turns the ``source_runs`` and ``articles`` rows of
one database into one verdict per source that ``newsmon status`` and the
daily digest show to analysts.

API (stable; other modules rely on it)::

    source_health(conn_or_db, config, now=None, names=None) -> list[SourceHealth]

``conn_or_db`` is a ``sqlite3.Connection``, a ``sqlite_utils.Database`` or the
database path (a missing file means nothing was crawled yet).  ``names``
restricts the report to those sources; by default every enabled source of
``config`` is reported, in configuration order.  ``SourceHealth`` has:

``source``        the source's name
``state``         ``ok`` | ``degraded`` | ``silent`` | ``failing`` | ``blocked`` | ``unknown``
``reason``        one line for an analyst, e.g. "no new article for 3 days (usually one every 5 h)"
``last_success``  end of the latest run in which the site answered (status ok or empty), or None
``articles_7d``   articles stored in the seven days before ``now``
``last_error``    the most recent error message recorded for the source, or None
``last_run``      start of the latest run, or None
``is_ok``         property: ``state == "ok"``

States, most serious first (the first that applies wins; ``STATES`` lists them in this order):

* ``blocked``  the latest run was refused by the site (HTTP 403 or a
  challenge page, recorded by the spider as ``blocked``);
* ``failing``  the latest run got nothing but errors (DNS, timeouts, 5xx);
* ``degraded`` over the last ``health.window_runs`` runs, the share of failed
  requests, of pages without an extractable body, of articles without a date
  or of bodies shorter than ``health.min_body_chars`` exceeds
  ``health.degraded_error_ratio``;
* ``silent``   no new article for longer than the source's usual gap times
  ``health.silent_gap_factor``, and never less than
  ``health.silent_floor_hours``.  The usual gap is the 90th percentile of
  the gaps between its articles (publication time, else fetch time) over the
  last ``health.history_days``, so a weekly magazine is not called silent
  after two days while a wire service is;
* ``unknown``  never crawled;
* ``ok``       everything else.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

from pipelines.store import parse_stored_time

if TYPE_CHECKING:

    from crawler.config import Config, HealthSettings

STATES = ("blocked", "failing", "degraded", "silent", "unknown", "ok")  # most serious first, for sorting reports
MIN_GAPS_TO_LEARN = 5
USUAL_GAP_QUANTILE = 0.9


@dataclass(frozen=True)
class SourceHealth:
    source: str
    state: str
    reason: str
    last_success: datetime | None
    articles_7d: int
    last_error: str | None
    last_run: datetime | None = None

    @property
    def is_ok(self) -> bool:
        return self.state == "ok"


@dataclass(frozen=True)
class RunRow:
    """The columns of one ``source_runs`` row that health looks at."""

    started_at: datetime
    finished_at: datetime | None
    status: str
    requests: int = 0
    items_found: int = 0
    new_articles: int = 0
    errors: int = 0
    extraction_failures: int = 0
    dating_failures: int = 0
    short_bodies: int = 0
    blocked: int = 0
    last_error: str | None = None


def source_health(conn_or_db: Any, config: Config, now: datetime | None = None,
                  names: Sequence[str] | None = None) -> list[SourceHealth]:
    """Health of each enabled source (or of ``names``), from one database."""
    moment = now or datetime.now(timezone.utc)
    selected = [config.source(n).name for n in names] if names else [s.name for s in config.enabled_sources]
    conn, owned = _connection(conn_or_db)
    if conn is None:
        return [assess(name, [], [], None, 0, config.health, moment, config.timezone) for name in selected]
    since = moment - timedelta(days=config.health.history_days)
    try:
        runs = _runs(conn, selected, since)
        times = _article_times(conn, selected, since)
        last_new = _last_new_article(conn, selected)
        week = _articles_since(conn, selected, moment - timedelta(days=7))
    finally:
        if owned:
            conn.close()
    return [
        assess(name, runs.get(name, []), times.get(name, []), last_new.get(name), week.get(name, 0),
               config.health, moment, config.timezone)
        for name in selected
    ]


def assess(source: str, runs: Sequence[RunRow], article_times: Iterable[datetime], last_new: datetime | None,
           articles_7d: int, settings: HealthSettings, now: datetime, tz: str = "UTC") -> SourceHealth:
    """The verdict for one source, from its runs (newest first) and article times; no I/O."""
    zone = ZoneInfo(tz)
    last_success = next((r.finished_at or r.started_at for r in runs if r.status in ("ok", "empty")), None)
    last_error = next((r.last_error for r in runs if r.last_error), None)

    def verdict(state: str, reason: str) -> SourceHealth:
        return SourceHealth(source, state, reason, last_success, articles_7d, last_error,
                            runs[0].started_at if runs else None)

    if not runs:
        return verdict("unknown", "never crawled")
    latest = runs[0]
    error_tail = f": {latest.last_error.removeprefix('blocked: ')}" if latest.last_error else ""
    if _is_blocked(latest):
        streak = _streak(runs, _is_blocked)
        return verdict("blocked", f"blocked by the site (HTTP 403 or challenge page) in the last {_runs_phrase(streak)}"
                                  f" since {_when(streak[-1].started_at, zone)}{error_tail}")
    if _is_failed(latest):
        streak = _streak(runs, _is_failed)
        return verdict("failing", f"every request failed in the last {_runs_phrase(streak)}"
                                  f" since {_when(streak[-1].started_at, zone)}{error_tail}")
    trouble = _degradation(runs[: settings.window_runs], settings)
    if trouble:
        return verdict("degraded", f"{trouble} in the last {_runs_phrase(runs[: settings.window_runs])}")
    usual = usual_gap(article_times)
    threshold = max(timedelta(hours=settings.silent_floor_hours), usual * settings.silent_gap_factor) if usual \
        else timedelta(hours=settings.silent_floor_hours)
    habit = f"usually one every {_duration(usual)}" if usual else "no usual rhythm learned yet"
    if now - latest.started_at > threshold:
        return verdict("silent", f"not crawled for {_duration(now - latest.started_at)} "
                                 f"(last run {_when(latest.started_at, zone)})")
    if last_new is None:
        first = runs[-1].started_at
        if now - first > threshold:
            return verdict("silent", f"no article stored in {_runs_phrase(runs)} since {_when(first, zone)}")
        return verdict("ok", f"no article yet; first crawled {_duration(now - first)} ago")
    quiet = now - last_new
    if quiet > threshold:
        return verdict("silent", f"no new article for {_duration(quiet)} ({habit}; alarm after {_duration(threshold)})")
    return verdict("ok", f"{articles_7d} article(s) in 7 days; last new one {_duration(quiet)} ago")


def usual_gap(times: Iterable[datetime]) -> timedelta | None:
    """90th percentile of the gaps between consecutive articles, or None with too few to tell."""
    ordered = sorted(set(times))
    gaps = sorted(b - a for a, b in zip(ordered, ordered[1:]))
    if len(gaps) < MIN_GAPS_TO_LEARN:
        return None
    return gaps[min(len(gaps) - 1, int(len(gaps) * USUAL_GAP_QUANTILE))]


# -- the rules ------------------------------------------------------------------

def _is_blocked(run: RunRow) -> bool:
    return run.status == "blocked" or (run.status == "failed" and run.blocked > 0)


def _is_failed(run: RunRow) -> bool:
    return run.status == "failed" or (run.requests > 0 and run.errors >= run.requests and run.new_articles == 0)


def _streak(runs: Sequence[RunRow], rule: Callable[[RunRow], bool]) -> list[RunRow]:
    streak = []
    for run in runs:
        if not rule(run):
            break
        streak.append(run)
    return streak


def _degradation(window: Sequence[RunRow], settings: HealthSettings) -> str | None:
    """The worst symptom above the threshold, phrased for an analyst, or None."""
    requests = sum(r.requests for r in window)
    errors = sum(r.errors for r in window)
    stored = sum(r.new_articles for r in window)
    unextracted = sum(r.extraction_failures for r in window)
    tried = stored + unextracted
    undated = sum(r.dating_failures for r in window)
    short = sum(r.short_bodies for r in window)
    limit = settings.degraded_error_ratio
    symptoms = [
        (unextracted / tried if tried else 0, f"no article text could be extracted from {unextracted} of {tried} pages"),
        (errors / requests if requests else 0, f"{errors} of {requests} requests failed"),
        (undated / stored if stored else 0, f"{undated} of {stored} articles had no findable date"),
        (short / stored if stored else 0,
         f"{short} of {stored} articles had bodies under {settings.min_body_chars} characters"),
    ]
    ratio, phrase = max(symptoms, key=lambda s: s[0])
    return phrase if ratio > limit else None


# -- phrasing -------------------------------------------------------------------

def _runs_phrase(runs: Sequence[RunRow]) -> str:
    return "run" if len(runs) == 1 else f"{len(runs)} runs"


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _duration(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{round(hours)} h"
    return f"{round(hours / 24)} days"


# -- reading the database -------------------------------------------------------

def _connection(conn_or_db: Any) -> tuple[sqlite3.Connection | None, bool]:
    """The connection to read, and whether we opened it (and so must close it)."""
    if isinstance(conn_or_db, sqlite3.Connection):
        return conn_or_db, False
    if isinstance(conn_or_db, (str, Path)):
        path = Path(conn_or_db)
        if not path.exists():
            return None, False
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30), True
    return conn_or_db.conn, False  # a sqlite_utils.Database


def _in(names: Sequence[str]) -> str:
    return ",".join("?" * len(names))


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [table]).fetchone() is not None


def _runs(conn: sqlite3.Connection, names: Sequence[str], since: datetime) -> dict[str, list[RunRow]]:
    if not names or not _has_table(conn, "source_runs"):
        return {}
    rows = conn.execute(
        f"""
        SELECT source, started_at, finished_at, status, requests, items_found, new_articles, errors,
               extraction_failures, dating_failures, short_bodies, blocked, last_error
        FROM source_runs WHERE source IN ({_in(names)})
        AND (started_at >= ? OR id IN (SELECT MAX(id) FROM source_runs GROUP BY source))
        ORDER BY started_at DESC, id DESC
        """,
        [*names, _utc_text(since)],
    ).fetchall()
    runs: dict[str, list[RunRow]] = {}
    for source, started, finished, status, *counts, last_error in rows:
        started_at = parse_stored_time(started)
        if started_at is None:
            continue
        runs.setdefault(source, []).append(
            RunRow(started_at, parse_stored_time(finished), status, *(int(c or 0) for c in counts), last_error=last_error)
        )
    return runs


def _article_times(conn: sqlite3.Connection, names: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
    """Publication time of each recent article, its fetch time when undated."""
    if not names or not _has_table(conn, "articles"):
        return {}
    rows = conn.execute(
        f"SELECT source, published_at, fetched_at FROM articles WHERE source IN ({_in(names)}) AND fetched_at >= ?",
        [*names, _utc_text(since)],
    ).fetchall()
    times: dict[str, list[datetime]] = {}
    for source, published, fetched in rows:
        fetched_at = parse_stored_time(fetched)
        moment = parse_stored_time(published) or fetched_at
        if moment is not None and fetched_at is not None:
            times.setdefault(source, []).append(min(moment, fetched_at))
    return times


def _last_new_article(conn: sqlite3.Connection, names: Sequence[str]) -> dict[str, datetime]:
    """When each source last gave us a new article: the articles table, or a run that counted one."""
    latest: dict[str, datetime] = {}
    queries = []
    if _has_table(conn, "articles"):
        queries.append(f"SELECT source, MAX(fetched_at) FROM articles WHERE source IN ({_in(names)}) GROUP BY source")
    if _has_table(conn, "source_runs"):
        queries.append(f"SELECT source, MAX(COALESCE(finished_at, started_at)) FROM source_runs "
                       f"WHERE source IN ({_in(names)}) AND new_articles > 0 GROUP BY source")
    for sql in queries if names else []:
        for source, value in conn.execute(sql, list(names)):
            moment = parse_stored_time(value)
            if moment is not None and (source not in latest or moment > latest[source]):
                latest[source] = moment
    return latest


def _articles_since(conn: sqlite3.Connection, names: Sequence[str], since: datetime) -> dict[str, int]:
    if not names or not _has_table(conn, "articles"):
        return {}
    rows = conn.execute(
        f"SELECT source, COUNT(*) FROM articles WHERE source IN ({_in(names)}) AND fetched_at >= ? GROUP BY source",
        [*names, _utc_text(since)],
    )
    return {source: count for source, count in rows}


def _utc_text(moment: datetime) -> str:
    """The stored spelling of a time (UTC, ISO 8601), so that text comparison orders correctly."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


