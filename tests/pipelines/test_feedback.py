"""Analysts' verdicts on a real SQLite file: history kept, latest wins, shown everywhere, reprocess respects it."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from pipelines.feedback import FeedbackError, export_feedback, import_feedback, record_feedback
from pipelines.process import verdict_columns
from pipelines.classify import Verdict
from pipelines.store import ArticleStore, open_database, search_articles

TEXT = ("استقبل المدير العام للأمن الوطني بالرباط وفدا أمنيا إسبانيا لبحث التعاون الأمني "
        "في مجال مكافحة الإرهاب وتبادل المعلومات. ") * 3


def row(url: str, *, flagged: int = 1, partners: list[str] | None = None) -> dict:
    return {
        "url": url, "source": "site-ar", "lang": "ar", "title": "تعاون أمني مغربي إسباني", "text": TEXT,
        "published_at": datetime.fromisoformat("2025-11-22T10:15:00+01:00"),
        "fetched_at": datetime.fromisoformat("2025-11-22T11:00:00+00:00"),
        "flagged": flagged, "score": 0.9 if flagged else 0.1, "subtype": "police_intel" if flagged else None,
        "partners": ["ES"] if partners is None else partners, "reasons": ["partner: ES (إسبانيا)"],
        "classifier_version": "test",
    }


@pytest.fixture
def store(tmp_path: Path) -> ArticleStore:
    return ArticleStore(open_database(tmp_path / "news.db"))


def shown(store: ArticleStore, article_id: int) -> tuple:
    flagged, partners, subtype, by = store.db.execute(
        "SELECT flagged, partners, subtype, verdict_by FROM articles WHERE id = ?", [article_id]).fetchone()
    return flagged, json.loads(partners), subtype, by


def test_latest_verdict_wins_and_history_stays(store: ArticleStore) -> None:
    article_id = store.save_article(row("https://a.ma/1.html")).id
    assert shown(store, article_id) == (1, ["ES"], "police_intel", "rules")
    record_feedback(store.db.conn, [article_id], verdict="not_relevant", who="amina", via="web")
    assert shown(store, article_id)[0::3] == (0, "analyst")
    assert search_articles(store.db.conn, "التعاون الأمني")[0]["flagged"] == 0
    record_feedback(store.db.conn, [article_id], verdict="relevant", who="omar", via="web")
    assert shown(store, article_id) == (1, ["ES"], "police_intel", "analyst")
    history = [tuple(r) for r in store.db.execute("SELECT verdict, who FROM feedback ORDER BY id")]
    assert history == [("not_relevant", "amina"), ("relevant", "omar")]


def test_partner_and_subtype_corrections_override_the_rules_but_keep_their_verdict(store: ArticleStore) -> None:
    article_id = store.save_article(row("https://a.ma/1.html")).id
    record_feedback(store.db.conn, [article_id], partners=["fr", "INTERPOL"], subtype="counter_terrorism",
                    who="amina", via="web")
    assert shown(store, article_id) == (1, ["FR", "INTERPOL"], "counter_terrorism", "rules")
    rule = store.db.execute("SELECT rule_flagged, rule_partners FROM articles WHERE id = ?", [article_id]).fetchone()
    assert rule == (1, '["ES"]')


def test_reprocess_and_recrawl_keep_the_analysts_verdict(store: ArticleStore) -> None:
    article_id = store.save_article(row("https://a.ma/1.html", flagged=0, partners=[])).id
    record_feedback(store.db.conn, [article_id], verdict="relevant", partners=["ES"], who="amina", via="web")
    verdict = Verdict(flagged=False, score=0.2, subtype=None, partners=[], reasons=["no foreign partner named"])
    store.update_article(article_id, verdict_columns(verdict))  # what `newsmon reprocess` writes
    assert shown(store, article_id)[:2] == (1, ["ES"])
    store.save_article(row("https://a.ma/1.html", flagged=0, partners=[]))  # the same URL crawled again
    assert shown(store, article_id)[:2] == (1, ["ES"])
    assert store.db.execute("SELECT rule_flagged FROM articles WHERE id = ?", [article_id]).fetchone() == (0,)


def test_bad_feedback_is_refused_in_one_line(store: ArticleStore) -> None:
    article_id = store.save_article(row("https://a.ma/1.html")).id
    with pytest.raises(FeedbackError, match="verdict 'maybe'"):
        record_feedback(store.db.conn, [article_id], verdict="maybe", who="a", via="web")
    with pytest.raises(FeedbackError, match="Morocco is never a partner"):
        record_feedback(store.db.conn, [article_id], partners=["MA"], who="a", via="web")
    with pytest.raises(FeedbackError, match="subtype"):
        record_feedback(store.db.conn, [article_id], subtype="sports", who="a", via="web")
    assert store.db.execute("SELECT count(*) FROM feedback").fetchone() == (0,)


def test_import_matches_canonical_urls_reports_unknown_and_exports_evaluate_format(store: ArticleStore,
                                                                                   tmp_path: Path) -> None:
    first = store.save_article(row("https://a.ma/1.html")).id
    second = store.save_article(row("https://a.ma/2.html", flagged=0, partners=[])).id
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"id": "x1", "url": "https://A.ma/1.html?utm_source=mail", "label": 0, "partners": []},
        {"id": "x2", "url": "https://a.ma/2.html", "label": 1, "partners": ["TR"], "subtype": "defence"},
        {"id": "x3", "url": "https://a.ma/404.html", "label": 1},
        {"id": "x4", "label": 1},
    ]) + "\n", encoding="utf-8")
    from crawler.urls import canonical_url

    result = import_feedback(store.db.conn, labels, who="import-test", canonical=canonical_url)
    assert result.recorded == 2
    assert result.unknown == [f"{labels}:3: https://a.ma/404.html"]
    assert result.without_url == [f"{labels}:4"]
    assert shown(store, first)[0] == 0 and shown(store, second) == (1, ["TR"], "defence", "analyst")
    exported = {r["url"]: r for r in export_feedback(store.db.conn)}
    assert exported["https://a.ma/1.html"]["label"] == 0
    assert exported["https://a.ma/2.html"] | {"at": None} == {
        "id": str(second), "url": "https://a.ma/2.html", "lang": "ar", "title": row("x")["title"], "text": TEXT,
        "label": 1, "partners": ["TR"], "subtype": "defence", "who": "import-test", "at": None}


def test_a_bad_line_records_nothing(store: ArticleStore, tmp_path: Path) -> None:
    store.save_article(row("https://a.ma/1.html"))
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"url": "https://a.ma/1.html", "label": 1}\n{"url": "https://a.ma/1.html", "label": 2}\n')
    with pytest.raises(FeedbackError, match=r"labels.jsonl:2: 'label' must be 0 or 1"):
        import_feedback(store.db.conn, labels, who="a")
    assert store.db.execute("SELECT count(*) FROM feedback").fetchone() == (0,)
