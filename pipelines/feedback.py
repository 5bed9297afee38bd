"""Analysts' verdicts: record, import and export them; each one settles what the article shows.

Rows are only ever appended: the history of who said what stays, and the
latest value of each field wins (:func:`pipelines.verdicts.corrections`).
Import and export use the ``newsmon evaluate`` format, so a set of
corrections can be measured as labelled data and moved between databases.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.classify import SUBTYPES
from pipelines.dbtime import from_db, to_db, utc_now
from pipelines.store import write_transaction
from pipelines.verdicts import corrections, settle

VERDICTS = ("relevant", "not_relevant")


class FeedbackError(ValueError):
    """A verdict or correction that cannot be recorded; one line for the user."""


def check_partners(partners: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Partner codes as the classifier writes them: ``ES``, ``INTERPOL``; Morocco is never a partner."""
    out = []
    for code in partners:
        if not isinstance(code, str) or not code.strip():
            raise FeedbackError(f"partner {code!r}: expected a code such as ES or INTERPOL")
        code = code.strip().upper()
        if code == "MA":
            raise FeedbackError("partner MA: Morocco is never a partner")
        if not code.replace("_", "").isalnum():
            raise FeedbackError(f"partner {code!r}: expected a code such as ES or INTERPOL")
        if code not in out:
            out.append(code)
    return tuple(out)


def record_feedback(conn: sqlite3.Connection, article_ids: list[int], *, who: str, via: str,
                    verdict: str | None = None, partners: list[str] | tuple[str, ...] | None = None,
                    subtype: str | None = None, event_id: int | None = None) -> int:
    """Append one feedback row per article and settle their shown verdicts; returns rows written."""
    if verdict is not None and verdict not in VERDICTS:
        raise FeedbackError(f"verdict {verdict!r}: expected relevant or not_relevant")
    if subtype is not None and subtype not in SUBTYPES:
        raise FeedbackError(f"subtype {subtype!r}: expected one of {', '.join(SUBTYPES)}")
    codes = None if partners is None else check_partners(partners)
    if verdict is None and codes is None and subtype is None:
        raise FeedbackError("nothing to record: give a verdict, partners or a subtype")
    if not article_ids:
        return 0
    at = to_db(utc_now())
    with write_transaction(conn):
        conn.executemany(
            "INSERT INTO feedback (article_id, event_id, verdict, partners, subtype, who, at, via) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(article_id, event_id, verdict, None if codes is None else json.dumps(list(codes)), subtype,
              who, at, via) for article_id in article_ids])
        settle(conn, article_ids)
    return len(article_ids)


@dataclass
class ImportResult:
    recorded: int = 0
    unknown: list[str] = field(default_factory=list)  # "FILE:LINE: url" of articles not in the database
    without_url: list[str] = field(default_factory=list)  # "FILE:LINE" of lines that cannot be matched


def import_feedback(conn: sqlite3.Connection, path: Path, *, who: str,
                    canonical: Callable[[str], str] = lambda url: url) -> ImportResult:
    """Record the labels of an evaluate-format file as verdicts, matching articles by canonical URL.

    A line is ``{"url", "label": 0|1, "partners": [...], "subtype": ...}``
    (other keys ignored); partners and subtype are corrections only on
    positive lines, since a story that is not about security cooperation
    has no partner to correct. Every line is checked before anything is
    written, so a bad file records nothing.
    """
    result = ImportResult()
    planned: list[tuple[int, dict[str, Any]]] = []
    for number, record in _lines(path):
        where = f"{path}:{number}"
        label = record.get("label")
        if label not in (0, 1) or isinstance(label, bool):
            raise FeedbackError(f"{where}: 'label' must be 0 or 1")
        url = record.get("url")
        if not isinstance(url, str) or not url.strip():
            result.without_url.append(where)
            continue
        key = canonical(url)
        row = conn.execute("SELECT id FROM articles WHERE url = ? OR url = ?", [key, url]).fetchone()
        if row is None:
            result.unknown.append(f"{where}: {url}")
            continue
        change: dict[str, Any] = {"verdict": VERDICTS[1 - label]}
        if label == 1:
            try:
                if "partners" in record:
                    if not isinstance(record["partners"], list):
                        raise FeedbackError("'partners' must be a list of codes")
                    change["partners"] = check_partners(record["partners"])
                if record.get("subtype") is not None:
                    if record["subtype"] not in SUBTYPES:
                        raise FeedbackError(f"subtype {record['subtype']!r}: expected one of {', '.join(SUBTYPES)}")
                    change["subtype"] = record["subtype"]
            except FeedbackError as exc:
                raise FeedbackError(f"{where}: {exc}") from None
        planned.append((row[0], change))
    for article_id, change in planned:
        result.recorded += record_feedback(conn, [article_id], who=who, via="import", **change)
    return result


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FeedbackError(f"{path}: cannot read: {exc}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FeedbackError(f"{path}:{number}: invalid JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise FeedbackError(f"{path}:{number}: expected a JSON object")
        yield number, record


def export_feedback(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Each judged article once, with its latest verdict, in the evaluate format (plus url, who, at)."""
    ids = [row[0] for row in conn.execute("SELECT DISTINCT article_id FROM feedback ORDER BY article_id")]
    fixes = corrections(conn, ids)
    for article_id in ids:
        fix = fixes[article_id]
        if fix.verdict is None:
            continue
        url, lang, title, text, partners, subtype = conn.execute(
            "SELECT url, lang, title, text, partners, subtype FROM articles WHERE id = ?", [article_id]).fetchone()
        relevant = fix.verdict == "relevant"
        yield {
            "id": str(article_id), "url": url, "lang": lang, "title": title, "text": text,
            "label": int(relevant), "partners": json.loads(partners or "[]") if relevant else [],
            "subtype": subtype if relevant else None, "who": fix.who, "at": _iso(fix.at),
        }


def _iso(value: str | None) -> str | None:
    moment = from_db(value)
    return moment.isoformat(timespec="seconds") if moment else value
