"""Refuse requests whose host resolves into the machine's own networks (SSRF guard).

Feeds, sitemaps and pages are written by third parties: a ``<loc>`` or a
redirect to ``http://169.254.169.254/`` or ``http://localhost:8080/admin``
would otherwise make the crawler probe the host it runs on.  Every request,
robots.txt and redirects included, passes through this downloader
middleware, so checking the resolved addresses here covers all of them.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class PrivateNetworkRefused(IgnoreRequest):
    """The target resolves to a loopback, private, link-local or reserved address."""


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def refusal_reason(host: str, addresses: list[str]) -> str | None:
    """Why ``host`` must not be fetched, or None; every address it resolves to must be public."""
    for address in addresses:
        if not is_public_address(address):
            return f"refused {host}: resolves to non-public address {address}"
    return None


class NetGuardMiddleware:
    """Downloader middleware; disabled when ``NEWSMON_ALLOW_PRIVATE_NETWORKS`` is true."""

    def __init__(self) -> None:
        self._verdicts: dict[tuple[str, int], str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetGuardMiddleware:
        if crawler.settings.getbool("NEWSMON_ALLOW_PRIVATE_NETWORKS"):
            raise NotConfigured
        return cls()

    async def process_request(self, request: Request) -> Any:
        parts = urlparse_cached(request)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (host, port)
        if key not in self._verdicts:
            try:
                # socket.getaddrinfo in the loop's executor: a slow resolver must not stall other sites.
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
                addresses = sorted({info[4][0] for info in infos})
            except (OSError, UnicodeError):
                # Unresolvable: let the download fail with the real DNS error.
                return None
            self._verdicts[key] = refusal_reason(host, addresses)
        reason = self._verdicts[key]
        if reason is not None:
            raise PrivateNetworkRefused(reason)
        return None
