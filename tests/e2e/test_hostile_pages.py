"""Pages that take too long to process, and crawls that run too long, cannot stall newsmon.

A local site serves ordinary articles beside a 0.6 MB Arabic page without a
full stop and a 6,000-row table (both slow to extract or classify); real
``newsmon crawl`` subprocesses crawl it.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from sites import run_newsmon
from sites.hostile import BIG_TABLE_PATH, BIG_TEXT_PATH, HostileSite

pytestmark = pytest.mark.e2e


def url_states(db_path: Path) -> dict[str, tuple[str, int, str | None]]:
    with sqlite3.connect(db_path) as db:
        return {url.split("/", 3)[3]: (state, attempts, error)
                for url, state, attempts, error in db.execute("SELECT url, state, attempts, last_error FROM urls")}


def test_a_page_over_its_deadline_is_failed_and_given_up_and_the_rest_is_stored(tmp_path: Path) -> None:
    site = HostileSite(articles=30).start()
    try:
        config = site.config(tmp_path, page_timeout=1, max_run_minutes=1, workers=1)
        started = time.monotonic()
        first = run_newsmon("crawl", "--config", str(config), "--quiet")
        elapsed = time.monotonic() - started
        assert first.returncode == 0, first.stderr
        assert elapsed < 60
        assert "Traceback" not in first.stderr
        states = url_states(tmp_path / "newsmon.db")
        # Every ordinary article is stored, those queued behind the slow pages on the one worker too.
        assert all(states[f"a/{n}.html"][0] == "stored" for n in range(30))
        table = states[BIG_TABLE_PATH[1:]]
        assert table[:2] == ("failed", 1) and table[2].startswith("processing took longer than 1 s at ")
        # The unpunctuated page is either done within its deadline or failed by it: never left pending.
        assert states[BIG_TEXT_PATH[1:]][0] in ("stored", "failed")
        with sqlite3.connect(tmp_path / "newsmon.db") as db:
            assert db.execute("SELECT status FROM crawl_runs").fetchone()[0] == "finished"
            assert db.execute("SELECT extraction_failures FROM source_runs").fetchone()[0] >= 1

        # Given up like any failed page: tried on three runs, never again.
        for _ in range(3):
            site.reset()
            assert run_newsmon("crawl", "--config", str(config), "--quiet").returncode == 0
            if BIG_TABLE_PATH not in site.requests:
                break
        assert url_states(tmp_path / "newsmon.db")[BIG_TABLE_PATH[1:]][1] == 3
        assert BIG_TABLE_PATH not in site.requests
        assert not [p for p in site.requests if p.startswith("/a/") and p[3:-5].isdigit()]
    finally:
        site.stop()


@pytest.mark.timeout(240)
def test_max_run_minutes_is_a_hard_limit_that_keeps_what_was_stored(tmp_path: Path) -> None:
    # 100 articles at 1.5 s each, two at a time, need 75 s; the slow pages may hold the worker for
    # minutes (page_timeout is out of the way at 600 s): only the run's limit can end this crawl.
    site = HostileSite(articles=100, delay=1.5).start()
    try:
        config = site.config(tmp_path, page_timeout=600, max_run_minutes=1, workers=1, concurrent_per_site=2)
        started = time.monotonic()
        run = run_newsmon("crawl", "--config", str(config), "--quiet", timeout=150)
        elapsed = time.monotonic() - started
    finally:
        site.stop()
    assert elapsed < 60 + 30  # the limit, the hard stop's grace and the process start on a busy machine
    assert run.returncode != 0
    errors = [line for line in run.stderr.splitlines() if line.strip() and "WARNING" not in line]
    assert len(errors) == 1, run.stderr[:3000]
    assert errors[0].startswith("Error: stopped at crawl.max_run_minutes (1) after ")
    assert errors[0].endswith("the rest will be fetched next run")
    stored = int(errors[0].split(" after ")[1].split()[0])
    with sqlite3.connect(tmp_path / "newsmon.db") as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == stored > 0
        status, new, error = db.execute("SELECT status, new_articles, last_error FROM crawl_runs").fetchone()
        assert (status, new) == ("interrupted", stored)
        assert error == errors[0].removeprefix("Error: ")
        # Pages dropped at the limit are not recorded at all, so the next run fetches them.
        assert db.execute("SELECT COUNT(*) FROM urls WHERE state != 'stored'").fetchone()[0] == 0
