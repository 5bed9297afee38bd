"""``newsmon sources check`` against the fixture sites on 127.0.0.1."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from click.testing import CliRunner

from crawler.check import check_sources, format_table
from crawler.config import Config, load_config
from scheduler.cli import cli


def _config(news_site: Any, tmp_path: Path, names: list[str], **crawl: Any) -> Config:
    return load_config(news_site.write_config(tmp_path, names, **crawl))


def test_working_sites_report_links_extraction_and_date(news_site: Any, tmp_path: Path) -> None:
    config = _config(news_site, tmp_path, ["ar_wp", "fr_sitemap", "en_atom", "ar_legacy"])
    results = check_sources(config.sources, config)
    assert [r.source for r in results] == ["ar-wp", "fr-sitemap", "en-atom", "ar-legacy"]
    for result in results:
        assert result.reachable == "yes", result.problems
        assert result.items >= result.matching > 0, result
        assert result.extraction_ok and result.date_found, result.problems
        assert result.ok
    assert "4 of 4 source(s) reachable, 4 fully working" in format_table(results)


def test_refusing_and_dead_sites_are_told_apart(news_site: Any, tmp_path: Path) -> None:
    config = _config(news_site, tmp_path, ["ar_wp", "en_atom", "fr_sitemap"])
    news_site["ar_wp"].set_mode("forbidden")
    news_site["en_atom"].set_mode("challenge")
    news_site["fr_sitemap"].stop()
    blocked, challenged, dead = check_sources(config.sources, config)
    assert blocked.reachable == "blocked" and "HTTP 403" in blocked.problems[0]
    assert challenged.reachable == "blocked" and "challenge page" in challenged.problems[0]
    assert "try `fetcher: impersonate`" in blocked.problems[0] and "try `fetcher: impersonate`" in challenged.problems[0]
    assert dead.reachable == "no" and "connection refused" in dead.problems[0]
    assert len(dead.problems) == 1  # a dead host is not asked again for its homepage


def test_pattern_that_matches_nothing_is_reported(news_site: Any, tmp_path: Path) -> None:
    path = news_site.write_config(tmp_path, ["ar_wp"])
    path.write_text(path.read_text(encoding="utf-8").replace(r"\d{3,}\.html$", r"\d{9}\.php$"), encoding="utf-8")
    config = load_config(path)
    (result,) = check_sources(config.sources, config)
    assert result.reachable == "yes" and result.items > 0 and result.matching == 0
    assert result.extraction_ok is None and "matches article_pattern" in result.problems[0]


def test_private_addresses_are_refused_without_the_opt_in(news_site: Any, tmp_path: Path) -> None:
    config = _config(news_site, tmp_path, ["ar_wp"], allow_private_networks=False)
    (result,) = check_sources(config.sources, config)
    assert result.reachable == "no"
    assert "non-public address 127.0.0.1" in result.problems[0]
    assert news_site["ar_wp"].requests == []


def test_sources_are_checked_concurrently(news_site: Any, tmp_path: Path, write_config: Any) -> None:
    """Ten sources whose feed never answers in time cost about one timeout, not ten."""
    base = news_site["ar_wp"].url
    slow = f"{base}/{quote('صفحة-بطيئة-1103.html')}"
    sources = "".join(
        f"\n  - name: slow-{i}\n    url: {base}/\n    lang: ar\n    feeds: ['{slow}']\n    article_pattern: 'x'"
        for i in range(10)
    )
    config = load_config(write_config(
        f"database: n.db\nsources:{sources}\ncrawl:\n  timeout: 1\n  allow_private_networks: true\n"))
    started = time.monotonic()
    results = check_sources(config.sources, config)
    assert time.monotonic() - started < 5
    assert all(r.reachable == "no" and "timed out" in r.problems[0] for r in results)


def test_cli_exit_code_is_non_zero_only_when_nothing_is_reachable(news_site: Any, tmp_path: Path) -> None:
    path = news_site.write_config(tmp_path, ["ar_wp", "en_atom"])
    news_site["en_atom"].stop()
    result = CliRunner().invoke(cli, ["sources", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 of 2 source(s) reachable" in result.output
    news_site["ar_wp"].stop()
    result = CliRunner().invoke(cli, ["sources", "check", "--config", str(path), "ar-wp"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("ar-wp")]
    assert len(lines) == 1 and " no " in lines[0] and "connection refused" in lines[0]
    assert "no source was reachable" in result.output
