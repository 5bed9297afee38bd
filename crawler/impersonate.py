"""``fetcher: impersonate``: fetch a source through curl_cffi with a browser's TLS fingerprint.

Some Moroccan sites sit behind Cloudflare and refuse Scrapy's TLS handshake
with a 403 or a challenge page whatever the request says.  curl_cffi speaks
TLS (and HTTP/2) the way Chrome does, which those sites accept.  Only the
transport changes: the request still goes through every downloader
middleware (robots.txt, the private-network guard, the site guard, the
back-off retry, the download slot's delay and concurrency), redirects are
left to Scrapy so each hop is checked again, the configured User-Agent is
sent as it is (we look like a browser on the wire, not in what we claim to
be), and the body is read in chunks and abandoned past the size limit,
decompressed size included.  TLS certificates are not verified, as Scrapy's
own handler does not verify them either.

``scrapy-impersonate`` wraps the same library, but release 1.10.1 reads the
whole body without a size limit, ignores DOWNLOAD_TIMEOUT, and installs a
top-level ``tests`` package into site-packages that shadows this project's
own; hence this small handler on curl_cffi directly.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from curl_cffi.requests import AsyncSession
from curl_cffi.requests.errors import RequestsError
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
)
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

BROWSER = "chrome"  # curl_cffi's alias for its newest Chrome fingerprint
_CURL_TIMEOUT, _CURL_CONNECT, _CURL_RESOLVE = 28, 7, 6  # libcurl error codes


class ImpersonateMiddleware:
    """Downloader middleware: mark every request of a ``fetcher: impersonate`` source, robots.txt included."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ImpersonateMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        source = getattr(self.crawler.spider, "source", None)
        if getattr(source, "fetcher", None) == "impersonate":
            request.meta.setdefault("impersonate", BROWSER)


class ImpersonateDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, except for requests marked ``impersonate``, which curl_cffi fetches."""

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("impersonate"):
            return await super().download_request(request)
        settings = self._crawler.settings
        max_size = int(request.meta.get("download_maxsize", settings.getint("DOWNLOAD_MAXSIZE")))
        timeout = float(request.meta.get("download_timeout", settings.getfloat("DOWNLOAD_TIMEOUT")))
        started = time.monotonic()
        try:
            async with AsyncSession() as session:
                answer = await session.request(
                    request.method, request.url, headers=request.headers.to_unicode_dict(),
                    data=request.body or None, allow_redirects=False, timeout=timeout, verify=False, stream=True,
                    impersonate=request.meta["impersonate"], quote=False,  # the URL exactly as published
                )
                try:
                    body = await _read(answer, max_size, request.url)
                finally:
                    await answer.aclose()
        except RequestsError as exc:
            raise _scrapy_error(exc, request.url, timeout) from None
        headers = Headers(answer.headers.multi_items())
        headers.pop("Content-Encoding", None)  # libcurl already decoded the body
        headers.pop("Content-Length", None)
        cls = responsetypes.from_args(headers=headers, url=answer.url, body=body)
        response = cls(url=answer.url, status=answer.status_code, headers=headers, body=body,
                       flags=["impersonate"], request=request)
        response.meta["download_latency"] = time.monotonic() - started
        return response


async def _read(answer: Any, max_size: int, url: str) -> bytes:
    body = bytearray()
    async for chunk in answer.aiter_content():
        body += chunk
        if max_size and len(body) > max_size:
            raise DownloadCancelledError(
                f"Cancelling download of {url}: received response larger than download max size ({max_size})")
    return bytes(body)


def _scrapy_error(exc: RequestsError, url: str, timeout: float) -> Exception:
    """The Scrapy exception the retry middleware and crawler.failures already understand."""
    code = getattr(exc, "code", None)
    if code == _CURL_TIMEOUT:
        return DownloadTimeoutError(f"Getting {url} took longer than {timeout:g} seconds.")
    if code == _CURL_CONNECT:
        return DownloadConnectionRefusedError(str(exc))
    if code == _CURL_RESOLVE:
        return CannotResolveHostError(str(exc))
    return DownloadFailedError(f"{str(exc).splitlines()[0][:200]}")
