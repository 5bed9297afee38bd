"""Event placement cost at 10k and 1M stored articles, and `newsmon import` throughput.

Placement reads candidates from the (key, day) index, so its cost should
follow how many reports a day share a key, not how many the database holds.
Both databases are built at the same density (REPORTS_PER_DAY, about what
28 sources publish), the 1M one simply covers more days; each is built
directly through the index tables (synthetic keys with a Zipf-like spread of
officials, states, places, figures and acts, the commonest official or place on a few per cent
of reports, grouped in events of
1-8) and cached under $NEWSMON_BENCH_CACHE (default ~/.cache/newsmon-bench),
so only the first run pays for it.  New articles (half of them reports of an
event already stored that day, half new happenings) are then placed with
the real code, inside one transaction that is rolled back, so the cached
database stays as built.

Import throughput is measured on reports assembled from sentences written
for this benchmark, through the same code as `newsmon import`.
"""
from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.event_keys import EventKeys, event_keys  # noqa: E402
from pipelines.events import GROUPING_VERSION, index_keys, place_article  # noqa: E402
from pipelines.importer import import_lines  # noqa: E402
from pipelines.store import ArticleStore, open_database  # noqa: E402

SIZES = (10_000, 1_000_000)
REPORTS_PER_DAY = 900
PLACED = 400
IMPORTED = 300
FIRST_DAY = 738_000  # an ordinal day in 2021
CACHE = Path(os.environ.get("NEWSMON_BENCH_CACHE", Path.home() / ".cache" / "newsmon-bench"))
BUILD = 3  # bump when the synthetic data or the tables it fills change

_rng = random.Random(7)
OFFICIALS = ["hammouchi", "laftit", "bourita", "loudiyi", "darmanin", "grande_marlaska"] + [f"x{i}" for i in range(600)]
STATES = ["ES", "FR", "US", "PT", "DE", "BE", "GB", "IT", "MR", "SN", "AE", "SA", "QA", "TR", "NL"] + \
         [f"Z{i}" for i in range(60)]
PLACES = ["rabat", "casablanca", "tangier", "marrakech", "madrid", "paris"] + [f"l{i}" for i in range(200)]
ORGS = ["INTERPOL", "EUROPOL", "UN", "AU", "EU", "NATO", "AFRIPOL", "FRONTEX"]
ACTS = ["meeting", "operation", "extradition", "exercise", "agreement", "assembly", "training", "court"]


def _zipf(pool: list[str]) -> str:
    """A few names are common (the first ones, a few per cent of reports each), most are rare."""
    return pool[min(int(_rng.expovariate(1 / 40)), len(pool) - 1)]


def _happening(day: int) -> EventKeys:
    lead = {f"p:{_zipf(OFFICIALS)}", f"s:{_zipf(STATES)}", f"l:{_zipf(PLACES)}", f"a:{_rng.choice(ACTS)}"}
    if _rng.random() < 0.5:
        lead.add(f"p:{_zipf(OFFICIALS)}")
    if _rng.random() < 0.3:
        lead.add(f"o:{_rng.choice(ORGS)}")
    if _rng.random() < 0.5:
        lead.add(f"n:{_rng.randint(3, 2000)}")
    body = lead | {f"l:{_zipf(PLACES)}", f"n:{_rng.randint(3, 500)}", f"y:{2021 + (day - FIRST_DAY) // 365}"}
    return EventKeys(frozenset(lead), frozenset(body), frozenset(f"w{_rng.randint(0, 5000)}" for _ in range(12)))


def _report(event: EventKeys) -> EventKeys:
    """Another site's report of the same happening: most keys, some missing, its own wording."""
    lead = frozenset(k for k in event.lead if _rng.random() < 0.85)
    return EventKeys(lead, frozenset(k for k in event.body if _rng.random() < 0.8) | lead,
                     frozenset(w for w in event.words if _rng.random() < 0.5))


def _encode(keys: EventKeys) -> str:
    return json.dumps({"lead": sorted(keys.lead), "body": sorted(keys.body), "words": sorted(keys.words)})


def build(path: Path, size: int) -> None:
    """Articles, events, article_keys and event_keys written directly, a day at a time."""
    db = open_database(path)
    conn = db.conn
    conn.execute("DROP TRIGGER IF EXISTS articles_ai")  # no text to index: the FTS table is not what is measured
    conn.execute("PRAGMA synchronous = OFF")  # a throwaway cache: a crash mid-build leaves only a .partial file
    conn.execute("PRAGMA cache_size = -200000")
    article_id = event_id = 0
    day = FIRST_DAY
    while article_id < size:
        conn.execute("BEGIN")
        articles, events, keys_rows, index_rows = [], [], [], []
        produced = 0
        while produced < REPORTS_PER_DAY and article_id < size:
            event_id += 1
            happening = _happening(day)
            reports = min(_rng.choice((1, 1, 1, 2, 2, 3, 4, 5, 6, 8)), size - article_id)
            events.append((event_id, "2021-01-01T00:00:00+00:00", day, reports, GROUPING_VERSION))
            for _ in range(reports):
                article_id += 1
                produced += 1
                keys = _report(happening)
                articles.append((article_id, f"https://bench.example/{article_id}", "bench", "2021-01-01T00:00:00+00:00",
                                 event_id))
                keys_rows.append((article_id, day, _encode(keys)))
                index_rows.extend((k, day, article_id) for k in index_keys(keys))
        conn.executemany("INSERT INTO events (id, first_seen, day, reports, grouping_version) VALUES (?, ?, ?, ?, ?)",
                         events)
        conn.executemany("INSERT INTO articles (id, url, source, fetched_at, event_id) VALUES (?, ?, ?, ?, ?)", articles)
        conn.executemany("INSERT INTO article_keys (article_id, day, keys) VALUES (?, ?, ?)", keys_rows)
        conn.executemany("INSERT OR IGNORE INTO event_keys (key, day, article_id) VALUES (?, ?, ?)", index_rows)
        conn.execute("COMMIT")
        day += 1
    conn.execute("ANALYZE")
    db.close()


def database(size: int) -> Path:
    path = CACHE / f"events-{size}-{REPORTS_PER_DAY}-b{BUILD}.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        partial = path.with_suffix(".partial")
        for stale in CACHE.glob(partial.name + "*"):
            stale.unlink()
        build(partial, size)
        partial.rename(path)
        print(f"events: built the {size:,}-article database in {time.perf_counter() - started:.0f}s "
              f"(cached in {CACHE})", flush=True)
    return path


def placement(size: int) -> tuple[float, float, int]:
    """Median and mean milliseconds to place one new article; and how many joined an existing event."""
    db = open_database(database(size))
    conn = db.conn
    last_day, max_id = conn.execute("SELECT MAX(day), MAX(id) FROM events").fetchone()
    recent = [_decode(k) for (k,) in conn.execute(
        "SELECT keys FROM article_keys WHERE day = ? LIMIT 200", [last_day])]
    conn.execute("BEGIN")
    times, joined = [], 0
    for i in range(PLACED):
        keys = _report(_rng.choice(recent)) if i % 2 == 0 else _happening(last_day)
        article_id = max_id + 1_000_000 + i
        conn.execute("INSERT INTO articles (id, url, source, fetched_at) VALUES (?, ?, 'bench', ?)",
                     [article_id, f"https://bench.example/new/{i}", "2024-01-01T00:00:00+00:00"])
        day_iso = _iso(last_day)
        started = time.perf_counter()
        event = place_article(conn, article_id, {"published_at": day_iso, "fetched_at": day_iso}, keys)
        times.append((time.perf_counter() - started) * 1000)
        joined += event <= max_id
    conn.execute("ROLLBACK")
    db.close()
    times.sort()
    return times[len(times) // 2], sum(times) / len(times), joined


def _decode(text: str) -> EventKeys:
    stored = json.loads(text)
    return EventKeys(frozenset(stored["lead"]), frozenset(stored["body"]), frozenset(stored["words"]))


def _iso(day: int) -> str:
    from datetime import date

    return date.fromordinal(day).isoformat() + "T12:00:00+01:00"


SENTENCES = [
    ("fr", "Abdellatif Hammouchi a reçu à Rabat le directeur général de la police nationale espagnole, Francisco Pardo "
           "Piqueras, pour évoquer la coopération antiterroriste entre le Maroc et l'Espagne."),
    ("fr", "La DGST a démantelé à Tanger une cellule de cinq partisans de Daech en coordination avec la police espagnole."),
    ("ar", "استقبل عبد اللطيف حموشي بالرباط المدير العام للشرطة الوطنية الإسبانية فرانسيسكو باردو بيكيراس لبحث التعاون الأمني."),
    ("ar", "تمكنت عناصر الشرطة القضائية بمدينة فاس من توقيف ثلاثة أشخاص للاشتباه في تورطهم في السرقة."),
    ("en", "Morocco and the United States opened the African Lion exercise in Agadir with troops from twenty countries."),
    ("en", "Morocco extradited to France two suspects wanted for international drug trafficking, the minister said."),
]


def import_throughput() -> float:
    lines = []
    for i in range(IMPORTED):
        lang, sentence = SENTENCES[i % len(SENTENCES)]
        others = " ".join(s for l, s in _rng.sample(SENTENCES, 3) if l == lang)
        lines.append(json.dumps({"url": f"https://bench.example/import/{i}", "title": sentence[:70], "lang": lang,
                                 "text": f"{sentence} {others} " * 3, "published": f"2025-11-{1 + i % 28:02d}"},
                                ensure_ascii=False))
    with tempfile.TemporaryDirectory() as tmp:
        store = ArticleStore(open_database(Path(tmp) / "import.db"))
        event_keys("warm-up", "Hammouchi à Rabat")  # vocabularies load once, as in a real import
        started = time.perf_counter()
        result = import_lines(store, "bench", lines, canonical=lambda url: url, timezone_name="Africa/Casablanca",
                              threshold=0.5)
        elapsed = time.perf_counter() - started
    assert result.created == IMPORTED and not result.errors
    return IMPORTED / elapsed


def main() -> None:
    for size in SIZES:
        median, mean, joined = placement(size)
        print(f"events: placing one article among {size:>9,} stored ({REPORTS_PER_DAY}/day): median {median:.2f} ms, "
              f"mean {mean:.2f} ms ({joined}/{PLACED} joined a stored event)", flush=True)
    print(f"events: newsmon import {import_throughput():.0f} articles/s (classification, copies, keys, placement, "
          f"one transaction each)")


if __name__ == "__main__":
    main()
