"""``newsmon status`` on a real database: runs, source health, last digest, next jobs, size."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pipelines.dbtime import to_db
from pipelines.store import ArticleStore, open_database

ROOT = Path(__file__).resolve().parents[2]


def write_config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("""database: news.db
timezone: Africa/Casablanca
sources:
  - {name: good-fr, url: "https://good.example/", lang: fr, article_pattern: "/a/"}
  - {name: dead-ar, url: "https://dead.example/", lang: ar, article_pattern: "/a/"}
schedule: {crawl: "0 6,18 * * *", digest: "30 7 * * *"}
""", encoding="utf-8")
    return path


def status(config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler.cli", "status", "--config", str(config), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_status_reports_runs_sources_digest_and_next_jobs(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    store = ArticleStore(open_database(tmp_path / "news.db"))
    now = datetime.now(timezone.utc)
    run = store.start_crawl_run(["good-fr", "dead-ar"], "schedule", 4242)
    store.save_source_run(run, "good-fr", now - timedelta(minutes=5), "ok", {"requests": 5, "items_found": 3, "new_articles": 2})
    store.save_source_run(run, "dead-ar", now - timedelta(minutes=5), "failed",
                          {"requests": 1, "errors": 1, "last_error": "DNS lookup failed for dead.example"})
    store.finish_crawl_run(run, "finished", {"requests": 6, "new_articles": 2, "errors": 1})
    store.save_article({"url": "https://good.example/a/1", "source": "good-fr", "lang": "fr", "title": "Un article",
                        "text": "Texte. " * 40, "published_at": now - timedelta(hours=1), "fetched_at": now})
    store.db["digests"].insert({"digest_date": now.date().isoformat(), "status": "sent", "sent_at": to_db(now),
                                "article_ids": "[1]", "attempts": 1})
    store.db.close()

    result = status(config, "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["daemon"] == {"running": False, "pid": None}
    assert report["database"]["bytes"] > 0
    assert report["crawl_runs"][0]["trigger"] == "schedule" and report["crawl_runs"][0]["status"] == "finished"
    assert report["crawl_runs"][0]["started_at"].endswith(("+01:00", "+00:00"))  # shown in Casablanca time
    sources = {s["source"]: s for s in report["sources"]}
    assert sources["good-fr"]["articles_7d"] == 1 and sources["good-fr"]["last_success"]
    assert sources["dead-ar"]["state"] == "failing" and "DNS" in sources["dead-ar"]["last_error"]
    assert report["last_digest"]["status"] == "sent" and report["last_digest"]["stories"] == 1
    next_crawl = datetime.fromisoformat(report["next_jobs"]["crawl"])
    assert next_crawl > now and next_crawl.astimezone(timezone.utc) - now <= timedelta(hours=12)
    assert next_crawl.minute == 0 and next_crawl.hour in (6, 18)

    text = status(config)
    assert text.returncode == 0, text.stderr
    assert "daemon    not running" in text.stdout and "dead-ar" in text.stdout and "failing" in text.stdout


def test_status_without_a_database_is_one_line(tmp_path: Path) -> None:
    result = status(write_config(tmp_path))
    assert result.returncode != 0
    assert "does not exist yet" in result.stderr and len(result.stderr.strip().splitlines()) == 1
