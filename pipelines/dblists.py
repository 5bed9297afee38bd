"""How a list is written to and read from the database: one JSON spelling for every list column.

Partners, reasons, notes, recipients, article ids and the like are JSON arrays
(non-ASCII kept as written, so Datasette shows Arabic names).  The store
encodes them on write and hands readers Python lists (``store.read_rows``);
modules the store itself calls (events, the alert ledger) use these functions
directly, so no other module spells JSON for a column.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

# Every column holding a JSON array, across tables; ``decode_lists`` reads them by name.
LIST_COLUMNS = frozenset({
    "partners", "reasons",  # articles, events
    "rule_partners",  # articles: the rules' partners beside the shown ones
    "notes",  # source_runs
    "sources",  # crawl_runs, events
    "recipients", "article_ids",  # digests
    "languages",  # events
    "terms",  # alert_ledger
})


def list_to_db(values: Iterable[Any] | None) -> str:
    if isinstance(values, (str, bytes)):  # iterable, but never meant as a list of characters
        raise TypeError(f"a stored list must be a list, not {type(values).__name__} {values!r}")
    return json.dumps(list(values or ()), ensure_ascii=False)


def list_from_db(text: str | None) -> list[Any]:
    """The stored list; NULL or an empty string (a hand edit) is an empty list."""
    return json.loads(text) if text else []


def decode_lists(row: Mapping[str, Any]) -> dict[str, Any]:
    """``row`` with each of its :data:`LIST_COLUMNS` as a Python list."""
    return {name: list_from_db(value) if name in LIST_COLUMNS else value for name, value in row.items()}
