"""Instant alerts from real crawls of the fixture sites, delivered by Apprise to a local json://
receiver and to aiosmtpd; a receiver that is down gets everything, exactly once, when it is back."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from sites import FixtureWeb, run_newsmon

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]  # three crawls each; slow on a loaded machine

# ar_wp and ar_legacy publish the same Rabat–Madrid story (one event, two reports);
# fr_sitemap has Rabat–Paris, en_atom Morocco–US.
WATCH = """\
watchlists:
  - name: partners
    query: '@ES OR @FR OR @US'
    notify: instant
    channels: [hook, mail]
  - name: madrid
    query: 'مدريد OR Madrid'
    notify: instant
    channels: [hook]
  - name: daily
    query: 'Tanger'
    notify: digest
alerts:
  channels:
    hook: {{url_env: NEWSMON_TEST_HOOK}}
    mail: {{url: "mailto://127.0.0.1:{smtp}?from=newsmon@example.org&to=analyst@example.org&mode=insecure"}}
  fold_seconds: 120
  retry_seconds: 0.5
"""


@pytest.fixture
def web():
    sites = FixtureWeb().start()
    try:
        yield sites
    finally:
        sites.stop()


def crawl(config: Path, hook: str) -> None:
    result = run_newsmon("crawl", "--config", str(config), "--quiet", env={"NEWSMON_TEST_HOOK": hook}, timeout=300)
    assert result.returncode == 0, result.stderr


def ledger(folder: Path) -> list[tuple]:
    with sqlite3.connect(folder / "newsmon.db") as db:
        return db.execute("SELECT watchlist, channel, status, attempts FROM alert_ledger ORDER BY watchlist, channel, event_id").fetchall()


def test_crawl_alerts_each_event_once_per_channel(web, tmp_path, json_receiver, smtp_server) -> None:
    config = web.write_config(tmp_path, extra=WATCH.format(smtp=smtp_server.port))
    crawl(config, json_receiver.url)

    titles = sorted(m["title"] for m in json_receiver.messages)
    assert titles == ["newsmon: 3 new reports match partners",
                      "newsmon: madrid: الرباط ومدريد توقعان خطة عمل جديدة للتعاون الأمني"]
    partners = next(m["message"] for m in json_receiver.messages if "partners" in m["title"])
    assert "Matched: @ES (" in partners and "Matched: @FR (" in partners and "Matched: @US (" in partners
    assert "ar-legacy" in partners and "ar-wp" in partners  # the republished copy is the same event
    assert [m["Subject"] for m in smtp_server.messages] == ["newsmon: 3 new reports match partners"]
    assert {row[2] for row in ledger(tmp_path)} == {"sent"} and len(ledger(tmp_path)) == 3 + 3 + 1

    crawl(config, json_receiver.url)  # nothing new: nothing sent again
    assert len(json_receiver.messages) == 2 and len(smtp_server.messages) == 1


def test_receiver_down_then_up_gets_each_alert_exactly_once(web, tmp_path, json_receiver, smtp_server) -> None:
    config = web.write_config(tmp_path, extra=WATCH.format(smtp=smtp_server.port))
    json_receiver.stop()
    crawl(config, json_receiver.url)
    hook_rows = [row for row in ledger(tmp_path) if row[1] == "hook"]
    assert hook_rows and all(status == "pending" and attempts >= 1 for _, _, status, attempts in hook_rows)
    assert len(smtp_server.messages) == 1  # the other channel was not held back

    json_receiver.start()
    crawl(config, json_receiver.url)  # no new article; what was owed goes out
    assert sorted(m["title"] for m in json_receiver.messages) == [
        "newsmon: 3 new reports match partners",
        "newsmon: madrid: الرباط ومدريد توقعان خطة عمل جديدة للتعاون الأمني"]
    crawl(config, json_receiver.url)
    assert len(json_receiver.messages) == 2 and len(smtp_server.messages) == 1
    assert {row[2] for row in ledger(tmp_path)} == {"sent"}
