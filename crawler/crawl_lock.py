"""One crawl per database at a time, whoever starts it (a user, the daemon, cron).

Two crawls on one database used to fetch and process everything twice (240
requests for 120 articles) and race each other's writes.  The second one
now refuses at once and names the first: it would find nothing the first
is not already fetching.  ``flock`` locks vanish with their process, even
after SIGKILL, so a crashed crawl never blocks the next; the PID written
into the file is only there to be named.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class CrawlBusy(RuntimeError):
    """Another crawl holds the database; the message names its PID."""


def crawl_lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".crawl.lock")


@contextmanager
def crawl_lock(database: Path) -> Iterator[None]:
    """Hold the database's crawl lock, or raise :class:`CrawlBusy` naming the crawl that holds it."""
    path = crawl_lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _recorded_pid(fd)
            who = f" (pid {holder})" if holder else ""
            raise CrawlBusy(f"another crawl{who} is already running on {database}; "
                            "not started (its articles will be there when it ends)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def _recorded_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    return int(text) if text.isdigit() else None
