"""The one generic news spider: a source's feeds, sitemaps and listings in, article pages out.

Everything site-specific lives in config.yaml, so adding a newspaper is a
configuration change.  The spider's job is discovery and restraint: find
article URLs, drop the ones that are off-site, too old by their feed date or
already in the database *before* requesting them, and stop asking a site that
has started to block us.  Extraction, dating and storage happen in the item
pipeline (``crawler.store_pipeline``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scrapy import Request, Spider
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, DNSLookupError
from twisted.python.failure import Failure

from crawler.block_pages import blocked_reason
from crawler.control import STORAGE_FAILED, CrawlControl
from crawler.failures import describe_failure
from crawler.discovery import Candidate, read_listing, robots_sitemaps, standard_candidates
from crawler.feeds import MAX_XML_BYTES, FeedEntry, FeedError, Sitemap, parse_feed, parse_sitemap
from crawler.listing import feed_links, links, next_page
from crawler.robots import ROBOTS_FORBIDDEN, RobotsUnavailable
from crawler.urls import published_url, readable_url, site_key, site_of
from pipelines.dates import parse_date
from pipelines.dbtime import utc_now
from pipelines.health import CONFIG_ADVICE
from pipelines.process import PageSource
from pipelines.store import WriteFailed

if TYPE_CHECKING:
    from crawler.alerts import CrawlAlerts
    from crawler.config import Config, Source
    from crawler.stats import SourceStats
    from crawler.workers import PagePool
    from pipelines.store import ArticleStore

log = logging.getLogger("newsmon.crawler")

FEED_PRIORITY = 20
MAX_CHILD_SITEMAPS = 10  # per sitemap index, newest first
LISTING_PRIORITY = 10


class NewsSpider(Spider):
    name = "news"

    def __init__(self, *, source: Source, store: ArticleStore, report: SourceStats, config: Config,
                 pages: PagePool, alerts: CrawlAlerts | None = None,
                 control: CrawlControl | None = None) -> None:
        super().__init__(name=source.name)
        self.source = source
        self.store = store
        self.control = control or CrawlControl()
        self.pages = pages
        self.alerts = alerts
        self.report = report
        self.config = config
        self.page_source = PageSource(source.name, source.lang, source.date_selector)
        self.process_settings = config.process_settings()
        self.zone = ZoneInfo(config.timezone)  # feed dates that name no zone
        self.site = site_of(source.url)
        self.cutoff = utc_now() - timedelta(days=config.crawl.max_age_days)
        self.seen_articles: set[str] = set()
        self.seen_documents: set[str] = set()  # feeds, sitemaps and listing pages already requested
        self.discovery: list[Candidate] | None = None  # alternatives still to try; None: not needed yet
        self.failed_documents: list[str] = []  # configured feeds and sitemaps that did not work, and why
        self.homepage_links: list[str] = []  # read if no alternative works
        self.articles_requested = 0  # bounded by crawl.max_articles_per_source
        self.articles_deferred = 0  # new articles beyond that bound, left for the next run
        self.robots_unavailable = False  # robots.txt answered 5xx or hung: reported once

    # -- start -----------------------------------------------------------
    async def start(self) -> Any:
        source = self.source
        if not (source.feeds or source.sitemaps or source.start_urls):
            for request in self._discover("no feeds, sitemaps or start_urls configured"):
                yield request
        for url in source.feeds:
            yield self._document(url, self.parse_feed, self.feed_failed, FEED_PRIORITY, meta={"configured": "feed"})
        for url in source.sitemaps:
            yield self._sitemap(url, configured=True)
        for url in source.start_urls:
            yield self._document(url, self.parse_listing, self.document_failed, LISTING_PRIORITY, depth=0)

    def _document(self, url: str, callback: Any, errback: Any, priority: int, meta: dict[str, Any] | None = None,
                  **cb_kwargs: Any) -> Request:
        """Request a feed, sitemap or listing page as published; remember its identity."""
        self.seen_documents.add(site_key(url, self.site) or url)
        return Request(url, callback=callback, errback=errback, priority=priority, cb_kwargs=cb_kwargs,
                       dont_filter=True, meta=meta)

    def _sitemap(self, url: str, configured: bool = False) -> Request:
        # The sitemap protocol's own bound (50 MB uncompressed), not max_page_bytes: a full
        # 50,000-URL sitemap is about 5 MB and must not be refused whole.
        meta: dict[str, Any] = {"download_maxsize": MAX_XML_BYTES}
        if configured:
            meta["configured"] = "sitemap"
        return self._document(url, self.parse_sitemap, self.feed_failed, FEED_PRIORITY, meta=meta)

    # -- feeds and sitemaps ------------------------------------------------
    def parse_feed(self, response: Response) -> Iterator[Request]:
        self._answered(response)
        try:
            entries = parse_feed(response.body)
        except FeedError as exc:
            self.report.error(f"feed {response.url}: {exc}")
            yield from self._configured_failed(response.request, f"is unreadable ({exc})")
            return
        before = self.report.items_found
        yield from self._articles(entries, response.url)
        if self.report.items_found == before:
            yield from self._configured_failed(response.request, "lists no article matching article_pattern")

    def feed_failed(self, failure: Failure) -> Iterator[Request]:
        """A configured feed or sitemap failed: look for another one if the site itself answers."""
        message = self._failed(failure)
        exc = failure.value
        # A dead host's other addresses are dead too, and robots.txt refusals are not the feed's fault.
        if message is None or isinstance(exc, (DownloadTimeoutError, ConnectError, DNSLookupError,
                                               CannotResolveHostError, DownloadConnectionRefusedError)):
            return
        problem = f"answers HTTP {exc.response.status}" if isinstance(exc, HttpError) else f"failed ({message})"
        yield from self._configured_failed(failure.request, problem)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        self._answered(response)
        try:
            sitemap = parse_sitemap(response.body)
        except FeedError as exc:
            self.report.error(f"sitemap {response.url}: {exc}")
            yield from self._configured_failed(response.request, f"is unreadable ({exc})")
            return
        before = self.report.items_found
        yield from self._sitemap_contents(sitemap, response.url)
        if self.report.items_found == before and not sitemap.children:
            yield from self._configured_failed(response.request, "lists no article matching article_pattern")

    def _sitemap_contents(self, sitemap: Sitemap, base: str) -> Iterator[Request]:
        children = []
        for child in sitemap.children:
            found = self._on_site(child.url, base)
            date = self._feed_date(child.date)
            if found is not None and found[1] not in self.seen_documents and not self._too_old(date):
                children.append((date, found[0]))
        # An archive index can list years of monthly sitemaps, some undated: follow the newest few.
        children.sort(key=lambda pair: pair[0] or datetime.min.replace(tzinfo=timezone.utc), reverse=True)
        if len(children) > MAX_CHILD_SITEMAPS:
            self.report.note(f"sitemap index {base}: followed the {MAX_CHILD_SITEMAPS} newest of "
                             f"{len(children)} sitemaps")
        for _, url in children[:MAX_CHILD_SITEMAPS]:
            yield self._sitemap(url)
        yield from self._articles(sitemap.entries, base)

    # -- discovery: when the configured feed or sitemap does not work -------
    def _configured_failed(self, request: Request, problem: str) -> Iterator[Request]:
        kind = request.meta.get("configured")
        if kind:
            self.failed_documents.append(f"{kind} {request.url} {problem}")
            yield from self._discover(f"{kind} {request.url} {problem}")

    def _discover(self, why: str) -> Iterator[Request]:
        """Start trying the alternatives of :mod:`crawler.discovery`, once per run, one at a time."""
        if self.discovery is not None:
            return
        log.info("%s: %s; looking for another feed or sitemap", self.source.name, why)
        self.discovery = standard_candidates(self.source.url)
        yield from self._next_candidate()

    def _next_candidate(self) -> Iterator[Request]:
        assert self.discovery is not None
        while self.discovery:
            candidate = self.discovery.pop(0)
            found = self._on_site(candidate.url, self.source.url)
            if found is None or (candidate.kind not in ("robots", "homepage") and found[1] in self.seen_documents):
                continue
            meta: dict[str, Any] = {"download_maxsize": MAX_XML_BYTES} if candidate.kind == "sitemap" else {}
            if candidate.kind == "robots":
                meta["dont_obey_robotstxt"] = True
            yield self._document(found[0], self.parse_candidate, self.candidate_failed, FEED_PRIORITY,
                                 meta=meta, candidate=candidate)
            return
        yield from self._discovery_exhausted()

    def parse_candidate(self, response: Response, candidate: Candidate) -> Iterator[Request]:
        self._answered(response)
        assert self.discovery is not None
        if candidate.kind == "robots":
            self.discovery[:0] = [Candidate("sitemap", url) for url in robots_sitemaps(response.body)]
        elif candidate.kind == "homepage":
            if isinstance(response, TextResponse):
                self.discovery[:0] = [Candidate("feed", url) for url in feed_links(response)]
                self.homepage_links = links(response)
        else:
            try:
                listing = read_listing(candidate.kind, response.body)
            except FeedError:
                listing = None
            if listing is not None:
                before = self.report.items_found
                requests = list(self._sitemap_contents(listing, response.url))
                if self.report.items_found > before or listing.children:
                    self._discovered(candidate, response.url)
                    yield from requests
                    return
        yield from self._next_candidate()

    def candidate_failed(self, failure: Failure) -> Iterator[Request]:
        # Expected for most guesses (404s at the usual places): not an error of the source,
        # unless the site has started refusing us.
        if isinstance(failure.value, HttpError):
            reason = blocked_reason(failure.value.response)
            if reason is not None:
                self._block(reason, failure.request.url)
        log.debug("%s: discovery: %s", self.source.name, describe_failure(failure))
        yield from self._next_candidate()

    def _discovered(self, candidate: Candidate, url: str) -> None:
        what = "WordPress API" if candidate.kind == "wp_api" else candidate.kind
        failed = "; ".join(self.failed_documents) or "nothing configured to read"
        message = f"{failed}; used {what} {url} instead — {CONFIG_ADVICE}"
        self.report.note(message)
        log.warning("%s: %s", self.source.name, message)

    def _discovery_exhausted(self) -> Iterator[Request]:
        if self.homepage_links:
            self.report.note("no working feed, sitemap or WordPress API found; read the homepage's links instead")
            yield from self._articles((FeedEntry(url) for url in self.homepage_links), self.source.url)
        else:
            self.report.note("no working feed, sitemap or WordPress API found (robots.txt, homepage, usual places)")

    # -- listings and the homepage -----------------------------------------
    def parse_listing(self, response: Response, depth: int) -> Iterator[Request]:
        page = self._html(response)
        if page is None:
            return
        yield from self._articles((FeedEntry(url) for url in links(page)), page.url)
        if depth >= self.config.crawl.listing_depth:
            return
        following = next_page(page)
        found = self._on_site(following, page.url) if following else None
        if found is not None and found[1] not in self.seen_documents:
            yield self._document(found[0], self.parse_listing, self.document_failed, LISTING_PRIORITY, depth=depth + 1)

    # -- articles -----------------------------------------------------------
    def _articles(self, entries: Iterable[FeedEntry], base: str) -> Iterator[Request]:
        """Requests for the article URLs among ``entries`` that are new, fresh and on-site."""
        fresh: list[tuple[str, str, FeedEntry, datetime | None]] = []  # (published, key, entry, feed date)
        for entry in entries:
            found = self._on_site(entry.url, base)
            if found is None or found[1] in self.seen_articles or not self._is_article(found[1]):
                continue
            self.seen_articles.add(found[1])
            self.report.items_found += 1
            date = self._feed_date(entry.date)
            if self._too_old(date):
                self.report.skipped += 1
                continue
            fresh.append((*found, entry, date))
        if self.control.stopped:
            return
        known = self.store.known_urls(key for _, key, _, _ in fresh)
        self.report.skipped += len(known)
        new = [item for item in fresh if item[1] not in known]
        room = max(self.config.crawl.max_articles_per_source - self.articles_requested, 0)
        if len(new) > room:
            # Newest first; the rest are not recorded anywhere, so the next run picks them up.
            new.sort(key=lambda item: item[3] or datetime.max.replace(tzinfo=timezone.utc), reverse=True)
            self.articles_deferred += len(new) - room
            new = new[:room]
        self.articles_requested += len(new)
        for url, key, entry, date in new:
            # dont_filter: articles are deduplicated above; Scrapy's filter would silently drop
            # the second visit of a redirect loop instead of letting it fail with its reason.
            yield Request(url, callback=self.parse_article, errback=self.article_failed, dont_filter=True,
                          meta={"article_url": key, "published_url": url, "feed_date": date, "feed_title": entry.title})

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        page = self._html(response)
        if page is None:
            self._record_failed(response.meta["article_url"], "not an HTML page")
            return
        if self.control.stopped:
            return
        yield {
            "url": response.meta["article_url"],
            "published_url": response.meta["published_url"],
            "html": page.text,
            "encoding": page.encoding,
            "fetched_at": utc_now(),
            "feed_date": response.meta.get("feed_date"),
            "feed_title": response.meta.get("feed_title"),
        }

    def article_failed(self, failure: Failure) -> None:
        message = self._failed(failure)
        if message is not None:
            self._record_failed(failure.request.meta["article_url"], message)

    def _record_failed(self, url: str, message: str) -> None:
        """Count a failed attempt at ``url``; a refused write stops the crawl instead of raising here."""
        if self.control.stopped:
            return
        try:
            self.store.record_url(url, self.source.name, "failed", message)
        except WriteFailed as exc:
            self.control.stop(STORAGE_FAILED, str(exc))

    # -- shared checks --------------------------------------------------------
    def document_failed(self, failure: Failure) -> None:
        self._failed(failure)

    def _answered(self, response: Response) -> None:
        """Count a usable answer, or stop the source if it is a block page."""
        reason = blocked_reason(response)
        if reason is not None:
            self._block(reason, response.url)
        self.report.responses += 1

    def _html(self, response: Response) -> TextResponse | None:
        self._answered(response)
        if not isinstance(response, TextResponse):
            self.report.error(f"not an HTML page: {response.url}")
            return None
        return response

    def _failed(self, failure: Failure) -> str | None:
        """Record a failed request; returns the error line, or None when nothing went wrong."""
        exc = failure.value
        url = failure.request.url
        if isinstance(exc, HttpError):
            reason = blocked_reason(exc.response)
            if reason is not None:
                self._block(reason, url)
        elif isinstance(exc, RobotsUnavailable):
            # Not the URL's fault: recorded once against the source, the URL is asked again next run.
            self.report.skipped += 1
            if not self.robots_unavailable:
                self.robots_unavailable = True
                self.report.error(str(exc))
            return None
        elif isinstance(exc, IgnoreRequest) and str(exc) == ROBOTS_FORBIDDEN:
            # robots.txt said no: obeying it is not an error, but a forbidden feed is worth a note.
            self.report.skipped += 1
            if "article_url" not in failure.request.meta:
                self.report.note(f"robots.txt forbids {url}")
            return None
        message = describe_failure(failure)
        self.report.error(message)
        log.info("%s: %s", self.source.name, message)
        return message

    def closed(self, reason: str) -> None:
        if self.articles_deferred:
            self.report.note(f"article limit reached: {self.articles_deferred} article(s) left for the next run")

    def _block(self, reason: str, url: str) -> None:
        if not self.report.blocked:
            self.report.blocked = 1
            self.report.error(f"{reason} at {url}")
            self.report.note("blocked: no further requests this run")
            log.warning("%s: %s at %s; no further requests to this source in this run", self.source.name, reason, url)
        raise CloseSpider("blocked")

    def _on_site(self, url: str | None, base: str) -> tuple[str, str] | None:
        """``(published, key)`` for a link on the source's own site (``www.`` or bare), else None.

        The published form is what gets requested; the key (canonical) is what
        "seen" and "already stored" compare.
        """
        if not url:
            return None
        try:
            published = published_url(url, base=base)
        except ValueError:
            return None
        key = site_key(published, self.site)
        return (published, key) if key is not None else None

    def _is_article(self, url: str) -> bool:
        return self.source.is_article(url) or self.source.is_article(readable_url(url))

    def _feed_date(self, raw_date: str | None) -> datetime | None:
        return parse_date(raw_date, lang=self.source.lang, zone=self.zone) if raw_date else None

    def _too_old(self, date: datetime | None) -> bool:
        """Only a known date can rule an entry out; an undated one is fetched and dated from its page."""
        return date is not None and date < self.cutoff
