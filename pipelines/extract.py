"""Article body and metadata from HTML, with trafilatura.

The page is parsed once with lxml by the caller and the same tree serves the
dating chain and trafilatura.  trafilatura's own date search is kept cheap
(no extensive search): our dating chain is better at Moroccan pages, and
trafilatura's date is only the last resort.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass

import lxml.html
import trafilatura

from pipelines.dates import parse_date

LANGS = ("ar", "fr", "en")
MAX_DATELINE_CHARS = 80
# An XHTML page's "<?xml ... encoding='windows-1256'?>" names the charset its bytes had; the text
# here is already decoded, and lxml refuses a str that still declares an encoding.
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>", re.IGNORECASE)
MAX_HEADLINE_CHARS = 300
# What sites put between the headline and their own name in <title>: "headline | site", "site - headline".
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—»«:·•/]+\s+")


@dataclass(frozen=True)
class Extracted:
    title: str | None
    text: str
    author: str | None
    lang: str
    date: str | None  # trafilatura's guess, as text; only a fallback for dating


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """Parse once for every stage; None for documents lxml cannot read at all."""
    if not html or not html.strip():
        return None
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return None


def page_language(tree: lxml.html.HtmlElement | None, default: str) -> str:
    """The page's declared language when it is one we monitor, else the source's.

    Bilingual portals (Hibapress, Barlamane) serve French pages under an
    Arabic homepage; the `<html lang>` attribute is the cheapest honest hint.
    """
    if tree is None:
        return default
    declared = (tree.get("lang") or tree.get("xml:lang") or "").strip().lower()[:2]
    return declared if declared in LANGS else default


def extract_article(tree: lxml.html.HtmlElement, url: str, default_lang: str) -> Extracted | None:
    """Title, body, author and language of one article page; None when no body is found."""
    lang = page_language(tree, default_lang)
    # trafilatura prunes the tree it is given; the caller may still need it.
    document = trafilatura.bare_extraction(
        deepcopy(tree),
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if document is None or not (document.text or "").strip():
        return None
    title = (document.title or "").strip() or None
    return Extracted(
        title=title,
        text=_without_headline(document.text.strip(), title),
        author=(document.author or "").strip() or None,
        lang=lang,
        date=document.date or None,
    )


def headline(tree: lxml.html.HtmlElement, title: str | None, feed_title: str | None = None) -> str | None:
    """The article's own headline: ``title`` unless it is really the site's name.

    trafilatura reads ``<title>``, and on portals whose ``<title>`` is
    "site - headline" or "headline | site" it sometimes keeps the site's
    half.  The page's other headlines (``og:title``, the first ``<h1>``, the
    feed's title) say which half is the story: a title that equals the site's
    name, or a ``<title>`` segment that none of them shares, gives way to them.
    """
    names = {_fold(n) for n in (_meta(tree, "og:site_name"), _meta(tree, "application-name")) if n}
    candidates = [c for c in (_meta(tree, "og:title"), _first_h1(tree), feed_title)
                  if c and _fold(c) not in names and len(c) <= MAX_HEADLINE_CHARS]
    if not candidates:
        return title
    if not title or _fold(title) in names:
        return candidates[0]
    segments = [_fold(s) for s in _TITLE_SEPARATORS.split(tree.findtext(".//title") or "")]
    folded = _fold(title)
    if len(segments) > 1 and folded in segments and not any(folded in _fold(c) or _fold(c) in folded
                                                           for c in candidates):
        return candidates[0]
    return title


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _meta(tree: lxml.html.HtmlElement, name: str) -> str | None:
    for node in tree.iterfind(".//meta"):
        if name in (node.get("property"), node.get("name")):
            value = (node.get("content") or "").strip()
            if value:
                return value
    return None


def _first_h1(tree: lxml.html.HtmlElement) -> str | None:
    for node in tree.iterfind(".//h1"):
        text = " ".join(node.text_content().split())
        if text:
            return text
    return None


def _without_headline(text: str, title: str | None) -> str:
    """Drop the headline and dateline that trafilatura keeps as the body's first lines.

    The title and the date are stored apart; left in, they would open every
    digest excerpt again and make two sites' copies of a story differ by
    their headlines and datelines.
    """
    lines = text.split("\n")
    while len(lines) > 1:
        first = lines[0].strip()
        if first and first != title and not _is_dateline(first):
            break
        lines.pop(0)
    return "\n".join(lines).strip()


def _is_dateline(line: str) -> bool:
    # A printed date always has a digit; checking first spares a slow dateparser miss per page.
    return len(line) <= MAX_DATELINE_CHARS and any(c.isdigit() for c in line) and parse_date(line) is not None
