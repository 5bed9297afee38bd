"""Two crawls on one database, and two first starts of a new database at once.

Real ``newsmon crawl`` processes against a local site; real processes
opening a database that does not exist yet, released at the same instant.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sites import newsmon_command, run_newsmon
from sites.hostile import HostileSite

pytestmark = pytest.mark.e2e

ARTICLES = 40


def test_a_second_crawl_refuses_beside_a_running_one_and_names_it(tmp_path: Path) -> None:
    site = HostileSite(articles=ARTICLES, big_text=False, big_table=False, delay=0.2).start()
    try:
        config = site.config(tmp_path, concurrent_per_site=2)
        first = subprocess.Popen([*newsmon_command(), "crawl", "--config", str(config), "--quiet"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not any(p.startswith("/a/") for p in site.requests):  # the first crawl is fetching articles
            assert time.monotonic() < deadline and first.poll() is None
            time.sleep(0.1)
        second = run_newsmon("crawl", "--config", str(config), "--quiet")
        first.communicate(timeout=120)
    finally:
        site.stop()
    assert second.returncode != 0
    assert second.stderr.strip() == (f"Error: another crawl (pid {first.pid}) is already running on "
                                     f"{tmp_path / 'newsmon.db'}; not started (its articles will be there when it ends)")
    assert first.returncode == 0
    articles = [p for p in site.requests if p.startswith("/a/")]
    assert len(articles) == len(set(articles)) == ARTICLES  # each article fetched once, by the first crawl
    with sqlite3.connect(tmp_path / "newsmon.db") as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == ARTICLES
        assert db.execute("SELECT COUNT(*) FROM crawl_runs").fetchone()[0] == 1


OPEN_AT = """
import sys, time
from pipelines.store import open_database
start = float(sys.argv[2])
while time.time() < start:
    pass
db = open_database(sys.argv[1])
print(db.execute("SELECT COUNT(*) FROM _sqlite_migrations").fetchone()[0])
"""


def test_concurrent_first_starts_create_and_migrate_the_database_once(tmp_path: Path) -> None:
    db_path = tmp_path / "new" / "newsmon.db"
    start = time.time() + 3  # every process imported and spinning by then
    openers = [subprocess.Popen([sys.executable, "-c", OPEN_AT, str(db_path), str(start)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=Path(__file__).parents[2])
               for _ in range(6)]
    results = [opener.communicate(timeout=120) for opener in openers]
    assert [opener.returncode for opener in openers] == [0] * 6, [err[-500:] for _, err in results]
    counts = {out.strip() for out, _ in results}
    assert len(counts) == 1
    with sqlite3.connect(db_path) as db:
        names = [row[0] for row in db.execute("SELECT name FROM _sqlite_migrations")]
        assert len(names) == len(set(names)) == int(counts.pop())
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize("limit", [1, 2])
def test_concurrent_per_site_holds_without_a_download_delay(tmp_path: Path, limit: int) -> None:
    site = HostileSite(articles=16, big_text=False, big_table=False, delay=0.3).start()
    try:
        config = site.config(tmp_path, concurrent_per_site=limit, download_delay=0)
        assert run_newsmon("crawl", "--config", str(config), "--quiet").returncode == 0
    finally:
        site.stop()
    assert len([p for p in site.requests if p.startswith("/a/")]) == 16
    assert site.most_in_flight == limit
