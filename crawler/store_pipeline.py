"""The Scrapy item pipeline: a thin wrapper around ``process_page`` and ``ArticleStore``.

Extraction, dating and classification run in the crawl's worker processes
(:mod:`crawler.workers`) so the reactor keeps downloading meanwhile; SQLite
writes stay on the reactor thread, the crawl's only writer.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from pipelines.process import PageInput, Processed

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
        spider = self.crawler.spider
        source, store, report, config = spider.source, spider.store, spider.report, spider.config
        page = PageInput(url=item["url"], source=spider.page_source, html=item["html"], fetched_at=item["fetched_at"],
                         feed_date=item["feed_date"], feed_title=item["feed_title"])
        try:
            processed: Processed = await spider.pages.process(page, spider.process_settings)
        except Exception as exc:  # a page that breaks the extractor (or its worker) must not stop the source
            message = f"processing failed at {page.url}: {type(exc).__name__}: {str(exc)[:200]}"
            log.warning("%s: %s", source.name, message, exc_info=log.isEnabledFor(logging.DEBUG))
            report.extraction_failures += 1
            report.error(message)
            store.record_url(page.url, source.name, "failed", message)
            return {"url": page.url, "outcome": "failed"}
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
