"""The run counters: one list shared by the crawl's stats, the ``source_runs`` table and health."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crawler.stats import SourceStats
from pipelines.counters import COUNTERS, RunCounters
from pipelines.dbtime import utc_now
from pipelines.health import _runs
from pipelines.store import ArticleStore, open_database

# The source_runs columns that are not counters.
RUN_COLUMNS = ("id", "run_id", "source", "started_at", "finished_at", "status", "last_error", "notes")


def test_the_counters_are_the_source_runs_counter_columns(tmp_path: Path) -> None:
    db = open_database(tmp_path / "news.db")
    columns = {c.name: c for c in db["source_runs"].columns}
    assert [name for name in columns if name not in RUN_COLUMNS] == list(COUNTERS)
    assert all(columns[name].type == "INTEGER" and columns[name].notnull and columns[name].default_value == "0"
               for name in COUNTERS)


def test_every_counter_goes_from_the_crawl_through_the_store_to_health(tmp_path: Path) -> None:
    store = ArticleStore(open_database(tmp_path / "news.db"))
    started = utc_now() - timedelta(minutes=5)
    stats = SourceStats("site", started, last_error="HTTP 500 at /x")
    for value, name in enumerate(COUNTERS, start=1):
        setattr(stats, name, value)  # a distinct value per counter catches a swapped column
    run_id = store.start_crawl_run(["site"])
    store.save_source_run(run_id, "site", started, stats.status, stats.as_row())
    (row,) = _runs(store.db.conn, ["site"], started - timedelta(days=1))["site"]
    assert row.counts() == stats.counts() == {name: value for value, name in enumerate(COUNTERS, start=1)}
    assert row.last_error == "HTTP 500 at /x" and row.status == "blocked"
    assert isinstance(row, RunCounters) and isinstance(stats, RunCounters)
