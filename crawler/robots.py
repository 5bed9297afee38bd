"""robots.txt read as RFC 9309 says: a server error or no answer means "crawl nothing" this run.

Scrapy's RobotsTxtMiddleware parses whatever comes back: the HTML of a 503
page yields no rules, so everything is allowed, and a robots.txt that hangs
leaves no parser, so everything is allowed too.  RFC 9309 (section 2.3.1.4)
asks the opposite: when robots.txt is unreachable because of a server or
network error, assume complete disallow.  This subclass does that for 5xx
answers and timeouts, for the current run only (the next run asks again),
and makes the refusal say why, so the run records it as an error instead of
a quiet "robots.txt forbids".  A host that refuses connections or does not
resolve is left to fail on its own requests, whose errors say more.

It relies on the middleware's private hooks (``_parse_robots``,
``_robots_error``, ``process_request_2``) as they are in Scrapy 2.19.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from twisted.internet import error as net_error

from crawler.block_pages import blocked_reason

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # Scrapy's own IgnoreRequest message


class RobotsUnavailable(IgnoreRequest):
    """robots.txt answered 5xx or not at all: nothing may be fetched from that host in this run."""


class _DisallowAll:
    """Stands in for a robots.txt parser; every URL is refused, with the reason."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def allowed(self, url: str, user_agent: Any) -> bool:
        return False


class RobotsMiddleware(RobotsTxtMiddleware):
    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        # A bot challenge in place of robots.txt is a refusal, not an outage: the first real
        # request meets the same challenge and the spider records the source as blocked.
        if response.status >= 500 and blocked_reason(response) is None:
            self._disallow_all(netloc, f"robots.txt answered HTTP {response.status}")
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, (DownloadTimeoutError, net_error.TimeoutError, TimeoutError)):
            self._disallow_all(netloc, "robots.txt did not answer in time")
            return
        super()._robots_error(exc, netloc)

    def process_request_2(self, rp: Any, request: Request) -> None:
        if isinstance(rp, _DisallowAll):
            raise RobotsUnavailable(rp.reason)
        super().process_request_2(rp, request)

    def _disallow_all(self, netloc: str, why: str) -> None:
        parser = _DisallowAll(f"{why}: nothing fetched from {netloc} this run (RFC 9309: unreachable "
                              "robots.txt means complete disallow); asked again next run")
        waiting = self._parsers[netloc]
        self._parsers[netloc] = parser
        waiting.callback(parser)
