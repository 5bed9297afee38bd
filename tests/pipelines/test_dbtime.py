"""The database time codec, and the migration that brought older files to it."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils

from pipelines.dbtime import from_db, to_db, utc_now
from pipelines.schema import migrations
from pipelines.store import ArticleStore, open_database, open_readonly, search_articles

CASABLANCA = ZoneInfo("Africa/Casablanca")


def test_times_are_stored_in_utc_with_their_offset() -> None:
    local = datetime(2026, 11, 22, 11, 15, 30, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert to_db(local) == "2026-11-22T10:15:30+00:00"
    assert to_db(datetime(2026, 11, 22, 10, 15, tzinfo=CASABLANCA)) == "2026-11-22T09:15:00+00:00"
    assert to_db(None) is None


def test_naive_and_non_datetime_values_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db(datetime(2026, 11, 22, 10, 15))
    with pytest.raises(TypeError, match="str"):
        to_db("2026-11-22T10:15:00+00:00")  # type: ignore[call-overload]


def test_round_trip_keeps_the_instant_and_reads_back_utc() -> None:
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=CASABLANCA)
    back = from_db(to_db(moment))
    assert back == moment and back.utcoffset() == timedelta(0)
    now = utc_now()
    assert from_db(to_db(now)) == now.replace(microsecond=0)


def test_unreadable_or_hand_edited_values_do_not_crash() -> None:
    assert from_db(None) is None and from_db("") is None and from_db("last tuesday") is None
    assert from_db("2026-11-22T10:15:00") == datetime(2026, 11, 22, 10, 15, tzinfo=timezone.utc)  # naive = UTC
    assert from_db("2026-11-22T11:15:00+01:00") == datetime(2026, 11, 22, 10, 15, tzinfo=timezone.utc)


def test_text_order_is_time_order() -> None:
    """Times from different zones sort as text exactly as they sort as instants, which WHERE clauses rely on."""
    base = datetime(2026, 11, 22, 0, 30, tzinfo=timezone.utc)
    zones = [timezone.utc, CASABLANCA, ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York"), timezone(timedelta(hours=-9))]
    moments = [(base + timedelta(minutes=47 * i)).astimezone(zones[i % len(zones)]) for i in range(40)]
    shuffled = moments[::7] + moments[1::7] + moments[2::7] + moments[3::7] + moments[4::7] + moments[5::7] + moments[6::7]
    assert sorted(shuffled, key=to_db) == sorted(shuffled)
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (at TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(to_db(m),) for m in shuffled])
    cutoff = moments[20]
    later = [from_db(v) for (v,) in conn.execute("SELECT at FROM t WHERE at > ? ORDER BY at", [to_db(cutoff)])]
    assert later == moments[21:]


def old_format_database(path: Path) -> sqlite_utils.Database:
    """A file as the code before migration 7 wrote it: publication and feed dates kept the page's offset."""
    db = sqlite_utils.Database(path)
    migrations.apply(db, stop_before="m007_times_in_utc")
    db["articles"].insert({
        "id": 1, "url": "https://a.ma/1.html", "source": "site-ar", "title": "تعاون أمني", "text": "نص",
        "search_text": "تعاون امني نص", "published_at": "2025-11-22T00:15:00+01:00", "fetched_at": "2025-11-22T08:00:00+00:00",
    })
    db["articles"].insert({
        "id": 2, "url": "https://a.ma/2.html", "source": "site-ar", "title": "رمضان", "text": "نص",
        "search_text": "رمضان نص", "published_at": "2025-03-03T11:05:00+00:00", "fetched_at": "2025-03-03T12:00:00+00:00",
    })
    db["articles"].insert({"id": 3, "url": "https://a.ma/3.html", "source": "site-ar", "title": "بلا تاريخ",
                           "search_text": "بلا تاريخ", "published_at": None, "fetched_at": "2025-11-22T08:00:00+00:00"})
    db["pages"].insert({"url": "https://a.ma/1.html", "feed_date": "2025-11-21T23:30:00-05:00",
                        "fetched_at": "2025-11-22T08:00:00+00:00"})
    db["digests"].insert({"digest_date": "2025-11-22", "status": "sent", "sent_at": "2025-11-22T07:31:02+00:00"})
    return db


def test_migration_converts_old_offsets_to_utc(tmp_path: Path) -> None:
    old_format_database(tmp_path / "news.db").close()
    db = open_database(tmp_path / "news.db")
    published = {row["id"]: row["published_at"] for row in db["articles"].rows}
    assert published == {1: "2025-11-21T23:15:00+00:00", 2: "2025-03-03T11:05:00+00:00", 3: None}
    assert db["pages"].get("https://a.ma/1.html")["feed_date"] == "2025-11-22T04:30:00+00:00"
    assert db["digests"].get("2025-11-22")["sent_at"] == "2025-11-22T07:31:02+00:00"
    assert db["articles"].get(1)["fetched_at"] == "2025-11-22T08:00:00+00:00"
    # The full-text triggers set aside during the migration are back and the index is intact.
    triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert {"articles_ai", "articles_ad", "articles_au"} <= triggers
    ArticleStore(db).update_article(2, {"title": "تعاون رمضان"})
    conn = open_readonly(tmp_path / "news.db")
    assert [r["id"] for r in search_articles(conn, "تعاون")] == [1, 2]
    assert search_articles(conn, "تعاون")[0]["published_at"] == datetime(2025, 11, 21, 23, 15, tzinfo=timezone.utc)
