"""Run one crawl of the selected sources and record it in ``crawl_runs`` / ``source_runs``.

Each source gets its own Scrapy crawler inside one ``AsyncCrawlerProcess``:
its own stats, its own politeness slot and its own "blocked, stop now", while
all of them share one reactor and one database connection.  Twisted's
reactor cannot be restarted, so :func:`run_crawl` may be called once per
process; the daemon runs each crawl as a ``newsmon crawl`` subprocess.  A first SIGINT/SIGTERM asks Scrapy to stop gracefully;
the run is then recorded as ``interrupted`` with whatever was stored so far.

``crawl.max_run_minutes`` is a hard limit: at the limit every source is
closed and the pages still in workers are dropped (the next run fetches
them); HARD_STOP_SECONDS later the reactor is stopped whatever is still in
flight, and the run is recorded as ``interrupted``.  A write the database
refuses stops every source at once and records the run as ``failed``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from scrapy import signals
from scrapy.crawler import AsyncCrawlerProcess, Crawler
from twisted.internet import task

from crawler.alerts import CrawlAlerts, event_pages
from crawler.config import Config, Source
from crawler.control import STORAGE_FAILED, TIME_LIMIT, CrawlControl
from crawler.crawl_lock import crawl_lock
from crawler.reserve import keep_reserve, release_reserve
from crawler.settings import quiet_network_noise, scrapy_settings
from crawler.spiders.news import NewsSpider
from crawler.stats import SourceStats
from crawler.workers import PagePool
from pipelines.dbtime import utc_now
from pipelines.store import ArticleStore, StoreError, WriteFailed, open_database

log = logging.getLogger("newsmon.crawler")

PROGRESS_EVERY_SECONDS = 15.0
INTERRUPTED_REASONS = ("shutdown", TIME_LIMIT, None)
# After max_run_minutes, requests still in flight get this long before the reactor is stopped.
HARD_STOP_SECONDS = 10.0


@dataclass
class CrawlResult:
    run_id: int
    status: str  # 'finished' | 'interrupted' | 'failed' (every source failed or was blocked, or a write failed)
    started_at: datetime
    elapsed: float
    sources: list[SourceStats]
    stop_reason: str | None = None  # STORAGE_FAILED or TIME_LIMIT when the run was cut short
    stop_message: str | None = None  # the one line saying why and what happens next

    @property
    def interrupted(self) -> bool:
        return self.status == "interrupted"

    @property
    def all_failed(self) -> bool:
        return bool(self.sources) and all(s.status in ("failed", "blocked") for s in self.sources)

    @property
    def totals(self) -> dict[str, Any]:
        total = {key: sum(getattr(s, key) for s in self.sources)
                 for key in ("requests", "items_found", "new_articles", "skipped", "errors")}
        errors = [s.last_error for s in self.sources if s.last_error]
        total["last_error"] = errors[-1] if errors else None
        return total


def run_crawl(config: Config, sources: tuple[Source, ...] | list[Source], *, trigger: str = "cli",
              progress: Callable[[str], None] | None = None) -> CrawlResult:
    """Crawl ``sources`` once; raises :class:`StoreError` if the database cannot be opened or the run not started,
    :class:`CrawlBusy` (naming its PID) if another crawl is running on the same database."""
    with crawl_lock(config.database):
        return _run_crawl(config, sources, trigger, progress)


def _run_crawl(config: Config, sources: tuple[Source, ...] | list[Source], trigger: str,
               progress: Callable[[str], None] | None) -> CrawlResult:
    store = ArticleStore(open_database(config.database))
    try:
        store.mark_interrupted_runs()
        run_id = store.start_crawl_run([s.name for s in sources], trigger, os.getpid())
    except WriteFailed as exc:
        raise StoreError(f"cannot start the crawl: {exc}") from None
    keep_reserve(config.database)
    started, clock = utc_now(), time.monotonic()
    reports = [SourceStats(s.name, started) for s in sources]
    crawlers: list[Crawler] = []
    receivers: list[Callable[..., None]] = []  # Scrapy holds signal receivers weakly: keep them alive
    pages = PagePool(config.crawl.workers, deadline=config.crawl.page_timeout)
    alerts = CrawlAlerts(config.database, config.watchlists, config.alerts, event_pages(config))
    control = CrawlControl()
    try:
        alerts.start()
        pages.start()
        impersonate = any(s.fetcher == "impersonate" for s in sources)
        process = AsyncCrawlerProcess(scrapy_settings(config.crawl, impersonate))
        quiet_network_noise()
        for source, report in zip(sources, reports, strict=True):
            crawler = process.create_crawler(NewsSpider)
            receivers.append(_on_closed(crawler, report, progress))
            crawler.signals.connect(receivers[-1], signal=signals.spider_closed)
            crawlers.append(crawler)
            process.crawl(crawler, source=source, store=store, report=report, config=config, pages=pages,
                          alerts=alerts, control=control)
        control.on_stop(lambda reason: pages.abandon())
        control.on_stop(lambda reason: _close_all(crawlers, reason))
        ticker = _progress_ticker(reports, progress)
        _time_limit(control, config.crawl.max_run_minutes)
        process.start()
        if ticker is not None and ticker.running:
            ticker.stop()
    except BaseException as exc:
        _finish(store, run_id, "failed", {"last_error": f"crawl crashed: {type(exc).__name__}: {exc}"})
        raise
    finally:
        pages.close()
        alerts.close()  # sends what is still owed; a channel that is down keeps it for the next crawl
    for crawler, report in zip(crawlers, reports, strict=True):
        if report.finish_reason is None:  # a forced stop (second signal, hard limit): the spider never closed
            report.requests = _requests(crawler)
    result = CrawlResult(run_id, "finished", started, time.monotonic() - clock, reports,
                         stop_reason=control.reason)
    stored = sum(r.new_articles for r in reports)
    if control.reason == STORAGE_FAILED:
        result.status = "failed"
        result.stop_message = (f"{control.message}: stopped after {stored} article{'s' * (stored != 1)}; "
                               "the rest will be fetched next run")
    elif control.reason == TIME_LIMIT:
        result.status = "interrupted"
        result.stop_message = (f"stopped at crawl.max_run_minutes ({config.crawl.max_run_minutes:g}) after {stored} "
                               f"article{'s' * (stored != 1)}; the rest will be fetched next run")
    elif any(r.finish_reason in INTERRUPTED_REASONS for r in reports):
        result.status = "interrupted"
    elif result.all_failed:
        result.status = "failed"
    totals = result.totals
    if result.stop_message:
        totals["last_error"] = result.stop_message
    if control.reason == STORAGE_FAILED:
        release_reserve(config.database)  # room for the few pages that say the run failed
    try:
        _record_run(store, run_id, result.status, totals, reports)
        if config.crawl.keep_html_days and control.reason is None:
            store.drop_old_html(config.crawl.keep_html_days)
    except WriteFailed as exc:
        # The articles are stored; only the run's record is missing, and the next
        # run closes this one as interrupted (its process is gone by then).
        result.status = "failed"
        line = f"run not recorded: {exc}"
        result.stop_message = f"{result.stop_message}; {line}" if result.stop_message else line
    return result


def _record_run(store: ArticleStore, run_id: int, status: str, totals: dict[str, Any],
                reports: list[SourceStats]) -> None:
    """The run's rows, in one transaction: all of them or none."""
    with store.transaction():
        for report in reports:
            store.save_source_run(run_id, report.source, report.started_at, report.status, report.as_row())
        store.finish_crawl_run(run_id, status, totals)


def _finish(store: ArticleStore, run_id: int, status: str, totals: dict[str, Any]) -> None:
    """Record the end of a crashed run if the database still takes writes."""
    try:
        store.finish_crawl_run(run_id, status, totals)
    except WriteFailed:
        log.error("crawl run %d could not be recorded as %s", run_id, status)


def _close_all(crawlers: list[Crawler], reason: str) -> None:
    """Close every source's spider that is still open (each finishes the requests in flight)."""
    for crawler in crawlers:
        engine = crawler.engine
        if engine is not None and engine.spider is not None and engine.running:
            asyncio.ensure_future(engine.close_spider_async(reason=reason))


def _time_limit(control: CrawlControl, minutes: float) -> None:
    """At the limit stop every source; HARD_STOP_SECONDS later stop the reactor whatever is left."""
    from twisted.internet import reactor  # only now: importing it earlier would install the wrong reactor

    def hard_stop() -> None:
        if reactor.running:
            log.warning("requests still in flight %g s after crawl.max_run_minutes: stopping now", HARD_STOP_SECONDS)
            reactor.getThreadPool().stop()  # the shutdown triggers would; its threads would hold the exit
            reactor.crash()  # no shutdown triggers: they would wait for those requests again

    def limit() -> None:
        control.stop(TIME_LIMIT, f"crawl.max_run_minutes ({minutes:g}) reached")
        reactor.callLater(HARD_STOP_SECONDS, hard_stop)

    reactor.callLater(minutes * 60, limit)


def _requests(crawler: Crawler) -> int:
    stats = crawler.stats
    return int(stats.get_value("downloader/request_count", 0)) if stats is not None else 0


def _on_closed(crawler: Crawler, report: SourceStats, progress: Callable[[str], None] | None) -> Callable[..., None]:
    def closed(spider: Any, reason: str) -> None:
        report.finish_reason = reason
        report.requests = _requests(crawler)
        if reason == TIME_LIMIT:
            report.note("stopped: crawl.max_run_minutes reached")
        elif reason == STORAGE_FAILED:
            report.note("stopped: a database write failed")
        if progress is not None:
            progress(f"{report.progress_line()} [{report.status}]")
    return closed


def _progress_ticker(reports: list[SourceStats], progress: Callable[[str], None] | None) -> task.LoopingCall | None:
    """Every few seconds, one line per source still running whose counters moved."""
    if progress is None:
        return None
    last: dict[str, str] = {}

    def tick() -> None:
        for report in reports:
            line = report.progress_line()
            if report.finish_reason is None and last.get(report.source) != line:
                last[report.source] = line
                progress(line)

    from twisted.internet import reactor  # only now: importing it earlier would install the wrong reactor

    ticker = task.LoopingCall(tick)

    reactor.callWhenRunning(ticker.start, PROGRESS_EVERY_SECONDS, now=False)
    return ticker
