"""Canonical URLs: one spelling per article, so "already stored" is a string lookup.

The same article reaches the crawler as a feed link with ``utm_*`` tags, a
sitemap ``<loc>`` with lower-case percent escapes, a listing link with raw
Arabic letters and a ``#comments`` anchor.  All of them must map to one key
in the ``articles`` and ``urls`` tables, or the second crawl would fetch the
article again.  Query parameters that select content (``?id=123``) are kept;
the ones that only track the reader are dropped.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

_TRACKING = re.compile(
    r"^(?:utm_\w*|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|twclid|igshid|mc_\w+|_ga|_gl|"
    r"ref|ref_?src|ref_?url|referr?er|xtor|cmpid|ocid|s_cid|spm|at_\w+|__twitter_impression)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str, base: str | None = None) -> str:
    """Return the one spelling of ``url`` (resolved against ``base``) used as its identity.

    Percent escapes come out upper-case and raw non-ASCII is encoded exactly
    once, so ``/الأمن``, ``/%d8%a7...`` and ``/%D8%A7...`` compare equal.
    """
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(safe_url_string(absolute))
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    rebuilt = urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_blank_values=True, keep_fragments=False)


def site_of(url: str) -> str:
    """``host[:port]`` as it appears in canonical URLs; sites are compared on this."""
    return urlsplit(canonical_url(url)).netloc


def readable_url(url: str) -> str:
    """The URL with its percent escapes decoded, as a person (or a pattern) would write it."""
    try:
        return unquote(url, errors="strict")
    except UnicodeDecodeError:
        return url
