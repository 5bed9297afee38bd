"""parse_date on the forms Moroccan, Levantine, French and English news pages print.

Each case gives the expected Casablanca wall-clock reading: "YYYY-MM-DD HH:MM"
when the text carries a time (or is relative to NOW), "YYYY-MM-DD" when only
the day is printed (the time is then midnight).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pipelines.dates import parse_date

CASABLANCA = ZoneInfo("Africa/Casablanca")
NOW = datetime(2025, 11, 22, 12, 0, tzinfo=CASABLANCA)

CASES = [
    # Moroccan month names
    ("5 يناير 2025", "ar", "2025-01-05"),
    ("12 فبراير 2025", "ar", "2025-02-12"),
    ("3 مارس 2024", "ar", "2024-03-03"),
    ("الثلاثاء 15 أبريل 2025 - 09:30", "ar", "2025-04-15 09:30"),
    ("15 ماي 2025", "ar", "2025-05-15"),
    ("30 يونيو 2025", "ar", "2025-06-30"),
    ("14 يوليوز 2025 على الساعة 18:45", "ar", "2025-07-14 18:45"),
    ("20 غشت 2025", "ar", "2025-08-20"),
    ("السبت 20 شتنبر 2025 | 14:30", "ar", "2025-09-20 14:30"),
    ("8 أكتوبر 2025", "ar", "2025-10-08"),
    ("٢٢ نونبر ٢٠٢٥", "ar", "2025-11-22"),
    ("الجمعة 26 دجنبر 2024 - 15:01", "ar", "2024-12-26 15:01"),
    # Egyptian / Gulf month names and spelling variants
    ("7 مايو 2025", "ar", "2025-05-07"),
    ("19 يوليو 2025", "ar", "2025-07-19"),
    ("2 أغسطس 2025", "ar", "2025-08-02"),
    ("11 سبتمبر 2025", "ar", "2025-09-11"),
    ("الخميس 20 نوفمبر 2025", "ar", "2025-11-20"),
    ("31 ديسمبر 2024", "ar", "2024-12-31"),
    ("9 ابريل 2025", "ar", "2025-04-09"),
    ("9 إبريل 2025", "ar", "2025-04-09"),
    # Levantine / Iraqi month names
    ("4 كانون الثاني 2025", "ar", "2025-01-04"),
    ("14 شباط 2025", "ar", "2025-02-14"),
    ("21 آذار 2025", "ar", "2025-03-21"),
    ("الأحد 6 نيسان 2025", "ar", "2025-04-06"),
    ("1 أيار 2025", "ar", "2025-05-01"),
    ("17 حزيران 2025", "ar", "2025-06-17"),
    ("23 تموز 2025 - 11:20", "ar", "2025-07-23 11:20"),
    ("15 آب 2025", "ar", "2025-08-15"),
    ("10 أيلول 2025", "ar", "2025-09-10"),
    ("5 تشرين الأول 2025", "ar", "2025-10-05"),
    ("الأحد 9 تشرين الثاني 2025", "ar", "2025-11-09"),
    ("يوم 3 كانون الأول 2024 الساعة 8:05 صباحا", "ar", "2024-12-03 08:05"),
    # Arabic-Indic and Persian digits
    ("١٥-٠٤-٢٠٢٥", "ar", "2025-04-15"),
    ("١٥/٠٤/٢٠٢٥", "ar", "2025-04-15"),
    ("٢٠٢٥-٠٤-١٥", "ar", "2025-04-15"),
    ("۱۵ أبريل ۲۰۲۵", "ar", "2025-04-15"),
    ("١٥ أبريل ٢٠٢٥ - ٠٩:٣٠", "ar", "2025-04-15 09:30"),
    # Arabic comma, year suffix, weekday and filler words
    ("الثلاثاء، 15 أبريل 2025م", "ar", "2025-04-15"),
    ("15 أبريل 2025 م - 09:30", "ar", "2025-04-15 09:30"),
    ("نشر في 15 أبريل 2025 على الساعة 09:30", "ar", "2025-04-15 09:30"),
    ("آخر تحديث: 20 شتنبر 2025 - 14:30", "ar", "2025-09-20 14:30"),
    ("يوم 3 نونبر 2025", "ar", "2025-11-03"),
    ("نشر بتاريخ 10/11/2025", "ar", "2025-11-10"),
    ("الإثنين، 17 نونبر 2025، 16:40", "ar", "2025-11-17 16:40"),
    # Hijri printed beside the Gregorian date
    ("السبت 1 جمادى الآخرة 1447 الموافق 22 نونبر 2025", "ar", "2025-11-22"),
    ("22 نونبر 2025 الموافق 1 جمادى الآخرة 1447 هـ", "ar", "2025-11-22"),
    ("الجمعة 29 جمادى الأولى 1447هـ - 21 نوفمبر 2025م", "ar", "2025-11-21"),
    # Arabic times: morning/evening markers, time first
    ("20 نونبر 2025 - 10:15 صباحا", "ar", "2025-11-20 10:15"),
    ("20 نونبر 2025 - 10:15 مساءً", "ar", "2025-11-20 22:15"),
    ("20 نونبر 2025 على الساعة 8:05 مساء", "ar", "2025-11-20 20:05"),
    ("10:15 - 28 أكتوبر 2025", "ar", "2025-10-28 10:15"),
    ("14:30 | الخميس 20 نونبر 2025", "ar", "2025-11-20 14:30"),
    ("12:10 ص - 20 نونبر 2025", "ar", "2025-11-20 00:10"),
    ("في 16/03/2018 على 13h47", "ar", "2018-03-16 13:47"),  # Yabiladi's Arabic form keeps its time
    # French
    ("Publié le 20 septembre 2025 à 14h30", "fr", "2025-09-20 14:30"),
    ("Mis à jour le 21 nov. 2025", "fr", "2025-11-21"),
    ("1er décembre 2024", "fr", "2024-12-01"),
    ("22.11.2025", "fr", "2025-11-22"),
    ("le 05/04/2025 à 09h05", "fr", "2025-04-05 09:05"),
    ("samedi 20 septembre 2025 - 14:30", "fr", "2025-09-20 14:30"),
    ("Publié le 3 févr. 2025 à 8h", "fr", "2025-02-03 08:00"),
    ("Mis à jour le 12 août 2025 à 19h02", "fr", "2025-08-12 19:02"),
    ("15 juillet 2025 à 9 h 30", "fr", "2025-07-15 09:30"),
    ("mardi 1er avril 2025", "fr", "2025-04-01"),
    ("Publié le 04/11/2025 à 18:20", "fr", "2025-11-04 18:20"),
    ("Publié le 10 janvier 2025, 07:45", "fr", "2025-01-10 07:45"),
    ("MIS À JOUR LE 2 MAI 2025 À 11H10", "fr", "2025-05-02 11:10"),
    # English
    ("November 22, 2025 at 10:15 am", "en", "2025-11-22 10:15"),
    ("Updated: 21 Nov 2025, 08:45", "en", "2025-11-21 08:45"),
    ("Published on March 3, 2025 12:05 pm", "en", "2025-03-03 12:05"),
    ("Nov 2, 2025 12:30 am", "en", "2025-11-02 00:30"),
    ("Friday 7 February 2025", "en", "2025-02-07"),
    ("22/11/2025 10:15", "en", "2025-11-22 10:15"),
    ("Posted on 1st June 2025", "en", "2025-06-01"),
    ("August 5th, 2025 at 3:45 PM", "en", "2025-08-05 15:45"),
    ("Sept. 9, 2025", "en", "2025-09-09"),
    # ISO 8601 and RFC 822, read back in Casablanca time
    ("2025-11-22T10:15:00+01:00", None, "2025-11-22 10:15"),
    ("2025-11-22T09:15:00Z", None, "2025-11-22 10:15"),
    ("2025-11-22T10:15:00.000+01:00", None, "2025-11-22 10:15"),
    ("2025-11-22", None, "2025-11-22"),
    ("2025-11-22 08:30", None, "2025-11-22 08:30"),
    ("Sat, 22 Nov 2025 08:00:00 GMT", None, "2025-11-22 09:00"),
    ("Fri, 21 Nov 2025 23:30:00 +0100", None, "2025-11-21 23:30"),
    ("Fri, 21 Nov 2025 22:30:00 -0000", None, "2025-11-21 22:30"),
    ("Fri, 21 Nov 2025 17:30:00 EST", None, "2025-11-21 23:30"),
    # Relative to NOW (2025-11-22 12:00 in Casablanca)
    ("منذ 3 ساعات", "ar", "2025-11-22 09:00"),
    ("منذ ساعتين", "ar", "2025-11-22 10:00"),
    ("منذ يومين", "ar", "2025-11-20 12:00"),
    ("قبل 5 دقائق", "ar", "2025-11-22 11:55"),
    ("منذ دقيقة", "ar", "2025-11-22 11:59"),
    ("منذ 3 أيام", "ar", "2025-11-19 12:00"),
    ("أمس", "ar", "2025-11-21"),
    ("البارحة", "ar", "2025-11-21"),
    ("أمس على الساعة 18:20", "ar", "2025-11-21 18:20"),
    ("اليوم 09:40", "ar", "2025-11-22 09:40"),
    ("il y a 2 heures", "fr", "2025-11-22 10:00"),
    ("il y a 3 jours", "fr", "2025-11-19 12:00"),
    ("il y a une heure", "fr", "2025-11-22 11:00"),
    ("hier", "fr", "2025-11-21"),
    ("hier à 10h", "fr", "2025-11-21 10:00"),
    ("avant-hier", "fr", "2025-11-20"),
    ("Aujourd'hui à 08h15", "fr", "2025-11-22 08:15"),
    ("3 hours ago", "en", "2025-11-22 09:00"),
    ("an hour ago", "en", "2025-11-22 11:00"),
    ("2 weeks ago", "en", "2025-11-08 12:00"),
    ("yesterday", "en", "2025-11-21"),
    ("yesterday at 10:15 am", "en", "2025-11-21 10:15"),
    # Day-first numeric dates in every language, two-digit years
    ("05/04/2025", "ar", "2025-04-05"),
    ("05/04/2025", "en", "2025-04-05"),
    ("05-04-2025", "fr", "2025-04-05"),
    ("5/4/25", None, "2025-04-05"),
    ("22/11/2025", None, "2025-11-22"),
    # No year printed: the latest such day not after NOW
    ("20 décembre", "fr", "2024-12-20"),
    ("15 دجنبر", "ar", "2024-12-15"),
    ("3 نونبر 14:30", "ar", "2025-11-03 14:30"),
]


def _local_reading(value: datetime, expected: str) -> str:
    local = value.astimezone(CASABLANCA)
    return local.strftime("%Y-%m-%d %H:%M" if " " in expected else "%Y-%m-%d")


@pytest.mark.parametrize(("text", "lang", "expected"), CASES, ids=[case[0] for case in CASES])
def test_reads_printed_date(text: str, lang: str | None, expected: str) -> None:
    result = parse_date(text, lang=lang, now=NOW)
    assert result is not None, text
    assert result.tzinfo is not None and result.utcoffset() is not None
    assert _local_reading(result, expected) == expected


def test_has_at_least_eighty_cases() -> None:
    assert len(CASES) >= 80


@pytest.mark.parametrize("text", ["5 يناير 2025", "20 غشت 2025", "Friday 7 February 2025", "2025-11-22"])
def test_day_only_text_is_local_midnight(text: str) -> None:
    result = parse_date(text, now=NOW)
    assert result is not None
    assert (result.hour, result.minute) == (0, 0)
    assert result.tzinfo == CASABLANCA


@pytest.mark.parametrize(
    ("text", "offset_hours", "utc"),
    [
        ("2025-11-22T10:15:00+03:00", 3, "2025-11-22 07:15"),
        ("2025-11-21T10:15:00-05:00", -5, "2025-11-21 15:15"),
        ("Sat, 22 Nov 2025 08:00:00 GMT", 0, "2025-11-22 08:00"),
        ("22 Nov 2025 10:15 GMT+2", 2, "2025-11-22 08:15"),
        ("21 نونبر 2025 - 10:15 +0200", 2, "2025-11-21 08:15"),
    ],
)
def test_printed_zone_keeps_its_instant(text: str, offset_hours: int, utc: str) -> None:
    result = parse_date(text, now=NOW)
    assert result is not None
    assert result.utcoffset() == timedelta(hours=offset_hours)
    assert result.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M") == utc


@pytest.mark.parametrize(
    ("text", "offset_hours"),
    [
        ("10 مارس 2025 - 12:00", 0),  # Ramadan 2025: Morocco is on UTC+0
        ("2025-03-10 12:00", 0),
        ("15 أبريل 2025 - 12:00", 1),  # after Ramadan: back to UTC+1
        ("20 septembre 2025 à 14h30", 1),
    ],
)
def test_local_offset_follows_moroccan_ramadan_rule(text: str, offset_hours: int) -> None:
    result = parse_date(text, now=NOW)
    assert result is not None
    assert result.utcoffset() == timedelta(hours=offset_hours)


@pytest.mark.parametrize(
    "text",
    [
        "30 نونبر 2025",
        "2025-11-22T15:00:00+01:00",
        "Sat, 29 Nov 2025 08:00:00 GMT",
        "1 janvier 2026",
        "22/12/2025",
    ],
)
def test_future_beyond_tolerance_is_rejected(text: str) -> None:
    assert parse_date(text, now=NOW) is None


def test_slightly_ahead_is_kept_as_clock_skew() -> None:
    assert parse_date("2025-11-22T13:30:00+01:00", now=NOW) is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hello world",
        "© 2024",
        "2024",
        "Page 3",
        "الأكثر قراءة",
        "Lire aussi",
        "32/13/2025",
        "31 février 2025",
        "14h30",
        "novembre 2025",
        "1 جمادى الآخرة 1447",
        "12/05/1985",
        "1732270000",
        "x" * 5000,
    ],
)
def test_unreadable_text_is_none(text: str) -> None:
    assert parse_date(text, now=NOW) is None


@pytest.mark.parametrize("value", [None, 20251122, b"22/11/2025"])
def test_non_text_is_none_not_an_error(value: object) -> None:
    assert parse_date(value, now=NOW) is None  # type: ignore[arg-type]


def test_naive_now_is_casablanca_time() -> None:
    result = parse_date("منذ 3 ساعات", now=datetime(2025, 11, 22, 12, 0))
    assert result == datetime(2025, 11, 22, 9, 0, tzinfo=CASABLANCA)


def test_relative_dates_follow_now_not_the_cache() -> None:
    later = NOW + timedelta(days=1)
    assert parse_date("أمس", now=NOW).date().isoformat() == "2025-11-21"
    assert parse_date("أمس", now=later).date().isoformat() == "2025-11-22"


def test_relative_base_in_another_zone_is_converted() -> None:
    utc_now = datetime(2025, 11, 22, 11, 0, tzinfo=timezone.utc)
    result = parse_date("il y a 2 heures", now=utc_now)
    assert result is not None
    assert result.astimezone(CASABLANCA).strftime("%H:%M") == "10:00"
