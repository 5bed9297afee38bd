"""Instant alerts during a crawl: match each stored article, send from a background thread.

Matching runs where the article is stored (the reactor thread, in the same
transaction-per-article rhythm as the store), because the ledger row must
exist as soon as the article does.  Sending is network I/O that may hang on
a dead channel for seconds, so it runs on its own thread with its own
SQLite connection: every few seconds it sends the groups whose fold window
has passed, and when the crawl ends it sends everything still owed (a
channel that is down keeps its rows pending for the next crawl).
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.alert_ledger import record_hits
from pipelines.alert_send import DeliveryReport, deliver_due
from pipelines.dbtime import utc_now
from pipelines.store import ArticleStore, open_database
from pipelines.watchlists import AlertSettings, InstantMatcher, Watchlist

if TYPE_CHECKING:
    from crawler.config import Config

log = logging.getLogger("newsmon.alerts")

TICK_SECONDS = 5.0


def event_pages(config: Config) -> str | None:
    """``serve.base_url`` when the web interface is configured: alerts then link to its event pages."""
    serve = getattr(config, "serve", None)  # the `serve:` section arrives with the web interface
    return getattr(serve, "base_url", None)


class CrawlAlerts:
    """Created once per crawl; :meth:`stored` after each new article, :meth:`close` at the end."""

    def __init__(self, database: Path, watchlists: tuple[Watchlist, ...], alerts: AlertSettings,
                 base_url: str | None) -> None:
        self.database, self.alerts, self.base_url = database, alerts, base_url
        self.matcher = InstantMatcher(watchlists, alerts)
        self.sent = DeliveryReport()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin sending (what earlier crawls still owe goes out on the first tick)."""
        if not self.alerts.channels:
            return
        self._thread = threading.Thread(target=self._run, name="newsmon-alerts", daemon=True)
        self._thread.start()

    def stored(self, store: ArticleStore, article_id: int, row: dict[str, Any]) -> int:
        """Owe the alerts a newly stored article sets off; returns how many ledger rows it added."""
        if not self.matcher.active:
            return 0
        try:
            hits = self.matcher.hits(row)
            return record_hits(store.db.conn, article_id, hits, utc_now()) if hits else 0
        except Exception as exc:  # the article is stored; a failed match must not stop the source
            log.warning("watchlists: matching %s failed: %s: %s", row.get("url"), type(exc).__name__, exc)
            return 0

    def close(self) -> DeliveryReport:
        """Stop the sender and send everything due, fold windows ignored."""
        if self._thread is None:
            return self.sent
        self._stop.set()
        self._thread.join()
        self._thread = None
        return self.sent

    def _run(self) -> None:
        db = open_database(self.database)
        try:
            interval = min(TICK_SECONDS, max(self.alerts.fold_seconds / 2, 0.5))
            while not self._stop.wait(interval):
                self._deliver(db.conn, final=False)
            self._deliver(db.conn, final=True)
        finally:
            db.conn.close()

    def _deliver(self, conn: Any, *, final: bool) -> None:
        try:
            report = deliver_due(conn, self.alerts, final=final, base_url=self.base_url)
        except Exception as exc:  # a locked database or a bug in a plugin must not kill the crawl
            log.warning("sending alerts failed: %s: %s", type(exc).__name__, exc)
            return
        self.sent.messages += report.messages
        self.sent.alerts += report.alerts
        self.sent.failures.extend(report.failures)
