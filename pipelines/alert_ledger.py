"""The alert ledger: which (watchlist, event, channel) is owed, sending, or sent.

A crawl records a pending row the moment an article matches; the sender
claims due rows with a short lease, delivers them folded per (channel,
watchlist), then marks them sent, or pushes their next attempt back.  The
UNIQUE key is what makes "each event once per watchlist and channel" hold
across articles, runs and processes: a second report of the same event
finds its row already there.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipelines.dblists import list_from_db, list_to_db
from pipelines.dbtime import to_db
from pipelines.watchlists import WatchHit

__all__ = ["LedgerState", "PendingAlert", "event_of", "record_hits", "claim_due", "mark_sent", "mark_failed", "ledger_state",
           "MAX_BACKOFF_SECONDS"]

MAX_BACKOFF_SECONDS = 3600.0
LEASE_SECONDS = 300.0  # longer than any send; a lease left by a killed process expires


@dataclass(frozen=True)
class PendingAlert:
    id: int
    watchlist: str
    event_id: int
    channel: str
    article_id: int
    terms: tuple[str, ...]
    attempts: int


def event_of(conn: sqlite3.Connection, article_id: int) -> int:
    """The event an article belongs to (``articles.event_id``).

    An article stored before events existed and not yet regrouped by
    ``newsmon reprocess`` is an event of its own, keyed ``-article_id`` so it
    cannot take a real event's place in the ledger.
    """
    row = conn.execute("SELECT event_id FROM articles WHERE id = ?", [article_id]).fetchone()
    return int(row[0]) if row and row[0] is not None else -article_id


def record_hits(conn: sqlite3.Connection, article_id: int, hits: list[WatchHit], now: datetime) -> int:
    """Owe one alert per hit and channel, unless this event already has one; returns rows added."""
    stamp = to_db(now)
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN IMMEDIATE")
    try:
        event_id = event_of(conn, article_id)
        added = 0
        for hit in hits:
            for channel in hit.channels:
                added += conn.execute(
                    "INSERT OR IGNORE INTO alert_ledger (watchlist, event_id, channel, article_id, terms, created_at,"
                    " next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [hit.watchlist, event_id, channel, article_id, list_to_db(hit.terms),
                     stamp, stamp],
                ).rowcount
        if own:
            conn.execute("COMMIT")
    except BaseException:
        if own:
            conn.execute("ROLLBACK")
        raise
    return added


def claim_due(conn: sqlite3.Connection, now: datetime, *, fold_seconds: float, final: bool,
              channels: set[str]) -> list[list[PendingAlert]]:
    """Lease and return the groups of pending rows ready to go, one group per (channel, watchlist).

    A group waits until its oldest row is ``fold_seconds`` old (so a burst
    becomes one message) unless ``final`` or it was tried already; it also
    waits while any of its rows is backing off after a failure.  Rows of channels this process does
    not know (removed from the config) are left alone.
    """
    stamp = to_db(now)
    fold_cutoff = to_db(now - timedelta(seconds=fold_seconds))
    conn.execute("BEGIN IMMEDIATE")
    try:
        rows = conn.execute(
            "SELECT id, watchlist, event_id, channel, article_id, terms, attempts, created_at, next_attempt_at"
            " FROM alert_ledger WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < ?)"
            " ORDER BY channel, watchlist, id",
            [stamp],
        ).fetchall()
        groups: dict[tuple[str, str], list[tuple]] = {}
        for row in rows:
            if row[3] in channels:
                groups.setdefault((row[3], row[1]), []).append(row)
        due = [
            group for group in groups.values()
            if all(r[8] <= stamp for r in group)
            and (final or min(r[7] for r in group) <= fold_cutoff or any(r[6] for r in group))
        ]
        lease = to_db(now + timedelta(seconds=LEASE_SECONDS))
        for group in due:
            conn.executemany("UPDATE alert_ledger SET lease_until = ? WHERE id = ?", [(lease, r[0]) for r in group])
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return [
        [PendingAlert(r[0], r[1], r[2], r[3], r[4], tuple(list_from_db(r[5])), r[6]) for r in group] for group in due
    ]


def mark_sent(conn: sqlite3.Connection, alerts: list[PendingAlert], now: datetime) -> None:
    conn.executemany(
        "UPDATE alert_ledger SET status = 'sent', sent_at = ?, attempts = attempts + 1, lease_until = NULL,"
        " last_error = NULL WHERE id = ?",
        [(to_db(now), a.id) for a in alerts],
    )


def mark_failed(conn: sqlite3.Connection, alerts: list[PendingAlert], now: datetime, error: str,
                retry_seconds: float) -> datetime:
    """Keep the rows pending and push their next attempt back (doubling, at most an hour); returns it."""
    attempts = max(a.attempts for a in alerts) + 1
    delay = min(retry_seconds * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS)
    retry_at = now + timedelta(seconds=delay)
    conn.executemany(
        "UPDATE alert_ledger SET attempts = attempts + 1, next_attempt_at = ?, lease_until = NULL, last_error = ?"
        " WHERE id = ?",
        [(to_db(retry_at), error[:500], a.id) for a in alerts],
    )
    return retry_at


@dataclass(frozen=True)
class LedgerState:
    sent: int
    pending: int
    last_error: str | None  # of the pending row tried most recently


def ledger_state(conn: sqlite3.Connection) -> dict[str, LedgerState]:
    """Per watchlist, alerts sent and still owed: an owed alert is never dropped, so it must be visible."""
    try:
        rows = conn.execute(
            "SELECT watchlist, sum(status = 'sent'), sum(status = 'pending'),"
            " (SELECT last_error FROM alert_ledger p WHERE p.watchlist = a.watchlist AND p.status = 'pending'"
            "  AND p.last_error IS NOT NULL ORDER BY p.next_attempt_at DESC LIMIT 1)"
            " FROM alert_ledger a GROUP BY watchlist"
        ).fetchall()
    except sqlite3.OperationalError:  # a database from before the ledger, opened read-only
        return {}
    return {row[0]: LedgerState(int(row[1] or 0), int(row[2] or 0), row[3]) for row in rows}
