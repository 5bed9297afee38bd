"""Event grouping quality on labelled reports: pairwise precision, recall, F1.

    python -m bench.events_quality LABELLED.jsonl [--seed N] [--show-errors] [--json]

Each line is an import line (``url``, ``title``, ``text``, ``lang``,
``published``, ``source``) plus ``event``, the label of the real-world event
it reports.  The reports are imported in a shuffled order (arrival order
must not matter) into a fresh database through ``newsmon import``'s code, and
two groupings are scored: ``events`` (articles.event_id) and ``copies``
(articles.cluster_id, the near-duplicate simhash grouping that came before).
Real labelled reports stay outside the repository.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from crawler.urls import canonical_url
from pipelines.event_eval import pairwise
from pipelines.importer import import_lines
from pipelines.store import ArticleStore, open_database


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("labelled", type=Path)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--show-errors", action="store_true", help="print wrongly joined and missed pairs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    records = [json.loads(line) for line in args.labelled.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.Random(args.seed).shuffle(records)
    with tempfile.TemporaryDirectory() as tmp:
        store = ArticleStore(open_database(Path(tmp) / "quality.db"))
        started = time.perf_counter()
        result = import_lines(store, args.labelled.name, [json.dumps(r, ensure_ascii=False) for r in records],
                              canonical=canonical_url, timezone_name="Africa/Casablanca", threshold=0.5)
        elapsed = time.perf_counter() - started
        rows = store.db.execute("SELECT url, event_id, cluster_id, lang, title FROM articles").fetchall()
    for error in result.errors:
        print(error, file=sys.stderr)
    by_url = {canonical_url(r["url"]): r for r in records}
    gold = {url: by_url[url]["event"] for url, *_ in rows}
    langs = {url: lang for url, _e, _c, lang, _t in rows}
    titles = {url: f"[{by_url[url]['event']}] {lang} {(title or by_url[url]['text'][:60])[:70]}"
              for url, _e, _c, lang, title in rows}
    figures = {}
    for name, column in (("copies", 2), ("events", 1)):
        report = pairwise(gold, {row[0]: row[column] for row in rows}, langs)
        figures[name] = {"overall": report.overall.as_dict(),
                         "by_languages": {k: v.as_dict() for k, v in sorted(report.by_languages.items())}}
        if args.show_errors and name == "events":
            for label, pairs in (("JOINED WRONGLY", report.false_pairs), ("MISSED", report.missed_pairs)):
                for a, b in pairs:
                    print(f"{label}: {titles[a]}\n    {' ' * len(label)}  {titles[b]}")
    summary = {"reports": len(rows), "labelled_events": len(set(gold.values())), "seconds": round(elapsed, 2),
               **figures}
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
        return 0
    print(f"{summary['reports']} reports of {summary['labelled_events']} labelled events, imported in {elapsed:.1f}s")
    for name in ("copies", "events"):
        o = figures[name]["overall"]
        print(f"{name:7} P {o['precision']:.3f}  R {o['recall']:.3f}  F1 {o['f1']:.3f}  "
              f"({o['true_pairs']} true pairs, {o['predicted_pairs']} predicted)")
        for pair, counts in figures[name]["by_languages"].items():
            print(f"   {pair:6} P {counts['precision']:.3f}  R {counts['recall']:.3f}  F1 {counts['f1']:.3f}  "
                  f"({counts['true_pairs']} true, {counts['predicted_pairs']} predicted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
