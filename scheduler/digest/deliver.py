"""Build, send and record one day's digest; decide which day is due.

The check "already sent?" and the send happen under one lock beside the
database, so the daemon and an analyst's manual ``newsmon digest`` cannot
both mail the same day.  The day is recorded only after the SMTP server
accepted the message.  A crash between acceptance and the record would
resend it on the next run: for a digest, a rare duplicate is better than a
silently lost day.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.config import Config, cron_trigger
from pipelines.dblists import list_from_db
from pipelines.dbtime import from_db, utc_now
from pipelines.store import open_database, open_readonly
from scheduler.digest.build import Digest, build_digest
from scheduler.digest.ledger import DONE, ledger_row, record_empty, record_failure, record_sent
from scheduler.digest.message import compose, subject_line
from scheduler.digest.send import SendError, send_message
from scheduler.locks import digest_lock

# Bounds the walk over cron fire times in the catch-up window (a seconds-level
# test schedule over a 12-hour window is the worst case).
MAX_FIRE_TIMES = 50_000


class DigestError(RuntimeError):
    """A user-facing failure outside SMTP (the output file cannot be written)."""


@dataclass(frozen=True)
class DigestResult:
    day: date
    outcome: str  # sent | partial (some recipients refused for now) | already_done | empty_skipped | written | failed
    message: str

    @property
    def ok(self) -> bool:
        return self.outcome not in ("failed", "partial")


def today(config: Config, now: datetime | None = None) -> date:
    return (now or utc_now()).astimezone(ZoneInfo(config.timezone)).date()


def deliver_digest(config: Config, day: date | None = None, *, force: bool = False,
                   now: datetime | None = None, stop: threading.Event | None = None) -> DigestResult:
    """Send ``day``'s digest unless that day is already done (or ``force``)."""
    now = now or utc_now()
    day = day or today(config, now)
    with digest_lock(config.database):
        db = open_database(config.database)
        try:
            row = ledger_row(db.conn, day)
            if row and row["status"] in DONE and not force:
                return DigestResult(day, "already_done", _already(row, day, ZoneInfo(config.timezone)))
            digest = _build(config, day, now)
            subject = subject_line(digest)
            if digest.nothing_new and not config.digest.send_empty:
                record_empty(db.conn, day, subject=subject)
                return DigestResult(day, "empty_skipped",
                                    f"no story for {day}; nothing sent (digest.send_empty is false)")
            msg = compose(digest, config, now)
            # Never twice to one who has it: a 'partial' day goes only to those still owed it.
            has_it = list_from_db(row["recipients"]) if row and row["status"] == "partial" and not force else []
            recipients = [r for r in config.digest.to if r not in has_it]
            try:
                delivery = send_message(msg, config.digest.smtp, recipients, stop)
            except SendError as exc:
                record_failure(db.conn, day, subject=subject, error=str(exc))
                return DigestResult(day, "failed", f"digest for {day} not sent: {exc}")
            if not delivery.accepted and not has_it:
                refusals = "; ".join(f"{a}: {why}" for a, why in {**delivery.temporary, **delivery.permanent}.items())
                record_failure(db.conn, day, subject=subject, error=f"every recipient refused: {refusals}")
                return DigestResult(day, "failed", f"digest for {day} not sent: every recipient refused: {refusals}")
            refused = [f"{a} ({why}, will retry)" for a, why in delivery.temporary.items()]
            refused += [f"{a} ({why})" for a, why in delivery.permanent.items()]
            record_sent(db.conn, day, at=utc_now(), recipients=has_it + delivery.accepted,
                        article_ids=digest.article_ids, subject=subject, message_id=msg["Message-ID"],
                        refused=refused, status="partial" if delivery.temporary else "sent")
        finally:
            db.close()
    note = f" (refused: {'; '.join(refused)})" if refused else ""
    outcome = "partial" if delivery.temporary else "sent"  # not ok: the daemon logs it and retries the rest
    return DigestResult(day, outcome, f"sent {subject!r} to {', '.join(delivery.accepted) or 'nobody new'}{note}")


def write_digest(config: Config, out: Path, day: date | None = None, *, now: datetime | None = None) -> DigestResult:
    """``--dry-run``: the exact message that would be sent, written to a file; nothing sent or recorded."""
    now = now or utc_now()
    day = day or today(config, now)
    digest = _build(config, day, now)
    msg = compose(digest, config, now)
    try:
        out.write_bytes(msg.as_bytes())
    except OSError as exc:
        raise DigestError(f"cannot write {out}: {exc.strerror}") from None
    return DigestResult(day, "written", f"wrote {subject_line(digest)!r} to {out}; nothing sent")


def due_digest_day(config: Config, now: datetime | None = None) -> date | None:
    """The day of the latest scheduled digest within ``schedule.catchup_hours``, if any.

    The daemon sends this day when it is not done yet: at the scheduled time,
    at start-up after downtime, and on later ticks after a failed send.  Past
    the window the day is left alone; its stories roll into the next digest,
    which starts where the last sent one ended.
    """
    now = now or utc_now()
    trigger = cron_trigger(config.schedule.digest, config.timezone)
    fire = trigger.get_next_fire_time(None, now - timedelta(hours=config.schedule.catchup_hours))
    latest = None
    for _ in range(MAX_FIRE_TIMES):
        if fire is None or fire > now:
            break
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest.astimezone(ZoneInfo(config.timezone)).date() if latest else None


def day_is_done(config: Config, day: date) -> bool:
    conn = open_readonly(config.database)
    try:
        row = ledger_row(conn, day)
    finally:
        conn.close()
    return bool(row and row["status"] in DONE)


def _build(config: Config, day: date, now: datetime) -> Digest:
    conn = open_readonly(config.database)
    try:
        return build_digest(conn, config, day, now)
    finally:
        conn.close()


def _already(row: dict, day: date, tz: ZoneInfo) -> str:
    if row["status"] == "empty":
        return f"digest for {day} already handled: no story and digest.send_empty is false; use --force to send anyway"
    sent = from_db(row["sent_at"])
    when = sent.astimezone(tz).isoformat(timespec="seconds") if sent else row["sent_at"]
    return f"digest for {day} already sent at {when}; nothing sent (use --force to send it again)"
