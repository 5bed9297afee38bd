"""Which verdict an article shows: the analyst's, else the learned model's, else the rules'.

Every reader (digest, search, status, the web interface) reads
``articles.flagged``, ``partners`` and ``subtype`` and nothing else, so the
precedence is decided once, here, whenever one of its inputs changes: a
crawl or ``reprocess`` rewrites the rules' verdict, an analyst gives
feedback, ``newsmon learn`` switches a model on or off.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from pipelines.events import refresh_event
from pipelines.model import LearnedModel, active_model

ANALYST, LEARNED, RULES = "analyst", "learned", "rules"


@dataclass(frozen=True)
class Correction:
    """An analyst's latest say on one article, field by field (None: not given)."""

    verdict: str | None = None  # relevant | not_relevant
    partners: tuple[str, ...] | None = None
    subtype: str | None = None
    who: str | None = None
    at: str | None = None


def corrections(conn: sqlite3.Connection, article_ids: Iterable[int]) -> dict[int, Correction]:
    """The latest value of each field across an article's feedback rows (history stays in the table)."""
    ids = list(article_ids)
    found: dict[int, dict] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = conn.execute(
            f"SELECT article_id, verdict, partners, subtype, who, at FROM feedback "
            f"WHERE article_id IN ({','.join('?' * len(chunk))}) ORDER BY id", chunk).fetchall()
        for article_id, verdict, partners, subtype, who, at in rows:
            fields = found.setdefault(article_id, {})
            if verdict is not None:
                fields.update(verdict=verdict, who=who, at=at)
            if partners is not None:
                fields["partners"] = tuple(json.loads(partners))
            if subtype is not None:
                fields["subtype"] = subtype
    return {article_id: Correction(**fields) for article_id, fields in found.items()}


def settle(conn: sqlite3.Connection, article_ids: Iterable[int], *, model: LearnedModel | None | bool = True) -> int:
    """Recompute the shown verdict of these articles; returns how many changed.

    ``model=True`` looks the active model up; pass a model (or None) to
    settle many articles without a lookup each. The caller holds the
    transaction.
    """
    ids = list(article_ids)
    if model is True:
        model = active_model(conn)
    fixes = corrections(conn, ids)
    changed = 0
    events: set[int] = set()  # whose summary (flag, partners, subtype) follows their reports
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = conn.execute(
            f"SELECT id, title, text, score, reasons, rule_flagged, rule_partners, rule_subtype, flagged, "
            f"partners, subtype, verdict_by, learned_score, event_id FROM articles WHERE id IN ({','.join('?' * len(chunk))})",
            chunk).fetchall()
        for (article_id, title, text, score, reasons, rule_flagged, rule_partners, rule_subtype,
             flagged, partners, subtype, verdict_by, learned_score, event_id) in rows:
            fix = fixes.get(article_id, Correction())
            learned_score = learned_reasons = None
            if model is not None:
                learned_score, learned_reasons = model.score(title or "", text or "", score or 0.0,
                                                             json.loads(reasons or "[]"))
            rule_flagged = flagged if rule_flagged is None else rule_flagged
            rule_partners = partners if rule_partners is None else rule_partners
            if fix.verdict is not None:
                new_flagged, new_by = int(fix.verdict == "relevant"), ANALYST
            elif model is not None and learned_score is not None:
                new_flagged, new_by = int(learned_score >= 0.5), LEARNED
            else:
                new_flagged, new_by = int(rule_flagged), RULES
            new_partners = (json.dumps(list(fix.partners), ensure_ascii=False) if fix.partners is not None
                            else rule_partners)
            new_subtype = fix.subtype if fix.subtype is not None else (rule_subtype if new_flagged else None)
            if (new_flagged, new_partners, new_subtype, new_by) != (flagged, partners, subtype, verdict_by):
                changed += 1
                if event_id is not None:
                    events.add(event_id)
            conn.execute(
                "UPDATE articles SET flagged = ?, partners = ?, subtype = ?, verdict_by = ?, learned_score = ?, "
                "learned_reasons = ? WHERE id = ?",
                [new_flagged, new_partners, new_subtype, new_by, learned_score,
                 None if learned_reasons is None else json.dumps(learned_reasons, ensure_ascii=False), article_id])
    for event_id in sorted(events):
        refresh_event(conn, event_id)
    return changed
