"""Run one crawl of the selected sources and record it in ``crawl_runs`` / ``source_runs``.

Each source gets its own Scrapy crawler inside one ``AsyncCrawlerProcess``:
its own stats, its own politeness slot and its own "blocked, stop now", while
all of them share one reactor and one database connection.  Twisted's
reactor cannot be restarted, so :func:`run_crawl` may be called once per
process; the daemon runs each crawl as a ``newsmon crawl`` subprocess.  A first SIGINT/SIGTERM asks Scrapy to stop gracefully;
the run is then recorded as ``interrupted`` with whatever was stored so far.
"""

from __future__ import annotations

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
from crawler.settings import quiet_network_noise, scrapy_settings
from crawler.spiders.news import NewsSpider
from crawler.stats import SourceStats
from crawler.workers import PagePool
from pipelines.dbtime import utc_now
from pipelines.store import ArticleStore, open_database

log = logging.getLogger("newsmon.crawler")

PROGRESS_EVERY_SECONDS = 15.0
INTERRUPTED_REASONS = ("shutdown", None)


@dataclass
class CrawlResult:
    run_id: int
    status: str  # 'finished' | 'interrupted' | 'failed' (every source failed or was blocked)
    started_at: datetime
    elapsed: float
    sources: list[SourceStats]

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
    """Crawl ``sources`` once; raises :class:`StoreError` if the database cannot be written."""
    store = ArticleStore(open_database(config.database))
    store.mark_interrupted_runs()
    run_id = store.start_crawl_run([s.name for s in sources], trigger, os.getpid())
    started, clock = utc_now(), time.monotonic()
    reports = [SourceStats(s.name, started) for s in sources]
    crawlers: list[Crawler] = []
    receivers: list[Callable[..., None]] = []  # Scrapy holds signal receivers weakly: keep them alive
    pages = PagePool(config.crawl.workers)
    alerts = CrawlAlerts(config.database, config.watchlists, config.alerts, event_pages(config))
    try:
        alerts.start()
        pages.start()
        process = AsyncCrawlerProcess(scrapy_settings(config.crawl))
        quiet_network_noise()
        for source, report in zip(sources, reports, strict=True):
            crawler = process.create_crawler(NewsSpider)
            receivers.append(_on_closed(crawler, report, progress))
            crawler.signals.connect(receivers[-1], signal=signals.spider_closed)
            crawlers.append(crawler)
            process.crawl(crawler, source=source, store=store, report=report, config=config, pages=pages,
                          alerts=alerts)
        ticker = _progress_ticker(reports, progress)
        process.start()
        if ticker is not None and ticker.running:
            ticker.stop()
    except BaseException as exc:
        store.finish_crawl_run(run_id, "failed", {"last_error": f"crawl crashed: {type(exc).__name__}: {exc}"})
        raise
    finally:
        pages.close()
        alerts.close()  # sends what is still owed; a channel that is down keeps it for the next crawl
    for crawler, report in zip(crawlers, reports, strict=True):
        if report.finish_reason is None:  # a forced stop (second signal): the spider never closed
            report.requests = _requests(crawler)
    for report in reports:
        store.save_source_run(run_id, report.source, report.started_at, report.status, report.as_row())
    result = CrawlResult(run_id, "finished", started, time.monotonic() - clock, reports)
    if any(r.finish_reason in INTERRUPTED_REASONS for r in reports):
        result.status = "interrupted"
    elif result.all_failed:
        result.status = "failed"
    store.finish_crawl_run(run_id, result.status, result.totals)
    if config.crawl.keep_html_days:
        store.drop_old_html(config.crawl.keep_html_days)
    return result


def _requests(crawler: Crawler) -> int:
    stats = crawler.stats
    return int(stats.get_value("downloader/request_count", 0)) if stats is not None else 0


def _on_closed(crawler: Crawler, report: SourceStats, progress: Callable[[str], None] | None) -> Callable[..., None]:
    def closed(spider: Any, reason: str) -> None:
        report.finish_reason = reason
        report.requests = _requests(crawler)
        if reason == "closespider_timeout":
            report.note("stopped: crawl.max_run_minutes reached")
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
