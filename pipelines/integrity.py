"""Is the database file sound, and a consistent copy of it while it is in use.

A database damaged in the middle (a disk error, a bad copy) can go on
answering the queries that happen to miss the damaged pages, so crawls,
`status` and the digest carried on while articles were unreadable.
``quick_check`` reads every page (seconds for a large file) without the
index cross-checks of ``integrity_check``; the daemon runs it at start and
daily, `status` and the digest report it, and `newsmon db check` runs the
full check.  Backups use SQLite's online backup API, which copies a
consistent snapshot while the daemon keeps writing.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

MAX_PROBLEMS = 5


def check_database(path: str | Path, *, full: bool = False) -> list[str]:
    """SQLite's findings, at most MAX_PROBLEMS lines; empty when the file is sound.

    A file too damaged to open or to read its schema is one finding, not an exception.
    """
    pragma = "integrity_check" if full else "quick_check"
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [" ".join(str(exc).split())]
    problems = [line.strip() for row in rows for line in str(row[0]).splitlines() if line.strip()]
    return [] if problems == ["ok"] else problems[:MAX_PROBLEMS]


def describe(problems: list[str]) -> str:
    """One line: 'ok', or the first finding and how many more."""
    if not problems:
        return "ok"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"damaged: {problems[0]}{more}"


def backup_database(path: str | Path, destination: str | Path) -> int:
    """Copy a consistent snapshot of ``path`` to ``destination`` (replaced); returns its size in bytes."""
    target = Path(destination)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=30)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy, pages=1024)  # in steps, so the daemon's writes interleave
            copy.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    partial.replace(target)  # a reader never sees a half-written backup
    return target.stat().st_size
