"""Never lose an article to a page that was wrong once; give up on what is always wrong, saying why.

Two crawls of scripted sites (tests/sites/scripted.py) whose pages change
between the runs: an empty 200 and a maintenance page that are real the
next run, robots.txt answering 503 or hanging (RFC 9309: complete disallow
for that run), then fixed; redirect loops, chains longer than Scrapy's 20
hops and compression bombs, for articles and feeds, recorded as errors
with their reason; XHTML with an XML declaration; a 6 MB sitemap.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from sites import run_newsmon
from sites.scripted import ALLOW_ALL, Answer, ScriptedSite, article_html, crawl_config, redirect, rss, source_yaml

pytestmark = pytest.mark.e2e

NOW = datetime.now(timezone.utc)
EMPTY_200 = Answer("")
MAINTENANCE = Answer("<!DOCTYPE html><html><head><title>Maintenance</title></head><body><h1>Back soon</h1>"
                     "<p>Nous revenons très vite.</p></body></html>", status=200)
BOMB = Answer(gzip.compress(b" " * 3_000_000), headers={"Content-Encoding": "gzip"})


def xhtml(number: int) -> str:
    html = article_html(number, NOW - timedelta(hours=2))
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
            '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
            + html.replace("<!DOCTYPE html>", "").replace('<html lang="fr">', '<html xmlns="http://www.w3.org/1999/xhtml" lang="fr">'))


def when(hours: int) -> datetime:
    return NOW - timedelta(hours=hours)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    pages, robots5xx, robots_hang, big, feeds = (ScriptedSite().start() for _ in range(5))
    # pages: one article per way of being wrong
    pages.answers.update({
        "/robots.txt": ALLOW_ALL,
        "/art/normal.html": Answer(article_html(1, when(1))),
        "/art/xhtml.html": Answer(xhtml(2), content_type="application/xhtml+xml; charset=utf-8"),
        "/art/empty.html": [EMPTY_200, Answer(article_html(3, when(3)))],
        "/art/maintenance.html": [MAINTENANCE, Answer(article_html(4, when(4)))],
        "/art/loop-a.html": redirect("/art/loop-b.html"),
        "/art/loop-b.html": redirect("/art/loop-a.html"),
        "/art/bomb.html": BOMB,
        **{f"/art/chain-{i}.html": redirect(f"/art/chain-{i + 1}.html") for i in range(25)},
        "/art/chain-25.html": Answer(article_html(5, when(5))),
    })
    pages.answers["/feed.xml"] = rss(pages.url, [(f"/art/{name}.html", when(i + 1)) for i, name in enumerate(
        ("normal", "xhtml", "empty", "maintenance", "loop-a", "bomb", "chain-0"))])
    # robots.txt answering 503, then fixed
    robots5xx.answers.update({"/robots.txt": [Answer("<html>Service Unavailable</html>", status=503), ALLOW_ALL],
                              "/feed.xml": rss(robots5xx.url, [("/art/r1.html", when(1))]),
                              "/art/r1.html": Answer(article_html(6, when(1)))})
    # robots.txt hanging longer than the timeout, then fixed
    robots_hang.answers.update({"/robots.txt": [Answer("User-agent: *\nAllow: /\n", delay=8), ALLOW_ALL],
                                "/feed.xml": rss(robots_hang.url, [("/art/h1.html", when(1))]),
                                "/art/h1.html": Answer(article_html(7, when(1)))})
    # a valid sitemap of about 6 MB, far above max_page_bytes
    padding = "<!-- " + "x" * 6_000_000 + " -->"
    big.answers.update({
        "/robots.txt": ALLOW_ALL,
        "/sitemap.xml": Answer(f'<?xml version="1.0" encoding="utf-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
                               f'sitemap/0.9">{padding}<url><loc>{big.url}/art/s1.html</loc><lastmod>'
                               f"{when(1).isoformat()}</lastmod></url></urlset>", content_type="application/xml"),
        "/art/s1.html": Answer(article_html(8, when(1))),
    })
    # feeds that loop and bomb
    feeds.answers.update({"/robots.txt": ALLOW_ALL, "/feed-a.xml": redirect("/feed-b.xml"),
                          "/feed-b.xml": redirect("/feed-a.xml"), "/bomb.xml": BOMB})
    sources = "".join([
        source_yaml("pages", pages.url, "/art/", feeds=("/feed.xml",)),
        source_yaml("robots5xx", robots5xx.url, "/art/", feeds=("/feed.xml",)),
        source_yaml("robotshang", robots_hang.url, "/art/", feeds=("/feed.xml",)),
        source_yaml("bigsitemap", big.url, "/art/", sitemaps=("/sitemap.xml",)),
        source_yaml("badfeeds", feeds.url, "/art/", feeds=("/feed-a.xml", "/bomb.xml")),
    ])
    folder = tmp_path_factory.mktemp("wrong-once")
    config = folder / "config.yaml"
    config.write_text(crawl_config(sources, timeout=5), encoding="utf-8")  # the 6 MB sitemap on a busy machine
    sites = {"pages": pages, "robots5xx": robots5xx, "robotshang": robots_hang, "big": big, "feeds": feeds}
    first = run_newsmon("crawl", "--config", str(config))
    db = sqlite3.connect(folder / "newsmon.db")
    db.row_factory = sqlite3.Row
    after_first = {
        "stored": {r["url"].split("/", 3)[3] for r in db.execute("SELECT url FROM articles")},
        "urls": {r["url"].split("/", 3)[3]: dict(r) for r in db.execute("SELECT * FROM urls")},
        "runs": {r["source"]: dict(r) for r in db.execute("SELECT * FROM source_runs")},
        "log": {name: list(site.log) for name, site in sites.items()},
    }
    for site in sites.values():
        site.log.clear()
    second = run_newsmon("crawl", "--config", str(config))
    for site in sites.values():
        site.stop()
    yield {"first": first, "second": second, "one": after_first, "db": db, "sites": sites}
    db.close()


def test_xhtml_and_normal_articles_are_stored_on_the_first_run(crawled) -> None:
    assert crawled["first"].returncode == 0, crawled["first"].stderr
    assert {"art/normal.html", "art/xhtml.html", "art/s1.html"} <= crawled["one"]["stored"], {
        k: (v["last_error"], v["notes"]) for k, v in crawled["one"]["runs"].items()}


def test_empty_and_maintenance_pages_are_retried_and_stored_the_next_run(crawled) -> None:
    urls = crawled["one"]["urls"]
    for name in ("art/empty.html", "art/maintenance.html"):
        assert name not in crawled["one"]["stored"]
        assert urls[name]["state"] == "failed" and urls[name]["attempts"] == 1
        assert "no article text" in urls[name]["last_error"]
    stored = {r[0].split("/", 3)[3] for r in crawled["db"].execute("SELECT url FROM articles")}
    assert {"art/empty.html", "art/maintenance.html"} <= stored


def test_loops_chains_and_bombs_are_errors_with_their_reason(crawled) -> None:
    urls = crawled["one"]["urls"]
    assert urls["art/loop-a.html"]["last_error"].startswith("redirect loop at ")
    assert urls["art/chain-0.html"]["last_error"].startswith("more than 20 redirects from ")
    assert "compression bomb" in urls["art/bomb.html"]["last_error"]
    assert all(urls[n]["state"] == "failed" for n in ("art/loop-a.html", "art/chain-0.html", "art/bomb.html"))
    again = {r["url"].split("/", 3)[3]: r["attempts"] for r in crawled["db"].execute("SELECT url, attempts FROM urls")}
    assert again["art/loop-a.html"] == again["art/bomb.html"] == 2  # given up like any failure, after MAX attempts


def test_feeds_that_loop_or_bomb_are_errors_not_robots_refusals(crawled) -> None:
    run = crawled["one"]["runs"]["badfeeds"]
    notes = json.loads(run["notes"])
    assert not [n for n in notes if "robots.txt forbids" in n]
    assert run["errors"] == 2 and run["status"] == "empty"  # the site answers (robots.txt), nothing listed
    rows = crawled["db"].execute("SELECT last_error FROM source_runs WHERE source = 'badfeeds'").fetchall()
    assert rows[0][0] and ("redirect loop at" in rows[0][0] or "compression bomb" in rows[0][0])


@pytest.mark.parametrize("source, site, reason", [("robots5xx", "robots5xx", "HTTP 503"),
                                                  ("robotshang", "robotshang", "did not answer")])
def test_unreachable_robots_txt_means_nothing_is_fetched_this_run(crawled, source: str, site: str, reason: str) -> None:
    assert crawled["one"]["log"][site] == ["/robots.txt"]
    run = crawled["one"]["runs"][source]
    assert reason in run["last_error"] and "RFC 9309" in run["last_error"]
    assert run["status"] == "failed" and run["errors"] == 1
    stored = {r[0] for r in crawled["db"].execute("SELECT source FROM articles")}
    assert source in stored  # robots.txt answered the next run
