"""A pool of worker processes for the CPU work on each page.

Extraction, dating, classification and fingerprinting are pure Python and
lxml work of a few milliseconds per page; on the reactor thread they would
serialise the whole crawl behind one core.  Worker processes use every core
and isolate the crawl from a page that crashes a C extension: a dead worker
breaks only the pages it held, the pool is rebuilt and the crawl goes on.
Workers are spawned, never forked, because the crawl process already runs a
reactor and threads that a fork would copy in an unknown state.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from crawler.lifeline import die_with_parent
from pipelines.process import PageInput, ProcessSettings, Processed, process_page

MAX_WORKERS = 4


class WorkerCrashed(RuntimeError):
    """The worker processing a page died (e.g. a segfault in a parser)."""


def _warm_up(parent_pid: int) -> None:
    # Ctrl-C reaches the whole process group; the crawl process decides how
    # to stop, so workers must not die mid-page with a KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(signal.SIGKILL, parent_pid)  # a killed crawl leaves no worker behind
    from pipelines.classify import classify

    classify("", "")  # load the vocabularies before the first page arrives


class PagePool:
    """Process pages in worker processes; create once per crawl, close at the end."""

    def __init__(self, workers: int = 0) -> None:
        """``workers`` = 0 means one per core, at most MAX_WORKERS."""
        self.workers = workers or max(1, min(MAX_WORKERS, os.cpu_count() or 1))
        self._executor: ProcessPoolExecutor | None = None

    def _pool(self) -> ProcessPoolExecutor:
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up,
                initargs=(os.getpid(),),
            )
        return self._executor

    def start(self) -> None:
        """Start the workers now, so their imports overlap the first downloads."""
        for _ in range(self.workers):
            self._pool().submit(int)

    async def process(self, page: PageInput, settings: ProcessSettings) -> Processed:
        job = partial(process_page, page, settings)
        executor = self._pool()
        try:
            return await asyncio.wrap_future(executor.submit(job))
        except BrokenProcessPool:
            if self._executor is executor:  # the first page to notice replaces the pool
                self._executor = None
                executor.shutdown(wait=False, cancel_futures=True)
            raise WorkerCrashed(f"worker process died while processing {page.url}") from None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
