"""The article-dating chain on small pages written for these tests."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import lxml.html

from pipelines.article_date import DatedArticle, date_article

CASABLANCA = ZoneInfo("Africa/Casablanca")
NOW = datetime(2025, 11, 22, 12, 0, tzinfo=CASABLANCA)

WORDPRESS_AR = """<!doctype html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>عنوان تجريبي | موقع الاختبار</title>
<meta property="article:modified_time" content="2025-11-21T18:00:00+00:00">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebPage", "@id": "https://example.ma/x/#webpage",
   "datePublished": "2025-11-19T08:00:00+00:00", "dateModified": "2025-11-21T18:00:00+00:00"},
  {"@type": ["Article", "NewsArticle"], "@id": "https://example.ma/x/#article",
   "headline": "عنوان تجريبي", "datePublished": "2025-11-20T09:45:00+00:00",
   "dateModified": "2025-11-21T18:00:00+00:00"},
  {"@type": "Organization", "name": "موقع الاختبار"}
]}
</script></head>
<body><header><nav><a href="/">الرئيسية</a></nav></header>
<article><h1>عنوان تجريبي</h1>
<p>فقرة أولى كتبت لهذا الاختبار فقط.</p></article>
<aside class="sidebar"><time datetime="2025-11-22T07:00:00+01:00">اليوم</time></aside>
<footer>© 2025 جميع الحقوق محفوظة</footer></body></html>"""

FRENCH_VISIBLE = """<html lang="fr"><head><title>Un titre d'essai</title></head><body>
<div class="header"><a href="/">Accueil</a> <span class="edition">Édition du 22/11/2025</span></div>
<main><h1>Un titre d'essai</h1>
<div class="auteur">Par la rédaction</div>
<div class="infos">Publié le 20 novembre 2025 à 14h30</div>
<p>Un paragraphe écrit pour ce test, sans date.</p></main>
<div class="footer">Tous droits réservés 2025</div></body></html>"""

ENGLISH_TEXT_ONLY = """<html lang="en"><body>
<div id="masthead">Test Gazette</div>
<h1>A headline written for this test</h1>
<p><strong>By Staff</strong></p>
<p>November 21, 2025 at 6:40 pm</p>
<p>A first paragraph of the story, long enough to look like prose and to carry no date.</p>
<ul class="related-posts"><li>Older story <span>November 2, 2025</span></li></ul>
</body></html>"""

LEGACY_PORTAL = """<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">
<title>بوابة الاختبار</title></head><body>
<table width="100%"><tr><td class="logo">بوابة الاختبار</td></tr>
<tr><td><font size="4"><b class="titre_article">خبر تجريبي من البوابة القديمة</b></font></td></tr>
<tr><td><font color="#999">الجمعة 04 شتنبر 2020 - 15:01</font></td></tr>
<tr><td>نص الخبر كتب لهذا الاختبار.</td></tr>
<tr><td align="center"><font size="1">جميع الحقوق محفوظة © 2021</font></td></tr>
</table></body></html>"""

UNDATED_PAGE = """<html><body><h1>Titre</h1><p>Aucune date ici.</p>
<footer>© 2025 Exemple</footer></body></html>"""


def _local(result: DatedArticle) -> str:
    assert result.published_at is not None
    return result.published_at.astimezone(CASABLANCA).strftime("%Y-%m-%d %H:%M")


def test_yoast_graph_prefers_the_article_node() -> None:
    result = date_article(WORDPRESS_AR, "https://example.ma/x/", lang="ar", now=NOW)
    assert result.origin == "jsonld"
    assert result.published_at == datetime(2025, 11, 20, 9, 45, tzinfo=timezone.utc)
    assert result.raw == "2025-11-20T09:45:00+00:00"


def test_article_published_time_wins_over_json_ld() -> None:
    page = WORDPRESS_AR.replace(
        '<meta property="article:modified_time"',
        '<meta property="article:published_time" content="2025-11-20T10:45:00+01:00">\n<meta property="x"',
    )
    result = date_article(page, "https://example.ma/x/", now=NOW)
    assert result.origin == "meta"
    assert _local(result) == "2025-11-20 10:45"


def test_french_page_with_only_a_visible_line() -> None:
    result = date_article(FRENCH_VISIBLE, "https://exemple.ma/un-titre", lang="fr", now=NOW)
    assert result.origin == "visible"
    assert _local(result) == "2025-11-20 14:30"
    assert result.raw == "Publié le 20 novembre 2025 à 14h30"


def test_english_date_in_plain_text_near_the_headline() -> None:
    result = date_article(ENGLISH_TEXT_ONLY, "https://example.com/story", lang="en", now=NOW)
    assert result.origin == "visible"
    assert _local(result) == "2025-11-21 18:40"


def test_legacy_windows_1256_portal_ignores_copyright_year() -> None:
    body = LEGACY_PORTAL.encode("cp1256")
    now = datetime(2020, 9, 10, 12, 0, tzinfo=CASABLANCA)
    result = date_article(body, "https://portail.example.ma/news.php?id=42", lang="ar", now=now)
    assert result.origin == "visible"
    assert _local(result) == "2020-09-04 15:01"


def test_accepts_an_already_parsed_tree() -> None:
    tree = lxml.html.document_fromstring(FRENCH_VISIBLE)
    result = date_article(tree, "https://exemple.ma/un-titre", now=NOW)
    assert (result.origin, _local(result)) == ("visible", "2025-11-20 14:30")


def test_no_page_date_falls_back_to_the_feed() -> None:
    feed_date = datetime(2025, 11, 21, 7, 5, tzinfo=timezone.utc)
    result = date_article(UNDATED_PAGE, "https://exemple.ma/2025/11/20/titre", feed_date=feed_date, now=NOW)
    assert result.origin == "feed"
    assert result.published_at == feed_date


def test_naive_feed_date_is_casablanca_time() -> None:
    result = date_article(UNDATED_PAGE, "https://exemple.ma/titre", feed_date=datetime(2025, 11, 21, 7, 5), now=NOW)
    assert result.origin == "feed"
    assert result.published_at == datetime(2025, 11, 21, 7, 5, tzinfo=CASABLANCA)


def test_then_the_url() -> None:
    result = date_article(UNDATED_PAGE, "https://exemple.ma/2025/11/20/titre", now=NOW)
    assert result.origin == "url"
    assert _local(result) == "2025-11-20 00:00"


def test_trafilatura_guess_only_as_last_resort() -> None:
    result = date_article(UNDATED_PAGE, "https://exemple.ma/titre", fallback="2025-11-18", now=NOW)
    assert result.origin == "trafilatura"
    assert _local(result) == "2025-11-18 00:00"
    dated_url = date_article(UNDATED_PAGE, "https://exemple.ma/2025/11/20/t", fallback="2025-11-18", now=NOW)
    assert dated_url.origin == "url"


def test_nothing_found_is_an_empty_result() -> None:
    assert date_article(UNDATED_PAGE, "https://exemple.ma/titre", now=NOW) == DatedArticle(None, None, None)
    assert date_article("", "https://exemple.ma/titre", now=NOW) == DatedArticle(None, None, None)


def test_pinned_selector_overrides_metadata() -> None:
    page = WORDPRESS_AR.replace("<h1>", '<span class="real-date">18 نونبر 2025 - 07:30</span><h1>')
    result = date_article(page, "https://example.ma/x/", selector="span.real-date", now=NOW)
    assert result.origin == "selector"
    assert _local(result) == "2025-11-18 07:30"


def test_invalid_selector_falls_back_to_the_chain() -> None:
    result = date_article(WORDPRESS_AR, "https://example.ma/x/", selector="span[[", now=NOW)
    assert result.origin == "jsonld"


def test_time_tag_outside_sidebars() -> None:
    page = """<html><body><h1>T</h1>
    <aside><time datetime="2025-11-22T08:00:00+01:00">related</time></aside>
    <div class="entry"><time datetime="2025-11-19T16:20:00+01:00">19/11/2025</time></div>
    </body></html>"""
    result = date_article(page, "https://example.ma/t", now=NOW)
    assert (result.origin, _local(result)) == ("time_tag", "2025-11-19 16:20")


def test_future_metadata_is_skipped_for_the_next_source() -> None:
    page = """<html><head><meta name="date" content="2026-01-01T00:00:00+01:00"></head>
    <body><h1>T</h1><span class="post-date">21 نونبر 2025</span></body></html>"""
    result = date_article(page, "https://example.ma/t", now=NOW)
    assert (result.origin, _local(result)) == ("visible", "2025-11-21 00:00")


def test_relative_visible_date_uses_now() -> None:
    page = '<html><body><h1>T</h1><span class="time-ago">منذ 3 ساعات</span></body></html>'
    result = date_article(page, "https://example.ma/t", now=NOW)
    assert result.origin == "visible"
    assert result.published_at == NOW - timedelta(hours=3)


TOP_BAR = """<html><body>
<header class="site-header"><span class="date">السبت 22 نونبر 2025</span><nav>أقسام</nav></header>
<article><header class="entry-header"><h1>عنوان</h1>{line}</header><p>نص قصير.</p></article>
</body></html>"""


def test_site_top_bar_date_is_not_the_article_date() -> None:
    page = TOP_BAR.format(line='<span class="posted-on">20 نونبر 2025 - 09:10</span>')
    result = date_article(page, "https://example.ma/t", now=NOW)
    assert (result.origin, _local(result)) == ("visible", "2025-11-20 09:10")
    undated = date_article(TOP_BAR.format(line=""), "https://example.ma/2025/11/19/t", now=NOW)
    assert (undated.origin, _local(undated)) == ("url", "2025-11-19 00:00")
