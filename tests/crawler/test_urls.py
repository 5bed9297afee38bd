"""Canonical URLs: one spelling per article, so "already stored" is a plain lookup."""

from __future__ import annotations

import pytest

from crawler.urls import canonical_url, published_url, readable_url, same_site, site_key, site_of

SLUG = "%D8%A7%D9%84%D8%A3%D9%85%D9%86-123.html"


@pytest.mark.parametrize("url", [
    f"https://www.example.ma/{SLUG}",
    f"https://www.example.ma/{SLUG.lower()}",
    "https://www.example.ma/الأمن-123.html",
    f"https://WWW.Example.MA:443/{SLUG}#comments",
    f"https://www.example.ma/{SLUG}?utm_source=rss&utm_medium=feed&fbclid=Iw1&gclid=x&mc_cid=1&ref=home",
])
def test_arabic_slug_spellings_share_one_canonical_form(url: str) -> None:
    assert canonical_url(url) == f"https://www.example.ma/{SLUG}"


def test_no_double_encoding() -> None:
    once = canonical_url("https://www.example.ma/الأمن-123.html")
    assert canonical_url(once) == once
    assert "%25" not in once


def test_meaningful_query_kept_and_sorted() -> None:
    assert canonical_url("http://portal.ma:80/news.php?id=123&utm_campaign=x") == "http://portal.ma/news.php?id=123"
    assert canonical_url("http://portal.ma/a?b=2&a=1") == "http://portal.ma/a?a=1&b=2"


def test_relative_links_resolved_against_the_page() -> None:
    assert canonical_url("news.php?id=7#top", base="http://portal.ma/index.php") == "http://portal.ma/news.php?id=7"
    assert canonical_url("/x", base="http://127.0.0.1:8080/a/b") == "http://127.0.0.1:8080/x"


def test_site_keeps_non_default_port() -> None:
    assert site_of("http://127.0.0.1:8080/x") == "127.0.0.1:8080"
    assert site_of("https://www.example.ma:443/") == "www.example.ma"


def test_readable_url_for_patterns_written_with_arabic_letters() -> None:
    assert readable_url(canonical_url("https://www.example.ma/الأمن-123.html")) == "https://www.example.ma/الأمن-123.html"


@pytest.mark.parametrize("link, requested", [
    ("/politique/d%27accords-1.html", "https://www.example.ma/politique/d%27accords-1.html"),
    ("/economie/110%2C582-2.html", "https://www.example.ma/economie/110%2C582-2.html"),
    ("/a%d8%a7-3.html", "https://www.example.ma/a%d8%a7-3.html"),  # lower-case escapes kept
    ("/%7Eredaction/4.html", "https://www.example.ma/%7Eredaction/4.html"),
    ("/article.php?12345", "https://www.example.ma/article.php?12345"),
    ("/index.php?/news/123", "https://www.example.ma/index.php?/news/123"),
    ("/news.php?lang=fr&id=5", "https://www.example.ma/news.php?lang=fr&id=5"),  # order kept
    ("/تعاون-(أوروبول)-6.html",
     "https://www.example.ma/%D8%AA%D8%B9%D8%A7%D9%88%D9%86-(%D8%A3%D9%88%D8%B1%D9%88%D8%A8%D9%88%D9%84)-6.html"),
    ("/show.php?id=7&utm_source=rss&cat=2#comments", "https://www.example.ma/show.php?id=7&cat=2"),
])
def test_published_url_keeps_the_sites_spelling(link: str, requested: str) -> None:
    assert published_url(link, base="https://www.example.ma/list") == requested


def test_published_and_canonical_spellings_share_one_key() -> None:
    published = published_url("/news.php?lang=fr&id=5&utm_medium=x", base="https://www.example.ma/")
    assert canonical_url(published) == canonical_url("https://www.example.ma/news.php?id=5&lang=fr")


def test_www_and_bare_host_are_one_site_and_nothing_else() -> None:
    assert same_site("febrayer.com", "www.febrayer.com") and same_site("www.febrayer.com", "febrayer.com")
    assert not same_site("m.febrayer.com", "www.febrayer.com")
    assert not same_site("evilfebrayer.com", "febrayer.com")
    assert site_key("https://febrayer.com/1092812.html", "www.febrayer.com") == "https://www.febrayer.com/1092812.html"
    assert site_key("https://ar.febrayer.com/1092812.html", "www.febrayer.com") is None
