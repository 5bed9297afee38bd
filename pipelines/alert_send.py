"""Deliver due alerts through Apprise, one message per (channel, watchlist) group.

Apprise speaks e-mail, Slack, Telegram, Teams, Matrix, ntfy and generic
JSON webhooks behind one URL syntax, so a channel is just a URL (kept in the
environment when it holds a secret).  Its own log lines are captured so a
failure is recorded in the ledger with the reason, and the rows stay
pending for the next attempt; nothing is ever marked sent that a channel did
not accept.
"""
from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime

from pipelines.alert_ledger import claim_due, mark_failed, mark_sent
from pipelines.alert_message import event_items, render
from pipelines.dbtime import utc_now
from pipelines.watchlists import AlertSettings

__all__ = ["DeliveryReport", "deliver_due", "send"]

log = logging.getLogger("newsmon.alerts")


@dataclass
class DeliveryReport:
    messages: int = 0  # messages accepted by their channel
    alerts: int = 0  # ledger rows those messages carried
    failures: list[str] = field(default_factory=list)


def send(url: str, title: str, body: str) -> str | None:
    """Send one message; None on success, else a one-line reason.

    Apprise is imported here, not at the top: it loads its hundred plugins
    on first use (seconds on a busy machine), which only a process that
    actually sends should pay.
    """
    import apprise

    notifier = apprise.Apprise()
    if not notifier.add(url):
        return "not a valid Apprise URL"
    with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as captured:
        ok = notifier.notify(title=title, body=body, body_format=apprise.NotifyFormat.TEXT)
    if ok:
        return None
    reasons = [line.strip() for line in captured.getvalue().splitlines() if line.strip()]
    return (reasons[-1] if reasons else "the channel did not accept the message")[:300]


def deliver_due(conn: sqlite3.Connection, alerts: AlertSettings, *, final: bool = False,
                base_url: str | None = None, now: datetime | None = None) -> DeliveryReport:
    """Send every group that is due (all pending groups not backing off when ``final``)."""
    report = DeliveryReport()
    moment = now or utc_now()
    for group in claim_due(conn, moment, fold_seconds=alerts.fold_seconds, final=final, channels=set(alerts.channels)):
        channel = alerts.channels[group[0].channel]
        title, body = render(group[0].watchlist, event_items(conn, group, base_url))
        try:
            error = send(channel.resolve(), title, body)
        except LookupError as exc:
            error = str(exc)
        if error is None:
            mark_sent(conn, group, utc_now())
            report.messages += 1
            report.alerts += len(group)
        else:
            retry_at = mark_failed(conn, group, utc_now(), error, alerts.retry_seconds)
            message = f"alert to {channel.name} for {group[0].watchlist} failed ({error}); retry after {retry_at:%H:%M:%S}"
            log.warning("%s", message)
            report.failures.append(message)
    return report
