"""`newsmon watch test` and `watch list` through the real CLI, on a real database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.config import load_config
from pipelines.alert_ledger import record_hits
from pipelines.alert_send import deliver_due
from pipelines.dbtime import utc_now
from pipelines.store import ArticleStore, open_database
from pipelines.watchlists import WatchHit
from scheduler.cli import cli

CONFIG = """\
database: news.db
watchlists:
  - name: sebta-border
    query: '(سبتة OR Ceuta OR Sebta) AND (@ES OR "Guardia Civil") AND NOT sport*'
    notify: instant
    channels: [hook]
  - name: interpol
    query: '@INTERPOL'
    notify: digest
alerts:
  channels:
    hook: {url: "json://127.0.0.1:9/hook"}
"""

ARTICLES = [
    ("سبتة: تنسيق أمني مع السلطات الإسبانية", "عقد مسؤولون مغاربة وإسبان اجتماعا حول معبر باب سبتة.", 0),
    ("Ceuta : la Guardia Civil et la DGSN coordonnent", "Une réunion s'est tenue au poste frontière de Ceuta.", 0),
    ("Ceuta : le match de football reporté", "Le club espagnol de Ceuta jouera la semaine prochaine. sport", 0),
    ("Interpol meeting in Marrakech", "Delegates of Interpol met in Marrakech to discuss cybercrime.", 0),
    ("Ceuta border talks with Spain", "Spanish and Moroccan officials met at the Ceuta crossing.", 20),  # stored 20 days ago
]


@pytest.fixture
def config_path(write_config) -> Path:
    path = write_config(CONFIG)
    store = ArticleStore(open_database(load_config(path).database))
    for i, (title, text, age) in enumerate(ARTICLES):
        store.save_article({"url": f"https://example.org/{i}", "source": "site-a", "lang": "fr", "title": title,
                            "text": text, "fetched_at": utc_now() - timedelta(days=age)})
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_watch_test_prints_hits_with_matched_terms(config_path: Path) -> None:
    code, output = run("watch", "test", '(سبتة OR Ceuta) AND (@ES OR "Guardia Civil") AND NOT sport*', "--config",
                       str(config_path))
    assert code == 0, output
    assert output.splitlines()[0] == "2 events (2 reports) in the last 7 days (4 articles searched)"
    assert "matched: سبتة, @ES (الإسبانية)" in output
    assert "Ceuta : la Guardia Civil" in output and "football" not in output
    code, output = run("watch", "test", "Ceuta @ES", "--days", "30", "--config", str(config_path))
    assert code == 0 and "Ceuta border talks with Spain" in output


def test_watch_test_rejects_a_broken_query_in_one_line(config_path: Path) -> None:
    code, output = run("watch", "test", "(Ceuta OR Sebta", "--config", str(config_path))
    assert code == 1
    assert output.strip() == "Error: QUERY: position 16: expected ')' to close the '(' at position 1"


def test_watch_list_shows_each_watchlist_with_its_week(config_path: Path) -> None:
    store = ArticleStore(open_database(load_config(config_path).database))
    for article in (1, 2):
        record_hits(store.db.conn, article, [WatchHit("sebta-border", ("Ceuta",), ("hook",))], utc_now())
    deliver_due(store.db.conn, load_config(config_path).alerts, final=True)  # port 9: refused, both stay owed
    store.db.execute("UPDATE alert_ledger SET status = 'sent' WHERE article_id = 2")
    code, output = run("watch", "list", "--config", str(config_path))
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0] == "sebta-border  (instant → hook)  2 events (2 reports) in 7 days"
    assert lines[1].startswith("    query: (سبتة OR Ceuta OR Sebta)")
    assert lines[2].startswith("    alerts: 1 sent, 1 owed (last error: ")
    assert "interpol  (digest)  1 event (1 report) in 7 days" in lines
