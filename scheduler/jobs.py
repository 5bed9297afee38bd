"""The daemon's jobs: a crawl in a child process, the digest check, and alerts still owed.

A crawl runs as ``python -m scheduler.cli crawl`` in a child process: Twisted's
reactor cannot be restarted inside one process, and a crash or a leak in one
crawl must not take the daemon down.  The child writes
its own ``crawl_runs`` row; the daemon adds what only it can know: a child
that died before recording anything, or one killed by a signal.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading

from crawler.alerts import event_pages
from crawler.config import Config
from crawler.lifeline import die_with_parent
from pipelines.alert_send import deliver_due
from pipelines.store import ArticleStore, open_database
from scheduler.digest import deliver_digest, due_digest_day
from scheduler.digest.deliver import day_is_done

log = logging.getLogger("newsmon.daemon")

TRIGGER = "schedule"


class CrawlProcess:
    """Runs one crawl child at a time and can stop it: SIGTERM once, then SIGKILL after a grace."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._child: subprocess.Popen[str] | None = None
        self._stopping = False

    def command(self) -> list[str]:
        return [sys.executable, "-m", "scheduler.cli", "crawl", "--config", str(self.config.path.resolve()),
                "--trigger", TRIGGER]

    def run(self) -> None:
        """The scheduled job: start the child, relay its output to the log, record its end."""
        with self._lock:
            if self._stopping:
                return
            self._child = subprocess.Popen(
                self.command(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True,
                preexec_fn=die_with_parent,  # no crawl is orphaned, even if the daemon is SIGKILLed
            )
            child = self._child
        log.info("crawl started (pid %d)", child.pid)
        watchdog = threading.Timer(self._time_limit(), self._overrun, [child])
        watchdog.daemon = True
        watchdog.start()
        assert child.stdout is not None
        last = ""
        for line in child.stdout:
            log.info("crawl[%d] %s", child.pid, line.rstrip())
            last = line.strip() or last
        code = child.wait()
        watchdog.cancel()
        with self._lock:
            self._child = None
        # Opened only now: the child is the database's writer while it runs.
        store = ArticleStore(open_database(self.config.database))
        try:
            self._record(store, child.pid, code, last.removeprefix("Error: "))
        finally:
            store.db.close()

    def stop(self, grace: float) -> None:
        """No new crawl from now on; a running one is asked to stop, then killed after ``grace`` seconds."""
        with self._lock:
            self._stopping = True
            child = self._child
        if child is None or child.poll() is not None:
            return
        log.info("stopping crawl (pid %d), grace %.0f s", child.pid, grace)
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning("crawl (pid %d) still running after %.0f s: killing it", child.pid, grace)
            child.kill()
            child.wait()

    def _time_limit(self) -> float:
        """The crawl stops itself after max_run_minutes; this only catches a hung child."""
        return self.config.crawl.max_run_minutes * 60 + 2 * self.config.daemon.stop_grace_seconds + 60

    def _overrun(self, child: subprocess.Popen[str]) -> None:
        if child.poll() is None:
            log.error("crawl (pid %d) exceeded its time limit: killing it", child.pid)
            child.kill()

    def _record(self, store: ArticleStore, pid: int, code: int, last_line: str = "") -> None:
        row = store.db.execute("SELECT id, status FROM crawl_runs WHERE pid = ? ORDER BY id DESC LIMIT 1", [pid]).fetchone()
        if code < 0:
            name = signal.Signals(-code).name
            log.warning("crawl (pid %d) ended by %s", pid, name)
            if row is not None and row[1] == "running":
                store.mark_interrupted_runs()
            elif row is None:
                self._record_failure(store, pid, f"crawl process ended by {name} before recording its run")
            return
        if row is None:
            log.error("crawl (pid %d) exited with code %d without recording a run", pid, code)
            why = f": {last_line}" if last_line else ""  # e.g. another crawl (pid N) is already running
            self._record_failure(store, pid, f"crawl process exited with code {code} before recording its run{why}")
            return
        log.info("crawl (pid %d) exited with code %d: run %d %s", pid, code, row[0], row[1])

    def _record_failure(self, store: ArticleStore, pid: int, error: str) -> None:
        names = [s.name for s in self.config.enabled_sources]
        run_id = store.start_crawl_run(names, TRIGGER, pid)
        store.finish_crawl_run(run_id, "failed", {"last_error": error})


def digest_tick(config: Config, stop: threading.Event | None = None) -> None:
    """Send the due digest if its day is not done: at the scheduled time, at start-up, after a failure.

    ``stop`` set (the daemon's stop grace is over) ends a send still in progress."""
    day = due_digest_day(config)
    if day is None or day_is_done(config, day):
        return
    result = deliver_digest(config, day, stop=stop)
    (log.info if result.ok else log.error)("digest: %s", result.message)


def alerts_tick(config: Config) -> None:
    """Send the alerts a crawl could not deliver (a channel was down) once their back-off has passed.

    Crawls run twice a day; without this an alert owed to a channel that was
    down at the end of a crawl would wait for the next one.
    """
    if not config.alerts.channels:
        return
    db = open_database(config.database)
    try:
        report = deliver_due(db.conn, config.alerts, base_url=event_pages(config))
    finally:
        db.close()
    if report.messages:
        log.info("alerts: %d message(s) sent (%d alert(s))", report.messages, report.alerts)
    for failure in report.failures:
        log.warning("alerts: %s", failure)
