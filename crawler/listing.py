"""What the spider reads off an HTML page: links, the next listing page, feed links.

News sites paginate in a handful of ways (``rel="next"``, ``?page=N``,
``/page/N/``, a link labelled "next", "suivant" or "التالي"); recognising them
here keeps the spider generic instead of one spider per site.  Links come
back as published (absolute, browser-safe, see :mod:`crawler.urls`): they
are requested in that spelling.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from scrapy.http import TextResponse

from crawler.urls import published_url

_NEXT_WORDS = re.compile(
    r"^\s*(?:next|next page|older|older posts|suivant|suivante|page suivante|التالي|التالية|الصفحة التالية|المزيد|»|›|>>|→)\s*[»›>→]*\s*$",
    re.IGNORECASE,
)
_PAGE_PATH = re.compile(r"/page/(\d+)/?$")
_PAGE_PARAMS = ("page", "paged", "p", "pg", "start")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def links(response: TextResponse) -> list[str]:
    """Every ``<a href>`` on the page, absolute and as published, in page order."""
    found = []
    for href in response.xpath("//a[@href]/@href").getall():
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "whatsapp:")):
            continue
        try:
            found.append(published_url(href, base=response.url))
        except ValueError:
            continue
    return list(dict.fromkeys(found))


def feed_links(response: TextResponse) -> list[str]:
    """Feeds advertised with ``<link rel="alternate" type="application/rss+xml">``."""
    found = []
    for node in response.xpath("//link[@href]"):
        rel = (node.attrib.get("rel") or "").lower().split()
        kind = (node.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in FEED_TYPES:
            found.append(published_url(node.attrib["href"], base=response.url))
    return list(dict.fromkeys(found))


def next_page(response: TextResponse) -> str | None:
    """The URL of the following listing page, or None on the last page."""
    for xpath in ("//link[@rel='next']/@href", "//a[@rel='next']/@href", "//a[contains(@rel, 'next')]/@href"):
        href = response.xpath(xpath).get()
        if href:
            return published_url(href, base=response.url)
    for anchor in response.xpath("//a[@href]"):
        label = " ".join(anchor.xpath(".//text()").getall()) or anchor.attrib.get("aria-label", "")
        if _NEXT_WORDS.match(label):
            return published_url(anchor.attrib["href"], base=response.url)
    return _numbered_successor(response)


def _numbered_successor(response: TextResponse) -> str | None:
    """A link to page N+1 when the page links its neighbours only by number."""
    current = _page_number(response.url) or 1
    for url in links(response):
        if _page_number(url) == current + 1 and _same_listing(url, response.url):
            return url
    return None


def _page_number(url: str) -> int | None:
    parts = urlsplit(url)
    match = _PAGE_PATH.search(parts.path)
    if match:
        return int(match.group(1))
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            return int(value)
    return None


def _same_listing(candidate: str, current: str) -> bool:
    """Same path once the page number is removed: page 2 of a section, not another section."""
    def stem(url: str) -> str:
        parts = urlsplit(url)
        return _PAGE_PATH.sub("/", parts.path).rstrip("/") or "/"

    return stem(candidate) == stem(current)
