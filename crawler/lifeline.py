"""Child processes that never outlive their parent.

The daemon's crawl child and the crawl's page workers must not linger when
their parent dies, even by SIGKILL: an orphaned crawl keeps a database
writer busy, an orphaned worker holds memory for ever.  Linux delivers a
chosen signal to a child when its parent dies (``PR_SET_PDEATHSIG``); on
other systems this is a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
# Loaded at import, before any fork: a forked child may only call into it, not load it.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def die_with_parent(sig: int = signal.SIGTERM, parent_pid: int | None = None) -> None:
    """Ask for ``sig`` when the parent dies; exit now if it is already gone (``parent_pid`` given)."""
    if _LIBC is not None:
        _LIBC.prctl(PR_SET_PDEATHSIG, int(sig))
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the parent died before we could ask to be told
