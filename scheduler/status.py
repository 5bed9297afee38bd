"""``newsmon status``: is newsmon alive and is every source still feeding it?

Read-only, through :func:`open_readonly`, so it can run next to a crawl.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crawler.config import Config, next_fire_times
from pipelines.dbtime import from_db, utc_now
from pipelines.health import source_health
from pipelines.integrity import check_database, describe
from pipelines.store import open_readonly, read_rows
from scheduler.locks import running_daemon_pid

RECENT_RUNS = 5


def collect_status(config: Config, now: datetime | None = None) -> dict[str, Any]:
    """Everything ``status`` shows, as JSON-ready data (times ISO 8601 in the configured zone)."""
    now = now or utc_now()
    tz = ZoneInfo(config.timezone)
    conn = open_readonly(config.database)
    integrity = describe(check_database(config.database))  # before the queries: a damaged page can fail them
    try:
        runs = [dict(row) for row in conn.execute(
            "SELECT id, trigger, status, started_at, finished_at, new_articles, errors, last_error "
            "FROM crawl_runs ORDER BY id DESC LIMIT ?", [RECENT_RUNS])]
        for run in runs:
            run["started_at"], run["finished_at"] = _stored(run["started_at"], tz), _stored(run["finished_at"], tz)
        digest = _last_digest(conn, tz)
        stored = _stored_counts(conn)
        sources = [
            {"source": h.source, "state": h.state, "reason": h.reason, "last_success": _local(h.last_success, tz),
             "articles_7d": h.articles_7d, "last_error": h.last_error, "last_run": _local(h.last_run, tz),
             "advice": h.advice}
            for h in source_health(conn, [s.name for s in config.enabled_sources], config.health, config.timezone, now)
        ]
    finally:
        conn.close()
    pid = running_daemon_pid(config.database)
    return {
        "database": {"path": str(config.database), "bytes": _size(config), "integrity": integrity},
        "daemon": {"running": pid is not None, "pid": pid if pid and pid > 0 else None},
        "next_jobs": {name: _local(when, tz) for name, when in next_fire_times(config, now).items()},
        "stored": stored,
        "crawl_runs": runs,
        "sources": sources,
        "last_digest": digest,
        "timezone": config.timezone,
    }


def format_status(status: dict[str, Any]) -> str:
    """The human-readable report: a few short sections, one line per item."""
    daemon = status["daemon"]
    db = status["database"]
    lines = [
        f"database  {db['path']} ({_human_bytes(db['bytes'])}, {db['integrity']})",
        "daemon    " + (f"running (pid {daemon['pid']})" if daemon["running"] else "not running"),
        f"next      crawl {_short(status['next_jobs']['crawl'])}, digest {_short(status['next_jobs']['digest'])}"
        f"  ({status['timezone']})",
    ]
    stored = status["stored"]
    lines.append(f"stored    {stored['articles']} report(s) in {stored['events']} event(s), "
                 f"{stored['flagged_events']} flagged" + (f"; {stored['unplaced']} not yet grouped "
                                                          "(run `newsmon reprocess`)" if stored["unplaced"] else ""))
    digest = status["last_digest"]
    if digest:
        error = f" — {digest['last_error']}" if digest["last_error"] else ""
        lines.append(f"digest    {digest['digest_date']} {digest['status']} (sent {_short(digest['sent_at'])}, "
                     f"{digest['stories']} stories, {digest['attempts']} attempt(s)){error}")
    else:
        lines.append("digest    none yet")
    lines += ["", "last crawl runs"]
    if not status["crawl_runs"]:
        lines.append("  none yet")
    for run in status["crawl_runs"]:
        error = f"  {run['last_error']}" if run["last_error"] else ""
        lines.append(f"  #{run['id']:<5} {_short(run['started_at']):16}  {run['trigger']:<8} {run['status']:<11} "
                     f"{run['new_articles']:>4} new {run['errors']:>4} errors{error}")
    lines += ["", f"  {'source':<22} {'state':<9} {'last success':<16}  {'7 days':>6}  reason / last error"]
    for source in status["sources"]:
        detail = source["reason"] if source["state"] != "ok" else (source["last_error"] or "")
        if source.get("advice"):
            detail = f"{detail} — {source['advice']}" if detail else source["advice"]
        lines.append(f"  {source['source']:<22} {source['state']:<9} {_short(source['last_success']):16}  "
                     f"{source['articles_7d']:>6}  {detail}")
    return "\n".join(lines)


def status_json(status: dict[str, Any]) -> str:
    return json.dumps(status, ensure_ascii=False, indent=2)


def _last_digest(conn: sqlite3.Connection, tz: ZoneInfo) -> dict[str, Any] | None:
    rows = read_rows(conn, "SELECT digest_date, status, sent_at, attempts, last_error, subject, article_ids "
                           "FROM digests ORDER BY digest_date DESC LIMIT 1")
    if not rows:
        return None
    digest = rows[0]
    digest["stories"] = len(digest.pop("article_ids"))
    digest["sent_at"] = _stored(digest["sent_at"], tz)
    return digest


def _stored_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Reports and the events they tell; an article not grouped yet (a database from before events) counts as one."""
    articles, unplaced = conn.execute(
        "SELECT COUNT(*), COUNT(*) - COUNT(event_id) FROM articles").fetchone()
    events, flagged = conn.execute("SELECT COUNT(*), COALESCE(SUM(flagged), 0) FROM events").fetchone()
    return {"articles": articles, "events": events + unplaced, "flagged_events": flagged, "unplaced": unplaced}


def _size(config: Config) -> int:
    paths = [config.database, config.database.with_name(config.database.name + "-wal")]
    return sum(p.stat().st_size for p in paths if p.exists())


def _local(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


def _stored(value: str | None, tz: ZoneInfo) -> str | None:
    """A stored time in the configured zone (an unreadable one as it is)."""
    moment = from_db(value)
    return _local(moment, tz) if moment else value


def _short(value: str | None) -> str:
    """'2025-11-22T07:30:00+01:00' → '2025-11-22 07:30', in the zone it was given in."""
    return value[:16].replace("T", " ") if value else "—"


def _human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"
