"""Watchlists and alert channels as settings, and the one call a crawl makes per stored article.

The configuration loader builds these from ``watchlists:`` and ``alerts:``
(queries are compiled there, once, so a broken one is a config error and
never a crawl failure); everything that matches, records or delivers reads
only these types.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from pipelines.query_match import ArticleDoc, CompiledQuery, QueryBank

__all__ = ["FLAGGED", "NOTIFY_MODES", "Channel", "AlertSettings", "Watchlist", "WatchHit", "InstantMatcher"]

NOTIFY_MODES = ("instant", "digest")
# The ledger name of "flagged events this sure go out at once": not a valid
# watchlist slug, so it cannot collide with an analyst's watchlist.
FLAGGED = "*flagged*"


@dataclass(frozen=True)
class Channel:
    """An Apprise URL written in the file, or the name of the environment variable holding it."""

    name: str
    url: str | None = None
    url_env: str | None = None

    def resolve(self) -> str:
        """The URL to send to; raises LookupError (one line) when its environment variable is unset."""
        if self.url:
            return self.url
        value = os.environ.get(self.url_env or "", "")
        if not value:
            raise LookupError(f"channel {self.name}: environment variable {self.url_env} is not set")
        return value


@dataclass(frozen=True)
class AlertSettings:
    channels: dict[str, Channel] = field(default_factory=dict)
    instant_flagged_min_score: float | None = None  # None: flagged articles wait for the digest
    fold_seconds: float = 60.0  # matches of one watchlist within this window go out as one message
    retry_seconds: float = 60.0  # first back-off after a failed send; doubles up to an hour


@dataclass(frozen=True)
class Watchlist:
    name: str
    query: CompiledQuery
    notify: str = "instant"
    channels: tuple[str, ...] = ()

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
