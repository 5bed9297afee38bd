"""How a time is written to and read from the database: the one codec every table uses.

Every time column holds UTC as ISO 8601 with its offset, to the second
(``2026-11-22T10:15:00+00:00``).  One spelling means text order is time order,
so a query compares the stored column with a :func:`to_db` parameter
(``fetched_at >= ?``) and its index stays usable; ``datetime()`` over a
column is never needed.  Readers get aware datetimes back and convert them to
``config.timezone`` only when showing them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utc_now() -> datetime:
    return datetime.now(UTC)


@overload
def to_db(moment: datetime) -> str: ...
@overload
def to_db(moment: None) -> None: ...
def to_db(moment: datetime | None) -> str | None:
    """The stored spelling of ``moment``; a naive time is refused, since its zone would be a guess."""
    if moment is None:
        return None
    if not isinstance(moment, datetime):
        raise TypeError(f"a stored time must be a datetime, not {type(moment).__name__} {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()} cannot be stored: give it a time zone")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(value: str | None) -> datetime | None:
    """A stored time as an aware UTC datetime; None for an empty or unreadable value.

    A value without offset (a hand edit in Datasette) is read as UTC, the
    database's zone; an unreadable one must not crash a report.
    """
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
