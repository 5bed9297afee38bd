"""A little disk space set aside beside the database, given back when the disk fills up.

On a full disk SQLite cannot append even the few pages that record a run as
failed, so a crawl stopped by "database or disk is full" would end without
saying so in ``crawl_runs``.  Each crawl keeps RESERVE_BYTES in
``<database>.reserve``; when a write fails the file is deleted, which frees
just enough for the run's own record, and the next crawl that finds room
sets it aside again.
"""

from __future__ import annotations

import os
from pathlib import Path

RESERVE_BYTES = 1_000_000


def reserve_path(database: Path) -> Path:
    return database.with_name(database.name + ".reserve")


def keep_reserve(database: Path) -> None:
    """Make sure the reserve exists; on a disk already too full for it, go without."""
    path = reserve_path(database)
    if path.exists() and path.stat().st_size >= RESERVE_BYTES:
        return
    try:
        with open(path, "wb") as handle:
            handle.write(b"\0" * RESERVE_BYTES)  # written, not sparse: the blocks must really be taken
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        path.unlink(missing_ok=True)


def release_reserve(database: Path) -> None:
    """Give the reserved space back to the file system (for the writes that record a failure)."""
    reserve_path(database).unlink(missing_ok=True)
