"""Watchlists: queries matched per second, and what 100 watchlists add to a crawl's processing.

The crawl's processing of a page is the whole per-page pipeline (extract,
date, classify, fingerprint; :func:`pipelines.process.process_page`); a
crawl with watchlists also indexes each new article once and runs every
instant watchlist on it (:class:`pipelines.watchlists.InstantMatcher`).  Both
are timed on the same articles: the labelled hold-out articles in
tests/data (Arabic, French and English).  A third figure runs the 100 queries over the
same articles stored in SQLite, as ``newsmon watch list`` does.

    python bench/bench_watch.py            # prints the figures (goal: overhead < 10%)
"""

from __future__ import annotations

import html
import json
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOLDOUT = [ROOT / "tests" / "data" / name for name in ("holdout.jsonl", "holdout2.jsonl")]
WATCHLISTS = 100
ROUNDS = 5

# Building blocks of realistic analyst queries in the three languages.
ENTITIES = ["@ES", "@FR", "@US", "@DZ", "@MR", "@BE", "@DE", "@IT", "@PT", "@GB", "@INTERPOL", "@EUROPOL",
            "@AFRIPOL", "@UN", "@EU", "@NATO", "@person:hammouchi", "@person:laftit"]
WORDS = ["سبتة", "مليلية", "الهجرة", "المخدرات", "الإرهاب", "تفكيك", "خلية", "الحدود", "الأمن", "مذكرة",
         "Ceuta", "Melilla", "migration", "drogue", "terroris*", "cellule", "frontière", "sécurité", "extradition",
         "cannabis", "border", "trafficking", "cyber*", "smuggl*", "police", "cooperation", "coopération", "تعاون"]
PHRASES = ['"التعاون الأمني"', '"مذكرة تفاهم"', '"Guardia Civil"', '"garde civile"', '"coopération sécuritaire"',
           '"security cooperation"', '"الحرس المدني"', '"mandat d\'arrêt"', '"joint exercise"', '"الشرطة القضائية"']


def queries(rng: random.Random) -> list[str]:
    shapes = [
        lambda: f"({rng.choice(WORDS)} OR {rng.choice(WORDS)}) AND {rng.choice(ENTITIES)}",
        lambda: f"{rng.choice(PHRASES)} AND NOT sport*",
        lambda: f"{rng.choice(ENTITIES)} NEAR/10 {rng.choice(WORDS)}",
        lambda: f"title:({rng.choice(WORDS)} OR {rng.choice(PHRASES)}) {rng.choice(ENTITIES)}",
        lambda: f"{rng.choice(ENTITIES)} AND ({rng.choice(PHRASES)} OR {rng.choice(WORDS)}) AND NOT {rng.choice(WORDS)}",
        lambda: f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
    ]
    return [shapes[i % len(shapes)]() for i in range(WATCHLISTS)]


def articles() -> tuple[str, list[dict]]:
    rows = [json.loads(line) for path in HOLDOUT for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return f"{len(rows)} labelled hold-out articles (tests/data, ar/fr/en)", rows


def as_html(row: dict) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in row["text"].split("\n") if p.strip())
    return (f'<!DOCTYPE html><html lang="{row["lang"]}"><head><meta charset="utf-8"><title>{html.escape(row["title"])}'
            f'</title><meta property="article:published_time" content="{datetime.now(timezone.utc).isoformat()}">'
            f'</head><body><article><h1>{html.escape(row["title"])}</h1>{paragraphs}</article></body></html>')


def best_of(rounds: int, run) -> float:
    """CPU seconds of the fastest round: the machine is shared, wall-clock time would measure the neighbours."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        run()
        times.append(time.process_time() - start)
    return min(times)


def main() -> int:
    from pipelines.process import PageInput, PageSource, ProcessSettings, process_page
    from pipelines.query_match import compile_query
    from pipelines.store import ArticleStore, open_database
    from pipelines.watch_scan import scan_stored
    from pipelines.watchlists import AlertSettings, Channel, InstantMatcher, Watchlist

    described, rows = articles()
    sources = {lang: PageSource(f"bench-{lang}", lang) for lang in ("ar", "fr", "en")}
    settings = ProcessSettings(max_age_days=7, threshold=0.5, min_body_chars=0)
    now = datetime.now(timezone.utc)
    pages = [PageInput(f"https://bench.example/{i}", sources[row["lang"]], as_html(row), now) for i, row in enumerate(rows)]

    start = time.process_time()
    compiled = [compile_query(q) for q in queries(random.Random(15))]
    compile_seconds = time.process_time() - start
    alerts = AlertSettings(channels={"hook": Channel("hook", url="json://127.0.0.1/x")})
    watchlists = tuple(Watchlist(f"w{i}", q, "instant", ("hook",)) for i, q in enumerate(compiled))

    processed = [process_page(p, settings) for p in pages]  # warm-up
    stored_rows = [p.row for p in processed if p.row is not None]
    process_seconds = best_of(ROUNDS, lambda: [process_page(p, settings) for p in pages])
    matcher, single = InstantMatcher(watchlists, alerts), InstantMatcher(watchlists[:1], alerts)
    hits = [matcher.hits(row) for row in stored_rows]  # warm-up
    match_seconds = best_of(ROUNDS, lambda: [matcher.hits(row) for row in stored_rows])
    one_seconds = best_of(ROUNDS, lambda: [single.hits(row) for row in stored_rows])

    with tempfile.TemporaryDirectory(prefix="newsmon-bench-watch-") as tmp:
        rounds = iter(range(ROUNDS))

        def store_all() -> ArticleStore:
            store = ArticleStore(open_database(Path(tmp) / f"bench-{next(rounds)}.db"))
            for row in stored_rows:
                store.save_article(row)
            return store

        store_seconds = best_of(ROUNDS, store_all)
        store = ArticleStore(open_database(Path(tmp) / "bench-0.db"))
        by_name = {w.name: w.query for w in watchlists}
        since = now - timedelta(days=1)
        scan_seconds = best_of(ROUNDS, lambda: scan_stored(store.db.conn, by_name, since))

    n = len(stored_rows)
    matched = sum(len(h) for h in hits)
    per_article = (process_seconds / len(pages) + store_seconds / n) * 1000
    print(f"articles: {described}; {n} stored after extraction")
    print(f"{WATCHLISTS} watchlists compiled in {compile_seconds * 1000:.0f} ms CPU (loading the vocabularies included); "
          f"{matched} (article, watchlist) matches")
    print(f"crawl processing per article: {per_article:.2f} ms = page pipeline (extract, date, classify, fingerprint) "
          f"{process_seconds / len(pages) * 1000:.2f} ms + storing {store_seconds / n * 1000:.2f} ms")
    print(f"matching 1 watchlist: {one_seconds / n * 1000:.3f} ms/article (indexing the article included)")
    print(f"matching {WATCHLISTS} watchlists: {match_seconds / n * 1000:.3f} ms/article = "
          f"{WATCHLISTS * n / match_seconds:,.0f} queries/s")
    print(f"{WATCHLISTS} watchlists add {match_seconds / n * 1000 / per_article * 100:.1f}% to the crawl's processing "
          f"(goal < 10%; {match_seconds / process_seconds * 100:.1f}% of the page pipeline alone)")
    print(f"{WATCHLISTS} queries over the {n} stored articles (watch list): {scan_seconds:.2f} s = "
          f"{WATCHLISTS * n / scan_seconds:,.0f} queries/s")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
