"""The ``digests`` table: what was sent for which day, so each day is mailed once.

A row is written only after the SMTP server has accepted the message, in one
statement, so a crash or a refusal can never leave a day marked sent that was
not.  A failed resend of an already sent day keeps it sent.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from typing import Any

from pipelines.dblists import list_to_db
from pipelines.dbtime import to_db

# States after which the day needs nothing more; "empty" = nothing to say and
# digest.send_empty is false.  "partial": some recipients have it, others were
# refused for now (4xx) and are retried; ``recipients`` always lists who has it.
DONE = ("sent", "empty")


def ledger_row(conn: sqlite3.Connection, day: date) -> dict[str, Any] | None:
    """The ``digests`` row of ``day`` by column name; the caller's connection is left as it was."""
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    row = cursor.execute("SELECT * FROM digests WHERE digest_date = ?", [day.isoformat()]).fetchone()
    return dict(row) if row else None


def record_sent(conn: sqlite3.Connection, day: date, *, at: datetime, recipients: list[str], article_ids: list[int],
                subject: str, message_id: str, refused: list[str], status: str = "sent") -> None:
    """``recipients``: everyone who has the day's digest now; ``status`` 'partial' while some are still owed it."""
    conn.execute(
        """
        INSERT INTO digests (digest_date, status, sent_at, recipients, article_ids, subject, message_id, attempts, last_error)
        VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)
        ON CONFLICT(digest_date) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at,
            recipients = excluded.recipients, article_ids = excluded.article_ids, subject = excluded.subject,
            message_id = excluded.message_id, attempts = digests.attempts + 1, last_error = excluded.last_error
        """,
        [day.isoformat(), status, to_db(at), list_to_db(recipients), list_to_db(article_ids), subject, message_id,
         f"refused by the server: {', '.join(refused)}" if refused else None],
    )


def record_failure(conn: sqlite3.Connection, day: date, *, subject: str, error: str) -> None:
    conn.execute(
        """
        INSERT INTO digests (digest_date, status, subject, attempts, last_error) VALUES (?, 'failed', ?, 1, ?)
        ON CONFLICT(digest_date) DO UPDATE SET
            status = CASE WHEN digests.status IN ('sent', 'partial') THEN digests.status ELSE 'failed' END,
            attempts = digests.attempts + 1, last_error = excluded.last_error
        """,
        [day.isoformat(), subject, error],
    )


def record_empty(conn: sqlite3.Connection, day: date, *, subject: str) -> None:
    conn.execute(
        """
        INSERT INTO digests (digest_date, status, subject) VALUES (?, 'empty', ?)
        ON CONFLICT(digest_date) DO UPDATE SET
            status = CASE WHEN digests.status = 'sent' THEN 'sent' ELSE 'empty' END
        """,
        [day.isoformat(), subject],
    )
