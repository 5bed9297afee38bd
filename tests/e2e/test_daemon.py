"""The daemon as a real process: schedule, lock, signals, catch-up, crash recovery.

Each test starts ``python -m scheduler.cli daemon`` against fixture sites on
127.0.0.1 (tests/sites), a real SMTP server, and a real SQLite file, with a
seconds-field cron so that crawls come every two seconds.  Waits poll with
deadlines rather than sleeping for fixed times.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from crawler.config import load_config
from scheduler.jobs import CrawlProcess
from tests.conftest import SmtpSink
from tests.sites import FixtureWeb

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def web() -> Iterator[FixtureWeb]:
    sites = FixtureWeb().start()
    yield sites
    sites.stop()


@pytest.fixture
def hanging_site() -> Iterator[str]:
    """A site that never answers (until the test ends): a crawl of it stays running."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            release.wait(60)
            self.send_error(503)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    release.set()
    server.shutdown()
    server.server_close()


def write_config(folder: Path, web: FixtureWeb, smtp_port: int, *, sites: tuple[str, ...] = ("en_atom",),
                 hanging: str | None = None, timeout: float = 2.5, grace: float = 5,
                 digest_cron: str = "0 0 5 * * *", catchup_hours: float = 1) -> Path:
    sources = web.sources_yaml(sites) if sites else "sources:\n"
    if hanging:
        sources += (f"  - name: hanging\n    url: '{hanging}/'\n    lang: fr\n    feeds: ['{hanging}/feed']\n"
                    f"    article_pattern: '^{hanging}/a/\\d+$'\n")
    path = folder / "config.yaml"
    path.write_text(f"""database: newsmon.db
timezone: Africa/Casablanca
{sources}crawl:
  download_delay: 0
  autothrottle: false
  timeout: {timeout}
  retries: 0
  obey_robots: false
  allow_private_networks: true
  max_run_minutes: 2
  workers: 1
schedule:
  crawl: "*/2 * * * * *"
  digest: "{digest_cron}"
  catchup_hours: {catchup_hours}
digest:
  to: [analyst@example.org]
  from: newsmon@example.org
  smtp: {{host: 127.0.0.1, port: {smtp_port}, timeout: 5}}
daemon:
  log_file: daemon.log
  stop_grace_seconds: {grace}
""", encoding="utf-8")
    return path


def start_daemon(config: Path) -> subprocess.Popen[str]:
    log = open(config.parent / f"stderr-{time.monotonic_ns()}.txt", "w")
    return subprocess.Popen([sys.executable, "-m", "scheduler.cli", "daemon", "--config", str(config)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, text=True)


def wait_for(predicate: Callable[[], Any], what: str, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # tables not created yet
        return []
    finally:
        conn.close()


def scalar(db: Path, sql: str, params: tuple = ()) -> Any:
    rows = query(db, sql, params)
    return rows[0][0] if rows else None


def stop(proc: subprocess.Popen[str], timeout: float = 20) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=timeout)


def integrity(db: Path) -> str:
    return scalar(db, "PRAGMA integrity_check")


def finished_schedule_runs(db: Path, after: int = 0) -> list[tuple]:
    return query(db, "SELECT id, status, started_at, finished_at FROM crawl_runs "
                     "WHERE trigger = 'schedule' AND status <> 'running' AND id > ? ORDER BY id", (after,))


def test_scheduled_crawl_lock_catchup_digest_and_clean_stop(tmp_path: Path, web: FixtureWeb,
                                                            smtp_server: SmtpSink) -> None:
    # The digest was due at midnight; the daemon was "down" since: it catches up once.
    config = write_config(tmp_path, web, smtp_server.port, digest_cron="0 0 0 * * *", catchup_hours=24)
    db = tmp_path / "newsmon.db"
    daemon = start_daemon(config)
    try:
        wait_for(lambda: finished_schedule_runs(db), "a scheduled crawl run")
        wait_for(lambda: smtp_server.envelopes, "the catch-up digest")

        started = time.monotonic()
        second = subprocess.run([sys.executable, "-m", "scheduler.cli", "daemon", "--config", str(config)],
                                cwd=ROOT, capture_output=True, text=True, timeout=20)
        assert second.returncode != 0 and time.monotonic() - started < 10
        assert second.stderr.strip().count("\n") == 0
        assert f"another newsmon daemon (pid {daemon.pid}) is already running" in second.stderr
        shown = subprocess.run([sys.executable, "-m", "scheduler.cli", "status", "--json", "--config", str(config)],
                               cwd=ROOT, capture_output=True, text=True, timeout=20)
        assert json.loads(shown.stdout)["daemon"] == {"running": True, "pid": daemon.pid}

        assert stop(daemon) == 0
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert integrity(db) == "ok"
    assert scalar(db, "SELECT count(*) FROM articles WHERE source = 'en-atom'") > 0
    runs = finished_schedule_runs(db)
    assert all(a[3] <= b[2] for a, b in zip(runs, runs[1:])), f"overlapping crawls: {runs}"
    assert query(db, "SELECT status FROM crawl_runs WHERE status = 'running'") == []
    log = (tmp_path / "daemon.log").read_text()
    assert "daemon started" in log and "daemon stopped" in log and "crawl started" in log
    assert log.splitlines()[0][:4].isdigit() and "T" in log.splitlines()[0][:20]  # ISO timestamps

    # Restarted the same day: the digest is not sent again.
    last_run = runs[-1][0]
    again = start_daemon(config)
    try:
        wait_for(lambda: finished_schedule_runs(db, after=last_run), "a crawl after restart")
        assert stop(again) == 0
    finally:
        if again.poll() is None:
            again.kill()
    assert len(smtp_server.envelopes) == 1
    assert query(db, "SELECT status, attempts FROM digests") == [("sent", 1)]


def test_sigterm_during_a_crawl_stops_it_and_exits_zero(tmp_path: Path, web: FixtureWeb,
                                                       smtp_server: SmtpSink, hanging_site: str) -> None:
    config = write_config(tmp_path, web, smtp_server.port, sites=(), hanging=hanging_site, timeout=60, grace=1)
    db = tmp_path / "newsmon.db"
    daemon = start_daemon(config)
    try:
        wait_for(lambda: query(db, "SELECT id FROM crawl_runs WHERE status = 'running'"), "a running crawl")
        started = time.monotonic()
        assert stop(daemon) == 0
        assert time.monotonic() - started < 8
    finally:
        if daemon.poll() is None:
            daemon.kill()
    assert integrity(db) == "ok"
    assert query(db, "SELECT status, trigger FROM crawl_runs") == [("interrupted", "schedule")]


class StubbornCrawl(CrawlProcess):
    """A crawl child that ignores SIGTERM, as a hung crawl would."""

    def command(self) -> list[str]:
        return [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                      "print('ignoring SIGTERM', flush=True); time.sleep(60)"]


def test_a_crawl_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path, web: FixtureWeb,
                                                                smtp_server: SmtpSink) -> None:
    config = load_config(write_config(tmp_path, web, smtp_server.port))
    crawl = StubbornCrawl(config)
    runner = threading.Thread(target=crawl.run)
    runner.start()
    wait_for(lambda: crawl._child is not None, "the crawl child")
    started = time.monotonic()
    crawl.stop(grace=0.5)
    runner.join(timeout=10)
    assert not runner.is_alive() and time.monotonic() - started < 5
    (row,) = query(tmp_path / "newsmon.db", "SELECT status, trigger, last_error FROM crawl_runs")
    assert row[:2] == ("failed", "schedule") and "SIGKILL" in row[2]
    crawl.run()  # after stop(), no new crawl starts
    assert len(query(tmp_path / "newsmon.db", "SELECT id FROM crawl_runs")) == 1


def test_sigkill_during_a_crawl_loses_nothing_on_restart(tmp_path: Path, web: FixtureWeb, smtp_server: SmtpSink,
                                                        hanging_site: str) -> None:
    config = write_config(tmp_path, web, smtp_server.port, sites=("ar_wp", "en_atom"), hanging=hanging_site, timeout=2)
    db = tmp_path / "newsmon.db"
    daemon = start_daemon(config)
    try:
        wait_for(lambda: scalar(db, "SELECT count(*) FROM articles")
                 and scalar(db, "SELECT pid FROM crawl_runs WHERE status = 'running'"), "articles stored mid-crawl")
        child_pid = scalar(db, "SELECT pid FROM crawl_runs WHERE status = 'running'")
        daemon.kill()
        daemon.wait(timeout=10)
    finally:
        if daemon.poll() is None:
            daemon.kill()
    stored_before = set(query(db, "SELECT url FROM articles"))
    # The orphaned crawl is told to stop (parent-death signal) rather than left running.
    wait_for(lambda: not _alive(child_pid), "the orphaned crawl to stop", timeout=15)

    killed_run = scalar(db, "SELECT max(id) FROM crawl_runs")
    restarted = start_daemon(config)
    try:
        wait_for(lambda: finished_schedule_runs(db, after=killed_run), "a crawl after restart", timeout=30)
        assert stop(restarted) == 0
    finally:
        if restarted.poll() is None:
            restarted.kill()
    assert integrity(db) == "ok"
    assert stored_before <= set(query(db, "SELECT url FROM articles"))
    assert scalar(db, "SELECT status FROM crawl_runs WHERE id = ?", (killed_run,)) == "interrupted"
    assert scalar(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 0


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
