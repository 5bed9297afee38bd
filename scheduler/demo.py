"""``newsmon demo`` (``make demo``): crawl a small built-in news site on 127.0.0.1 and show what was stored.

A newcomer without internet access (or without wanting to touch real
newspapers yet) sees the whole flow: feeds read, articles fetched,
extracted, dated, classified, stored, summarised and searchable.  The site
lives in ``crawler/demo/`` (articles written for the project in Arabic,
French and English); the database is ``data/demo/newsmon.db``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.config import ConfigError, load_config
from crawler.localsite import DEMO_SITE, LocalSite
from crawler.run import run_crawl
from pipelines.store import StoreError, open_readonly, search_articles
from scheduler.report import format_crawl_summary, format_search_hit

WORKDIR = Path("data/demo")
QUERIES = ("التعاون الأمني", "coopération sécuritaire", "security")


def demo_config(base: str) -> str:
    sources = []
    for lang in ("ar", "fr", "en"):
        pattern = rf"^{re.escape(base)}/{lang}/[^/?#]+-\d+\.html$"
        sources.append(f"  - name: demo-{lang}\n    url: '{base}/'\n    lang: {lang}\n"
                       f"    feeds: ['{base}/{lang}/feed.xml']\n    article_pattern: '{pattern}'\n")
    return ("# Written by `newsmon demo`: the built-in demo site on loopback.\n"
            "database: newsmon.db\nsources:\n" + "".join(sources) +
            "crawl:\n  download_delay: 0\n  autothrottle: false\n  timeout: 10\n"
            "  allow_private_networks: true   # the demo site is on 127.0.0.1\n")


def run_demo() -> int:
    """Serve the demo site, crawl it into data/demo/, print the summary and three searches; return the exit code."""
    site = LocalSite(DEMO_SITE).start()
    try:
        WORKDIR.mkdir(parents=True, exist_ok=True)
        config_path = WORKDIR / "config.yaml"
        config_path.write_text(demo_config(site.url), encoding="utf-8")
        print(f"demo site on {site.url}/ ; config {config_path} ; database {WORKDIR / 'newsmon.db'}", flush=True)
        config = load_config(config_path)
        result = run_crawl(config, config.enabled_sources, trigger="demo", progress=lambda line: print(line, flush=True))
    except (ConfigError, StoreError) as exc:
        print(f"demo failed: {exc}", file=sys.stderr)
        return 1
    finally:
        site.stop()
    print(format_crawl_summary(result))
    if result.totals["new_articles"] == 0:
        print("(nothing new: the demo articles are already in the database; delete data/demo to start afresh)")
    connection = open_readonly(config.database)
    for query in QUERIES:
        print(f"\n$ newsmon search {query!r} --config {config_path}")
        for row in search_articles(connection, query, limit=5):
            print(format_search_hit(row, ZoneInfo(config.timezone), source_width=8))
    print("\n* = flagged as security cooperation")
    return 1 if result.all_failed else 0

