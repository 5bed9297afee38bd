"""Two spellings of every URL: the one we request and the one we remember.

*Published* (:func:`published_url`): the link as the site wrote it, made
safe the way a browser makes it before sending (w3lib ``safe_url_string``:
raw Arabic letters are percent-encoded, existing escapes, parentheses,
commas, ``?12345`` and the order of query parameters are left alone).  This
is what is requested and what the digest links to: a server may answer only
the spelling it published, and ``d%27accords`` or ``index.php?/news/123``
rewritten is a 404 there.

*Canonical* (:func:`canonical_url`): one spelling per article, so "already
stored" is a string lookup.  The same article reaches the crawler as a feed
link with ``utm_*`` tags, a sitemap ``<loc>`` with lower-case percent
escapes, a listing link with raw Arabic letters and a ``#comments`` anchor.
All of them must map to one key in the ``articles`` and ``urls`` tables, or
the second crawl would fetch the article again.  It is never requested.

Query parameters that select content (``?id=123``) are kept in both; the
ones that only track the reader are dropped from both.
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


def published_url(url: str, base: str | None = None) -> str:
    """The URL to request: ``url`` resolved against ``base`` and made safe as a browser would.

    Only the fragment (never sent) and tracking parameters are removed; every
    other byte of the path and query keeps the site's own spelling.
    """
    absolute = urljoin(base, url.strip()) if base else url.strip()
    parts = urlsplit(safe_url_string(absolute))
    query = parts.query
    if query:
        query = "&".join(piece for piece in query.split("&") if not _TRACKING.match(unquote(piece.split("=", 1)[0])))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def same_site(netloc: str, site: str) -> bool:
    """``netloc`` is ``site`` itself or its ``www.``/bare twin (febrayer.com for www.febrayer.com).

    Sites link their own articles under both names; nothing else (no other
    subdomain) counts as the same site.
    """
    return netloc == site or netloc == f"www.{site}" or f"www.{netloc}" == site


def site_key(url: str, site: str) -> str | None:
    """The canonical identity of ``url`` if it is on ``site`` (either twin), written with ``site``'s name.

    Using the configured host for both twins keeps ``https://febrayer.com/1.html``
    and ``https://www.febrayer.com/1.html`` one article, and keeps the keys
    already stored under the configured host valid.
    """
    try:
        canonical = canonical_url(url)
    except ValueError:
        return None
    parts = urlsplit(canonical)
    if parts.scheme not in ("http", "https") or not same_site(parts.netloc, site):
        return None
    return urlunsplit(parts._replace(netloc=site)) if parts.netloc != site else canonical


def site_of(url: str) -> str:
    """``host[:port]`` as it appears in canonical URLs; sites are compared on this."""
    return urlsplit(canonical_url(url)).netloc


def readable_url(url: str) -> str:
    """The URL with its percent escapes decoded, as a person (or a pattern) would write it."""
    try:
        return unquote(url, errors="strict")
    except UnicodeDecodeError:
        return url
