"""The Scrapy item pipeline: a thin wrapper around ``process_page`` and ``ArticleStore``.

Extraction, dating and classification run in the crawl's worker processes
(:mod:`crawler.workers`) so the reactor keeps downloading meanwhile; SQLite
writes stay on the reactor thread, the crawl's only writer.  A write the
database refuses stops the whole crawl (:mod:`crawler.control`): the page is
dropped unrecorded, so the next run fetches it again, and nothing about it
(least of all its HTML) reaches the log but one line.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from crawler.control import STORAGE_FAILED
from crawler.settings import LOG_LEVEL_ENV
from crawler.workers import PageTimeout, PoolClosed, WorkerCrashed
from pipelines.process import PageInput, Processed
from pipelines.store import WriteFailed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

log = logging.getLogger("newsmon.crawler")

class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        control = self.crawler.spider.control
        if control.stopped:
            return {"url": item["url"], "outcome": "dropped"}
        try:
            return await self._process(item)
        except PoolClosed:
            return {"url": item["url"], "outcome": "dropped"}
        except WriteFailed as exc:
            control.stop(STORAGE_FAILED, str(exc))
            return {"url": item["url"], "outcome": "dropped"}

    async def _process(self, item: dict[str, Any]) -> dict[str, Any]:
        spider = self.crawler.spider
        source, store, report, config = spider.source, spider.store, spider.report, spider.config
        page = PageInput(url=item["url"], source=spider.page_source, html=item["html"], fetched_at=item["fetched_at"],
                         feed_date=item["feed_date"], feed_title=item["feed_title"])
        try:
            processed: Processed = await spider.pages.process(page, spider.process_settings)
        except PoolClosed:
            raise
        except Exception as exc:  # a page that breaks the extractor, hangs or kills its worker must not stop the source
            if isinstance(exc, (PageTimeout, WorkerCrashed)):
                message = str(exc)
            else:
                message = f"processing failed at {page.url}: {type(exc).__name__}: {str(exc)[:200]}"
            log.warning("%s: %s", source.name, message, exc_info=_debugging() and not isinstance(exc, PageTimeout))
            report.extraction_failures += 1
            report.error(message)
            store.record_url(page.url, source.name, "failed", message)
            return {"url": page.url, "outcome": "failed"}
        if spider.control.stopped:  # stopped while this page was processed: the next run fetches it
            return {"url": page.url, "outcome": "dropped"}
        report.dating_failures += "no_date" in processed.flags
        report.short_bodies += "short_body" in processed.flags
        if processed.rejected == "empty":
            # An empty 200 or a "back soon" page is usually gone by the next run: a failure
            # (retried until it has failed MAX_URL_ATTEMPTS times), not a final verdict.
            message = f"no article text at {item['published_url']} (empty, maintenance or error page)"
            store.record_url(page.url, source.name, "failed", message)
            report.extraction_failures += 1
            return {"url": page.url, "outcome": "failed"}
        if processed.rejected is not None:
            store.record_url(page.url, source.name, processed.rejected)
            report.skipped += 1
            return {"url": page.url, "outcome": processed.rejected}
        saved = store.save_article(
            {**processed.row, "published_url": item["published_url"]},
            html=item["html"] if config.crawl.keep_html else None,
            page={"encoding": item["encoding"], "feed_date": page.feed_date, "feed_title": page.feed_title},
            simhash=processed.simhash,
            keys=processed.keys,
        )
        report.new_articles += saved.created
        if saved.created and spider.alerts is not None:
            spider.alerts.stored(store, saved.id, processed.row)
        return {"url": page.url, "outcome": "stored" if saved.created else "updated", "cluster_id": saved.cluster_id}


def _debugging() -> bool:
    """Tracebacks only when asked for: Scrapy lets every logger through at DEBUG, whatever LOG_LEVEL says."""
    return os.environ.get(LOG_LEVEL_ENV, "").upper() == "DEBUG"
