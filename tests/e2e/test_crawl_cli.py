"""`newsmon crawl` end to end: exit codes, blocked and dead sources, feed autodiscovery, SIGTERM."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sites import NEWSMON, run_newsmon

pytestmark = pytest.mark.e2e


def source_runs(folder: Path) -> dict[str, sqlite3.Row]:
    db = sqlite3.connect(folder / "newsmon.db")
    db.row_factory = sqlite3.Row
    return {row["source"]: row for row in db.execute("SELECT * FROM source_runs")}


def test_invalid_config_is_one_line_and_non_zero(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("database: x.db\ncrawl:\n  timeout: fast\n", encoding="utf-8")
    result = run_newsmon("crawl", "--config", str(config))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == ["Error: config.yaml:3: crawl.timeout: expected a number, got 'fast'"]


def test_every_source_failing_exits_non_zero_with_a_summary(news_site, tmp_path: Path) -> None:
    config = news_site.write_config(tmp_path, ["ar_wp", "en_atom"])
    news_site["ar_wp"].stop()
    news_site["en_atom"].stop()
    result = run_newsmon("crawl", "--config", str(config))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "every source failed (2 sources)" in result.stderr
    runs = source_runs(tmp_path)
    assert {name: row["status"] for name, row in runs.items()} == {"ar-wp": "failed", "en-atom": "failed"}
    assert runs["ar-wp"]["last_error"] == "connection refused by 127.0.0.1"
    assert "ar-wp" in result.stdout and "connection refused by 127.0.0.1" in result.stdout


def test_blocked_sources_stop_at_the_first_refusal(news_site, tmp_path: Path) -> None:
    config = news_site.write_config(tmp_path, ["ar_wp", "en_atom", "ar_legacy"])
    news_site["ar_wp"].set_mode("forbidden")
    news_site["en_atom"].set_mode("challenge")
    result = run_newsmon("crawl", "--config", str(config))
    assert result.returncode == 0, result.stderr
    runs = source_runs(tmp_path)
    assert (runs["ar-wp"]["status"], runs["ar-wp"]["blocked"]) == ("blocked", 1)
    assert runs["ar-wp"]["last_error"].startswith("blocked: HTTP 403")
    assert (runs["en-atom"]["status"], runs["en-atom"]["blocked"]) == ("blocked", 1)
    assert "challenge page" in runs["en-atom"]["last_error"]
    assert runs["ar-legacy"]["status"] == "ok"
    # no retry loop, no homepage fallback: the feed was asked for once
    assert news_site["ar_wp"].requests == ["/robots.txt", "/feed/"]
    assert news_site["en_atom"].requests == ["/robots.txt", "/atom.xml"]


def test_missing_feed_is_autodiscovered_and_a_silent_site_is_empty(news_site, tmp_path: Path) -> None:
    config = news_site.write_config(tmp_path, ["ar_wp", "en_atom"])
    config.write_text(config.read_text(encoding="utf-8").replace("/feed/']", "/rss.xml']"), encoding="utf-8")
    news_site["en_atom"].set_mode("silent")
    result = run_newsmon("crawl", "--config", str(config))
    assert result.returncode == 0, result.stderr
    runs = source_runs(tmp_path)
    base = news_site["ar_wp"].url
    note = f"feed {base}/rss.xml answers HTTP 404; used feed {base}/feed/ instead — update config.yaml"
    assert note in json.loads(runs["ar-wp"]["notes"])
    assert note in result.stderr
    assert runs["ar-wp"]["new_articles"] == 3
    assert runs["ar-wp"]["errors"] >= 1  # the 404 of the configured feed, among the fixture's broken pages
    assert (runs["en-atom"]["status"], runs["en-atom"]["items_found"]) == ("empty", 0)


def test_sigterm_stops_gracefully_and_records_an_interrupted_run(news_site, tmp_path: Path) -> None:
    config = news_site.write_config(tmp_path, ["ar_wp"], timeout=20, concurrent_per_site=1)
    site = news_site["ar_wp"]
    process = subprocess.Popen([str(NEWSMON), "crawl", "--config", str(config)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not any("1103" in p or "%D8%A8%D8%B7%D9%8A%D8%A6%D8%A9" in p for p in site.requests):
        assert time.monotonic() < deadline and process.poll() is None, "the slow page was never requested"
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    db = sqlite3.connect(tmp_path / "newsmon.db")
    assert db.execute("SELECT status FROM crawl_runs").fetchall() == [("interrupted",)]
    assert db.execute("SELECT COUNT(*) FROM source_runs").fetchone()[0] == 1
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``, read from /proc (no procps needed)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie waiting for a parent (PID 1 of a container) to reap it."""
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


def test_a_killed_crawl_leaves_no_worker_process_behind(news_site, tmp_path: Path) -> None:
    config = news_site.write_config(tmp_path, ["ar_wp"], timeout=20, workers=2)
    process = subprocess.Popen([str(NEWSMON), "crawl", "--config", str(config), "--quiet"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while len(workers := _children(process.pid)) < 2:
        assert time.monotonic() < deadline and process.poll() is None, "the page workers never started"
        time.sleep(0.05)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 10
    while survivors := [pid for pid in workers if _alive(pid)]:
        assert time.monotonic() < deadline, f"workers {survivors} outlived the killed crawl"
        time.sleep(0.05)


def test_demo_crawls_the_built_in_site(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "scheduler.cli", "demo"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=90)
    assert result.returncode == 0, result.stderr
    db = sqlite3.connect(tmp_path / "data" / "demo" / "newsmon.db")
    assert db.execute("SELECT COUNT(*), SUM(flagged) FROM articles").fetchone() == (8, 3)
    assert "الرباط ومدريد توقعان خطة عمل جديدة للتعاون الأمني" in result.stdout


def test_article_limit_leaves_the_rest_for_later_runs(news_site, tmp_path: Path) -> None:
    config = news_site.write_config(tmp_path, ["fr_sitemap"], max_articles_per_source=2)
    site = news_site["fr_sitemap"]
    db = sqlite3.connect(tmp_path / "newsmon.db")
    requested: list[str] = []
    for _ in range(3):
        site.reset()
        result = run_newsmon("crawl", "--config", str(config))
        assert result.returncode == 0, result.stderr
        articles = [p for p in site.requests if p.startswith("/actualites/")]
        assert len(articles) <= 2
        requested += articles
        if len(requested) == 2:
            (notes,) = db.execute("SELECT notes FROM source_runs").fetchone()
            assert "article limit reached: 3 article(s) left for the next run" in json.loads(notes)
    assert len(requested) == len(set(requested)) == 5  # every article once, none twice
    assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 5
