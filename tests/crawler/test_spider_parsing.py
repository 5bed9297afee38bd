"""Discovery without a network: feeds, sitemaps, pagination, feed links, block pages, error lines."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.exceptions import CannotResolveHostError, DownloadTimeoutError
from twisted.python.failure import Failure

from crawler.block_pages import blocked_reason
from crawler.failures import describe_failure
from crawler.feeds import FeedError, parse_feed, parse_sitemap
from crawler.listing import feed_links, links, next_page
from sites import CHALLENGE_PAGE

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>A</title><link>https://ex.ma/a-1.html</link><pubDate>Tue, 04 Nov 2025 09:30:00 +0100</pubDate></item>
<item><title>B</title><guid>https://ex.ma/b-2.html</guid></item></channel></rss>"""
ATOM = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>E</title>
<link rel="edit" href="https://ex.ma/edit"/><link href="https://ex.ma/e-3"/><published>2025-11-04T10:00:00Z</published>
<updated>2025-11-05T10:00:00Z</updated></entry></feed>"""
NEWS_SITEMAP = b"""<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://ex.ma/n-4</loc><lastmod>2025-11-06</lastmod>
<news:news><news:publication_date>2025-11-04T08:00:00+01:00</news:publication_date><news:title>N</news:title></news:news>
</url><url><loc>https://ex.ma/n-5</loc><lastmod>2025-11-03</lastmod></url></urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://ex.ma/s1.xml</loc>
<lastmod>2025-11-04</lastmod></sitemap></sitemapindex>"""


def test_rss_items_with_dates_titles_and_permalink_guids() -> None:
    entries = parse_feed(RSS)
    assert [(e.url, e.date, e.title) for e in entries] == [
        ("https://ex.ma/a-1.html", "Tue, 04 Nov 2025 09:30:00 +0100", "A"), ("https://ex.ma/b-2.html", None, "B")]


def test_atom_prefers_alternate_link_and_published_date() -> None:
    (entry,) = parse_feed(ATOM)
    assert (entry.url, entry.date, entry.title) == ("https://ex.ma/e-3", "2025-11-04T10:00:00Z", "E")


def test_news_sitemap_keeps_publication_date_and_title() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP)
    assert [(e.url, e.date, e.title) for e in sitemap.entries] == [
        ("https://ex.ma/n-4", "2025-11-04T08:00:00+01:00", "N"), ("https://ex.ma/n-5", "2025-11-03", None)]


def test_sitemap_index_and_gzip() -> None:
    sitemap = parse_sitemap(gzip.compress(INDEX))
    assert [(c.url, c.date) for c in sitemap.children] == [("https://ex.ma/s1.xml", "2025-11-04")]


@pytest.mark.parametrize("body", [b"<html><body>not a feed</body></html>", b"", b"\x00\x01garbage"])
def test_unreadable_feeds_raise_one_line_errors(body: bytes) -> None:
    with pytest.raises(FeedError):
        parse_feed(body)


def _page(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url, body=body.encode("utf-8"), encoding="utf-8")


@pytest.mark.parametrize("body, expected", [
    ('<link rel="next" href="/list?page=2">', "https://ex.ma/list?page=2"),
    ('<a href="/list?page=2">Suivant »</a>', "https://ex.ma/list?page=2"),
    ('<a href="/list?page=2">التالي</a>', "https://ex.ma/list?page=2"),
    ('<a href="/list?page=3">3</a><a href="/list?page=2">2</a><a href="/other?page=2">2</a>', "https://ex.ma/list?page=2"),
    ('<a href="/list">1</a>', None),
])
def test_next_listing_page(body: str, expected: str | None) -> None:
    assert next_page(_page("https://ex.ma/list", f"<html><head></head><body>{body}</body></html>")) == expected


def test_wordpress_page_path_pagination() -> None:
    page = _page("https://ex.ma/category/news/page/2/", '<a href="/category/news/page/3/">3</a>')
    assert next_page(page) == "https://ex.ma/category/news/page/3/"


def test_links_and_feed_links_are_canonical() -> None:
    page = _page("https://ex.ma/", '<head><link rel="alternate" type="application/rss+xml" href="/feed/">'
                 '<link rel="alternate" hreflang="fr" href="/fr/"></head>'
                 '<a href="/a-1.html?utm_source=x#c">a</a><a href="mailto:x@y">m</a><a href="/a-1.html">again</a>')
    assert feed_links(page) == ["https://ex.ma/feed/"]
    assert links(page) == ["https://ex.ma/a-1.html"]


def test_block_pages_are_recognised() -> None:
    request = Request("https://ex.ma/")
    assert blocked_reason(HtmlResponse("https://ex.ma/", status=403, body=b"<h1>Forbidden</h1>", request=request))
    challenge = HtmlResponse("https://ex.ma/", status=503, body=CHALLENGE_PAGE.encode(), request=request)
    assert "challenge" in blocked_reason(challenge)
    assert blocked_reason(HtmlResponse("https://ex.ma/", status=503, body=b"<h1>busy</h1>", request=request)) is None
    assert blocked_reason(HtmlResponse("https://ex.ma/", status=200, body=b"<p>article</p>", request=request)) is None


def _failure(exc: Exception, url: str = "https://www.ex.ma/a") -> Failure:
    failure = Failure(exc)
    failure.request = Request(url, meta={"download_timeout": 30})
    return failure


def test_failures_become_one_line() -> None:
    assert describe_failure(_failure(CannotResolveHostError("x"))) == "DNS lookup failed for www.ex.ma"
    assert describe_failure(_failure(DownloadTimeoutError("x"))) == "timeout after 30 s at https://www.ex.ma/a"
    response = Response("https://www.ex.ma/a", status=500)
    assert describe_failure(_failure(HttpError(response))) == "HTTP 500 at https://www.ex.ma/a"


def test_sitemap_index_follows_only_the_newest_children(tmp_path, write_config) -> None:
    import re
    from datetime import timedelta

    from scrapy.http import XmlResponse

    from crawler.config import load_config
    from crawler.spiders.news import MAX_CHILD_SITEMAPS, NewsSpider
    from crawler.stats import SourceStats
    from pipelines.dbtime import utc_now
    from pipelines.store import ArticleStore, open_database

    config = load_config(write_config(
        "database: n.db\nsources:\n  - name: site\n    url: https://www.ex.ma/\n    lang: fr\n"
        "    sitemaps: [https://www.ex.ma/sitemap_index.xml]\n    article_pattern: '/a/\\d+$'\n"))
    report = SourceStats("site", utc_now())
    spider = NewsSpider(source=config.sources[0], store=ArticleStore(open_database(config.database)),
                        report=report, config=config, pages=None)
    now = utc_now()
    children = "".join(  # five from yesterday, ten from the last hours, one undated
        f"<sitemap><loc>https://www.ex.ma/sitemap-{n}.xml</loc>"
        f"<lastmod>{(now - timedelta(days=1 if n < 5 else 0, minutes=n)).isoformat()}</lastmod></sitemap>"
        for n in range(15)
    ) + "<sitemap><loc>https://www.ex.ma/sitemap-undated.xml</loc></sitemap>"
    body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>'
    response = XmlResponse("https://www.ex.ma/sitemap_index.xml", body=body.encode())
    followed = [request.url for request in spider.parse_sitemap(response)]
    assert len(followed) == MAX_CHILD_SITEMAPS == 10
    assert {int(re.search(r"-(\d+)\.xml", u).group(1)) for u in followed} == set(range(5, 15))  # today's, not older
    assert any("followed the 10 newest of 16 sitemaps" in note for note in report.notes)
