"""Run watchlist queries over stored articles: ``newsmon watch test|list`` and the digest's sections.

The crawl matches each article once as it is stored; this is the same
matcher run afterwards over a time window, so an analyst can tune a query
on what is already in the database before saving it, and the digest can
list what each ``digest`` watchlist caught during the day.  Reports of one
event are counted once (the event's earliest matching report stands for it).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from pipelines.dbtime import from_db, to_db
from pipelines.query_match import ArticleDoc, CompiledQuery, QueryBank

__all__ = ["StoredHit", "count_stored", "scan_stored"]


@dataclass(frozen=True)
class StoredHit:
    article_id: int
    event_id: int
    url: str
    source: str
    lang: str | None
    title: str | None
    published_at: datetime | None
    fetched_at: datetime
    terms: tuple[str, ...]
    reports: int  # matching reports of the same event in the window


def scan_stored(conn: sqlite3.Connection, queries: dict[str, CompiledQuery], since: datetime,
                until: datetime | None = None) -> dict[str, list[StoredHit]]:
    """Each query's matching events among the articles stored in [since, until], newest first."""
    found: dict[str, dict[int, StoredHit]] = {name: {} for name in queries}
    bank = QueryBank(queries)
    for row in _articles(conn, since, until):
        article_id, url, source, lang, title, text, published_at, fetched_at, event_id = row
        for name, terms in bank.match(ArticleDoc(title, text)).items():
            event = event_id if event_id is not None else -article_id  # unplaced: an event of its own
            earlier = found[name].get(event)
            if earlier is None:
                found[name][event] = StoredHit(article_id, event, url, source, lang, title, from_db(published_at),
                                               from_db(fetched_at), tuple(terms), 1)
            else:
                found[name][event] = StoredHit(**{**earlier.__dict__, "reports": earlier.reports + 1})
    return {name: sorted(hits.values(), key=lambda h: h.fetched_at, reverse=True) for name, hits in found.items()}


def _articles(conn: sqlite3.Connection, since: datetime, until: datetime | None) -> Iterable[tuple]:
    sql = ("SELECT id, COALESCE(published_url, url), source, lang, title, text, published_at, fetched_at, event_id FROM articles"
           " WHERE fetched_at >= ?")
    params = [to_db(since)]
    if until is not None:
        sql += " AND fetched_at <= ?"
        params.append(to_db(until))
    return conn.execute(sql + " ORDER BY id", params)


def count_stored(conn: sqlite3.Connection, since: datetime) -> int:
    """How many articles a scan from ``since`` reads (for "N articles searched")."""
    return conn.execute("SELECT count(*) FROM articles WHERE fetched_at >= ?", [to_db(since)]).fetchone()[0]
