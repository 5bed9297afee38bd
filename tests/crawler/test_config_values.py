"""Values that used to pass validation and then crash or silently break (issue 11): each is one line at start."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.config import ConfigError, load_config
from sites import run_newsmon

BASE = """database: news.db
sources:
  - {name: site, url: "https://www.ex.ma/", lang: fr, article_pattern: "/a/", enabled: true}
crawl:
  max_run_minutes: 60
  timeout: 30
  download_delay: 1
schedule:
  crawl: "0 6 * * *"
  catchup_hours: 12
digest:
  to: [analyst@example.org]
  smtp: {host: localhost, port: 25, timeout: 30}
classifier:
  threshold: 0.5
"""

CASES = {
    "crawl.max_run_minutes": ("max_run_minutes: 60", "max_run_minutes: .inf"),
    "schedule.catchup_hours": ("catchup_hours: 12", "catchup_hours: .inf"),
    "digest.smtp.timeout": ("timeout: 30}", "timeout: .inf}"),
    "classifier.threshold": ("threshold: 0.5", "threshold: .nan"),
    "crawl.timeout": ("  timeout: 30\n", "  timeout: .nan\n"),
    "crawl.download_delay": ("download_delay: 1", "download_delay: .nan"),
    "digest.to": ("to: [analyst@example.org]", "to: []"),
    "digest.smtp.port": ("port: 25", "port: 70000"),
    "schedule.crawl": ('crawl: "0 6 * * *"', 'crawl: "0 6 31 2 *"'),
}


@pytest.mark.parametrize("key", sorted(CASES))
def test_a_value_that_would_break_later_is_one_line_naming_file_line_and_key(tmp_path: Path, key: str) -> None:
    old, new = CASES[key]
    assert old in BASE
    text = BASE.replace(old, new, 1)
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if new.strip() in row)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert "\n" not in message
    assert re.match(rf"config\.yaml:{line}: {re.escape(key)}: ", message), message


def test_the_base_config_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_config(path).digest.to == ("analyst@example.org",)


def test_a_daemon_without_an_enabled_source_refuses_to_start(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(BASE.replace("enabled: true", "enabled: false"), encoding="utf-8")
    result = run_newsmon("daemon", "--config", str(path), timeout=30)
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: config.yaml: sources: no enabled source; the daemon would never crawl"
