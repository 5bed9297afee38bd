"""Make article-supplied strings safe to show in any part of the digest.

Titles, texts and URLs come from websites we do not control.  Each becomes
one line of plain text without control characters or bidi overrides, so no
article can forge lines in the text part or visually reorder the text around
it; the HTML renderer escapes on top of this.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

EXCERPT_CHARS = 180

_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def clean(value: object) -> str:
    """One line of plain text: no control characters, no bidi overrides."""
    text = _BIDI_CONTROLS.sub("", str(value or ""))
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in text)
    return " ".join(text.split())


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
