"""A pool of worker processes for the CPU work on each page, each page under a deadline.

Extraction, dating, classification and fingerprinting are pure Python and
lxml work of a few milliseconds per page; on the reactor thread they would
serialise the whole crawl behind one core.  Worker processes use every core
and isolate the crawl from a page that crashes a C extension or never ends
(trafilatura is quadratic on big tables: 6,000 rows take 16 s).

Each worker is its own one-process executor and is given a page only when
it is idle, so no page waits in a queue behind another: a page still running
at the deadline is abandoned (:class:`PageTimeout`), its worker is killed and
replaced, and the pages waiting for a worker go to the others meanwhile.
Workers are spawned, never forked, because the crawl process already runs a
reactor and threads that a fork would copy in an unknown state.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TYPE_CHECKING

from crawler.lifeline import die_with_parent

if TYPE_CHECKING:  # imported by the workers only after _warm_up has tied them to the crawl's life
    from pipelines.process import PageInput, ProcessSettings, Processed

log = logging.getLogger("newsmon.crawler")

MAX_WORKERS = 4
# A replacement worker imports the pipelines (a few seconds on a busy machine) before it
# takes a page; this bounds that start, not a page.
START_SECONDS = 120.0
MAX_START_FAILURES = 3


class WorkerCrashed(RuntimeError):
    """The worker processing a page died (e.g. a segfault in a parser)."""


class PageTimeout(RuntimeError):
    """A page was still being processed at its deadline; its worker was replaced."""


class PoolClosed(RuntimeError):
    """The crawl is stopping: no more pages are processed."""


def worker_count(requested: int) -> int:
    """``requested`` = 0 means one per core, at most MAX_WORKERS; never more than the cores."""
    cores = os.cpu_count() or 1
    return max(1, min(requested or MAX_WORKERS, cores))


# One small dated security-cooperation story per language: the first such page loads
# date data and the classifier's vocabularies (seconds), which must not count against
# a real page's deadline.
_WARM_UP_PAGES = {
    "ar": ("المغرب وإسبانيا يعززان التعاون الأمني",
           "<p>الرباط في 3 مارس 2025: استقبل المدير العام للأمن الوطني ولمراقبة التراب الوطني وفدا أمنيا إسبانيا، "
           "وأجرى الجانبان مباحثات ثنائية حول التعاون الأمني في مكافحة الإرهاب والجريمة المنظمة.</p>"),
    "fr": ("Le Maroc et l'Espagne renforcent leur coopération sécuritaire",
           "<p>Rabat, le 3 mars 2025 : le directeur général de la Sûreté nationale a reçu une délégation espagnole "
           "pour des entretiens sur la coopération sécuritaire contre le terrorisme et le crime organisé.</p>"),
    "en": ("Morocco and Spain step up security cooperation",
           "<p>Rabat, March 3, 2025: Morocco's national security chief received a Spanish police delegation for "
           "talks on security cooperation against terrorism and organised crime.</p>"),
}


def _warm_up(parent_pid: int) -> None:
    # Ctrl-C reaches the whole process group; the crawl process decides how
    # to stop, so workers must not die mid-page with a KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(signal.SIGKILL, parent_pid)  # a killed crawl leaves no worker behind
    from datetime import datetime, timezone

    from pipelines.process import PageInput, PageSource, ProcessSettings, process_page

    now = datetime.now(timezone.utc)
    settings = ProcessSettings(max_age_days=None, threshold=0.5, min_body_chars=300)
    for lang, (title, body) in _WARM_UP_PAGES.items():
        html = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body * 4}</article></body></html>"
        process_page(PageInput(f"https://warm-up.invalid/{lang}", PageSource("warm-up", lang), html, now), settings)


class _Worker:
    """One worker process (a one-process executor), replaceable when it hangs or dies."""

    def __init__(self) -> None:
        self.executor = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up,
            initargs=(os.getpid(),),
        )
        self.ready = self.executor.submit(int)  # done once the process has started and imported the pipelines

    def alive(self) -> bool:
        processes = list((self.executor._processes or {}).values())  # noqa: SLF001
        return bool(processes) and all(process.is_alive() for process in processes)

    def kill(self) -> None:
        # ProcessPoolExecutor cannot cancel a running call (Python 3.14 adds kill_workers());
        # killing its one process is the only way to take a page back.
        for process in list((self.executor._processes or {}).values()):  # noqa: SLF001
            process.kill()
        self.executor.shutdown(wait=False, cancel_futures=True)


class PagePool:
    """Process pages in worker processes; create once per crawl, close at the end."""

    def __init__(self, workers: int = 0, *, deadline: float = 60.0) -> None:
        self.workers = worker_count(workers)
        self.deadline = deadline
        self._idle: asyncio.Queue[_Worker | None] | None = None
        self._all: list[_Worker] = []
        self._closed = False
        self._start_failures = 0
        self._broken = False  # workers cannot start: pages fail instead of waiting for ever

    def start(self) -> None:
        """Start the workers now, so their imports overlap the first downloads."""
        self._all.extend(_Worker() for _ in range(self.workers))

    async def process(self, page: PageInput, settings: ProcessSettings) -> Processed:
        """Process one page in the next idle worker; raises PageTimeout, WorkerCrashed or PoolClosed."""
        from pipelines.process import process_page

        job = partial(process_page, page, settings)
        worker = await self._take()
        while not worker.alive():  # died while idle: no page of ours was in it
            self._replace(worker)
            worker = await self._take()
        try:
            future = worker.executor.submit(job)
            result = await asyncio.wait_for(asyncio.wrap_future(future), self.deadline)
        except (TimeoutError, asyncio.TimeoutError):
            self._replace(worker)
            raise PageTimeout(f"processing took longer than {self.deadline:g} s at {page.url}") from None
        except BrokenProcessPool:
            if self._closed:
                raise PoolClosed("crawl stopping") from None
            self._replace(worker)
            raise WorkerCrashed(f"worker process died while processing {page.url}") from None
        except BaseException:
            self._give_back(worker)
            raise
        self._give_back(worker)
        return result

    async def _take(self) -> _Worker:
        if self._idle is None:  # created here, inside the running event loop
            self._idle = asyncio.Queue()
            if not self._all:
                self.start()
            for worker in self._all:  # each takes pages once started, so no page's deadline pays for the start
                asyncio.ensure_future(self._when_started(worker))
        worker = await self._idle.get()
        if worker is None or self._closed:
            self._idle.put_nowait(None)  # wake the next waiter too
            if self._broken and not self._closed:
                raise WorkerCrashed("page workers cannot start")
            raise PoolClosed("crawl stopping")
        return worker

    def _give_back(self, worker: _Worker) -> None:
        if self._idle is not None and not self._closed:
            self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker``; its successor takes pages once started."""
        worker.kill()
        if self._closed:
            return
        fresh = _Worker()
        self._all[self._all.index(worker)] = fresh
        asyncio.ensure_future(self._when_started(fresh))

    async def _when_started(self, worker: _Worker) -> None:
        try:
            await asyncio.wait_for(asyncio.wrap_future(worker.ready), START_SECONDS)
        except (TimeoutError, asyncio.TimeoutError, BrokenProcessPool):
            if self._closed:
                return
            self._start_failures += 1
            if self._start_failures < MAX_START_FAILURES:
                self._replace(worker)
                return
            # A worker that can never start (a broken install) must not be respawned for ever.
            log.error("page workers fail to start (%d attempts in a row)", self._start_failures)
            worker.kill()
            self._broken = True
            if self._idle is not None:
                self._idle.put_nowait(None)
            return
        self._start_failures = 0
        self._give_back(worker)

    def abandon(self) -> None:
        """Stop now: pages being processed are dropped and every waiting caller gets PoolClosed."""
        if self._closed:
            return
        self._closed = True
        for worker in self._all:
            worker.kill()
        if self._idle is not None:
            self._idle.put_nowait(None)

    def close(self) -> None:
        """End every worker: idle ones lose nothing, and one still busy after a forced stop must not hold the exit."""
        self._closed = True
        for worker in self._all:
            worker.kill()
        self._all.clear()
