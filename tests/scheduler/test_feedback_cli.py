"""`newsmon feedback import|export` through the real CLI on a real database."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from click.testing import CliRunner

from crawler.config import load_config
from pipelines.store import ArticleStore, open_database
from scheduler.cli import cli


def test_import_reports_unknown_urls_and_export_round_trips(write_config, tmp_path: Path) -> None:
    config = write_config("database: news.db\n")
    store = ArticleStore(open_database(load_config(config).database))
    store.save_article({
        "url": "https://example.ma/a-1.html", "source": "site", "lang": "fr", "title": "Coopération Maroc-Espagne",
        "text": "La DGSN et la police espagnole ont démantelé une cellule.", "fetched_at": datetime.fromisoformat("2025-11-22T10:00:00+00:00"),
        "flagged": 1, "score": 0.9, "partners": ["ES"], "subtype": "police_intel",
    })
    store.db.close()
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        '{"id": "1", "url": "https://example.ma/a-1.html#top", "label": 0}\n'
        '{"id": "2", "url": "https://example.ma/missing.html", "label": 1}\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["feedback", "import", str(labels), "--config", str(config), "--who", "amina"])
    assert result.exit_code == 0, result.output
    assert "unknown URL" in result.output and "missing.html" in result.output
    assert "recorded 1 verdict(s); 1 unknown URL(s)" in result.output
    exported = runner.invoke(cli, ["feedback", "export", "--config", str(config)])
    records = [json.loads(line) for line in exported.output.splitlines()]
    assert [(r["url"], r["label"], r["who"]) for r in records] == [("https://example.ma/a-1.html", 0, "amina")]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "https://example.ma/a-1.html", "label": "yes"}\n')
    refused = runner.invoke(cli, ["feedback", "import", str(bad), "--config", str(config)])
    assert refused.exit_code == 1 and refused.output.strip() == f"Error: {bad}:1: 'label' must be 0 or 1"


def test_learn_without_enough_feedback_is_one_line(write_config) -> None:
    config = write_config("database: news.db\n")
    result = CliRunner().invoke(cli, ["learn", "--config", str(config)])
    assert result.exit_code == 1
    assert result.output.strip() == ("Error: not enough feedback to learn from: 0 verdict(s), 0 relevant "
                                     "(need 10, with at least 3 of each)")
