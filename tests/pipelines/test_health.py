"""Source health over real SQLite files filled with run and article rows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import pytest
import sqlite_utils

from crawler.config import Config, load_config
from pipelines.health import SourceHealth, usual_gap, source_health as _source_health
from pipelines.store import open_database

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)
NAMES = ("wire", "weekly", "other")


@pytest.fixture
def config(write_config: Callable[..., Path]) -> Config:
    sources = "\n".join(
        f"""
          - name: {name}
            url: https://{name}.example.org/
            lang: fr
            feeds: [https://{name}.example.org/feed]
            article_pattern: '^https://{name}\\.example\\.org/\\d+\\.html$'"""
        for name in NAMES
    )
    return load_config(write_config(f"""
        database: news.db
        sources:{sources}
          - name: dormant
            url: https://dormant.example.org/
            lang: ar
            article_pattern: '\\d+'
            enabled: false
        health:
          silent_floor_hours: 48
          degraded_error_ratio: 0.3
          window_runs: 3
          silent_gap_factor: 2
        """))


@pytest.fixture
def db(config: Config) -> sqlite_utils.Database:
    return open_database(config.database)


def add_run(db: sqlite_utils.Database, source: str, started: datetime, status: str = "ok", **counts: Any) -> None:
    run_id = db["crawl_runs"].insert({"started_at": started.isoformat(), "status": "done"}).last_pk
    row = {"requests": 10, "items_found": 10, "new_articles": 0, **counts}
    db["source_runs"].insert({
        "run_id": run_id, "source": source, "started_at": started.isoformat(),
        "finished_at": (started + timedelta(minutes=5)).isoformat(), "status": status, **row,
    })


def add_articles(db: sqlite_utils.Database, source: str, times: list[datetime], *, dated: bool = True) -> None:
    for moment in times:
        db["articles"].insert({
            "url": f"https://{source}.example.org/{int(moment.timestamp())}.html", "source": source,
            "title": "t", "text": "x", "fetched_at": (moment + timedelta(minutes=30)).isoformat(),
            "published_at": moment.isoformat() if dated else None,
        })


def healthy_history(db: sqlite_utils.Database, source: str, days: int = 3) -> None:
    """A wire service: an article an hour, a crawl every 12 hours that finds some."""
    add_articles(db, source, [NOW - timedelta(hours=h) for h in range(1, days * 24)])
    for half_days in range(days * 2, 0, -1):
        add_run(db, source, NOW - timedelta(hours=12 * half_days) + timedelta(hours=1), new_articles=12)


def source_health(db: Any, config: Config, now: datetime = NOW, names: list[str] | None = None) -> list[SourceHealth]:
    """Health as status and the digest ask for it: the enabled sources, or the ones named."""
    return _source_health(db, [s.name for s in config.select_sources(names)], config.health, config.timezone, now)


def health(db: sqlite_utils.Database, config: Config, source: str, now: datetime = NOW) -> SourceHealth:
    (result,) = source_health(db, config, now=now, names=[source])
    return result


def test_never_crawled_is_unknown(db: sqlite_utils.Database, config: Config) -> None:
    report = source_health(db, config, now=NOW)
    assert [h.source for h in report] == list(NAMES)  # enabled sources, configuration order
    assert {h.state for h in report} == {"unknown"}
    assert report[0].reason == "never crawled" and report[0].last_success is None


def test_missing_database_file_reports_every_source_unknown(config: Config, tmp_path: Path) -> None:
    report = source_health(tmp_path / "absent.db", config, now=NOW)
    assert [h.state for h in report] == ["unknown"] * 3
    assert not (tmp_path / "absent.db").exists()


def test_regular_source_is_ok(db: sqlite_utils.Database, config: Config) -> None:
    healthy_history(db, "wire")
    result = health(db, config, "wire")
    assert result.state == "ok" and result.is_ok
    assert result.articles_7d == 71
    assert result.last_success == NOW - timedelta(hours=11, minutes=-5)
    assert "71 article(s) in 7 days" in result.reason


def test_database_path_is_accepted(db: sqlite_utils.Database, config: Config) -> None:
    healthy_history(db, "wire")
    (result,) = source_health(str(config.database), config, now=NOW, names=["wire"])
    assert result.state == "ok"


def test_403_runs_make_a_source_blocked(db: sqlite_utils.Database, config: Config) -> None:
    healthy_history(db, "wire")
    for hours in (10, 6, 2):
        add_run(db, "wire", NOW - timedelta(hours=hours), status="blocked", requests=1,
                errors=1, blocked=1, last_error="HTTP 403 on https://wire.example.org/feed")
    result = health(db, config, "wire")
    assert result.state == "blocked"
    assert "3 runs" in result.reason and "HTTP 403 on https://wire.example.org/feed" in result.reason
    assert result.last_error == "HTTP 403 on https://wire.example.org/feed"
    assert result.last_success == NOW - timedelta(hours=11, minutes=-5)


def test_only_errors_make_a_source_failing(db: sqlite_utils.Database, config: Config) -> None:
    healthy_history(db, "wire")
    add_run(db, "wire", NOW - timedelta(minutes=30), status="failed", requests=3, errors=3,
            last_error="DNS lookup failed for wire.example.org")
    result = health(db, config, "wire")
    assert result.state == "failing"
    assert result.reason.startswith("every request failed in the last run since")
    assert result.reason.endswith("DNS lookup failed for wire.example.org")


@pytest.mark.parametrize(("counts", "phrase"), [
    ({"new_articles": 2, "extraction_failures": 8}, "no article text could be extracted from 24 of 30 pages"),
    ({"requests": 20, "errors": 9, "new_articles": 5}, "27 of 60 requests failed"),
    ({"new_articles": 5, "dating_failures": 4}, "12 of 15 articles had no findable date"),
    ({"new_articles": 5, "short_bodies": 5}, "15 of 15 articles had bodies under 300 characters"),
])
def test_symptoms_above_the_threshold_make_a_source_degraded(
    db: sqlite_utils.Database, config: Config, counts: dict[str, int], phrase: str,
) -> None:
    healthy_history(db, "wire")
    for hours in (9, 6, 3):
        add_run(db, "wire", NOW - timedelta(hours=hours), **counts)
    result = health(db, config, "wire")
    assert result.state == "degraded"
    assert result.reason == f"{phrase} in the last 3 runs"


def test_symptoms_below_the_threshold_stay_ok(db: sqlite_utils.Database, config: Config) -> None:
    healthy_history(db, "wire")
    add_run(db, "wire", NOW - timedelta(hours=1), requests=10, errors=3, new_articles=10, extraction_failures=1,
            dating_failures=3, short_bodies=3)
    assert health(db, config, "wire").state == "ok"


def test_blocked_outranks_degraded(db: sqlite_utils.Database, config: Config) -> None:
    healthy_history(db, "wire")
    add_run(db, "wire", NOW - timedelta(hours=6), new_articles=1, extraction_failures=9)
    add_run(db, "wire", NOW - timedelta(hours=1), status="blocked", requests=1, errors=1, blocked=1)
    assert health(db, config, "wire").state == "blocked"


def test_source_that_stops_publishing_goes_silent(db: sqlite_utils.Database, config: Config) -> None:
    add_articles(db, "wire", [NOW - timedelta(days=3, hours=h) for h in range(1, 200)])
    for half_days in range(20, 0, -1):
        new = 12 if half_days > 6 else 0
        add_run(db, "wire", NOW - timedelta(hours=12 * half_days) + timedelta(hours=1), new_articles=new)
    result = health(db, config, "wire")
    assert result.state == "silent"
    assert result.reason.startswith("no new article for 3 days (usually one every 1 h; alarm after 2 days)")
    assert result.articles_7d == 96  # those fetched within the week before NOW


def test_usual_gap_is_learned_per_source(db: sqlite_utils.Database, config: Config) -> None:
    """A site that publishes every three days is not silent after four quiet days, but is after seven."""
    add_articles(db, "weekly", [NOW - timedelta(days=4 + 3 * k) for k in range(9)])
    for day in range(28, 0, -1):
        add_run(db, "weekly", NOW - timedelta(days=day) + timedelta(hours=6))
    assert health(db, config, "weekly").state == "ok"
    later = NOW + timedelta(days=3)
    add_run(db, "weekly", later - timedelta(hours=2))
    result = health(db, config, "weekly", now=later)
    assert result.state == "silent"
    assert "usually one every 3 days; alarm after 6 days" in result.reason


def test_source_never_yielding_an_article_goes_silent_after_the_floor(db: sqlite_utils.Database, config: Config) -> None:
    add_run(db, "other", NOW - timedelta(hours=20))
    assert health(db, config, "other").state == "ok"
    assert health(db, config, "other").reason == "no article yet; first crawled 20 h ago"
    add_run(db, "other", NOW + timedelta(hours=40))
    result = health(db, config, "other", now=NOW + timedelta(hours=41))
    assert result.state == "silent" and result.reason.startswith("no article stored in 2 runs since")


def test_source_not_crawled_lately_is_silent(db: sqlite_utils.Database, config: Config) -> None:
    healthy_history(db, "wire")
    result = health(db, config, "wire", now=NOW + timedelta(days=5))
    assert result.state == "silent" and result.reason.startswith("not crawled for 5 days")


def test_disabled_source_can_be_asked_for_by_name(db: sqlite_utils.Database, config: Config) -> None:
    (result,) = source_health(db, config, now=NOW, names=["dormant"])
    assert result.source == "dormant" and result.state == "unknown"


def test_usual_gap_needs_enough_history() -> None:
    assert usual_gap([NOW - timedelta(hours=h) for h in range(4)]) is None
    assert usual_gap([NOW - timedelta(hours=2 * h) for h in range(10)]) == timedelta(hours=2)


def test_reasons_are_data_phrased_in_each_digest_language(db: sqlite_utils.Database, config: Config) -> None:
    add_articles(db, "wire", [NOW - timedelta(days=3, hours=h) for h in range(1, 200)])
    for half_days in range(20, 0, -1):
        add_run(db, "wire", NOW - timedelta(hours=12 * half_days) + timedelta(hours=1),
                new_articles=12 if half_days > 6 else 0)
    why = health(db, config, "wire").why
    assert why.code == "silent_quiet" and why.params["quiet"] > timedelta(days=2)
    assert why.text() == why.text("en") == health(db, config, "wire").reason
    assert why.text("fr").startswith("aucun nouvel article depuis 3 jours (d'habitude un toutes les 1 h ; alerte après 2 jours)")
    assert why.text("ar").startswith("لا مقال جديد منذ 3 أيام (عادة مقال كل 1 ساعة؛ التنبيه بعد 2 يوما)")


def test_a_reason_keeps_the_recorded_error_verbatim_in_every_language(db: sqlite_utils.Database, config: Config) -> None:
    add_run(db, "wire", NOW - timedelta(minutes=30), status="failed", requests=3, errors=3,
            last_error="DNS lookup failed for wire.example.org")
    why = health(db, config, "wire").why
    assert (why.code, why.params["runs"]) == ("failing", 1)
    for lang, start in (("fr", "toutes les requêtes ont échoué lors de la dernière exploration, depuis le "),
                        ("ar", "فشلت كل الطلبات في آخر عملية زحف منذ ")):
        assert why.text(lang).startswith(start)
        assert why.text(lang).endswith(": DNS lookup failed for wire.example.org")
