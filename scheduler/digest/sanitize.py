"""Make article-supplied strings safe to show in any part of the digest.

Titles, texts and URLs come from websites we do not control.  Each becomes
one line of plain text without control characters or invisible format
characters (bidi overrides and isolates, LRM/RLM/ALM, zero-width space, soft
hyphen, BOM: Unicode category Cf), so no article can forge lines in the text
part, visually reorder the text around it or smuggle invisible text into a
title; the HTML renderer escapes on top of this.  ZWNJ and ZWJ stay: they
shape Persian words and emoji.  Titles are capped at TITLE_CHARS.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

EXCERPT_CHARS = 180
TITLE_CHARS = 200
_KEPT_FORMAT = {"\u200c", "\u200d"}  # ZWNJ, ZWJ


def clean(value: object) -> str:
    """One line of plain text: no control characters, no invisible format characters."""
    kept = []
    for ch in str(value or ""):
        category = unicodedata.category(ch)
        if category in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif category != "Cf" or ch in _KEPT_FORMAT:
            kept.append(ch)
    return " ".join("".join(kept).split())


def title(value: object) -> str:
    """A cleaned title of at most TITLE_CHARS characters (a page can put a whole paragraph in its <title>)."""
    return excerpt(value, TITLE_CHARS)


def safe_url(value: object) -> str | None:
    """Only plain http(s) links reach the reader; anything else is shown unlinked."""
    url = clean(value).replace(" ", "%20")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def excerpt(text: object, limit: int = EXCERPT_CHARS) -> str:
    flat = clean(text)
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut + " …"
