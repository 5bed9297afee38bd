"""The page worker pool: real spawned processes, results equal to in-process ones, crash and hang isolation."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.workers import PagePool, PageTimeout, WorkerCrashed, worker_count
from pipelines.process import PageInput, PageSource, ProcessSettings, process_page
from sites.hostile import big_table_page

HTML = (Path(__file__).parents[1] / "fixtures" / "process" / "ar_cooperation.html").read_text(encoding="utf-8")
SOURCE = PageSource("site-ar", "ar")
SETTINGS = ProcessSettings(max_age_days=7, threshold=0.5, min_body_chars=300)


def page(n: int) -> PageInput:
    return PageInput(f"https://news.example.ma/{n}.html", SOURCE, HTML, datetime(2025, 11, 22, 9, tzinfo=timezone.utc))


@pytest.fixture
def pool():
    pages = PagePool(workers=2)
    pages.start()
    yield pages
    pages.close()


def test_workers_produce_the_in_process_result(pool: PagePool) -> None:
    async def run():
        return await asyncio.gather(*(pool.process(page(n), SETTINGS) for n in range(6)))

    results = asyncio.run(run())
    expected = process_page(page(3), SETTINGS)
    assert results[3] == expected
    assert {r.row["url"] for r in results} == {f"https://news.example.ma/{n}.html" for n in range(6)}


def big_table(url: str = "https://news.example.ma/table.html") -> PageInput:
    """The hostile site's 6,000-row table: seconds of trafilatura work, long enough to be caught in the act."""
    return PageInput(url, SOURCE, big_table_page(), datetime(2025, 11, 22, 9, tzinfo=timezone.utc))


def test_a_dead_worker_fails_its_page_and_the_pool_recovers(pool: PagePool) -> None:
    async def run():
        await pool.process(page(0), SETTINGS)
        busy = asyncio.ensure_future(pool.process(big_table(), SETTINGS))
        await asyncio.sleep(0.5)
        for worker in pool._all:  # what a segfault in a parser would do, to the busy worker and the idle one
            for pid in list(worker.executor._processes):
                os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerCrashed, match="worker process died while processing .*table.html"):
            await busy
        return await pool.process(page(2), SETTINGS)

    assert asyncio.run(run()).row["url"] == "https://news.example.ma/2.html"


def test_a_page_over_the_deadline_fails_alone_and_its_worker_is_replaced() -> None:
    pool = PagePool(workers=1, deadline=1.0)
    pool.start()

    async def run():
        slow = asyncio.ensure_future(pool.process(big_table(), SETTINGS))
        queued = [asyncio.ensure_future(pool.process(page(n), SETTINGS)) for n in range(3)]  # wait behind it
        with pytest.raises(PageTimeout, match=r"processing took longer than 1 s at https://news.example.ma/table"):
            await slow
        return await asyncio.gather(*queued)

    try:
        done = asyncio.run(run())
    finally:
        pool.close()
    assert [r.row["url"] for r in done] == [f"https://news.example.ma/{n}.html" for n in range(3)]


def test_workers_never_outnumber_the_cores() -> None:
    cores = os.cpu_count() or 1
    assert worker_count(0) == min(4, cores)
    assert worker_count(50) == cores
    assert worker_count(1) == 1
