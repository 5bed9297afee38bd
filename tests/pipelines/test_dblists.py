"""List columns: written as JSON by the store (or the modules it calls), read back as Python lists."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipelines.dblists import LIST_COLUMNS, decode_lists, list_from_db, list_to_db
from pipelines.store import ArticleStore, open_database, open_readonly, read_rows, search_articles

FETCHED = datetime(2026, 11, 22, 10, 15, tzinfo=timezone.utc)


def test_lists_round_trip_with_readable_non_ascii() -> None:
    values = ["ES", "الإسبان", "Sûreté", 3]
    assert list_to_db(values) == '["ES", "الإسبان", "Sûreté", 3]'
    assert list_from_db(list_to_db(values)) == values
    assert list_from_db(None) == [] and list_from_db("") == [] and list_to_db(None) == "[]"
    assert list_to_db(("a", "b")) == list_to_db(dict.fromkeys(["a", "b"])) == '["a", "b"]'


def test_a_string_is_not_taken_for_a_list() -> None:
    with pytest.raises(TypeError, match="str"):
        list_to_db('["ES"]')


def test_decode_lists_touches_only_list_columns() -> None:
    row = {"id": 1, "title": '["not", "a list column"]', "partners": '["ES"]', "notes": None}
    assert decode_lists(row) == {"id": 1, "title": '["not", "a list column"]', "partners": ["ES"], "notes": []}
    assert {"partners", "reasons", "notes", "sources", "recipients", "article_ids"} <= LIST_COLUMNS


def test_every_list_column_written_by_the_store_reads_back_as_a_list(tmp_path: Path) -> None:
    store = ArticleStore(open_database(tmp_path / "news.db"))
    text = "La DGSN et la Guardia Civil renforcent leur coopération contre les réseaux de passeurs. " * 4
    saved = store.save_article({"url": "https://a.ma/1", "source": "site", "lang": "fr", "title": "Coopération",
                                "text": text, "fetched_at": FETCHED, "partners": ["ES", "EU"],
                                "reasons": ["partner: ES (Guardia Civil)"]})
    store.update_article(saved.id, {"reasons": ["partner: ES (Guardia Civil)", "cue: coopération"]})
    run_id = store.start_crawl_run(["site", "موقع"])
    store.save_source_run(run_id, "site", FETCHED, "ok", {"notes": ["robots.txt forbids /feed"]})
    conn = open_readonly(tmp_path / "news.db")
    (article,) = read_rows(conn, "SELECT partners, reasons FROM articles")
    assert article == {"partners": ["ES", "EU"], "reasons": ["partner: ES (Guardia Civil)", "cue: coopération"]}
    assert read_rows(conn, "SELECT sources FROM crawl_runs") == [{"sources": ["site", "موقع"]}]
    assert read_rows(conn, "SELECT notes FROM source_runs WHERE run_id = ?", [run_id]) == [
        {"notes": ["robots.txt forbids /feed"]}]
    assert search_articles(conn, "coopération")[0]["partners"] == ["ES", "EU"]
    (event,) = read_rows(conn, "SELECT sources, languages, partners FROM events")
    assert event == {"sources": ["site"], "languages": ["fr"], "partners": ["ES", "EU"]}

