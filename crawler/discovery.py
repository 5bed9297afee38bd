"""Where else a news site publishes its article list, when the configured feed or sitemap fails.

Sites move their feeds (``/feed`` becomes ``/rss``, a WordPress plugin is
replaced, a CMS migration drops the old address) and public configurations
disagree about the right one.  The crawler therefore does not depend on the
configured address being right: when it fails or lists no article, these
alternatives are tried in order, the first that lists articles is used for
the run, and the run says which one so that config.yaml can be updated.

1. ``Sitemap:`` lines of robots.txt;
2. feeds advertised by the homepage (``<link rel="alternate">``);
3. the usual places of news sitemaps, sitemap indexes and feeds;
4. the WordPress REST API (``/wp-json/wp/v2/posts``), which many Moroccan
   sites keep working after their feeds break.

The functions are pure (bytes in, entries out) so the spider and ``sources
check`` share them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urljoin

from crawler.feeds import FeedEntry, FeedError, Sitemap, parse_feed, parse_sitemap

USUAL_PLACES = (
    ("sitemap", "/news-sitemap.xml"),
    ("sitemap", "/sitemap-news.xml"),
    ("sitemap", "/sitemap_index.xml"),
    ("sitemap", "/sitemap.xml"),
    ("feed", "/feed/"),
    ("feed", "/rss"),
)
WP_POSTS = "/wp-json/wp/v2/posts?per_page=50&_fields=link,date_gmt,title"


@dataclass(frozen=True)
class Candidate:
    """An alternative to try: ``kind`` is robots | homepage | feed | sitemap | wp_api."""

    kind: str
    url: str


def standard_candidates(homepage: str) -> list[Candidate]:
    """The fixed order of alternatives for a site; robots.txt and the homepage add more as they are read."""
    root = urljoin(homepage, "/")
    return [Candidate("robots", urljoin(root, "/robots.txt")), Candidate("homepage", homepage),
            *(Candidate(kind, urljoin(root, path)) for kind, path in USUAL_PLACES),
            Candidate("wp_api", urljoin(root, WP_POSTS))]


def robots_sitemaps(body: bytes) -> list[str]:
    """The ``Sitemap:`` URLs of a robots.txt, in file order (the field name is case-insensitive)."""
    found = []
    for line in body.decode("utf-8", errors="replace").splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "sitemap" and value.strip():
            found.append(value.split("#", 1)[0].strip())
    return list(dict.fromkeys(found))


def wp_posts(body: bytes) -> list[FeedEntry]:
    """Posts of a WordPress REST API answer; :class:`FeedError` if it is not one."""
    try:
        posts = json.loads(body)
    except ValueError:
        raise FeedError("not a WordPress API answer (not JSON)") from None
    if not isinstance(posts, list):
        raise FeedError("not a WordPress API answer (expected a list of posts)")
    entries = []
    for post in posts:
        if not isinstance(post, dict) or not isinstance(post.get("link"), str):
            continue
        title = post.get("title")
        rendered = title.get("rendered") if isinstance(title, dict) else None
        date = post.get("date_gmt")
        entries.append(FeedEntry(post["link"], f"{date}Z" if isinstance(date, str) and date else None,
                             rendered if isinstance(rendered, str) else None))
    return entries


def read_listing(kind: str, body: bytes) -> Sitemap:
    """Entries (and child sitemaps) of a feed, sitemap or WordPress answer, whichever the body is.

    A path at a "usual place" may hold either a feed or a sitemap, so both are tried.
    """
    if kind == "wp_api":
        return Sitemap(tuple(wp_posts(body)), ())
    try:
        return parse_sitemap(body)
    except FeedError:
        return Sitemap(tuple(parse_feed(body)), ())
