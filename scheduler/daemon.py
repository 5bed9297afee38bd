"""``newsmon daemon``: crawl and mail the digest on the configured schedule.

APScheduler 3 ``BlockingScheduler`` with an in-memory job store: the
schedule lives in config.yaml and the daemon's memory, its state in the
database (``crawl_runs``, ``digests``), so nothing pickled can drift from the
config (and a persistent store re-adding jobs at start would lose a missed run).  Catch-up is therefore ours, not APScheduler's:
at start-up the digest check runs once and sends a digest that fell due while
the daemon was down.  One daemon per database, enforced by an OS lock.
"""

from __future__ import annotations

import logging
import logging.handlers
import signal
import sys
import threading
import time
from datetime import datetime
from types import FrameType
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler

from crawler.config import Config, cron_trigger, next_fire_times
from crawler.settings import LOG_FORMAT
from pipelines.dbtime import utc_now
from pipelines.integrity import check_database, describe
from pipelines.store import ArticleStore, open_database
from scheduler.jobs import CrawlProcess, alerts_tick, digest_tick
from scheduler.locks import daemon_lock

log = logging.getLogger("newsmon.daemon")

CRAWL_MISFIRE_SECONDS = 3600
# A digest that failed to send is retried this often while its day is due.
DIGEST_RETRY_SECONDS = 300
# Alerts a crawl could not deliver are retried this often (each after its own back-off).
ALERTS_RETRY_SECONDS = 120
STARTUP_WAIT_SECONDS = 10
LOG_FILE_BYTES = 5_000_000
LOG_FILE_BACKUPS = 3


def run_daemon(config: Config) -> None:
    """Run until SIGTERM or SIGINT; raises :class:`LockBusy` if a daemon already runs on the database."""
    with daemon_lock(config.database):
        _setup_logging(config)
        store = ArticleStore(open_database(config.database))
        closed = store.mark_interrupted_runs()
        store.db.close()
        if closed:
            log.warning("marked %d crawl run(s) left running by a previous process as interrupted", closed)
        crawl = CrawlProcess(config)
        sending_cut = threading.Event()  # set stop_grace_seconds after a stop request: a digest still sending gives up
        scheduler = _scheduler(config, crawl, sending_cut)
        stopper = _Stopper(scheduler, crawl, config.daemon.stop_grace_seconds, sending_cut)
        signal.signal(signal.SIGTERM, stopper.request)
        signal.signal(signal.SIGINT, stopper.request)
        for name, when in next_fire_times(config, utc_now()).items():
            log.info("next %s at %s", name, _when(when))
        check_integrity(config)
        log.info("daemon started on %s (config %s)", config.database, config.path)
        scheduler.start()  # blocks until the stop thread shuts the scheduler down
        stopper.join()
        log.info("daemon stopped")


def check_integrity(config: Config) -> bool:
    """SQLite's quick_check of the database, logged (an error when damaged); at start and daily."""
    problems = check_database(config.database)
    if problems:
        log.error("database %s is %s: run `newsmon db check`, then restore a backup", config.database,
                  describe(problems))
    else:
        log.info("database %s: integrity ok", config.database)
    return not problems


def _scheduler(config: Config, crawl: CrawlProcess, sending_cut: threading.Event) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone=config.timezone, job_defaults={"coalesce": True, "max_instances": 1},
    )
    scheduler.add_job(crawl.run, cron_trigger(config.schedule.crawl, config.timezone), id="crawl", name="crawl",
                      misfire_grace_time=CRAWL_MISFIRE_SECONDS)
    digest_grace = max(1, int(config.schedule.catchup_hours * 3600))
    scheduler.add_job(digest_tick, cron_trigger(config.schedule.digest, config.timezone), args=[config, sending_cut],
                      id="digest", name="digest", misfire_grace_time=digest_grace)
    scheduler.add_job(digest_tick, "interval", seconds=DIGEST_RETRY_SECONDS, args=[config, sending_cut],
                      id="digest-retry", name="digest retry")
    scheduler.add_job(check_integrity, "interval", hours=24, args=[config], id="integrity", name="integrity check")
    scheduler.add_job(digest_tick, args=[config, sending_cut], id="digest-catchup", name="digest catch-up", misfire_grace_time=None)
    if config.alerts.channels:
        scheduler.add_job(alerts_tick, "interval", seconds=ALERTS_RETRY_SECONDS, args=[config], id="alerts",
                          name="alerts still owed")
    return scheduler


class _Stopper:
    """Turns the first SIGTERM/SIGINT into an orderly stop, outside the signal handler.

    The handler only starts a thread: stopping waits for the crawl's grace
    period and for running jobs, which must not happen inside a handler that
    interrupted the scheduler's own loop.
    """

    def __init__(self, scheduler: BlockingScheduler, crawl: CrawlProcess, grace: float,
                 sending_cut: threading.Event) -> None:
        self.scheduler = scheduler
        self.crawl = crawl
        self.grace = grace
        self.sending_cut = sending_cut
        self.thread: threading.Thread | None = None

    def request(self, signum: int, frame: FrameType | None) -> None:
        if self.thread is not None:
            log.info("%s received again: already stopping", signal.Signals(signum).name)
            return
        log.info("%s received: stopping (no new jobs)", signal.Signals(signum).name)
        self.thread = threading.Thread(target=self._stop, name="newsmon-stop")
        self.thread.start()

    def _stop(self) -> None:
        deadline = time.monotonic() + STARTUP_WAIT_SECONDS
        while not self.scheduler.running and time.monotonic() < deadline:  # a signal during start-up
            time.sleep(0.05)
        self.scheduler.pause()
        cut = threading.Timer(self.grace, self.sending_cut.set)  # a digest being sent gets the same grace
        cut.daemon = True
        cut.start()
        self.crawl.stop(self.grace)
        self.scheduler.shutdown(wait=True)
        cut.cancel()

    def join(self) -> None:
        if self.thread is not None:
            self.thread.join()


class _ZoneFormatter(logging.Formatter):
    """Timestamps in the configured zone, as the analysts read the schedule."""

    def __init__(self, zone: str) -> None:
        super().__init__(LOG_FORMAT)
        self.zone = ZoneInfo(zone)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="seconds")


def _setup_logging(config: Config) -> None:
    formatter = _ZoneFormatter(config.timezone)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if config.daemon.log_file is not None:
        # Size-rotated: a daemon that runs for months must not fill the disk with its log.
        handlers.append(logging.handlers.RotatingFileHandler(
            config.daemon.log_file, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"))
    root = logging.getLogger()
    for handler in handlers:
        handler.setFormatter(formatter)
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    # APScheduler narrates every job at INFO; its warnings (a skipped overlapping crawl) still show.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"
