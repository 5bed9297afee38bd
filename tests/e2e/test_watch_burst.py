"""A burst: a crawl stores twenty matching reports of twenty events; the channel gets one folded message.

The site is written into a temporary folder and served on 127.0.0.1 by
crawler.localsite; its French articles are assembled here from a city, an
act, a count and a date, so that each is its own event.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.localsite import LocalSite
from sites import run_newsmon

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

CITIES = ("Tanger", "Nador", "Tétouan", "Oujda", "Agadir", "Laâyoune", "Dakhla", "Casablanca", "Rabat", "Fès",
          "Marrakech", "Kénitra", "Safi", "El Jadida", "Essaouira", "Al Hoceima", "Larache", "Guelmim", "Tiznit",
          "Béni Mellal")
ACTS = ("saisit une cargaison de cannabis", "démantèle un réseau de migration irrégulière",
        "arrête un suspect recherché à l'étranger", "intercepte une embarcation", "saisit des faux documents")


def article(n: int) -> str:
    city, act = CITIES[n], ACTS[n % len(ACTS)]
    title = f"{city} : la police {act}"
    body = " ".join([
        f"La police de {city} {act}, a annoncé la direction régionale le {n + 1} novembre {2001 + n}.",
        f"L'opération a mobilisé {n + 12} agents et a conduit à l'interpellation de {n + 2} personnes.",
        f"Les enquêteurs de {city} poursuivent leurs investigations sous la supervision du parquet compétent.",
        f"Le bilan provisoire fait état de {n * 7 + 5} pièces saisies, selon la même source.",
    ])
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{{{{iso:0}}}}"></head>'
            f"<body><article><h1>{title}</h1><p>{body}</p></article></body></html>\n")


def build_site(folder: Path) -> None:
    routes = ["/robots.txt robots.txt text/plain", "/feed/ feed.xml application/rss+xml"]
    items = []
    for n in range(len(CITIES)):
        (folder / f"b{n}.html").write_text(article(n), encoding="utf-8")
        routes.append(f"/actu/{n + 100}.html b{n}.html")
        items.append(f"<item><title>{n}</title><link>{{{{base}}}}/actu/{n + 100}.html</link>"
                     f"<pubDate>{{{{rfc822:0}}}}</pubDate></item>")
    (folder / "feed.xml").write_text('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>b</title>'
                                     + "".join(items) + "</channel></rss>", encoding="utf-8")
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    (folder / "routes.txt").write_text("\n".join(routes) + "\n", encoding="utf-8")


def test_twenty_matching_reports_become_one_message(tmp_path: Path, json_receiver) -> None:
    (tmp_path / "site").mkdir()
    build_site(tmp_path / "site")
    site = LocalSite(tmp_path / "site").start()
    try:
        config = tmp_path / "config.yaml"
        config.write_text(f"""\
database: news.db
sources:
  - {{name: burst-fr, url: '{site.url}/', lang: fr, feeds: ['{site.url}/feed/'], article_pattern: '/actu/\\d+\\.html$'}}
crawl: {{download_delay: 0, autothrottle: false, concurrent_per_site: 4, timeout: 10, allow_private_networks: true,
        workers: 1}}
watchlists:
  - {{name: police-ma, query: 'police AND (saisit OR démantèle OR arrête OR intercepte) AND NOT sport*', channels: [hook]}}
alerts:
  channels:
    hook: {{url: "{json_receiver.url}"}}
  fold_seconds: 300
""", encoding="utf-8")
        result = run_newsmon("crawl", "--config", str(config), "--quiet", timeout=500)
    finally:
        site.stop()
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "news.db") as db:
        assert db.execute("SELECT count(DISTINCT event_id) FROM articles").fetchone()[0] == 20
        assert db.execute("SELECT status, count(*) FROM alert_ledger GROUP BY status").fetchall() == [("sent", 20)]
    [message] = json_receiver.messages
    assert message["title"] == "newsmon: 20 new reports match police-ma"
    assert all(f"{city} : la police" in message["message"] for city in CITIES)
