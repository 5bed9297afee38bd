"""`watchlists:` and `alerts:` in config.yaml: compiled at load, one-line errors with the line number."""

from __future__ import annotations

import pytest

from crawler.config import ConfigError, load_config
from pipelines.query_match import ArticleDoc

BASE = """\
database: news.db
alerts:
  channels:
    analysts-telegram: {url_env: NEWSMON_TELEGRAM_URL}
    soc-webhook: {url: "json://soc.example.org/newsmon"}
  instant_flagged_min_score: 0.85
watchlists:
  - name: sebta-border
    query: '(سبتة OR Ceuta OR Sebta) AND (@ES OR "Guardia Civil") AND NOT sport*'
    notify: instant
    channels: [analysts-telegram]
  - name: interpol
    query: '@INTERPOL OR @person:hammouchi'
    notify: digest
"""


def test_watchlists_and_channels_load_compiled(write_config) -> None:
    config = load_config(write_config(BASE))
    sebta, interpol = config.watchlists
    assert (sebta.name, sebta.notify, sebta.channels) == ("sebta-border", "instant", ("analysts-telegram",))
    assert sebta.query.match(ArticleDoc("Ceuta", "La Guardia Civil espagnole")) is not None
    assert (interpol.notify, interpol.channels) == ("digest", ())
    assert config.alerts.channels["analysts-telegram"].url_env == "NEWSMON_TELEGRAM_URL"
    assert config.alerts.channels["soc-webhook"].url == "json://soc.example.org/newsmon"
    assert config.alerts.instant_flagged_min_score == 0.85


def test_no_watchlists_is_fine(write_config) -> None:
    config = load_config(write_config("database: news.db\n"))
    assert config.watchlists == () and config.alerts.channels == {}


def test_a_broken_query_names_the_line_the_watchlist_and_the_position(write_config) -> None:
    text = BASE + """\
  - name: broken
    query: '(Ceuta OR Melilla AND @ES'
    notify: digest
"""
    with pytest.raises(ConfigError) as info:
        load_config(write_config(text))
    assert str(info.value) == ("config.yaml:16: watchlists[2].query: position 26: "
                               "expected ')' to close the '(' at position 1")


@pytest.mark.parametrize("addition, expected", [
    ("  - name: x\n    query: '@XX'\n    notify: digest\n",
     "config.yaml:16: watchlists[2].query: position 1: expected a state code (@ES) or an organisation (@INTERPOL), not @XX"),
    ("  - name: x\n    query: 'Ceuta'\n    channels: [nowhere]\n",
     "config.yaml:17: watchlists[2].channels[0]: unknown channel 'nowhere' (alerts.channels: analysts-telegram, soc-webhook)"),
    ("  - name: x\n    query: 'Ceuta'\n",
     "config.yaml:15: watchlists[2].channels: an instant watchlist needs at least one channel from alerts.channels"),
    ("  - name: x\n    query: 'Ceuta'\n    notify: digest\n    channels: [soc-webhook]\n",
     "config.yaml:18: watchlists[2].channels: a digest watchlist goes out with the digest: remove its channels or use notify: instant"),
    ("  - name: x\n    query: 'Ceuta'\n    notify: weekly\n    channels: [soc-webhook]\n",
     "config.yaml:17: watchlists[2].notify: expected one of instant, digest, got 'weekly'"),
    ("  - name: Sebta Border\n    query: 'Ceuta'\n    channels: [soc-webhook]\n",
     "config.yaml:15: watchlists[2].name: use a lower-case slug such as sebta-border, got 'Sebta Border'"),
    ("  - name: interpol\n    query: 'Ceuta'\n    channels: [soc-webhook]\n",
     "config.yaml:15: watchlists[2].name: duplicate watchlist name 'interpol' (first at watchlists[1])"),
    ("  - name: x\n    query: 'Ceuta'\n    channel: [soc-webhook]\n",
     "config.yaml:17: watchlists[2].channel: unknown key (expected one of: channels, name, notify, query)"),
])
def test_watchlist_mistakes(write_config, addition: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(BASE + addition))
    assert str(info.value) == expected


@pytest.mark.parametrize("channel, expected", [
    ('{url: "json://user:hunter2@soc.example.org/x"}',
     "config.yaml:4: alerts.channels.soc.url: this URL holds a password: put the URL in an environment variable and name it in url_env"),
    ('{url: "soc.example.org"}',
     "config.yaml:4: alerts.channels.soc.url: expected an Apprise URL such as json://host/path, got 'soc.example.org'"),
    ('{url_env: "not a name"}', "config.yaml:4: alerts.channels.soc.url_env: expected an environment variable name, got 'not a name'"),
    ('{url: "json://a/b", url_env: X}', "config.yaml:4: alerts.channels.soc: expected exactly one of url (an Apprise URL without secrets) or url_env"),
])
def test_channel_mistakes(write_config, channel: str, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write_config(f"database: news.db\nalerts:\n  channels:\n    soc: {channel}\n"))
    assert str(info.value) == expected
