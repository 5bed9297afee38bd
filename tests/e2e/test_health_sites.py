"""Source health end to end: real crawls of the fixture sites, then the verdict.

Each test crawls the Arabic WordPress fixture site with ``newsmon crawl`` in
a subprocess (Scrapy's reactor cannot restart in-process), makes the site
misbehave the way real sites do, crawls again and reads the health verdict
from the database, both from the library and from ``newsmon status --json``.
"""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from crawler.config import load_config
from pipelines.health import SourceHealth, source_health
from pipelines.store import open_database
from scheduler.cli import cli

pytestmark = pytest.mark.e2e

# The fixture site keeps a few pathological pages (500, slow, oversized) on
# purpose; they are a third of its requests, which is not what these tests are about.
HEALTH = "health:\n  degraded_error_ratio: 0.5\n"
SOURCE = "ar-wp"


def crawl(config: Path) -> None:
    command = [sys.executable, "-c", "from scheduler.cli import main; main()", "crawl", "--config", str(config), "--quiet"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert "Traceback" not in done.stderr, done.stderr


def verdict(config: Path) -> SourceHealth:
    loaded = load_config(config)
    (health,) = source_health(loaded.database, [s.name for s in loaded.enabled_sources], loaded.health, loaded.timezone)
    return health


def status_entry(config: Path) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["status", "--config", str(config), "--json"])
    assert result.exit_code == 0, result.output
    (entry,) = [s for s in json.loads(result.output)["sources"] if s["source"] == SOURCE]
    return entry


def digest_health_line(config: Path, tmp_path: Path) -> str:
    """The source's line in the health section of the digest's text part (written, not sent)."""
    out = tmp_path / "digest.eml"
    result = CliRunner().invoke(cli, ["digest", "--config", str(config), "--dry-run", "--out", str(out)])
    assert result.exit_code == 0, result.output
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    lines = [line for line in text.splitlines() if line.startswith(f"- {SOURCE}:")]
    return lines[0] if lines else ""


@pytest.fixture
def config(news_site: Any, tmp_path: Path) -> Path:
    return news_site.write_config(tmp_path, ["ar_wp"], extra=HEALTH)


def test_a_working_site_is_ok(config: Path, tmp_path: Path) -> None:
    crawl(config)
    health = verdict(config)
    assert health.state == "ok", health.reason
    assert health.articles_7d > 0
    assert status_entry(config)["state"] == "ok"
    assert digest_health_line(config, tmp_path) == ""


@pytest.mark.parametrize(("mode", "shown"), [("forbidden", "HTTP 403"), ("challenge", "challenge page")])
def test_a_site_that_starts_refusing_us_is_blocked(news_site: Any, config: Path, mode: str, shown: str,
                                                   tmp_path: Path) -> None:
    crawl(config)
    news_site["ar_wp"].set_mode(mode)
    crawl(config)
    health = verdict(config)
    assert health.state == "blocked"
    assert shown in health.reason and "in the last run" in health.reason
    assert health.last_success is not None  # the first, normal crawl
    entry = status_entry(config)
    assert entry["state"] == "blocked" and shown in entry["reason"]
    line = digest_health_line(config, tmp_path)
    assert line.startswith(f"- {SOURCE}: bloquée — ") and shown in line  # state named in digest.language (fr)


def test_a_redesign_that_empties_articles_is_degraded(news_site: Any, config: Path, tmp_path: Path) -> None:
    news_site["ar_wp"].set_mode("broken")
    crawl(config)
    health = verdict(config)
    assert health.state == "degraded"
    assert health.reason.startswith("no article text could be extracted from")
    assert status_entry(config)["state"] == "degraded"
    # The digest phrases the reason in digest.language (fr), like the state.
    assert digest_health_line(config, tmp_path).startswith(f"- {SOURCE}: dégradée — aucun texte d'article extrait de")


def test_a_site_that_stops_publishing_goes_silent(news_site: Any, config: Path, tmp_path: Path) -> None:
    crawl(config)
    _age_history(config, timedelta(days=7))  # that crawl now lies a week back
    news_site["ar_wp"].set_mode("silent")
    crawl(config)
    health = verdict(config)
    assert health.state == "silent"
    assert health.reason.startswith("no new article for 7 days")
    assert status_entry(config)["state"] == "silent"
    assert digest_health_line(config, tmp_path).startswith(f"- {SOURCE}: silencieuse — aucun nouvel article depuis 7 jours")


def _age_history(config: Path, span: timedelta) -> None:
    """Move every stored time back by ``span``, as if the crawl had happened that long ago."""
    db = open_database(load_config(config).database)
    shift = f"-{int(span.total_seconds())} seconds"
    for table, columns in (("articles", ("fetched_at", "published_at")),
                           ("source_runs", ("started_at", "finished_at")), ("crawl_runs", ("started_at", "finished_at"))):
        for column in columns:
            # strftime keeps the stored spelling (ISO 8601, UTC offset) that health compares as text.
            db.execute(f"UPDATE {table} SET {column} = strftime('%Y-%m-%dT%H:%M:%S+00:00', {column}, ?) "
                       f"WHERE {column} IS NOT NULL", [shift])
    db.conn.close()
