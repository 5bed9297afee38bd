"""A news site on 127.0.0.1 whose pages are generated: many normal articles beside hostile ones.

Written for the robustness tests (issue 11): ``articles`` ordinary French
articles (each a different text, written here), plus, when asked, a 0.6 MB
Arabic page without a single full stop (the classifier's and the
extractor's worst case) and a page holding a 6,000-row table (trafilatura
is quadratic on big tables).  Everything is listed in one RSS feed at
``/feed/``.  Request counts per path are in :attr:`LocalSite.requests`.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from crawler.localsite import LocalSite, days_ago

HERE = Path(__file__).parent
BIG_TEXT_PATH = "/a/big-text.html"
BIG_TABLE_PATH = "/a/big-table.html"
BIG_TEXT_BYTES = 600_000
BIG_TABLE_ROWS = 6_000

_TOWNS = ("Tanger", "Fès", "Oujda", "Agadir", "Meknès", "Safi", "Nador", "Tétouan", "Kénitra", "Errachidia",
          "Béni Mellal", "Laâyoune", "Dakhla", "Essaouira", "Ifrane", "Taza", "Khouribga", "Settat")
_SUBJECTS = ("la rentrée scolaire", "le marché hebdomadaire", "la saison des pluies", "un festival de musique",
             "la réfection d'une route", "un concours de poésie", "la récolte des olives", "un tournoi de football",
             "l'ouverture d'une bibliothèque", "la campagne de vaccination du bétail", "un salon du livre")
_DETAILS = ("Les habitants ont salué l'initiative", "Les commerçants attendent une hausse de la fréquentation",
            "La commune prévoit une deuxième phase l'an prochain", "Les associations locales ont participé",
            "Les jeunes du quartier ont aidé à l'organisation", "Le budget a été voté à l'unanimité",
            "Les travaux doivent durer trois mois", "Une exposition de photographies accompagne l'événement")


def article_text(n: int) -> tuple[str, str]:
    """Title and body of ordinary article ``n``: long enough to store, never about security cooperation."""
    town, subject = _TOWNS[n % len(_TOWNS)], _SUBJECTS[(n // len(_TOWNS)) % len(_SUBJECTS)]
    title = f"{town} : {subject} (édition {n})"
    sentences = [f"À {town}, {subject} a réuni cette semaine plusieurs centaines de personnes, édition numéro {n}."]
    sentences += [f"{_DETAILS[(n + i) % len(_DETAILS)]}, selon le responsable du dossier numéro {n * 7 + i}."
                  for i in range(6)]
    return title, " ".join(sentences)


def _page(title: str, body_html: str) -> str:
    when = days_ago(0).isoformat(timespec="seconds")
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="article:published_time" content="{when}"></head><body><article>'
            f"<h1>{title}</h1>{body_html}</article></body></html>")


def big_text_page() -> str:
    """0.6 MB of Arabic security vocabulary with no full stop: one 'sentence' for the classifier."""
    words = ("المغرب وإسبانيا يعززان التعاون الأمني مع الإنتربول والمديرية العامة للأمن الوطني في مجال مكافحة "
             "الإرهاب والهجرة غير النظامية و")
    body = words * (BIG_TEXT_BYTES // len(words.encode()) + 1)
    html = _page("تقرير بلا نقاط", f"<p>{body}</p>")
    return html.replace('lang="fr"', 'lang="ar"')


def big_table_page() -> str:
    cells = "".join(f"<td>colonne {c}, ligne {{i}}</td>" for c in range(14))
    rows = "".join(f"<tr><td>{i}</td>{cells.format(i=i)}<td>{i * 3} dirhams</td></tr>" for i in range(BIG_TABLE_ROWS))
    return _page("Tableau des prix", f"<p>Le tableau complet des prix relevés cette semaine.</p><table>{rows}</table>")


class HostileSite(LocalSite):
    def __init__(self, articles: int = 20, *, big_text: bool = True, big_table: bool = True,
                 delay: float = 0.0) -> None:
        super().__init__(HERE / "hostile")
        self.articles = articles
        self.delay = delay  # seconds before each article answers, to stretch a crawl
        self.in_flight = 0
        self.most_in_flight = 0  # the most article requests answered at the same time
        self.hostile = [path for path, wanted in ((BIG_TEXT_PATH, big_text), (BIG_TABLE_PATH, big_table)) if wanted]

    def article_paths(self) -> list[str]:
        return [f"/a/{n}.html" for n in range(self.articles)]

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path == "/robots.txt":
            super().respond(handler)
        elif path == "/feed/":
            self.send(handler, 200, self._feed(), "application/rss+xml")
        elif path == BIG_TEXT_PATH and path in self.hostile:
            self.send(handler, 200, big_text_page())
        elif path == BIG_TABLE_PATH and path in self.hostile:
            self.send(handler, 200, big_table_page())
        elif path in self.article_paths():
            with self._lock:
                self.in_flight += 1
                self.most_in_flight = max(self.most_in_flight, self.in_flight)
            try:
                time.sleep(self.delay)
            finally:
                with self._lock:
                    self.in_flight -= 1
            title, body = article_text(int(path.rsplit("/", 1)[1].split(".")[0]))
            self.send(handler, 200, _page(title, f"<p>{body}</p>"))
        else:
            self.send(handler, 404, "<html><body><h1>404</h1></body></html>")

    def _feed(self) -> str:
        # The hostile pages come first, as the newest items: the worker meets them before the others.
        items = "".join(f"<item><title>item</title><link>{self.url}{path}</link></item>"
                        for path in [*self.hostile, *self.article_paths()])
        return f'<?xml version="1.0"?><rss version="2.0"><channel><title>hostile</title>{items}</channel></rss>'

    def config(self, folder: Path, *, database: str = "newsmon.db", **crawl: object) -> Path:
        """A config crawling this site alone, fast; ``crawl`` overrides keys of the ``crawl:`` section."""
        settings: dict[str, object] = {
            "download_delay": 0, "autothrottle": "false", "concurrent_per_site": 4, "timeout": 10, "retries": 0,
            "max_page_bytes": 5_000_000, "allow_private_networks": "true", "workers": 1, "max_run_minutes": 5,
            "keep_html": "false",
        }
        settings.update(crawl)
        lines = [f"database: {database}", "sources:", "  - name: hostile", f"    url: '{self.url}/'", "    lang: fr",
                 f"    feeds: ['{self.url}/feed/']", rf"    article_pattern: '^{self.url}/a/[^/]+\.html$'", "crawl:"]
        lines += [f"  {key}: {value}" for key, value in settings.items()]
        path = Path(folder) / "config.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path
