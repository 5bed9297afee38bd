"""Read RSS 2.0, Atom, sitemaps, sitemap indexes and Google News sitemaps.

Parsed with lxml directly because Scrapy's sitemap reader flattens only
direct children and drops ``<news:publication_date>`` and ``<news:title>``
(research notes B4), which are the best date hints a news sitemap offers.
The functions are pure: bytes in, entries out, so the spider, ``sources
check`` and the tests share them.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass

from lxml import etree

MAX_XML_BYTES = 50_000_000  # a decompressed sitemap may not exceed this (sitemaps.org caps at 50 MB)


class FeedError(ValueError):
    """The body is not a feed or sitemap we can read; the message is one line."""


@dataclass(frozen=True)
class FeedEntry:
    """One link found in a feed or sitemap, with the hints the article page may lack."""

    url: str
    date: str | None = None  # the raw pubDate / published / lastmod / publication_date text
    title: str | None = None


@dataclass(frozen=True)
class Sitemap:
    entries: tuple[FeedEntry, ...]
    children: tuple[FeedEntry, ...]  # sitemaps listed by a sitemap index, with their lastmod


def _root(body: bytes) -> etree._Element:
    if body[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as handle:
                body = handle.read(MAX_XML_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise FeedError(f"corrupt gzip data: {exc}") from None
        if len(body) > MAX_XML_BYTES:
            raise FeedError(f"decompressed document larger than {MAX_XML_BYTES} bytes")
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not XML: {exc}") from None
    if root is None:
        raise FeedError("not XML: empty or unreadable document")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _child_text(element: etree._Element, *names: str) -> str | None:
    """Text of the first child whose local name is in ``names`` (namespaces ignored)."""
    for name in names:
        for child in element:
            if _local(child.tag) == name:
                text = (child.text or "").strip()
                if text:
                    return text
    return None


def parse_feed(body: bytes) -> list[FeedEntry]:
    """Entries of an RSS 2.0 / RSS 1.0 / Atom document; :class:`FeedError` if it is none of them."""
    root = _root(body)
    kind = _local(root.tag)
    if kind == "feed":
        return [e for e in (_atom_entry(n) for n in root if _local(n.tag) == "entry") if e is not None]
    if kind in ("rss", "rdf"):
        items = [n for n in root.iter() if _local(n.tag) == "item"]
        entries = []
        for item in items:
            link = _child_text(item, "link") or _guid_link(item)
            if link:
                entries.append(FeedEntry(link, _child_text(item, "pubdate", "date", "published", "updated"),
                                     _child_text(item, "title")))
        return entries
    raise FeedError(f"not an RSS or Atom feed (root element <{kind}>)")


def _guid_link(item: etree._Element) -> str | None:
    for child in item:
        if _local(child.tag) == "guid" and child.get("isPermaLink", "true") != "false":
            text = (child.text or "").strip()
            if text.startswith(("http://", "https://")):
                return text
    return None


def _atom_entry(entry: etree._Element) -> FeedEntry | None:
    href = None
    for child in entry:
        if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate" and child.get("href"):
            href = child.get("href").strip()
            break
    if not href:
        return None
    return FeedEntry(href, _child_text(entry, "published", "issued", "updated", "modified"), _child_text(entry, "title"))


def parse_sitemap(body: bytes) -> Sitemap:
    """A ``<urlset>`` (news extension included) or a ``<sitemapindex>``."""
    root = _root(body)
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise FeedError(f"not a sitemap (root element <{kind}>)")
    entries, children = [], []
    for node in root:
        name = _local(node.tag)
        loc = _child_text(node, "loc")
        if not loc:
            continue
        if name == "sitemap":
            children.append(FeedEntry(loc, _child_text(node, "lastmod")))
        elif name == "url":
            news = next((c for c in node if _local(c.tag) == "news"), None)
            date = _child_text(news, "publication_date") if news is not None else None
            title = _child_text(news, "title") if news is not None else None
            entries.append(FeedEntry(loc, date or _child_text(node, "lastmod"), title))
    return Sitemap(tuple(entries), tuple(children))
