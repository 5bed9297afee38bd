"""Downloader middlewares that make the crawler polite and keep it on its site.

Scrapy's own RetryMiddleware re-queues a failed request at once; against a
news site that is struggling (5xx, timeouts) that is the wrong reflex, so the
retry here waits with an exponential back-off (honouring ``Retry-After``) and
never retries a bot challenge.  The site guard keeps every request, redirects
included, on the source's own ``host[:port]`` (or its ``www.``/bare twin):
Scrapy's OffsiteMiddleware compares host names only.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.response import response_status_message

from crawler.block_pages import blocked_reason
from crawler.urls import same_site, site_of

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
        if site and not same_site(site_of(request.url), site):
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
        return retry_delay(retry.meta.get("retry_times", 1), retry_after, base=self.base_delay, cap=self.max_delay)


def retry_delay(attempt: int, retry_after: bytes | None, *, base: float, cap: float,
                now: datetime | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1, 2, ...).

    ``base * 2**(attempt-1)``, or longer when the server's ``Retry-After``
    asks for it, in either of its RFC 9110 forms (seconds, or an HTTP date),
    and never more than ``cap``: one slow source must not hold a run for hours.
    """
    delay = base * 2 ** (attempt - 1)
    asked = _retry_after_seconds(retry_after, now or datetime.now(timezone.utc))
    if asked is not None:
        delay = max(delay, asked)
    return min(delay, cap)


def _retry_after_seconds(value: bytes | None, now: datetime) -> float | None:
    text = (value or b"").decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None  # empty or unreadable: fall back on the back-off
    if moment.tzinfo is None:  # "-0000": a date given without a zone is UTC in HTTP
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - now).total_seconds())
