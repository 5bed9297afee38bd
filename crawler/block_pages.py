"""Recognise a site that refuses us (403, bot challenges) rather than one that is broken.

A challenge page is not an error worth retrying: asking again at once only
digs the hole deeper, and the HTML is not an article.  Recognising it lets
the spider record the source as *blocked* for source health and stop asking
for the rest of the run.
"""

from __future__ import annotations

from scrapy.http import Response, TextResponse

_MARKERS = (
    "<title>just a moment",
    "attention required! | cloudflare",
    "cf-browser-verification",
    "/cdn-cgi/challenge-platform",
    "cf_chl_opt",
    "checking your browser before accessing",
    "ddos-guard",
    "captcha-delivery.com",
    "_incapsula_resource",
    "sucuri website firewall",
)
_SNIFF_BYTES = 20_000


def challenge_marker(response: Response) -> str | None:
    """The marker that identifies ``response`` as a bot challenge page, if any."""
    if response.headers.get(b"cf-mitigated", b"").lower() == b"challenge":
        return "cf-mitigated: challenge"
    if not isinstance(response, TextResponse):
        return None
    head = response.body[:_SNIFF_BYTES].decode("utf-8", errors="ignore").lower()
    for marker in _MARKERS:
        if marker in head:
            return marker
    return None


def blocked_reason(response: Response) -> str | None:
    """One line saying why this response means "we are blocked", or None."""
    marker = challenge_marker(response)
    if response.status == 403:
        return f"blocked: HTTP 403 ({marker})" if marker else "blocked: HTTP 403"
    if marker is not None:
        return f"blocked: challenge page (HTTP {response.status}, {marker})"
    return None
