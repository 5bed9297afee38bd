"""Events, not reports: place each stored article in the real-world event it tells.

A new article joins the event of the most similar earlier report when the
two tell the same happening (close publication days; shared officials,
bodies, places, figures and act, see :mod:`pipelines.event_keys`) and opens
an event of its own otherwise.  Candidates come from ``event_keys``, an
index on (key, day): placing one article reads the rows of its own keys
within a few days, so its cost depends on how many reports a day share a
key, never on how many articles the database holds.

Verbatim copies share an event as a matter of course: ``cluster_id`` stays
the copy-level grouping inside it.
"""
from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from functools import lru_cache
from collections import Counter
from typing import Any, Callable, Iterable, Iterator

from pipelines.dblists import list_from_db, list_to_db
from pipelines.dbtime import from_db, to_db, utc_now
from pipelines.event_keys import EventKeys, event_keys, keys_digest, load_officials
from pipelines.lexicon import load_yaml

__all__ = ["GROUPING_VERSION", "WINDOW_DAYS", "article_day", "place_article", "refresh_event", "regroup",
           "same_event_score"]

# The code's version plus the key files' hash: `newsmon reprocess` regroups when either changes.
GROUPING_VERSION = f"1.0+{keys_digest()}"
WINDOW_DAYS = 2  # reports of one happening appear within two days of its earliest; later ones are follow-ups
JOIN_SCORE = 0.4  # see same_event_score
MAX_CANDIDATES = 40  # the earlier reports sharing most keys; enough for any one happening

# What a shared key is worth: an official or a figure is rare, a state or an act common.
_WEIGHTS = {"p": 3.0, "n": 2.0, "e": 2.0, "o": 1.5, "l": 1.5, "y": 1.0, "s": 1.0, "a": 1.0, "f": 1.0}
# Kinds whose disagreement in the leads says "another happening": another act or
# city weigh against; another year (the 2023 and 2024 editions), phase (the
# opening and the closing), foreign partner or counterpart rule it out.
_CONFLICT_KINDS = ("a", "l")
_CONFLICT_PENALTY = 0.1
_DAY_PENALTY = 0.05  # per day apart beyond the first
BODY_WEIGHT = 0.3  # a key met only in the body, against one in the title or lead
SAME_WORDING = 0.25  # leads sharing this share of their words count as one more specific fact
SAME_TEXT = 0.5  # ... and this share makes a rewrite of one dispatch, even of a story with no foreign side
WORDING_WEIGHT = 0.5
# A report joins another only through shared facts (see same_event_score), so
# candidates are found by those; states, years and acts are on most rows of a day.
_INDEXED = ("p", "n", "o", "l", "e")
_SPECIFIC_KINDS = ("p", "o", "l", "e")
SMALL_NUMBER = 32  # below: a day of the month or a handful of suspects, a fact only in both leads
MIN_SPECIFIC = 2
MEMBERS_COMPARED = 30  # a new report is compared with at most this many reports of a candidate event
MEAN_SCORE = 0.5 * JOIN_SCORE  # ... and must fit them on average, not just one of them


def article_day(published_at: str | None, fetched_at: str | None) -> int:
    """The report's day number (proleptic ordinal, UTC as stored): publication, else fetch."""
    for value in (published_at, fetched_at):
        moment = from_db(value)
        if moment is not None:
            return moment.date().toordinal()
    return utc_now().date().toordinal()


def same_event_score(a: EventKeys, b: EventKeys, days_apart: int) -> float:
    """How strongly two reports tell the same happening, from -inf to 1; JOIN_SCORE or more means they do.

    The score is a weighted Dice overlap of the two reports' keys, where a
    key in the lead weighs more than one met only in the body, so a long
    report that lists every city it mentions does not match everything.  At
    least MIN_SPECIFIC shared keys must be facts (see ``_fact``), one of
    them from abroad (a foreign official or place, a body, a figure) unless
    both leads name the same foreign state or the leads are worded alike
    (SAME_TEXT); the same foreign state and specific act (an agreement, an
    extradition: not mere talks) in both leads, a foreign official in both
    leads, and much the same wording (SAME_WORDING, reports in one
    language), count as one more fact each: the DGSN chief and Casablanca
    alone are half the news of a week, not one happening.  Leads that disagree on the act or the place
    subtract, as does distance in days; leads that disagree on the year, the
    foreign partner or counterpart, or reports on different phases (opening,
    closing), rule the pair out.
    """
    if _contradicts(a, b):
        return float("-inf")
    weights_a, weights_b = _weighted(a), _weighted(b)
    shared = weights_a.keys() & weights_b.keys()
    wording = _dice(a.words, b.words)
    facts = [k for k in shared if _fact(k, a, b)]
    same_wording = wording >= SAME_WORDING
    partner = any(k[0] == "s" and k in a.lead and k in b.lead for k in shared)
    # The same partner and the same specific act (an agreement, an extradition, not "talks") in both leads.
    partner_act = partner and any(k[0] == "a" and k != "a:meeting" and k in a.lead and k in b.lead for k in shared)
    # A foreign official in both leads (Langley arrives; Loudiyi receives Langley) is one visit, told twice.
    visitor = bool(_foreign_officials(a.lead) & _foreign_officials(b.lead))
    if len(facts) + same_wording + partner_act + visitor < MIN_SPECIFIC or not (
            wording >= SAME_TEXT or partner or any(not _home(k) for k in facts)):
        return float("-inf")
    overlap = sum(min(weights_a[k], weights_b[k]) for k in shared)
    score = 2 * overlap / (sum(weights_a.values()) + sum(weights_b.values())) + WORDING_WEIGHT * wording
    score -= _CONFLICT_PENALTY * sum(_disagree(a, b, kind) for kind in _CONFLICT_KINDS)
    score -= _DAY_PENALTY * max(0, abs(days_apart) - 1)
    return score


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


def _weighted(keys: EventKeys) -> dict[str, float]:
    return {k: _WEIGHTS.get(k[0], 0.0) * (1.0 if k in keys.lead else BODY_WEIGHT) for k in keys.body}


def _fact(key: str, a: EventKeys, b: EventKeys) -> bool:
    """A shared key that singles out a happening: an official, a body or a place in a lead, a figure
    of 32 or more in a lead, or a smaller one (nine suspects) in both leads."""
    if key[0] == "n":
        return key in a.lead and key in b.lead if int(key[2:]) < SMALL_NUMBER else key in a.lead or key in b.lead
    return key[0] in _SPECIFIC_KINDS and (key in a.lead or key in b.lead)


def _home(key: str) -> bool:
    """A Moroccan official or place, or a small figure: present in most stories, so never enough on their own."""
    if key[0] == "n":
        return int(key[2:]) < SMALL_NUMBER
    if key[0] == "p":
        official = load_officials().get(key[2:])
        return official is None or official.country == "MA"
    return key[0] == "l" and key[2:] in _moroccan_places()


@lru_cache(maxsize=1)
def _moroccan_places() -> frozenset[str]:
    return frozenset(place["id"] for place in load_yaml("places.yaml")["places"] if place["country"] == "MA")


def _contradicts(a: EventKeys, b: EventKeys) -> bool:
    """The two reports cannot tell one happening: another year, phase, foreign partner, or officials
    none of whom the other report names (the interior minister's talks are not the DGSN chief's)."""
    return (_disagree(a, b, "y") or _other_phase(a, b) or _disagree(a, b, "s") or _disagree(a, b, "o")
            or _disagree(a, b, "p") or _other_counterpart(a, b))


def _other_counterpart(a: EventKeys, b: EventKeys) -> bool:
    """Both leads name foreign officials and none in common: the DGSN chief meeting
    Spain's police director is not him meeting France's."""
    foreign_a, foreign_b = _foreign_officials(a.lead), _foreign_officials(b.lead)
    return bool(foreign_a and foreign_b and not foreign_a & _foreign_officials(b.body)
                and not foreign_b & _foreign_officials(a.body))


def _foreign_officials(keys: frozenset[str]) -> frozenset[str]:
    officials = load_officials()
    return frozenset(k for k in keys if k[0] == "p" and k[2:] in officials and officials[k[2:]].country != "MA")


def _other_phase(a: EventKeys, b: EventKeys) -> bool:
    """The reports tell different phases: the lead's phase, else the body's (a report of
    the opening that leads with the agenda still says "opening ceremony" further down)."""
    phases_a = a.kind("f", lead_only=True) or a.kind("f")
    phases_b = b.kind("f", lead_only=True) or b.kind("f")
    return bool(phases_a and phases_b and not phases_a & phases_b)


def _disagree(a: EventKeys, b: EventKeys, kind: str) -> bool:
    """Both leads name keys of this kind and neither report mentions any of the other's."""
    lead_a, lead_b = a.kind(kind, lead_only=True), b.kind(kind, lead_only=True)
    return bool(lead_a and lead_b and not (lead_a & b.body) and not (lead_b & a.body))


def index_keys(keys: EventKeys) -> set[str]:
    """The keys an article is found by in ``event_keys``: its facts (lead), its officials and bodies (anywhere)."""
    return {k for k in keys.lead if k[0] in _INDEXED} | keys.kind("p") | keys.kind("o")


def _decode(text: str) -> EventKeys:
    stored = json.loads(text)
    return EventKeys(frozenset(stored["lead"]), frozenset(stored["body"]), frozenset(stored.get("words", ())))


def _encode(keys: EventKeys) -> str:
    return json.dumps({"lead": sorted(keys.lead), "body": sorted(keys.body), "words": sorted(keys.words)},
                      ensure_ascii=False)


def _candidates(conn: sqlite3.Connection, keys: Iterable[str], day: int, article_id: int) -> list[int]:
    keys = sorted(keys)
    if not keys:
        return []
    rows = conn.execute(
        f"""SELECT article_id FROM event_keys
            WHERE key IN ({','.join('?' * len(keys))}) AND day BETWEEN ? AND ? AND article_id != ?
            GROUP BY article_id ORDER BY COUNT(*) DESC, article_id LIMIT ?""",
        [*keys, day - WINDOW_DAYS, day + WINDOW_DAYS, article_id, MAX_CANDIDATES],
    ).fetchall()
    return [row[0] for row in rows]


def place_article(conn: sqlite3.Connection, article_id: int, row: dict[str, Any],
                  keys: EventKeys | None = None, *, copy_of: int | None = None) -> int:
    """Give a stored article its event (joining the best earlier report's, or a new one); returns the event id.

    Runs inside the caller's transaction.  An article already placed keeps
    its event; its keys and index rows are refreshed.  A near-verbatim copy
    (``copy_of``: the id its simhash cluster is named after) joins that
    article's event whatever its keys say.
    """
    if keys is None:
        keys = event_keys(row.get("title"), row.get("text"))
    day = article_day(row.get("published_at"), row.get("fetched_at"))
    current = conn.execute("SELECT event_id FROM articles WHERE id = ?", [article_id]).fetchone()
    event_id = current[0] if current else None
    conn.execute("DELETE FROM event_keys WHERE article_id = ?", [article_id])
    if event_id is None and copy_of is not None:
        original = conn.execute("SELECT event_id FROM articles WHERE id = ?", [copy_of]).fetchone()
        event_id = original[0] if original else None
    if event_id is None:
        event_id = _best_event(conn, article_id, keys, day)
    if event_id is None:
        event_id = conn.execute(
            "INSERT INTO events (first_seen, day, grouping_version) VALUES (?, ?, ?)",
            [row.get("fetched_at") or to_db(utc_now()), day, GROUPING_VERSION],
        ).lastrowid
    conn.execute("UPDATE articles SET event_id = ? WHERE id = ?", [event_id, article_id])
    conn.execute(
        "INSERT INTO article_keys (article_id, day, keys) VALUES (?, ?, ?) "
        "ON CONFLICT(article_id) DO UPDATE SET day = excluded.day, keys = excluded.keys",
        [article_id, day, _encode(keys)],
    )
    conn.executemany("INSERT OR IGNORE INTO event_keys (key, day, article_id) VALUES (?, ?, ?)",
                     [(key, day, article_id) for key in sorted(index_keys(keys))])
    refresh_event(conn, event_id)
    return event_id


def _best_event(conn: sqlite3.Connection, article_id: int, keys: EventKeys, day: int) -> int | None:
    """The event whose reports this one fits best, or None.

    One close report is not enough (chains of pairwise matches would merge
    a week's news about one official): the new report must match some
    report of the event (JOIN_SCORE), contradict none of them (a year or a
    phase apart) and fit its reports on average (MEAN_SCORE).
    """
    candidates = _candidates(conn, index_keys(keys), day, article_id)
    if not candidates:
        return None
    rows = conn.execute(
        f"""SELECT k.day, k.keys, a.event_id, e.day FROM article_keys k
            JOIN articles a ON a.id = k.article_id JOIN events e ON e.id = a.event_id
            WHERE k.article_id IN ({','.join('?' * len(candidates))})""",
        candidates,
    ).fetchall()
    best_link: dict[int, float] = {}
    for other_day, other_keys, other_event, event_day in rows:
        if abs(day - event_day) > WINDOW_DAYS:  # an event does not drift day after day
            continue
        score = same_event_score(keys, _decode(other_keys), day - other_day)
        if score >= JOIN_SCORE and score > best_link.get(other_event, float("-inf")):
            best_link[other_event] = score
    best, best_mean = None, MEAN_SCORE
    for event_id in sorted(best_link, key=lambda e: -best_link[e])[:5]:
        members = conn.execute(
            """SELECT k.day, k.keys FROM articles a JOIN article_keys k ON k.article_id = a.id
               WHERE a.event_id = ? ORDER BY a.id LIMIT ?""",
            [event_id, MEMBERS_COMPARED],
        ).fetchall()
        scores = [same_event_score(keys, _decode(other_keys), day - other_day) for other_day, other_keys in members]
        if any(score == float("-inf") and _contradicts(keys, _decode(k)) for score, (_d, k) in zip(scores, members)):
            continue
        mean = sum(max(score, 0.0) for score in scores) / len(scores)
        if mean >= best_mean:
            best, best_mean = event_id, mean
    return best


def refresh_event(conn: sqlite3.Connection, event_id: int) -> None:
    """Recompute an event's summary from its reports (bounded by the event's size, not the table's)."""
    reports = conn.execute(
        """SELECT lang, source, title, published_at, fetched_at, flagged, subtype, partners, score
           FROM articles WHERE event_id = ? ORDER BY COALESCE(published_at, fetched_at), id""",
        [event_id],
    ).fetchall()
    if not reports:
        conn.execute("DELETE FROM events WHERE id = ?", [event_id])
        return
    titles: dict[str, str] = {}
    partners: list[str] = []
    for lang, _source, title, *_ in reports:
        if title and lang and lang not in titles:
            titles[lang] = title
    for row in reports:
        for code in list_from_db(row[7]):
            if code not in partners:
                partners.append(code)
    flagged = [r for r in reports if r[5]]
    subtypes = Counter(r[6] for r in (flagged or reports) if r[6])
    published = [r[3] for r in reports if r[3]]
    conn.execute(
        """UPDATE events SET title = ?, titles = ?, languages = ?, sources = ?, partners = ?, subtype = ?,
                  flagged = ?, reports = ?, earliest_published = ?, first_seen = MIN(first_seen, ?),
                  day = COALESCE((SELECT MIN(k.day) FROM article_keys k JOIN articles a ON a.id = k.article_id
                                  WHERE a.event_id = events.id), day)
           WHERE id = ?""",
        [
            next((r[2] for r in reports if r[2]), None),
            json.dumps(titles, ensure_ascii=False),
            list_to_db(sorted({r[0] for r in reports if r[0]})),
            list_to_db(dict.fromkeys(r[1] for r in reports)),
            list_to_db(partners),
            subtypes.most_common(1)[0][0] if subtypes else None,
            int(bool(flagged)),
            len(reports),
            min(published) if published else None,
            min(r[4] for r in reports),
            event_id,
        ],
    )


def regroup(conn: sqlite3.Connection, *, progress: Callable[[str], None] | None = None) -> int:
    """Bring every article's event up to GROUPING_VERSION; returns how many articles were placed.

    After a change of rules (or on a database from before events) all
    articles are placed again in publication order, as if they had been
    crawled one by one; otherwise only the articles without an event are.
    Each article is placed in its own short transaction, like a crawl's.
    """
    stale = conn.execute("SELECT 1 FROM events WHERE grouping_version != ? LIMIT 1", [GROUPING_VERSION]).fetchone()
    if stale:
        with _transaction(conn):
            conn.execute("UPDATE articles SET event_id = NULL")
            for table in ("event_keys", "article_keys", "events"):
                conn.execute(f"DELETE FROM {table}")
    ids = [row[0] for row in conn.execute(
        "SELECT id FROM articles WHERE event_id IS NULL ORDER BY COALESCE(published_at, fetched_at), id")]
    for index, article_id in enumerate(ids, 1):
        title, text, published_at, fetched_at, cluster_id = conn.execute(
            "SELECT title, text, published_at, fetched_at, cluster_id FROM articles WHERE id = ?", [article_id]).fetchone()
        keys = event_keys(title, text)
        with _transaction(conn):
            place_article(conn, article_id, {"title": title, "text": text, "published_at": published_at,
                                             "fetched_at": fetched_at}, keys,
                          copy_of=cluster_id if cluster_id not in (None, article_id) else None)
        if progress and index % 500 == 0:
            progress(f"regroup: {index}/{len(ids)} articles")
    return len(ids)


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
