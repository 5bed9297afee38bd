"""OS file locks beside the database: one daemon per database, one digest send at a time.

``flock`` locks belong to the open file and vanish when the process dies,
even by SIGKILL, so a crashed daemon never leaves a stale lock behind (a PID
file alone would).  The daemon writes its PID into its lock file only so that
the refusal message and ``newsmon status`` can name it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class LockBusy(RuntimeError):
    """Another daemon holds the database; the message names it."""


def daemon_lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".daemon.lock")


def digest_lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".digest.lock")


@contextmanager
def digest_lock(database: Path) -> Iterator[None]:
    """Serialise digest sends (daemon ticks, a manual ``newsmon digest``); waits for the holder."""
    fd = os.open(digest_lock_path(database), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextmanager
def daemon_lock(database: Path) -> Iterator[None]:
    """The daemon's lock, with its PID recorded; :class:`LockBusy` names the holder."""
    path = daemon_lock_path(database)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _recorded_pid(path)
            who = f" (pid {holder})" if holder else ""
            raise LockBusy(f"another newsmon daemon{who} is already running on {database}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def running_daemon_pid(database: Path) -> int | None:
    """PID of the daemon holding the lock, or None when no daemon runs on this database."""
    path = daemon_lock_path(database)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _recorded_pid(path) or -1
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _recorded_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
