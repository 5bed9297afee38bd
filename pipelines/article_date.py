"""When an article was published, and which part of the page said so.

Pages carry several dates: the publication instant in metadata, a visible line
under the headline, dates of related articles in sidebars, a copyright year in
the footer. The chain trusts the most deliberate signal first and records its
origin, so a wrong date can be traced to its source and a per-source selector
pinned in the config when the generic chain picks badly.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from collections.abc import Iterable, Iterator

import lxml.html
from cssselect import SelectorError
from lxml import etree

from pipelines.dates import parse_date

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatedArticle:
    """The publication instant, the origin that won (selector, meta, jsonld,
    time_tag, visible, feed, url, trafilatura) and the raw string it was read from."""

    published_at: datetime | None
    origin: str | None
    raw: str | None


UNDATED = DatedArticle(None, None, None)

_PUBLISHED_META = (
    "date", "pubdate", "publishdate", "publish-date", "publish_date", "publication_date",
    "dc.date.issued", "dc.date", "dcterms.issued", "dcterms.created", "og:published_time",
    "article:published", "datepublished", "sailthru.date", "parsely-pub-date", "originalpublicationdate",
)
_ARTICLE_TYPES = {"blogposting", "liveblogposting", "report", "reportagenews"}
# Containers whose dates belong to other articles or to the site, never to this one.
_FOREIGN = re.compile(r"footer|copyright|related|sidebar|widget|comment|most-read|popular|share|breadcrumb", re.I)
_FOREIGN_TAGS = {"footer", "aside", "nav", "script", "style", "noscript", "form"}
_SITE_HEADER = re.compile(r"(?<![\w-])header(?![\w-])|site-header|topbar|top-bar|masthead|navbar|menu", re.I)
_DATEISH = re.compile(r"date|time|publi|posted|byline|meta|تاريخ", re.I)
_COPYRIGHT = re.compile(r"©|&copy;|copyright|حقوق|droits", re.I)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=[/.-]|$)")
# Visible dates sit in short lines; longer texts are containers or prose.
_MAX_VISIBLE_CHARS = 160
# Each visible candidate may cost a dateparser call; the date is near the top.
_MAX_VISIBLE_TRIES = 60
# Elements in document order after the headline (and a few before it, where
# many Moroccan templates print the date) that may hold the visible date.
_AFTER_TITLE, _BEFORE_TITLE = 40, 12


def date_article(
    html: str | bytes | lxml.html.HtmlElement,
    url: str,
    *,
    lang: str | None = None,
    feed_date: datetime | None = None,
    now: datetime | None = None,
    selector: str | None = None,
    fallback: str | None = None,
    zone: tzinfo | None = None,
) -> DatedArticle:
    """Date a page: pinned selector, metadata, visible date near the title, feed
    date, URL, then trafilatura's guess. Accepts a parsed tree so callers that
    already hold one do not parse the HTML twice.  Printed times that name no
    zone are read in ``zone`` (the configured ``timezone``)."""
    tree = _as_tree(html)
    page = _page_candidates(tree, selector) if tree is not None else iter(())
    for origin, raw in page:
        when = parse_date(raw, lang, now, zone)
        if when is not None:
            return DatedArticle(when, origin, raw)
    if feed_date is not None:
        raw = feed_date.isoformat()
        when = parse_date(raw, lang, now, zone)
        if when is not None:
            return DatedArticle(when, "feed", raw)
    for origin, raw in (("url", _url_date(url)), ("trafilatura", fallback)):
        when = parse_date(raw, lang, now, zone) if raw else None
        if when is not None:
            return DatedArticle(when, origin, raw)
    return UNDATED


def _as_tree(html: str | bytes | lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """Bytes keep their declared charset (windows-1256 portals); text is already decoded."""
    if isinstance(html, etree._Element):
        return html
    if not html or (isinstance(html, str) and not html.strip()):
        return None
    if isinstance(html, str) and html.lstrip().startswith("<?xml"):
        # lxml refuses a str that still carries an XML encoding declaration.
        html, parser = html.encode("utf-8"), lxml.html.HTMLParser(encoding="utf-8")
    else:
        parser = None
    try:
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _page_candidates(tree: lxml.html.HtmlElement, selector: str | None) -> Iterator[tuple[str, str]]:
    if selector:
        yield from (("selector", raw) for raw in _selected(tree, selector))
    yield from (("meta", raw) for raw in _meta(tree, ("article:published_time",)))
    yield from (("jsonld", raw) for raw in _jsonld(tree))
    yield from (("time_tag", raw) for raw in _time_tags(tree))
    yield from (("meta", raw) for raw in _meta(tree, _PUBLISHED_META))
    yield from (("visible", raw) for raw in _visible(tree))


def _selected(tree: lxml.html.HtmlElement, selector: str) -> Iterator[str]:
    """A bad selector must not cost the article its date: warn and let the generic chain run."""
    try:
        elements = tree.cssselect(selector)
    except SelectorError as error:
        log.warning("date selector %r is invalid: %s", selector, error)
        return
    for element in elements:
        for raw in (element.get("datetime"), element.get("content"), _text(element)):
            if raw:
                yield raw


def _meta(tree: lxml.html.HtmlElement, names: Iterable[str]) -> Iterator[str]:
    wanted = set(names)
    for element in tree.iter("meta"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").strip().lower()
        content = element.get("content")
        if key in wanted and content:
            yield content


def _jsonld(tree: lxml.html.HtmlElement) -> Iterator[str]:
    """Article nodes first: a Yoast @graph gives the WebPage a datePublished too."""
    nodes = [node for script in tree.xpath('//script[@type="application/ld+json"]') for node in _ld_nodes(script.text)]
    nodes.sort(key=lambda node: not _is_article(node))
    for node in nodes:
        value = node.get("datePublished")
        if isinstance(value, str):
            yield value


def _ld_nodes(text: str | None) -> Iterator[dict]:
    cleaned = (text or "").strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    try:
        data = json.loads(cleaned, strict=False)
    except ValueError:
        return
    yield from _walk(data)


def _walk(value: object) -> Iterator[dict]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from _walk(child)
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item)


def _is_article(node: dict) -> bool:
    types = node.get("@type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    return any(isinstance(name, str) and (name.endswith("Article") or name.lower() in _ARTICLE_TYPES) for name in names)


def _time_tags(tree: lxml.html.HtmlElement) -> Iterator[str]:
    """Explicitly marked publication times first, then others outside sidebars and footers."""
    tags = [tag for tag in tree.iter("time") if tag.get("datetime") and not _is_foreign(tag)]
    tags.sort(key=lambda tag: not (tag.get("itemprop") == "datePublished" or tag.get("pubdate") is not None))
    for tag in tags:
        yield tag.get("datetime")


def _visible(tree: lxml.html.HtmlElement) -> Iterator[str]:
    """Short texts nearest the headline that are not the site's or another article's."""
    elements = [element for element in tree.iter() if isinstance(element.tag, str)]
    anchor = _title_position(tree, elements)
    # Containers of the headline repeat it and the prose around it; their text is no date line.
    enclosing = set(elements[anchor].iterancestors()) if elements else set()
    seen: set[str] = set()
    for element in _by_nearness(elements, anchor):
        if len(seen) >= _MAX_VISIBLE_TRIES:
            return
        if element in enclosing:
            continue
        text = _text(element)
        if not text or text in seen or len(text) > _MAX_VISIBLE_CHARS:
            continue
        seen.add(text)
        if not _COPYRIGHT.search(text) and not _is_foreign(element) and not _in_site_header(element, enclosing):
            yield text


def _by_nearness(elements: list[lxml.html.HtmlElement], anchor: int) -> list[lxml.html.HtmlElement]:
    """Date-classed elements anywhere first, then the headline's neighbourhood;
    at equal distance the element after the headline wins, as bylines follow titles."""

    def nearness(i: int) -> tuple[int, bool]:
        return abs(i - anchor), i < anchor

    dateish = {i for i, element in enumerate(elements) if _DATEISH.search(_labels(element))}
    window = range(max(anchor - _BEFORE_TITLE, 0), min(anchor + _AFTER_TITLE + 1, len(elements)))
    ordered = sorted(dateish, key=nearness) + sorted((i for i in window if i not in dateish), key=nearness)
    return [elements[i] for i in ordered]


_HEADLINES = (
    "//article//h1",
    "//h1",
    '//*[@itemprop="headline"]',
    '//*[contains(@class, "title") or contains(@class, "titre") or contains(@class, "عنوان")]',
)


def _title_position(tree: lxml.html.HtmlElement, elements: list[lxml.html.HtmlElement]) -> int:
    """The headline's index in document order; legacy portals without an h1 mark it with a class."""
    positions = {element: i for i, element in enumerate(elements)}
    for path in _HEADLINES:
        heads = tree.xpath(path)
        if heads:
            return positions.get(heads[0], 0)
    return 0


def _labels(element: lxml.html.HtmlElement) -> str:
    return " ".join(filter(None, (element.get("class"), element.get("id"), element.get("itemprop"))))


def _is_foreign(element: lxml.html.HtmlElement) -> bool:
    for node in element.iterancestors():
        if node.tag in _FOREIGN_TAGS or _FOREIGN.search(_labels(node)):
            return True
    return element.tag in _FOREIGN_TAGS or bool(_FOREIGN.search(_labels(element)))


def _in_site_header(element: lxml.html.HtmlElement, enclosing: set[lxml.html.HtmlElement]) -> bool:
    """Top bars print today's date on every page; a header that holds the headline
    is the article's own and stays eligible."""
    return any(
        node not in enclosing and (node.tag == "header" or _SITE_HEADER.search(_labels(node)))
        for node in (element, *element.iterancestors())
    )


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def _url_date(url: str) -> str | None:
    """"/2025/11/22/" in the path, as ISO so parse_date reads it without ambiguity."""
    match = _URL_DATE.search(url or "")
    if match is None:
        return None
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"
