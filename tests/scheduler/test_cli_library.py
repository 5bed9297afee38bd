"""`newsmon search`, `evaluate` and `reprocess` through the real CLI, and the
database opening in sqlite-utils and Datasette."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.config import load_config
from pipelines.store import ArticleStore, open_database
from scheduler.cli import cli

LABELS = [
    {"id": "p1", "lang": "fr", "title": "La DGSN et la police espagnole renforcent leur coopération antiterroriste",
     "text": "Le directeur général de la DGSN a reçu à Rabat son homologue espagnol. Les deux responsables ont signé un "
             "mémorandum d'entente sur l'échange de renseignements et la lutte contre le terrorisme.",
     "label": 1, "partners": ["ES"]},
    {"id": "n1", "lang": "en", "title": "Casablanca police arrest two suspects in a car theft case",
     "text": "Police in Casablanca arrested two men suspected of stealing cars in the Maarif district, a local police "
             "statement said. The suspects were placed in custody pending the investigation.",
     "label": 0, "partners": []},
]


@pytest.fixture
def config_path(write_config) -> Path:
    path = write_config("database: news.db\n")
    store = ArticleStore(open_database(load_config(path).database))
    for i, (title, text, flagged) in enumerate([
        ("تعاون أمني بين المغرب وإسبانيا", "وقعت المديرية العامة للأمن الوطني مذكرة تفاهم مع الشرطة الإسبانية لمكافحة الإرهاب", 1),
        ("Maroc-France : la coopération sécuritaire", "La DGST et la DGSI ont coordonné une opération contre une cellule terroriste", 1),
        ("Météo : des pluies attendues", "Des averses sont attendues sur le nord du royaume ce week-end", 0),
    ]):
        store.save_article({
            "url": f"https://example.ma/{i}.html", "source": "site", "lang": "ar" if i == 0 else "fr", "title": title,
            "text": text, "published_at": datetime.fromisoformat(f"2025-11-2{i}T10:00:00+01:00"),
            "fetched_at": datetime.fromisoformat("2025-11-22T10:00:00+00:00"),
            "flagged": flagged, "partners": ["ES"] if i == 0 else (["FR"] if flagged else []), "classifier_version": "0-old",
        })
    store.db.close()
    return path


def test_search_finds_arabic_spelling_variants(config_path: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "--config", str(config_path), "اسبانيا امني", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["url"] for r in rows] == ["https://example.ma/0.html"] and rows[0]["partners"] == ["ES"]


def test_search_table_and_no_match(config_path: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(cli, ["search", "--config", str(config_path), "sécuritaire"])
    assert table.exit_code == 0 and "Maroc-France" in table.output and "1 article(s)" in table.output
    none = runner.invoke(cli, ["search", "--config", str(config_path), "Europol"])
    assert none.exit_code == 0 and "no article matches" in none.output


def test_search_shows_publication_times_in_the_configured_zone(config_path: Path, write_config) -> None:
    assert "2025-11-21 10:00" in CliRunner().invoke(cli, ["search", "--config", str(config_path), "sécuritaire"]).output
    tokyo = str(write_config("database: news.db\ntimezone: Asia/Tokyo\n", name="tokyo.yaml"))
    table = CliRunner().invoke(cli, ["search", "--config", tokyo, "sécuritaire"])
    assert "2025-11-21 18:00" in table.output  # stored as 09:00 UTC
    (row,) = [json.loads(line) for line in CliRunner().invoke(cli, ["search", "--config", tokyo, "sécuritaire", "--json"]).output.splitlines()]
    assert row["published_at"] == "2025-11-21T18:00:00+09:00"


def test_search_before_any_crawl_is_one_line(write_config) -> None:
    result = CliRunner().invoke(cli, ["search", "--config", str(write_config("database: empty.db\n")), "x"])
    assert result.exit_code == 1 and "does not exist yet" in result.output and len(result.output.splitlines()) == 1


@pytest.mark.parametrize("command", [["search", "x"], ["status"], ["digest", "--dry-run", "--out", "d.eml"]])
def test_a_file_that_is_not_a_database_is_one_line(write_config, tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "bad.db").write_text("not an SQLite file, e.g. a misconfigured path\n")
    config = write_config("database: bad.db\n")
    result = CliRunner().invoke(cli, [*command, "--config", str(config)])
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: cannot read database ") and "file is not a database" in result.output
    assert len(result.output.splitlines()) == 1


def test_evaluate_json(tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    labels.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in LABELS) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(labels), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.output)
    assert metrics["n"] == 2 and metrics["f1"] == 1.0 and metrics["partners_f1"] == 1.0


def test_evaluate_bad_line_is_one_line_error(tmp_path: Path) -> None:
    labels = tmp_path / "bad.jsonl"
    labels.write_text(json.dumps(LABELS[0]) + "\n{not json\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(labels)])
    assert result.exit_code == 1 and "bad.jsonl:2: invalid JSON" in result.output and len(result.output.strip().splitlines()) == 1


def test_reprocess_updates_outdated_rows(config_path: Path) -> None:
    result = CliRunner().invoke(cli, ["reprocess", "--config", str(config_path)])
    assert result.exit_code == 0, result.output
    assert "reprocessed 3 of 3 article(s)" in result.output
    again = CliRunner().invoke(cli, ["reprocess", "--config", str(config_path)])
    assert "reprocessed 0 of 0" in again.output


def test_database_opens_in_sqlite_utils_and_datasette(config_path: Path) -> None:
    db_path = load_config(config_path).database
    tables = subprocess.run([sys.executable, "-m", "sqlite_utils", "tables", str(db_path), "--counts"],
                            capture_output=True, text=True, check=True)
    assert '"table": "articles", "count": 3' in tables.stdout

    from datasette.app import Datasette

    async def fetch() -> dict:
        ds = Datasette([str(db_path)])
        response = await ds.client.get(f"/{db_path.stem}/articles.json?_shape=array&_search=coopération")
        assert response.status_code == 200, response.text
        return response.json()

    rows = asyncio.run(fetch())
    assert [r["url"] for r in rows] == ["https://example.ma/1.html"]
