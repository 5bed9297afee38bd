"""One crawl-wide "stop now": a failed database write or the hard time limit.

Scrapy closes spiders one by one and lets each finish the pages it holds.
Two events must instead end the whole run at once: a write the database
refused (every further page would fail the same way, and each failure used
to cost a traceback and a page of HTML in the log), and ``max_run_minutes``
(a page stuck in a worker must not hold the run past its limit).  Every
spider, the item pipeline and the run share one :class:`CrawlControl`;
pages not yet stored when it trips are dropped unrecorded, so the next run
fetches them again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

STORAGE_FAILED = "storage_failed"
TIME_LIMIT = "time_limit"


class CrawlControl:
    """Who stopped the crawl and why; ``stop`` runs the registered stoppers once."""

    def __init__(self) -> None:
        self.reason: str | None = None  # STORAGE_FAILED | TIME_LIMIT
        self.message: str | None = None
        self._stoppers: list[Callable[[str], object]] = []

    @property
    def stopped(self) -> bool:
        return self.reason is not None

    def on_stop(self, stopper: Callable[[str], object]) -> None:
        """``stopper(reason)`` is called (on the event loop) when the crawl is stopped."""
        self._stoppers.append(stopper)

    def stop(self, reason: str, message: str) -> None:
        """Stop every source now; only the first call counts."""
        if self.reason is not None:
            return
        self.reason, self.message = reason, message
        for stopper in self._stoppers:
            result = stopper(reason)
            if asyncio.iscoroutine(result):
                asyncio.ensure_future(result)
