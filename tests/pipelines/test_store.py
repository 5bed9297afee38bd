"""The SQLite store on real files: migrations, upserts, clusters, search."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.dedupe import content_hash, simhash
from pipelines.dbtime import utc_now
from pipelines.schema import migrations
from pipelines.store import ArticleStore, open_database, open_readonly, search_articles

BODY_AR = " ".join(
    "عقد المسؤولون الأمنيون في الرباط اجتماعا مع نظرائهم الإسبان لبحث تعزيز التعاون الأمني في مجال مكافحة الإرهاب "
    "وتبادل المعلومات حول شبكات الهجرة غير النظامية وتهريب المخدرات عبر مضيق جبل طارق".split() * 3
)


def article(url: str, text: str = BODY_AR, title: str = "تعاون أمني مغربي إسباني") -> dict:
    return {
        "url": url, "source": "site-ar", "lang": "ar", "title": title, "text": text, "author": None,
        "published_at": datetime.fromisoformat("2025-11-22T10:15:00+01:00"), "date_origin": "meta",
        "fetched_at": datetime.fromisoformat("2025-11-22T11:00:00+00:00"),
        "content_hash": content_hash(text), "flagged": 1, "score": 0.9, "subtype": "counter_terrorism",
        "partners": ["ES"], "reasons": ["partner: ES (الإسبان)"], "classifier_version": "test",
    }


@pytest.fixture
def store(tmp_path: Path) -> ArticleStore:
    return ArticleStore(open_database(tmp_path / "news.db"))


def test_migrations_are_idempotent_and_enable_wal(tmp_path: Path) -> None:
    db = open_database(tmp_path / "news.db")
    db.close()
    db = open_database(tmp_path / "news.db")
    assert db.journal_mode == "wal"
    assert {"articles", "crawl_runs", "source_runs", "digests", "urls", "pages", "alert_ledger", "feedback", "models"} <= set(db.table_names())
    assert migrations.pending(db) == []


def test_upsert_by_url_keeps_one_row(store: ArticleStore) -> None:
    first = store.save_article(article("https://a.ma/1.html"), html="<html>1</html>", simhash=simhash(BODY_AR))
    again = store.save_article(article("https://a.ma/1.html", title="عنوان محدث"), html="<html>2</html>")
    assert first.created and not again.created and first.id == again.id
    rows = list(store.db["articles"].rows)
    assert len(rows) == 1 and rows[0]["title"] == "عنوان محدث"
    assert json.loads(rows[0]["partners"]) == ["ES"]
    assert store.known_urls(["https://a.ma/1.html", "https://a.ma/2.html"]) == {"https://a.ma/1.html"}


def test_republished_copy_joins_the_original_cluster(store: ArticleStore) -> None:
    original = store.save_article(article("https://a.ma/1.html"), simhash=simhash(BODY_AR))
    copy_text = ("نقلا عن موقع آخر نعيد نشر هذا المقال كما ورد: " + BODY_AR
                 + " تابعونا على صفحاتنا في مواقع التواصل الاجتماعي للمزيد من الأخبار اليومية المصدر: وكالات")
    copy = store.save_article(article("https://aggregator.ma/9.html", text=copy_text), simhash=simhash(copy_text))
    other_text = " ".join(("Le Maroc et l'Espagne signent un accord commercial sur les tomates et les agrumes " * 6).split())
    other = store.save_article(article("https://b.ma/3.html", text=other_text), simhash=simhash(other_text))
    assert copy.cluster_id == original.id
    assert other.cluster_id == other.id


def test_search_folds_hamza_and_clitics(store: ArticleStore, tmp_path: Path) -> None:
    store.save_article(article("https://a.ma/1.html"))
    conn = open_readonly(tmp_path / "news.db")
    assert [r["url"] for r in search_articles(conn, "الامنيون")] == ["https://a.ma/1.html"]
    assert [r["url"] for r in search_articles(conn, "اسبان")] == ["https://a.ma/1.html"]
    assert search_articles(conn, "Europol") == []


def test_failed_urls_are_retried_until_the_limit(store: ArticleStore) -> None:
    url = "https://a.ma/broken.html"
    store.record_url(url, "site-ar", "failed", "HTTP 500")
    assert store.known_urls([url]) == set()
    store.record_url(url, "site-ar", "failed", "HTTP 500")
    store.record_url(url, "site-ar", "failed", "HTTP 500")
    assert store.known_urls([url]) == {url}


def test_interrupted_runs_are_closed_unless_their_process_lives(store: ArticleStore) -> None:
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    living = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        dead_run = store.start_crawl_run(["site-ar"], pid=int(dead.stdout))
        orphan_run = store.start_crawl_run(["site-ar"], pid=None)
        live_run = store.start_crawl_run(["site-ar"], pid=living.pid)
        assert store.mark_interrupted_runs() == 2
        statuses = {r["id"]: r["status"] for r in store.db["crawl_runs"].rows}
        assert statuses == {dead_run: "interrupted", orphan_run: "interrupted", live_run: "running"}
    finally:
        living.kill()
        living.wait()


def test_old_html_is_dropped_and_the_article_kept(store: ArticleStore) -> None:
    old = dict(article("https://a.ma/old.html"), fetched_at=datetime.fromisoformat("2020-01-01T10:00:00+00:00"))
    store.save_article(old, html="<html>old</html>")
    fresh = dict(article("https://a.ma/new.html"), fetched_at=utc_now())
    store.save_article(fresh, html="<html>new</html>")
    assert store.drop_old_html(90) == 1
    pages = {r["url"]: r["html_z"] for r in store.db["pages"].rows}
    assert pages["https://a.ma/old.html"] is None and pages["https://a.ma/new.html"] is not None
    assert store.db["articles"].count == 2
