"""Turn a failed request into the one line an analyst reads in ``source_runs.last_error``.

Twisted failures carry long reprs and tracebacks; what matters to someone
checking why a source is down is the kind of failure and where: "DNS lookup
failed for www.example.ma", "HTTP 500 at https://...", "timeout after 30 s".
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net_error
from twisted.python.failure import Failure


def describe_failure(failure: Failure) -> str:
    exc = failure.value
    request = getattr(failure, "request", None)
    url = request.url if request is not None else "?"
    host = urlsplit(url).hostname or url
    if isinstance(exc, HttpError):
        return f"HTTP {exc.response.status} at {url}"
    if isinstance(exc, (CannotResolveHostError, net_error.DNSLookupError)):
        return f"DNS lookup failed for {host}"
    if isinstance(exc, (DownloadConnectionRefusedError, net_error.ConnectionRefusedError)):
        return f"connection refused by {host}"
    if isinstance(exc, (DownloadTimeoutError, net_error.TimeoutError)):
        timeout = request.meta.get("download_timeout") if request is not None else None
        after = f" after {timeout:g} s" if isinstance(timeout, (int, float)) else ""
        return f"timeout{after} at {url}"
    if isinstance(exc, DownloadCancelledError) and "max size" in str(exc):
        return f"page larger than the size limit at {url}"
    if isinstance(exc, IgnoreRequest) and str(exc) == "max redirections reached":
        return _redirects(request, url)
    if isinstance(exc, IgnoreRequest) and "during decompression" in str(exc):
        return f"page larger than the size limit once decompressed (compression bomb?) at {url}"
    if isinstance(exc, IgnoreRequest):
        return str(exc).splitlines()[0] if str(exc) else f"request ignored: {url}"
    text = str(exc).strip().splitlines()
    detail = f": {text[0][:200]}" if text else ""
    return f"{type(exc).__name__}{detail} at {url}"


def _redirects(request: object, url: str) -> str:
    """A loop (a URL visited twice) or a chain too long to follow, named by the URL first asked for."""
    chain = [*getattr(request, "meta", {}).get("redirect_urls", []), url]
    if len(set(chain)) < len(chain):
        return f"redirect loop at {chain[0]}"
    return f"more than {len(chain) - 1} redirects from {chain[0]}"
