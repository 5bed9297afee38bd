"""The downloader middlewares, driven as Scrapy drives them: a real Crawler built from the project's settings.

The retry middleware is asked to wait with ``asyncio.sleep``; the tests
record the seconds it asks for instead of waiting them, so the back-off is
checked exactly and no test depends on a clock.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Callable

import pytest
from scrapy import Request
from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import (
    CannotResolveHostError,
    CloseSpider,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse, Response
from scrapy.settings import Settings
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure

from crawler.config import load_config
from crawler.middlewares import BackoffRetryMiddleware, OffsiteRefused, SiteGuardMiddleware, retry_delay
from crawler.settings import scrapy_settings
from crawler.spiders.news import NewsSpider
from crawler.stats import SourceStats
from crawler.workers import PagePool
from pipelines.dbtime import utc_now
from pipelines.store import ArticleStore, open_database
from sites import CHALLENGE_PAGE

SITE = "https://www.akhbar-rif.ma"
RETRIES = 3
CONFIG = f"""\
database: newsmon.db
sources:
  - name: akhbar_rif
    url: {SITE}/
    lang: ar
    article_pattern: '-\\d+\\.html$'
    feeds: [{SITE}/feed/]
crawl:
  retries: {RETRIES}
"""


@pytest.fixture
def spider(write_config: Callable[[str], Path]) -> NewsSpider:
    """The project's spider on a Crawler configured exactly as ``newsmon crawl`` configures one."""
    config = load_config(write_config(CONFIG))
    crawler = get_crawler(NewsSpider, scrapy_settings(config.crawl))
    store = ArticleStore(open_database(config.database))
    crawler.spider = NewsSpider.from_crawler(
        crawler, source=config.sources[0], store=store, report=SourceStats("akhbar_rif", utc_now()),
        config=config, pages=PagePool(1))
    return crawler.spider


@pytest.fixture
def retry(spider: NewsSpider) -> BackoffRetryMiddleware:
    return BackoffRetryMiddleware.from_crawler(spider.crawler)


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Seconds the middleware asked to wait, in order; nothing actually waits."""
    asked: list[float] = []

    async def record(seconds: float) -> None:
        asked.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", record)
    return asked


def response(url: str, status: int, body: str = "<html><body>Service Unavailable</body></html>",
             headers: dict[str, str] | None = None) -> HtmlResponse:
    return HtmlResponse(url, status=status, body=body.encode(), headers=headers, encoding="utf-8",
                        request=Request(url))


def answer(middleware: BackoffRetryMiddleware, request: Request, resp: Response) -> Request | Response:
    return asyncio.run(middleware.process_response(request, resp))


def fail(middleware: BackoffRetryMiddleware, request: Request, exc: Exception) -> Request | None:
    return asyncio.run(middleware.process_exception(request, exc))


ARTICLE = f"{SITE}/تعاون-أمني-42.html"


# --- the project's settings put our middlewares in Scrapy's chain ------------

def test_project_chain_has_our_retry_instead_of_scrapys(spider: NewsSpider) -> None:
    chain = [type(m) for m in DownloaderMiddlewareManager.from_crawler(spider.crawler).middlewares]
    assert BackoffRetryMiddleware in chain and SiteGuardMiddleware in chain
    assert RetryMiddleware not in chain  # Scrapy's own would retry at once, a second time
    assert chain.index(SiteGuardMiddleware) < chain.index(BackoffRetryMiddleware)


# --- back-off on 5xx and 429 ------------------------------------------------

@pytest.mark.parametrize("status", [500, 502, 503, 504, 522, 524, 408, 429])
def test_server_trouble_is_retried_after_the_base_delay(retry, waits, status: int) -> None:
    request = Request(ARTICLE, meta={"article_url": ARTICLE})
    again = answer(retry, request, response(ARTICLE, status))
    assert isinstance(again, Request)
    assert again.url == request.url and again.meta["retry_times"] == 1 and again.dont_filter
    assert again.meta["article_url"] == ARTICLE  # the callback still knows which article it is
    assert waits == [1.0]


def test_each_attempt_waits_twice_as_long_then_the_503_is_handed_on(retry, waits, spider) -> None:
    request = Request(ARTICLE)
    for _ in range(RETRIES):
        request = answer(retry, request, response(ARTICLE, 503))
        assert isinstance(request, Request)
    last = response(ARTICLE, 503)
    assert answer(retry, request, last) is last
    assert waits == [1.0, 2.0, 4.0]
    assert spider.crawler.stats.get_value("retry/max_reached") == 1
    assert spider.crawler.stats.get_value("retry/count") == RETRIES


def test_back_off_is_capped(spider, waits) -> None:
    settings = Settings(dict(spider.crawler.settings))
    settings.set("RETRY_TIMES", 8)
    settings.set("NEWSMON_RETRY_MAX_DELAY", 10.0)
    middleware = BackoffRetryMiddleware(settings)
    middleware.crawler = spider.crawler
    request = Request(ARTICLE)
    for _ in range(6):
        request = answer(middleware, request, response(ARTICLE, 502))
    assert waits == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


@pytest.mark.parametrize("status", [200, 301, 403, 404, 410])
def test_other_statuses_pass_through_without_waiting(retry, waits, status: int) -> None:
    resp = response(ARTICLE, status)
    assert answer(retry, Request(ARTICLE), resp) is resp
    assert waits == []


def test_dont_retry_is_honoured(retry, waits) -> None:
    resp = response(ARTICLE, 503)
    assert answer(retry, Request(ARTICLE, meta={"dont_retry": True}), resp) is resp
    assert waits == []


# --- Retry-After ------------------------------------------------------------

@pytest.mark.parametrize("header, expected", [
    ("7", 7.0),          # longer than the back-off: the server's wish wins
    (" 12 ", 12.0),
    ("0", 1.0),          # shorter: the back-off still applies
    ("3600", 30.0),      # capped by NEWSMON_RETRY_MAX_DELAY
    ("soon", 1.0),       # unreadable: ignored
    ("-5", 1.0),
])
def test_retry_after_seconds(retry, waits, header: str, expected: float) -> None:
    again = answer(retry, Request(ARTICLE), response(ARTICLE, 429, headers={"Retry-After": header}))
    assert isinstance(again, Request)
    assert waits == [expected]


def test_retry_after_as_an_http_date(retry, waits) -> None:
    now = datetime.now(timezone.utc)
    later = format_datetime(now + timedelta(hours=2), usegmt=True)
    earlier = format_datetime(now - timedelta(hours=2), usegmt=True)
    answer(retry, Request(ARTICLE), response(ARTICLE, 503, headers={"Retry-After": later}))
    answer(retry, Request(ARTICLE), response(ARTICLE, 503, headers={"Retry-After": earlier}))
    assert waits == [30.0, 1.0]  # two hours ahead: the cap; already past: the back-off


NOW = datetime(2026, 3, 14, 9, 30, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("header, attempt, expected", [
    (None, 1, 1.0), (None, 2, 2.0), (None, 3, 4.0), (None, 9, 30.0),
    (b"20", 1, 20.0), (b"20", 6, 30.0),
    (b"Sat, 14 Mar 2026 09:30:20 GMT", 1, 20.0),        # IMF-fixdate
    (b"Saturday, 14-Mar-26 09:30:20 GMT", 1, 20.0),     # obsolete RFC 850 form
    (b"Sat Mar 14 09:30:20 2026", 1, 20.0),             # obsolete asctime form (UTC)
    (b"Sat, 14 Mar 2026 09:30:10 GMT", 5, 16.0),        # the back-off is already longer
    (b"Sat, 14 Mar 2026 09:29:00 GMT", 2, 2.0),         # in the past
    (b"Sat, 14 Mar 2026 11:00:00 GMT", 1, 30.0),
    (b"", 2, 2.0), (b"next week", 2, 2.0),
])
def test_retry_delay(header: bytes | None, attempt: int, expected: float) -> None:
    assert retry_delay(attempt, header, base=1.0, cap=30.0, now=NOW) == expected


# --- block pages are handed to the spider, not retried -------------------------

def test_challenge_page_is_not_retried_and_the_spider_stops_the_source(retry, waits, spider) -> None:
    challenge = response(f"{SITE}/feed/", 503, CHALLENGE_PAGE, headers={"Server": "cloudflare"})
    handed_on = answer(retry, Request(f"{SITE}/feed/"), challenge)
    assert handed_on is challenge and waits == []
    with pytest.raises(CloseSpider):
        spider.document_failed(_http_failure(handed_on))
    assert spider.report.blocked == 1 and spider.report.status == "blocked"
    assert "challenge page (HTTP 503" in spider.report.last_error


def test_mitigation_header_alone_marks_a_429_as_a_challenge(retry, waits) -> None:
    resp = response(ARTICLE, 429, "<html><body></body></html>", headers={"cf-mitigated": "challenge"})
    assert answer(retry, Request(ARTICLE), resp) is resp
    assert waits == []


def test_plain_503_still_retries_when_the_page_merely_mentions_cloudflare(retry, waits) -> None:
    page = "<html><body><p>Cloudflare, the company, published its results.</p></body></html>"
    assert isinstance(answer(retry, Request(ARTICLE), response(ARTICLE, 503, page)), Request)


def _http_failure(resp: Response) -> Failure:
    failure = Failure(HttpError(resp, "Ignoring non-200 response"))
    failure.request = resp.request
    return failure


# --- download exceptions ---------------------------------------------------------

@pytest.mark.parametrize("exc", [DownloadTimeoutError("took too long"), DownloadConnectionRefusedError("refused"),
                                 ResponseDataLossError("cut"), ConnectionLost("lost")],
                         ids=lambda e: type(e).__name__)
def test_network_failures_are_retried_with_back_off(retry, waits, exc: Exception) -> None:
    again = fail(retry, Request(ARTICLE), exc)
    assert isinstance(again, Request) and again.meta["retry_times"] == 1
    assert waits == [1.0]


def test_dns_failure_is_not_retried(retry, waits) -> None:
    assert fail(retry, Request("https://no-such-paper.example/"), CannotResolveHostError("no such host")) is None
    assert waits == []


def test_scrapys_default_would_have_retried_the_dns_failure(spider, waits) -> None:
    """What the project's RETRY_EXCEPTIONS changes: with Scrapy's list the test above would fail."""
    settings = Settings(dict(spider.crawler.settings))
    settings.set("RETRY_EXCEPTIONS", Settings().getlist("RETRY_EXCEPTIONS"))
    middleware = BackoffRetryMiddleware(settings)
    middleware.crawler = spider.crawler
    assert isinstance(fail(middleware, Request(ARTICLE), CannotResolveHostError("no such host")), Request)


def test_other_exceptions_are_not_retried(retry, waits) -> None:
    assert fail(retry, Request(ARTICLE), ValueError("a bug, not the network")) is None
    assert waits == []


# --- the site guard ------------------------------------------------------------

@pytest.fixture
def guard(spider: NewsSpider) -> SiteGuardMiddleware:
    return SiteGuardMiddleware.from_crawler(spider.crawler)


@pytest.mark.parametrize("url", [
    f"{SITE}/feed/",
    "http://www.akhbar-rif.ma/قسم/أمن",               # http → https of the same host: the same site
    "https://WWW.Akhbar-Rif.MA/robots.txt",            # host names are case-insensitive
    "https://www.akhbar-rif.ma:443/page/2/",            # the default port spelt out
])
def test_on_site_requests_pass(guard, url: str) -> None:
    assert guard.process_request(Request(url)) is None


@pytest.mark.parametrize("url", [
    "https://cdn.akhbar-rif.ma/a.jpg",                  # another host, however close
    "https://www.akhbar-rif.ma:8443/admin",             # same host, another port
    "https://www.akhbar-rif.ma.evil.example/",
    "http://169.254.169.254/latest/meta-data/",
])
def test_off_site_requests_are_refused(guard, url: str) -> None:
    with pytest.raises(OffsiteRefused, match="off-site request refused"):
        guard.process_request(Request(url))


def test_the_bare_host_is_the_same_site_as_www(guard) -> None:
    assert guard.process_request(Request("https://akhbar-rif.ma/feed/")) is None  # issue 10: www./bare twins


def test_refused_request_is_an_error_for_the_source_not_a_robots_skip(guard, spider) -> None:
    request = Request("https://tracker.example/pixel")
    with pytest.raises(OffsiteRefused) as refused:
        guard.process_request(request)
    failure = Failure(refused.value)
    failure.request = request
    spider.document_failed(failure)
    assert spider.report.skipped == 0
    assert spider.report.errors == 1 and spider.report.last_error.startswith("off-site request refused")

