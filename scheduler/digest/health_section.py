"""Which sources the digest warns about: every source whose health is not ok, or whose config is stale.

A source that quietly stops yielding articles is the commonest way a news
monitor fails its readers, so every digest names the sources that are
silent, failing, blocked or degraded, as judged by :mod:`pipelines.health`,
and the ones that only kept working because the crawler found another feed
or sitemap than the configured one (their ``advice`` says which).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from crawler.config import Config
from pipelines.health import source_health
from pipelines.integrity import check_database, describe
from scheduler.digest.names import state_name
from scheduler.digest.sanitize import clean

ERROR_CHARS = 200


@dataclass(frozen=True)
class SourceProblem:
    source: str
    state: str
    reason: str  # in the digest's language; empty when the state name says it all
    last_error: str | None
    advice: str | None = None  # what to change in config.yaml (English, as written by the crawler)

    def state_name(self, lang: str) -> str:
        return state_name(self.state, lang)


def source_problems(conn: sqlite3.Connection, config: Config, now: datetime) -> list[SourceProblem]:
    """A damaged database file (SQLite's quick_check), then enabled sources not ok at ``now`` or with
    config advice, the verdict's reason in ``digest.language``."""
    lang = config.digest.language
    damage = check_database(config.database)  # the file itself first: a damaged one can hide stories
    database = [SourceProblem("database", "failing", clean(describe(damage))[:ERROR_CHARS],
                              "run `newsmon db check`, then restore a backup")] if damage else []
    return database + [
        SourceProblem(clean(h.source), h.state, "" if h.state == "unknown" else clean(h.why.text(lang)),
                      clean(h.last_error)[:ERROR_CHARS] or None, clean(h.advice)[:ERROR_CHARS] or None)
        for h in source_health(conn, [s.name for s in config.enabled_sources], config.health, config.timezone, now)
        if not h.is_ok or h.advice
    ]
