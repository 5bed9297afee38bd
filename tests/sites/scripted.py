"""A programmable site on 127.0.0.1 that answers only the exact request-targets it was given.

Unlike :class:`crawler.localsite.LocalSite`, which matches paths after
percent-decoding (a forgiving server), this one compares the request-target
byte for byte: ``/d%27accords-1.html`` is not ``/d'accords-1.html``, and
``?b=2&a=1`` is not ``?a=1&b=2``.  Real servers behind some CMSs are that
strict, and a crawler that rewrites links loses their articles.

Each target maps to an :class:`Answer`, or to a list of answers served in turn
(the last one repeating) for pages that change between runs; everything else
is a 404.  Every request-target is logged, in order, for assertions.
"""

from __future__ import annotations

import ssl
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a hanging server)

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


class ScriptedSite:
    def __init__(self) -> None:
        self.answers: dict[str, Answer | list[Answer]] = {}
        self.log: list[str] = []
        self.headers: list[dict[str, str]] = []  # request headers, in the order of ``log``
        self.scheme = "http"
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self, tls: ssl.SSLContext | None = None) -> ScriptedSite:
        """Serve on a free loopback port; with ``tls``, over HTTPS."""
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                site._respond(self)

            def log_message(self, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        threading.Thread(target=self._server.serve_forever, name="scripted-site", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "site not started"
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    def requests_of(self, target: str) -> int:
        with self._lock:
            return self.log.count(target)

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        target = handler.path
        with self._lock:
            self.log.append(target)
            self.headers.append({k.lower(): v for k, v in handler.headers.items()})
            scripted = self.answers.get(target)
            if isinstance(scripted, list):
                turn = self._served.get(target, 0)
                self._served[target] = turn + 1
                scripted = scripted[min(turn, len(scripted) - 1)]
        answer = scripted or Answer("<html><body><h1>404</h1></body></html>", status=404)
        if answer.delay:
            time.sleep(answer.delay)
        data = answer.payload()
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


TOPICS = ["la coopération policière", "la formation des cadres", "un salon du tourisme", "le trafic portuaire",
          "la sécurité routière", "un rapport annuel", "une enquête douanière", "la surveillance des frontières",
          "la pêche artisanale", "les énergies solaires", "une réforme scolaire", "la gestion de l'eau",
          "un festival de musique", "les marchés de gros", "la protection civile"]


def article_html(number: int, published: datetime) -> str:
    """A French article page written for the tests: distinct per ``number``, dated by meta."""
    topic = TOPICS[number % len(TOPICS)]
    paragraphs = [
        f"Les autorités régionales ont présenté mardi un bilan détaillé consacré à {topic}, "
        f"devant les élus et les représentants de la société civile réunis pour l'occasion (dossier {number}).",
        f"Selon le document, {number % 97 + 3} projets ont été lancés depuis le début de l'année et plusieurs "
        "chantiers doivent être achevés avant l'été, malgré des retards signalés dans deux provinces.",
        "Les responsables ont insisté sur le suivi des engagements pris et promis une nouvelle réunion "
        "d'évaluation à la rentrée, ouverte cette fois aux associations de quartier.",
    ]
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Dossier {number} sur {topic}</title>'
            f'<meta property="article:published_time" content="{published.isoformat(timespec="seconds")}"></head>'
            f"<body><article><h1>Dossier {number} sur {escape(topic)}</h1>{body}</article></body></html>")


def rss(base: str, links: list[tuple[str, datetime]]) -> Answer:
    """An RSS feed of ``(path, published)`` links on ``base``."""
    from email.utils import format_datetime

    items = "".join(f"<item><title>Dossier {i}</title><link>{escape(base + path)}</link>"
                    f"<pubDate>{format_datetime(when)}</pubDate></item>" for i, (path, when) in enumerate(links))
    return Answer(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Site</title>{items}'
                  "</channel></rss>", content_type="application/rss+xml")


def redirect(location: str, status: int = 302) -> Answer:
    return Answer("", status=status, headers={"Location": location})


ALLOW_ALL = Answer("User-agent: *\nAllow: /\n", content_type="text/plain")


def source_yaml(name: str, base: str, pattern: str, *, feeds: tuple[str, ...] = (), sitemaps: tuple[str, ...] = (),
                start_urls: tuple[str, ...] = (), lang: str = "fr", extra: str = "") -> str:
    """One ``sources:`` entry; URLs are paths on ``base``, ``pattern`` is appended to the escaped base."""
    import re

    lines = [f"  - name: {name}", f"    url: '{base}/'", f"    lang: {lang}",
             f"    article_pattern: '^{re.escape(base)}{pattern}'"]
    for key, paths in (("feeds", feeds), ("sitemaps", sitemaps), ("start_urls", start_urls)):
        if paths:
            lines.append(f"    {key}: [{', '.join(repr(base + p) for p in paths)}]")
    return "\n".join(lines) + "\n" + extra


def crawl_config(sources: str, **crawl: object) -> str:
    """A config.yaml crawling the given sources fast (no delay, no retry, short timeout)."""
    settings: dict[str, object] = {"download_delay": 0, "autothrottle": "false", "concurrent_per_site": 4,
                                   "timeout": 2, "retries": 0, "allow_private_networks": "true",
                                   "listing_depth": 0, "workers": 1, "max_page_bytes": 200_000}
    settings.update(crawl)
    return "database: newsmon.db\nsources:\n" + sources + "crawl:\n" + "".join(
        f"  {key}: {value}\n" for key, value in settings.items())
