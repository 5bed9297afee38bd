"""Every link requested exactly as the site published it, against a server that answers nothing else.

The strict server (tests/sites/scripted.py) knows each article only under
the spelling a browser sends for the link on the page; the crawler's
canonical form (decoded ``%27``, sorted query, ``?12345=``...) is a 404
there.  Two crawls: the first must store every article with the URL as
published, the second must request none of them again (identity is the
canonical form).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape

import pytest

from sites import run_newsmon
from sites.scripted import Answer, ScriptedSite, article_html

pytestmark = pytest.mark.e2e

# (link as it appears on the site, request-target a browser sends for it, where the link is published)
SHAPES = [
    ("/securite/%d8%aa%d8%b9%d8%a7%d9%88%d9%86-%28%d8%a3%d9%88%d8%b1%d9%88%d8%a8%d9%88%d9%84%29-1201.html",
     "/securite/%d8%aa%d8%b9%d8%a7%d9%88%d9%86-%28%d8%a3%d9%88%d8%b1%d9%88%d8%a8%d9%88%d9%84%29-1201.html", "feed"),
    ("/securite/تنسيق-(أوروبول)-1202.html",
     "/securite/%D8%AA%D9%86%D8%B3%D9%8A%D9%82-(%D8%A3%D9%88%D8%B1%D9%88%D8%A8%D9%88%D9%84)-1202.html", "listing"),
    ("/politique/d%27accords-signes-a-rabat-1203.html", "/politique/d%27accords-signes-a-rabat-1203.html", "feed"),
    ("/politique/d'accords-de-formation-1214.html", "/politique/d'accords-de-formation-1214.html", "listing"),
    ("/economie/110%2C582-visiteurs-au-salon-1204.html", "/economie/110%2C582-visiteurs-au-salon-1204.html", "feed"),
    ("/economie/110,582-passagers-1215.html", "/economie/110,582-passagers-1215.html", "listing"),
    ("/article.php?12345", "/article.php?12345", "feed"),
    ("/index.php?/news/123", "/index.php?/news/123", "listing"),
    ("/%7Eredaction/rapport-annuel-1206.html", "/%7Eredaction/rapport-annuel-1206.html", "feed"),
    ("/dossiers/%5Bexclusif%5D-enquete-1207.html", "/dossiers/%5Bexclusif%5D-enquete-1207.html", "feed"),
    ("/dossiers/[analyse]-frontieres-1209.html", "/dossiers/%5Banalyse%5D-frontieres-1209.html", "listing"),
    ("/news.php?lang=fr&id=1208", "/news.php?lang=fr&id=1208", "listing"),
    ("/vue/a%3Db-1213.html", "/vue/a%3Db-1213.html", "feed"),
    ("/show.php?id=1216&utm_source=rss&cat=2", "/show.php?id=1216&cat=2", "feed"),  # tracking dropped, order kept
    ("/الأمن-الوطني-1211.html", "/%D8%A7%D9%84%D8%A3%D9%85%D9%86-%D8%A7%D9%84%D9%88%D8%B7%D9%86%D9%8A-1211.html",
     "listing"),
]

@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    site = ScriptedSite().start()
    base = site.url
    now = datetime.now(timezone.utc)
    items, anchors = [], []
    for number, (link, target, where) in enumerate(SHAPES):
        published = now - timedelta(hours=number + 1)
        site.answers[target] = Answer(article_html(number, published))
        if where == "feed":
            items.append(f"<item><title>Dossier {number}</title><link>{escape(base + link)}</link>"
                         f"<pubDate>{format_datetime(published)}</pubDate></item>")
        else:
            anchors.append(f'<li><a href="{escape(link)}">Dossier {number}</a></li>')
    site.answers["/robots.txt"] = Answer("User-agent: *\nAllow: /\n", content_type="text/plain")
    site.answers["/feed.xml"] = Answer(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                                       f"<title>Site strict</title>{''.join(items)}</channel></rss>",
                                       content_type="application/rss+xml")
    site.answers["/liste.html"] = Answer(f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Liste</title>'
                                         f"</head><body><ul>{''.join(anchors)}</ul></body></html>")
    folder = tmp_path_factory.mktemp("strict")
    config = folder / "config.yaml"
    config.write_text(f"""database: newsmon.db
sources:
  - name: strict
    url: '{base}/'
    lang: fr
    feeds: ['{base}/feed.xml']
    start_urls: ['{base}/liste.html']
    article_pattern: '^{base}/(?!feed\\.xml|liste\\.html|robots\\.txt).+'
crawl:
  download_delay: 0
  autothrottle: false
  concurrent_per_site: 4
  timeout: 5
  retries: 0
  allow_private_networks: true
  listing_depth: 0
  workers: 1
""", encoding="utf-8")
    first = run_newsmon("crawl", "--config", str(config))
    first_log = list(site.log)
    site.log.clear()
    second = run_newsmon("crawl", "--config", str(config))
    second_log = list(site.log)
    site.stop()
    db = sqlite3.connect(folder / "newsmon.db")
    db.row_factory = sqlite3.Row
    yield {"base": base, "first": first, "second": second, "log": first_log, "log2": second_log, "db": db}
    db.close()


def test_every_link_shape_is_fetched_as_published_and_stored(crawled) -> None:
    assert crawled["first"].returncode == 0, crawled["first"].stderr
    base, db = crawled["base"], crawled["db"]
    stored = {row["published_url"] for row in db.execute("SELECT published_url FROM articles")}
    lost = [link for link, target, _ in SHAPES if base + target not in stored]
    assert lost == [], f"{len(lost)} of {len(SHAPES)} link shapes lost"
    # nothing but the published spellings was asked for: no 404 detours
    assert not [t for t in crawled["log"] if t not in {target for _, target, _ in SHAPES} | {
        "/robots.txt", "/feed.xml", "/liste.html"}]


def test_identity_is_canonical_and_the_second_crawl_requests_no_article(crawled) -> None:
    db = crawled["db"]
    rows = db.execute("SELECT url, published_url FROM articles").fetchall()
    assert len(rows) == len(SHAPES)
    by_published = {row["published_url"]: row["url"] for row in rows}
    assert by_published[crawled["base"] + "/article.php?12345"] == crawled["base"] + "/article.php?12345="
    assert by_published[crawled["base"] + "/news.php?lang=fr&id=1208"] == crawled["base"] + "/news.php?id=1208&lang=fr"
    assert crawled["second"].returncode == 0, crawled["second"].stderr
    assert set(crawled["log2"]) <= {"/robots.txt", "/feed.xml", "/liste.html"}
