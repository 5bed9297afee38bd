"""Downloader middlewares that make the crawler polite and keep it on its site.

Scrapy's own RetryMiddleware re-queues a failed request at once; against a
news site that is struggling (5xx, timeouts) that is the wrong reflex, so the
retry here waits with an exponential back-off (honouring ``Retry-After``) and
never retries a bot challenge.  The site guard keeps every request, redirects
included, on the source's own ``host[:port]``: Scrapy's OffsiteMiddleware
compares host names only.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.response import response_status_message

from crawler.block_pages import blocked_reason
from crawler.urls import site_of

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class OffsiteRefused(IgnoreRequest):
    """The request (often a redirect) leaves the source's site."""


class SiteGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        site = getattr(self.crawler.spider, "site", None)
        if site and site_of(request.url) != site:
            raise OffsiteRefused(f"off-site request refused: {request.url}")


class BackoffRetryMiddleware(RetryMiddleware):
    """Retry 5xx, 429 and timeouts after ``base * 2**(n-1)`` seconds; never retry a challenge."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.base_delay = settings.getfloat("NEWSMON_RETRY_BACKOFF", 1.0)
        self.max_delay = settings.getfloat("NEWSMON_RETRY_MAX_DELAY", 30.0)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if blocked_reason(response):
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await asyncio.sleep(self._delay(retry, response.headers.get(b"Retry-After")))
        return retry

    async def process_exception(self, request: Request, exception: Exception) -> Request | None:
        if request.meta.get("dont_retry", False) or not isinstance(exception, self.exceptions_to_retry):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self._delay(retry, None))
        return retry

    def _delay(self, retry: Request, retry_after: bytes | None) -> float:
        delay = self.base_delay * 2 ** (retry.meta.get("retry_times", 1) - 1)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        return min(delay, self.max_delay)
