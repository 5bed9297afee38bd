"""The page worker pool: real spawned processes, results equal to in-process ones, crash isolation."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crawler.workers import PagePool, WorkerCrashed
from pipelines.process import PageInput, PageSource, ProcessSettings, process_page

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


def test_a_dead_worker_fails_its_page_and_the_pool_recovers(pool: PagePool) -> None:
    async def run():
        await pool.process(page(0), SETTINGS)
        for pid in list(pool._pool()._processes):  # what a segfault in a parser would do
            os.kill(pid, signal.SIGKILL)
        with pytest.raises(WorkerCrashed, match="worker process died while processing"):
            await pool.process(page(1), SETTINGS)
        return await pool.process(page(2), SETTINGS)

    assert asyncio.run(run()).row["url"] == "https://news.example.ma/2.html"
