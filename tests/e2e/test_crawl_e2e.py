"""Two real crawls of the four fixture sites, asserted on the database and the servers' request logs.

One module-scoped pair of crawls (each in a subprocess: Twisted's reactor
cannot restart) feeds every test here, which keeps the module to a few
seconds.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import quote

import pytest

from crawler.localsite import days_ago
from pipelines.dbtime import to_db
from sites import FixtureWeb, run_newsmon

pytestmark = pytest.mark.e2e

ROWS = "SELECT url, source, title, text, published_at, date_origin, content_hash, cluster_id FROM articles ORDER BY url"


def path(slug: str) -> str:
    return "/" + quote(slug)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory):
    web = FixtureWeb().start()
    folder = tmp_path_factory.mktemp("e2e")
    config = web.write_config(folder, listing_depth=2)
    first = run_newsmon("crawl", "--config", str(config))
    first_log = {name: list(site.requests) for name, site in web.sites.items()}
    first_hosts = [hit.host for site in web.sites.values() for hit in site.log]
    db_path = folder / "newsmon.db"
    with sqlite3.connect(db_path) as db:
        first_rows = db.execute(ROWS).fetchall()
    web.reset()
    second = run_newsmon("crawl", "--config", str(config))
    second_log = {name: list(site.requests) for name, site in web.sites.items()}
    web.stop()
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    yield {"first": first, "second": second, "log": first_log, "hosts": first_hosts, "log2": second_log,
           "rows1": first_rows, "db": db, "web": web}
    db.close()


def stored(db: sqlite3.Connection, source: str) -> dict[str, sqlite3.Row]:
    return {row["url"].split("/", 3)[3]: row for row in db.execute("SELECT * FROM articles WHERE source = ?", [source])}


def test_first_crawl_succeeds_and_stores_the_expected_articles(crawled) -> None:
    assert crawled["first"].returncode == 0, crawled["first"].stderr
    db = crawled["db"]
    assert {u.rsplit("-", 1)[-1] for u in stored(db, "ar-wp")} == {"1001.html", "1002.html", "1101.html"}
    assert set(stored(db, "fr-sitemap")) == {f"actualites/{s}" for s in (
        "cooperation-securitaire-maroc-france-3001", "festival-cinema-tanger-3002", "port-tanger-med-record-3003",
        "rentree-universitaire-oujda-3004")}
    assert set(stored(db, "en-atom")) == {"news/2041/morocco-us-joint-border-exercise",
                                          "news/2042/solar-plant-ouarzazate-expands"}
    assert set(stored(db, "ar-legacy")) == {"news.php?id=501", "news.php?id=502"}


def test_robots_disallowed_and_off_site_links_are_never_requested(crawled) -> None:
    assert not [p for p in crawled["log"]["ar_wp"] if p.startswith("/private/")]
    assert all(host.startswith("127.0.0.1:") for host in crawled["hosts"])


def test_tracking_parameters_and_fragments_are_not_requested(crawled) -> None:
    everything = [p for log in crawled["log"].values() for p in log]
    assert not [p for p in everything if "utm_" in p or "fbclid" in p or "#" in p]
    assert "/news.php?id=501" in crawled["log"]["ar_legacy"]


def test_flaky_page_is_stored_after_one_retry(crawled) -> None:
    flaky = path("سدود-المملكة-1101.html")
    assert crawled["log"]["ar_wp"].count(flaky) == 2
    assert flaky[1:] in stored(crawled["db"], "ar-wp")


def test_broken_slow_and_huge_pages_fail_and_are_recorded(crawled) -> None:
    db = crawled["db"]
    urls = {row["url"].rsplit("/", 1)[-1]: row for row in db.execute("SELECT * FROM urls WHERE state = 'failed'")}
    errors = {name: urls[quote(name)]["last_error"] for name in (
        "عطب-الخادم-1102.html", "صفحة-بطيئة-1103.html", "صفحة-ضخمة-1104.html", "تحويل-1105.html")}
    assert errors["عطب-الخادم-1102.html"].startswith("HTTP 500 at ")
    assert errors["صفحة-بطيئة-1103.html"].startswith("timeout after 2.5 s")
    assert errors["صفحة-ضخمة-1104.html"].startswith("page larger than the size limit")
    assert errors["تحويل-1105.html"].startswith("off-site request refused: http://169.254.169.254/")
    # retries: 1 in the test config, so two attempts each for the 500 and the slow page
    assert crawled["log"]["ar_wp"].count(path("عطب-الخادم-1102.html")) == 2


def test_old_articles_are_skipped_by_feed_date_or_rejected_after_extraction(crawled) -> None:
    db, log = crawled["db"], crawled["log"]
    assert path("أرشيف-المهرجان-1003.html") not in log["ar_wp"]  # feed pubDate 30 days old: never fetched
    assert path("حصيلة-الموسم-الفلاحي-1004.html") in log["ar_wp"]  # no feed date: fetched, page says 40 days
    state = db.execute("SELECT state FROM urls WHERE url LIKE ?", ["%" + quote("حصيلة") + "%"]).fetchone()[0]
    assert state == "too_old"
    assert "/sitemap-2019-03.xml" not in log["fr_sitemap"]  # index lastmod older than max_age_days


def test_pagination_follows_rel_next_words_and_numbers_to_the_depth_limit(crawled) -> None:
    log = crawled["log"]["fr_sitemap"]
    assert {"/actualites", "/actualites?page=2", "/actualites?page=3"} <= set(log)
    assert "/actualites?page=4" not in log  # listing_depth: 2


def test_windows_1256_page_declared_only_in_meta_is_decoded(crawled) -> None:
    db = crawled["db"]
    row = stored(db, "ar-legacy")["news.php?id=502"]
    assert row["title"] == "افتتاح سوق أسبوعي جديد بضواحي تطوان"
    assert "سوق أسبوعي جديد" in row["text"]
    assert db.execute("SELECT encoding FROM pages WHERE url = ?", [row["url"]]).fetchone()[0] == "cp1256"


def test_republished_copy_joins_the_original_cluster(crawled) -> None:
    original = next(r for u, r in stored(crawled["db"], "ar-wp").items() if u.endswith("-1001.html"))
    copy = stored(crawled["db"], "ar-legacy")["news.php?id=501"]
    assert copy["cluster_id"] == original["cluster_id"]
    unrelated = stored(crawled["db"], "ar-legacy")["news.php?id=502"]
    assert unrelated["cluster_id"] != original["cluster_id"]


def test_visible_date_is_used_when_the_page_has_no_metadata(crawled) -> None:
    row = stored(crawled["db"], "en-atom")["news/2041/morocco-us-joint-border-exercise"]
    assert row["published_at"] == to_db(days_ago(1))  # stored in UTC


def test_html_is_kept_compressed(crawled) -> None:
    db = crawled["db"]
    assert db.execute("SELECT COUNT(*) FROM pages WHERE html_z IS NOT NULL").fetchone()[0] == 11


def test_source_runs_record_what_health_needs(crawled) -> None:
    db = crawled["db"]
    runs = {r["source"]: r for r in db.execute("SELECT * FROM source_runs WHERE run_id = 1")}
    assert {s: r["status"] for s, r in runs.items()} == dict.fromkeys(runs, "ok")
    wp = runs["ar-wp"]
    assert (wp["new_articles"], wp["errors"]) == (3, 4)
    assert wp["skipped"] == 3  # 1003 by feed date, 1004 after extraction, 1005 forbidden by robots.txt
    assert wp["items_found"] == 10
    assert wp["requests"] >= 13
    assert tuple(db.execute("SELECT status, new_articles FROM crawl_runs WHERE id = 1").fetchone()) == ("finished", 11)


def test_second_crawl_requests_no_stored_article_and_changes_nothing(crawled) -> None:
    assert crawled["second"].returncode == 0, crawled["second"].stderr
    db = crawled["db"]
    stored_paths = {"/" + r["url"].split("/", 3)[3] for r in db.execute("SELECT url FROM articles")}
    requested = {p for log in crawled["log2"].values() for p in log}
    assert not stored_paths & requested
    assert [tuple(r) for r in db.execute(ROWS)] == crawled["rows1"]
    second = {r["source"]: r for r in db.execute("SELECT * FROM source_runs WHERE run_id = 2")}
    assert sum(r["new_articles"] for r in second.values()) == 0
    assert crawled["log2"]["en_atom"] == ["/robots.txt", "/atom.xml"]
    assert crawled["log2"]["ar_legacy"] == ["/robots.txt", "/index.php"]
