"""What the web interface reads, through a read-only connection.

An event is every report of one real-world story: the articles sharing an
``event_id`` (pipelines.events places each stored article). Only
``EVENT_KEY`` says how articles are grouped; an article stored before
events existed has none until ``newsmon reprocess`` places it, and is
reachable through search and its article page meanwhile.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.dbtime import from_db
from pipelines.store import text_match

EVENT_KEY = "a.event_id"
# The link shown is the URL as the site published it (issue 10); `url` is only the identity key.
ARTICLE_COLUMNS = ("a.id, COALESCE(a.published_url, a.url) AS url, a.source, a.lang, a.title, a.published_at, "
                   "a.fetched_at, a.flagged, a.score, "
                   "a.subtype, a.partners, a.verdict_by, a.learned_score")
SEARCH_LIMIT = 200
FACETS = ("source", "partner", "subtype", "lang", "verdict")


@dataclass(frozen=True)
class Event:
    id: int
    reports: list[dict[str, Any]]  # its articles, flagged first, then oldest first

    @property
    def lead(self) -> dict[str, Any]:
        return self.reports[0]

    @property
    def flagged(self) -> bool:
        return any(r["flagged"] for r in self.reports)

    @property
    def sources(self) -> list[str]:
        return list(dict.fromkeys(r["source"] for r in self.reports))

    @property
    def languages(self) -> list[str]:
        return list(dict.fromkeys(r["lang"] for r in self.reports if r["lang"]))

    @property
    def partners(self) -> list[str]:
        return list(dict.fromkeys(p for r in self.reports if r["flagged"] for p in r["partners"]))

    @property
    def subtype(self) -> str | None:
        return next((r["subtype"] for r in self.reports if r["flagged"] and r["subtype"]), None)

    @property
    def latest(self) -> datetime | None:
        moments = [r["when"] for r in self.reports if r["when"]]
        return max(moments) if moments else None


def _article(row: sqlite3.Row) -> dict[str, Any]:
    item = dict(row)
    item["partners"] = json.loads(item["partners"] or "[]")
    item["when"] = from_db(item["published_at"]) or from_db(item["fetched_at"])
    return item


def events(conn: sqlite3.Connection, keys: list[int]) -> list[Event]:
    """The events with these keys, in the given order, each with all its reports."""
    if not keys:
        return []
    found: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        rows = conn.execute(
            f"SELECT {EVENT_KEY} AS event, {ARTICLE_COLUMNS} FROM articles a "
            f"WHERE {EVENT_KEY} IN ({','.join('?' * len(chunk))}) ORDER BY a.flagged DESC, a.id", chunk)
        for row in rows:
            found.setdefault(row["event"], []).append(_article(row))
    return [Event(key, found[key]) for key in keys if key in found]


def event(conn: sqlite3.Connection, key: int) -> Event | None:
    found = events(conn, [key])
    return found[0] if found else None


def event_of(conn: sqlite3.Connection, article_id: int) -> int | None:
    row = conn.execute(f"SELECT {EVENT_KEY} FROM articles a WHERE a.id = ?", [article_id]).fetchone()
    return row[0] if row else None


def day_bounds(day: date, tz: ZoneInfo) -> tuple[str, str]:
    start = datetime.combine(day, time(0), tz).astimezone(timezone.utc)
    return start.isoformat(timespec="seconds"), (start + timedelta(days=1)).isoformat(timespec="seconds")


def flagged_events(conn: sqlite3.Connection, since: str, until: str) -> list[Event]:
    """Events with a flagged report fetched in [since, until), the newest story first."""
    keys = [row[0] for row in conn.execute(
        f"SELECT DISTINCT {EVENT_KEY} FROM articles a WHERE a.flagged = 1 AND {EVENT_KEY} IS NOT NULL "
        "AND datetime(a.fetched_at) >= datetime(?) AND datetime(a.fetched_at) < datetime(?)", [since, until])]
    found = [e for e in events(conn, keys) if e.flagged]
    epoch = datetime.min.replace(tzinfo=timezone.utc)
    return sorted(found, key=lambda e: (e.latest or epoch, e.id), reverse=True)


def article(conn: sqlite3.Connection, article_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {ARTICLE_COLUMNS}, a.text, a.author, a.reasons, a.learned_reasons, a.classifier_version, "
        f"a.rule_flagged, a.rule_partners, a.rule_subtype, a.date_origin, {EVENT_KEY} AS event "
        "FROM articles a WHERE a.id = ?", [article_id]).fetchone()
    if row is None:
        return None
    item = _article(row)
    item["reasons"] = json.loads(item["reasons"] or "[]")
    item["learned_reasons"] = json.loads(item["learned_reasons"] or "[]")
    item["rule_partners"] = json.loads(item["rule_partners"] or "[]")
    item["feedback"] = [dict(r) for r in conn.execute(
        "SELECT verdict, partners, subtype, who, at, via FROM feedback WHERE article_id = ? ORDER BY id DESC",
        [article_id])]
    return item


@dataclass(frozen=True)
class SearchQuery:
    q: str = ""
    source: str = ""
    partner: str = ""
    subtype: str = ""
    lang: str = ""
    verdict: str = ""  # relevant | not_relevant
    since: str = ""  # YYYY-MM-DD, publication date
    until: str = ""

    @classmethod
    def from_params(cls, params: Any) -> SearchQuery:
        values = {name: (params.get(name) or "").strip()[:200] for name in cls.__dataclass_fields__}
        for key in ("since", "until"):
            try:
                date.fromisoformat(values[key])
            except ValueError:
                values[key] = ""
        return cls(**values)

    def filters(self, skip: str = "") -> tuple[bool, list[str], list[Any]] | None:
        """FTS join needed, WHERE clauses and parameters; None when the text query has no terms."""
        fts, where, params = False, [], []
        if self.q:
            match = text_match(self.q)
            if match is None:
                return None
            fts, where, params = match
        for name, clause in (("source", "a.source = ?"), ("subtype", "a.subtype = ?"), ("lang", "a.lang = ?"),
                             ("partner", "EXISTS (SELECT 1 FROM json_each(a.partners) WHERE value = ?)")):
            if getattr(self, name) and name != skip:
                where.append(clause)
                params.append(getattr(self, name))
        if self.verdict in ("relevant", "not_relevant") and skip != "verdict":
            where.append("a.flagged = ?")
            params.append(int(self.verdict == "relevant"))
        if self.since:
            where.append("substr(COALESCE(a.published_at, a.fetched_at), 1, 10) >= ?")
            params.append(self.since)
        if self.until:
            where.append("substr(COALESCE(a.published_at, a.fetched_at), 1, 10) <= ?")
            params.append(self.until)
        return fts, where, params

    def params(self, **changes: str) -> dict[str, str]:
        values = {name: getattr(self, name) for name in self.__dataclass_fields__} | changes
        return {k: v for k, v in values.items() if v}


def _from(fts: bool, where: list[str]) -> str:
    sql = " FROM articles a" + (" JOIN articles_fts ON articles_fts.rowid = a.id" if fts else "")
    return sql + (" WHERE " + " AND ".join(where) if where else "")


_FACET_SQL = {
    "source": "a.source",
    "subtype": "a.subtype",
    "lang": "a.lang",
    "verdict": "CASE a.flagged WHEN 1 THEN 'relevant' ELSE 'not_relevant' END",
}


def search(conn: sqlite3.Connection, query: SearchQuery, limit: int = SEARCH_LIMIT
           ) -> tuple[list[dict[str, Any]], int, dict[str, list[tuple[str, int]]]]:
    """Matching articles (newest first), their total, and for each facet the counts of its values.

    A facet's counts ignore that facet's own filter, so choosing a source
    still shows how many matches the other sources have.
    """
    filters = query.filters()
    if filters is None:
        return [], 0, {name: [] for name in FACETS}
    fts, where, params = filters
    rows = [_article(r) for r in conn.execute(
        f"SELECT {ARTICLE_COLUMNS}{_from(fts, where)} "
        "ORDER BY COALESCE(a.published_at, a.fetched_at) DESC, a.id DESC LIMIT ?", [*params, limit])]
    total = conn.execute(f"SELECT count(*){_from(fts, where)}", params).fetchone()[0]
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in FACETS:
        fts_f, where_f, params_f = query.filters(skip=name)  # type: ignore[misc]
        if name == "partner":
            sql = (f"SELECT p.value, count(*) FROM articles a JOIN json_each(a.partners) p"
                   + (" JOIN articles_fts ON articles_fts.rowid = a.id" if fts_f else "")
                   + (" WHERE " + " AND ".join(where_f) if where_f else ""))
        else:
            sql = f"SELECT {_FACET_SQL[name]} AS value, count(*){_from(fts_f, where_f)}"
        facets[name] = [(value, count) for value, count in conn.execute(
            sql + " GROUP BY value ORDER BY count(*) DESC, value LIMIT 30", params_f) if value is not None]
    return rows, total, facets


def model_and_feedback(conn: sqlite3.Connection) -> dict[str, Any]:
    """Counts for the health page: analysts' verdicts and the model in use."""
    from pipelines.model import model_summary

    counts = dict(conn.execute("SELECT verdict_by, count(*) FROM articles GROUP BY verdict_by").fetchall())
    judged = conn.execute("SELECT count(DISTINCT article_id) FROM feedback").fetchone()[0]
    return {"verdicts": counts, "judged": judged, "model": model_summary(conn)}
