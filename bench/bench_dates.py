"""Throughput of pipelines.dates.parse_date on the date strings news pages print.

The headline figure is measured with parse_date's cache emptied before every
pass, so each parse does the real work; a crawl rarely sees the same string
twice. The warm-up (imports, first call into dateparser's locale data) is
timed on its own, in this fresh process, and kept out of the rate.
"""
from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOW = datetime(2025, 11, 22, 12, 0, tzinfo=ZoneInfo("Africa/Casablanca"))
PASSES = 8

AR_MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر"]
EG_MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
LB_MONTHS = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
             "تشرين الأول", "تشرين الثاني", "كانون الأول"]
FR_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
             "octobre", "novembre", "décembre"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

TEMPLATES = [
    lambda d, m, h, mi: f"نشر في {d} {AR_MONTHS[m]} 2024 على الساعة {h:02d}:{mi:02d}",
    lambda d, m, h, mi: f"الجمعة {d:02d} {AR_MONTHS[m]} 2024 - {h:02d}:{mi:02d}",
    lambda d, m, h, mi: f"{h:02d}:{mi:02d} - {d} {AR_MONTHS[m]} 2024",
    lambda d, m, h, mi: f"{d} {EG_MONTHS[m]} 2024 {h % 12 + 1}:{mi:02d} مساءً",
    lambda d, m, h, mi: f"{d} {LB_MONTHS[m]} 2024",
    lambda d, m, h, mi: f"{d}-{m + 1:02d}-2024".translate(ARABIC_INDIC),
    lambda d, m, h, mi: f"Publié le {d} {FR_MONTHS[m]} 2024 à {h}h{mi:02d}",
    lambda d, m, h, mi: f"Mis à jour le {d:02d}/{m + 1:02d}/2024 à {h:02d}:{mi:02d}",
    lambda d, m, h, mi: f"{EN_MONTHS[m]} {d}, 2024 at {h % 12 + 1}:{mi:02d} am",
    lambda d, m, h, mi: f"Updated: {d} {EN_MONTHS[m][:3]} 2024, {h:02d}:{mi:02d}",
    lambda d, m, h, mi: f"2024-{m + 1:02d}-{d:02d}T{h:02d}:{mi:02d}:00+01:00",
    lambda d, m, h, mi: f"Sat, {d:02d} {EN_MONTHS[m][:3]} 2024 {h:02d}:{mi:02d}:00 GMT",
]
RELATIVE = ["منذ {n} ساعات", "قبل {n} دقائق", "منذ يومين", "أمس على الساعة {n}:15", "il y a {n} heures",
            "hier à {n}h", "{n} hours ago", "yesterday at {n}:30 pm"]
MISSES = ["Lire aussi", "© {n}025 Tous droits réservés", "الأكثر قراءة", "Page {n}", "{n} commentaires",
          "جميع الحقوق محفوظة {n}", "Share on Facebook", "الرئيسية / مجتمع", "Read more {n}", "vol. {n}"]


def corpus() -> list[str]:
    """A few hundred distinct strings, about one in eight a miss."""
    strings = []
    for i in range(300):
        day, month, hour, minute = i % 28 + 1, (i // len(TEMPLATES)) % 12, (i * 7) % 24, (i * 13) % 60
        strings.append(TEMPLATES[i % len(TEMPLATES)](day, month, hour, minute))
    strings += [RELATIVE[i % len(RELATIVE)].format(n=i % 9 + 1) for i in range(48)]
    strings += [MISSES[i % len(MISSES)].format(n=i) for i in range(48)]
    return strings


def main() -> None:
    started = time.perf_counter()
    from pipelines import dates

    imported = time.perf_counter()
    dates.parse_date("نشر في 22 نونبر 2024 على الساعة 10:15", now=NOW)
    dates.parse_date("il y a 2 heures", now=NOW)
    dates.parse_date("Lire aussi", now=NOW)
    warm = time.perf_counter()

    strings = corpus()
    misses = sum(dates.parse_date(s, now=NOW) is None for s in strings)
    dates._absolute.cache_clear()

    elapsed = 0.0
    for _ in range(PASSES):
        dates._absolute.cache_clear()
        start = time.perf_counter()
        for text in strings:
            dates.parse_date(text, now=NOW)
        elapsed += time.perf_counter() - start
    total = PASSES * len(strings)

    start = time.perf_counter()
    for _ in range(PASSES):
        for text in strings:
            dates.parse_date(text, now=NOW)
    cached = time.perf_counter() - start

    print(f"dates: {total / elapsed:,.0f} parses/s over {total} strings "
          f"({len(strings)} distinct, mixed ar/fr/en, {misses / len(strings):.0%} misses, cache emptied each pass)")
    print(f"dates: {total / cached:,.0f} parses/s with the cache warm (repeated strings)")
    print(f"dates: cold start {1000 * (imported - started):.0f} ms import + "
          f"{1000 * (warm - imported):.0f} ms first calls, excluded from the rates")


if __name__ == "__main__":
    main()
