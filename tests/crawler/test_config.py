"""config.yaml validation: every mistake is one line naming the key and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from crawler.config import Config, ConfigError, load_config
from pipelines.config_fields import FilePath, ListOf, Section, declared, default_of, is_required
from scheduler.cli import cli

VALID = """\
database: data/test.db
timezone: Africa/Casablanca
sources:
  - name: site-ar
    url: http://127.0.0.1:8000/
    lang: ar
    feeds: [http://127.0.0.1:8000/feed]
    article_pattern: '^http://127\\.0\\.0\\.1:8000/\\d+\\.html$'
crawl:
  timeout: 5
  allow_private_networks: true
schedule:
  crawl: "*/5 * * * * *"
digest:
  to: [a@example.org]
  from: newsmon@example.org
  smtp: {host: 127.0.0.1, port: 2525}
"""


def test_valid_config_loads_with_defaults(write_config) -> None:
    config = load_config(write_config(VALID))
    assert config.database.name == "test.db" and config.database.is_absolute()
    assert config.crawl.timeout == 5 and config.crawl.retries == 2
    assert config.crawl.allow_private_networks is True
    assert config.digest.sender == "newsmon@example.org"
    assert config.digest.smtp.port == 2525 and config.digest.smtp.password_env == "NEWSMON_SMTP_PASSWORD"
    source = config.source("site-ar")
    assert source.host == "127.0.0.1"
    assert source.is_article("http://127.0.0.1:8000/12.html")
    assert not source.is_article("http://127.0.0.1:8000/category/x")


def test_database_path_is_relative_to_the_config_file(write_config, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir("/")
    config = load_config(write_config(VALID))
    assert config.database == tmp_path / "data" / "test.db"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("crawl:\n  timeout: 5", "crawl:\n  timeout: fast"), "config.yaml:10: crawl.timeout: expected a number, got 'fast'"),
        (("crawl:\n  timeout: 5", "crawl:\n  timout: 5"), "config.yaml:10: crawl.timout: unknown key"),
        (("timezone: Africa/Casablanca", "timezone: Mars/Olympus"), "config.yaml:2: timezone: unknown time zone 'Mars/Olympus'"),
        (("article_pattern: '^http", "article_pattern: '(^http"), "config.yaml:8: sources[0].article_pattern: invalid regular expression"),
        (("lang: ar", "lang: de"), "config.yaml:6: sources[0].lang: expected one of ar, fr, en, got 'de'"),
        (("allow_private_networks: true", "allow_private_networks: yes please"), "config.yaml:11: crawl.allow_private_networks: expected true or false"),
        (('crawl: "*/5 * * * * *"', 'crawl: "every day"'), "config.yaml:13: schedule.crawl: expected a cron expression"),
        (('crawl: "*/5 * * * * *"', 'crawl: "0 99 * * *"'), "config.yaml:13: schedule.crawl: invalid cron expression"),
        (("to: [a@example.org]", "to: [not-an-address]"), "config.yaml:15: digest.to[0]: expected an e-mail address"),
        (("feeds: [http://127.0.0.1:8000/feed]", "feeds: [http://elsewhere.example/feed]"), "config.yaml:7: sources[0].feeds[0]: 'http://elsewhere.example/feed' is not on the source's host"),
        (("name: site-ar", "name: Site AR"), "config.yaml:4: sources[0].name: use a lower-case slug"),
        (("smtp: {host: 127.0.0.1, port: 2525}", "smtp: {host: 127.0.0.1, port: -1}"), "config.yaml:17: digest.smtp.port: must be at least 1"),
    ],
)
def test_mistakes_name_the_key_and_line(write_config, change, expected) -> None:
    old, new = change
    assert old in VALID
    with pytest.raises(ConfigError) as info:
        load_config(write_config(VALID.replace(old, new, 1)))
    message = str(info.value)
    assert message.startswith(expected), message
    assert "\n" not in message


def test_duplicate_source_names_are_refused(write_config) -> None:
    source = VALID.split("sources:\n", 1)[1].split("crawl:", 1)[0]
    text = VALID.replace("crawl:\n", source + "crawl:\n", 1)
    with pytest.raises(ConfigError, match=r"sources\[1\]\.name: duplicate source name 'site-ar'"):
        load_config(write_config(text))


def test_missing_required_source_key(write_config) -> None:
    text = VALID.replace("    article_pattern: '^http://127\\.0\\.0\\.1:8000/\\d+\\.html$'\n", "")
    with pytest.raises(ConfigError, match=r"config.yaml:4: sources\[0\]\.article_pattern: required key is missing"):
        load_config(write_config(text))


def test_unwritable_database_directory(write_config, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match=r"config.yaml:1: database: cannot create directory"):
        load_config(write_config(VALID.replace("data/test.db", f"{blocker}/sub/test.db")))


def test_yaml_syntax_error_names_the_line(write_config) -> None:
    with pytest.raises(ConfigError, match=r"config.yaml:\d+: YAML syntax error: expected"):
        load_config(write_config("database: x.db\nsources:\n  - name: [unclosed\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config(tmp_path / "nope.yaml")


def test_shipped_config_is_valid() -> None:
    config = load_config(Path(__file__).parents[2] / "config.yaml")
    assert config.enabled_sources


def _sections(cls: type, prefix: str = "") -> list[tuple[str, Any]]:
    """Every declared key of ``cls`` and its nested sections, dotted, with its field."""
    found = []
    for key, item in declared(cls):
        check = item.metadata["check"]
        if isinstance(check, Section):
            found += _sections(check.cls, f"{prefix}{key}.")
        elif not (isinstance(check, ListOf) and isinstance(check.item, Section)):
            found.append((f"{prefix}{key}", item))
    return found


DECLARED = _sections(Config)


@pytest.mark.parametrize(("key", "item"), DECLARED, ids=[key for key, _ in DECLARED])
def test_shipped_config_documents_each_key_with_its_default(key: str, item: Any) -> None:
    """config.yaml is the documentation of every key: it must show the default the code uses."""
    shipped = yaml.safe_load((Path(__file__).parents[2] / "config.yaml").read_text(encoding="utf-8"))
    assert item.metadata["help"].strip(), f"{key} has no help text"
    if is_required(item):
        return
    value: Any = shipped
    for part in key.split("."):
        assert isinstance(value, dict) and part in value, f"config.yaml does not document {key}"
        value = value[part]
    default = default_of(item)
    if isinstance(default, tuple):
        value = tuple(value)
    assert value == default, f"config.yaml shows {key}: {value!r}, the code's default is {default!r}"


def test_defaults_pass_their_own_checks() -> None:
    for key, item in DECLARED:
        if not is_required(item) and not isinstance(item.metadata["check"], (FilePath, ListOf)):
            assert item.metadata["check"](default_of(item)) == default_of(item), key


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("timeout: 5", "timeout: .nan", "config.yaml:10: crawl.timeout: expected a number, got nan"),
    ("timeout: 5", "timeout: .inf", "config.yaml:10: crawl.timeout: expected a number, got inf"),
    ("schedule:", "classifier:\n  threshold: 1.5\nschedule:", "config.yaml:13: classifier.threshold: must be at most 1"),
    ("schedule:", "health:\n  window_runs: 0\nschedule:", "config.yaml:13: health.window_runs: must be at least 1"),
])
def test_every_section_is_validated_where_it_is_declared(write_config, old: str, new: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected):
        load_config(write_config(VALID.replace(old, new, 1)))


def test_config_check_validates_without_touching_the_database(write_config, tmp_path: Path) -> None:
    path = write_config(VALID.replace("data/test.db", "fresh/sub/test.db"))
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(path)])
    assert result.exit_code == 0, result.output
    assert "ok (1 enabled source(s) of 1" in result.output
    assert not (tmp_path / "fresh").exists()
    broken = write_config(VALID.replace("timeout: 5", "timeout: fast"))
    result = CliRunner().invoke(cli, ["config", "check", "--config", str(broken)])
    assert result.exit_code == 1 and "config.yaml:10: crawl.timeout: expected a number" in result.output
