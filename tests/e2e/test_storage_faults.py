"""A database that stops taking writes (full disk, a lock held by another process) stops the crawl at once.

Real crawls of a local site in ``newsmon crawl`` subprocesses; the full disk
is a small tmpfs (the test needs root and is skipped, saying why, where it
cannot mount one).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sites import newsmon_command, run_newsmon
from sites.hostile import HostileSite

pytestmark = pytest.mark.e2e

ARTICLES = 200
ONE_LINE = "the rest will be fetched next run"


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 4 MB tmpfs: room for the schema, the crawl's 1 MB reserve and about a hundred articles, not for all."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount_point)],
                              capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot mount a tmpfs to fill up ({exc}): the full-disk case needs root")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs to fill up ({done.stderr.strip() or done.returncode}): needs root")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=20)


@pytest.fixture
def site():
    web = HostileSite(articles=ARTICLES, big_text=False, big_table=False).start()
    yield web
    web.stop()


def test_a_full_disk_stops_the_crawl_with_one_line_and_loses_nothing(site: HostileSite, small_disk: Path) -> None:
    config = site.config(small_disk.parent, database=str(small_disk / "newsmon.db"), keep_html="true")
    full = run_newsmon("crawl", "--config", str(config), "--quiet")
    assert full.returncode != 0
    errors = [line for line in full.stderr.splitlines() if line.strip()]
    assert len(errors) == 1, full.stderr[:3000]
    assert errors[0].startswith("Error: database or disk is full: stopped after ")
    assert errors[0].endswith(ONE_LINE)
    assert "Traceback" not in full.stdout + full.stderr
    stored_first = int(errors[0].split("stopped after ")[1].split()[0])
    assert 0 < stored_first < ARTICLES
    first_requests = len([p for p in site.requests if p.startswith("/a/")])

    with sqlite3.connect(small_disk / "newsmon.db") as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == stored_first
        run = db.execute("SELECT status, new_articles, last_error FROM crawl_runs").fetchone()
    assert run[0] == "failed" and run[1] == stored_first and run[2] == errors[0].removeprefix("Error: ")

    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True, timeout=20)
    site.reset()
    again = run_newsmon("crawl", "--config", str(config), "--quiet")
    assert again.returncode == 0, again.stderr
    with sqlite3.connect(small_disk / "newsmon.db") as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == ARTICLES  # nothing lost
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # Only what the first run did not store is fetched again.
    assert len([p for p in site.requests if p.startswith("/a/")]) == ARTICLES - stored_first
    assert first_requests >= stored_first


HOLD_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""
HOLD_SECONDS = 35  # longer than the crawl's 30 s busy timeout


def test_a_lock_held_by_another_process_stops_the_crawl_with_one_line(tmp_path: Path) -> None:
    site = HostileSite(articles=ARTICLES, big_text=False, big_table=False, delay=0.2).start()
    config = site.config(tmp_path, concurrent_per_site=2)
    db_path = tmp_path / "newsmon.db"
    crawl = subprocess.Popen([*newsmon_command(), "crawl", "--config", str(config), "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    holder = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and crawl.poll() is None:  # wait until some articles are stored
            time.sleep(0.2)
            if db_path.exists() and stored_count(db_path) >= 5:
                break
        holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(db_path), str(HOLD_SECONDS)],
                                  stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        out, err = crawl.communicate(timeout=120)
    finally:
        crawl.kill()
        if holder is not None:
            holder.kill()
            holder.wait()
        site.stop()
    assert crawl.returncode != 0
    errors = [line for line in err.splitlines() if line.strip()]
    assert len(errors) == 1, err[:3000]
    assert errors[0].startswith("Error: database is locked (another process held its write lock too long): stopped after ")
    assert errors[0].endswith(ONE_LINE)
    assert "Traceback" not in out + err
    stored = int(errors[0].split("stopped after ")[1].split()[0])
    assert 5 <= stored < ARTICLES
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == stored
        assert db.execute("SELECT status FROM crawl_runs").fetchone()[0] == "failed"


def stored_count(db_path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    except sqlite3.Error:  # not created or migrated yet
        return 0
