"""Watchlists and alert channels as settings, and the one call a crawl makes per stored article.

Each key of ``watchlists:`` and ``alerts:`` is declared here, once (see
:mod:`pipelines.config_fields`); queries are compiled when the configuration
is loaded, so a broken one is a config error and never a crawl failure.
Everything that matches, records or delivers reads only these types.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pipelines.config_fields import (
    Choice, ListOf, MapOf, Number, Section, SettingError, optional_text, setting, text,
)
from pipelines.query_match import ArticleDoc, CompiledQuery, QueryBank, QuerySyntaxError, compile_query

__all__ = ["FLAGGED", "NOTIFY_MODES", "Channel", "AlertSettings", "Watchlist", "WatchHit", "InstantMatcher"]

NOTIFY_MODES = ("instant", "digest")
# The ledger name of "flagged events this sure go out at once": not a valid
# watchlist slug, so it cannot collide with an analyst's watchlist.
FLAGGED = "*flagged*"


SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _apprise_url(value: Any) -> str:
    """An Apprise URL (scheme://...); one with a password in it belongs in the environment.

    Apprise itself is not asked here: loading its plugins takes seconds, and
    every command validates the configuration.  A URL it cannot use fails at
    the first send, and stays owed until the configuration is fixed.
    """
    value = text(value)
    parts = urlsplit(value)
    if not re.fullmatch(r"[a-z][a-z0-9+.-]*", parts.scheme) or "://" not in value:
        raise SettingError(f"expected an Apprise URL such as json://host/path, got {value!r}")
    if parts.password:
        raise SettingError("this URL holds a password: put the URL in an environment variable and name it in url_env")
    return value


def _env_name(value: Any) -> str | None:
    value = optional_text(value)
    if value is not None and not _ENV_NAME_RE.match(value):
        raise SettingError(f"expected an environment variable name, got {value!r}")
    return value


def _optional_url(value: Any) -> str | None:
    return None if value is None else _apprise_url(value)


@dataclass(frozen=True)
class Channel:
    """An Apprise URL written in the file, or the name of the environment variable holding it."""

    name: str
    url: str | None = setting(None, check=_optional_url, help="an Apprise URL without secrets (json://host/path)")
    url_env: str | None = setting(None, check=_env_name,
                                  help="environment variable holding the URL (tokens and passwords stay out of the file)")

    def __post_init__(self) -> None:
        if (self.url is None) == (self.url_env is None):
            raise SettingError("expected exactly one of url (an Apprise URL without secrets) or url_env")

    def resolve(self) -> str:
        """The URL to send to; raises LookupError (one line) when its environment variable is unset."""
        if self.url:
            return self.url
        value = os.environ.get(self.url_env or "", "")
        if not value:
            raise LookupError(f"channel {self.name}: environment variable {self.url_env} is not set")
        return value


def _optional_score(value: Any) -> float | None:
    return None if value is None else Number(maximum=1)(value)


@dataclass(frozen=True)
class AlertSettings:
    channels: dict[str, Channel] = setting(default_factory=dict, check=MapOf(Section(Channel)),
                                           help="Apprise channels by name: {url: ...} or {url_env: VARIABLE}")
    instant_flagged_min_score: float | None = setting(
        None, check=_optional_score, help="flagged reports scoring at least this also go out at once, to every channel")
    fold_seconds: float = setting(60.0, check=Number(),
                                  help="matches of one watchlist within this window go out as one message")
    retry_seconds: float = setting(60.0, check=Number(minimum=0.1),
                                   help="first wait after a failed send; it doubles, up to an hour")


def _watchlist_name(value: Any) -> str:
    value = text(value)
    if not SLUG_RE.match(value):
        raise SettingError(f"use a lower-case slug such as sebta-border, got {value!r}")
    return value


def _query(value: Any) -> CompiledQuery:
    """Compiled here, once: a broken query stops the start, never a crawl."""
    try:
        return compile_query(text(value))
    except QuerySyntaxError as exc:
        raise SettingError(str(exc)) from None


@dataclass(frozen=True)
class Watchlist:
    name: str = setting(check=_watchlist_name, help="unique slug, used in alerts and the digest")
    query: CompiledQuery = setting(check=_query, help="the query (README: the query language)")
    notify: str = setting("instant", check=Choice(NOTIFY_MODES), help="instant (alert channels) | digest")
    channels: tuple[str, ...] = setting((), check=ListOf(text), help="names from alerts.channels (instant only)")

    @property
    def source(self) -> str:
        return self.query.source


@dataclass(frozen=True)
class WatchHit:
    watchlist: str
    terms: tuple[str, ...]
    channels: tuple[str, ...]


class InstantMatcher:
    """The instant watchlists (and the sure-flagged rule) a crawl runs on each article it stores.

    Built once per crawl; ``digest`` watchlists are left to the digest, which
    runs them over the day's articles.
    """

    def __init__(self, watchlists: tuple[Watchlist, ...], alerts: AlertSettings) -> None:
        instant = [w for w in watchlists if w.notify == "instant" and w.channels]
        self.bank = QueryBank({w.name: w.query for w in instant})
        self.channels = {w.name: w.channels for w in instant}
        self.alerts = alerts

    @property
    def active(self) -> bool:
        return bool(self.alerts.channels) and (bool(self.channels) or self.alerts.instant_flagged_min_score is not None)

    def hits(self, row: dict[str, Any]) -> list[WatchHit]:
        """What an article row sets off; the article is indexed once for all watchlists."""
        out: list[WatchHit] = []
        if self.channels:
            for name, terms in self.bank.match(ArticleDoc(row.get("title"), row.get("text"))).items():
                out.append(WatchHit(name, tuple(terms), self.channels[name]))
        floor = self.alerts.instant_flagged_min_score
        if floor is not None and self.alerts.channels and row.get("flagged") and (row.get("score") or 0) >= floor:
            out.append(WatchHit(FLAGGED, tuple(row.get("partners") or ()), tuple(self.alerts.channels)))
        return out
