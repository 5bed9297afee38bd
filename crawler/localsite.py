"""Serve a small templated news site on 127.0.0.1: the demo, the benchmark and the tests.

A site is a folder of files plus ``routes.txt`` mapping URL paths to them::

    # path                      file            content type
    /feed/                      feed.xml        application/rss+xml
    /الأمن-المغربي-1001.html     a1001.html

Paths are matched after percent-decoding, so a feed may spell an Arabic
slug raw or escaped.  Files are templates: ``{{base}}`` is the site's URL, ``{{port}}`` its port, and
``{{iso:N}}``, ``{{rfc822:N}}``, ``{{date:N}}``, ``{{ar:N}}``, ``{{fr:N}}``,
``{{en:N}}`` are dates N days ago (10:15, Casablanca time) in those
formats, so fixture articles stay "recent" whatever day the suite runs.
Every request is logged in :attr:`LocalSite.requests` for assertions.
"""

from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

CASABLANCA = ZoneInfo("Africa/Casablanca")
# The built-in demo site (articles written for the project in ar/fr/en), also served to the tests.
DEMO_SITE = Path(__file__).with_name("demo")
_PLACEHOLDER = re.compile(r"\{\{(base|port|iso|rfc822|date|ar|fr|en):?(-?\d+)?\}\}")
_AR_MONTHS = ("يناير", "فبراير", "مارس", "أبريل", "ماي", "يونيو", "يوليوز", "غشت", "شتنبر", "أكتوبر", "نونبر", "دجنبر")
_FR_MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre")
_EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
_TYPES = {".xml": "application/xml", ".html": "text/html", ".txt": "text/plain", ".json": "application/json"}


def days_ago(days: int, now: datetime | None = None) -> datetime:
    """10:15 in Casablanca, ``days`` days before today: the timestamp of fixture article N."""
    today = (now or datetime.now(CASABLANCA)).astimezone(CASABLANCA)
    return (today - timedelta(days=days)).replace(hour=10, minute=15, second=0, microsecond=0)


def render(text: str, base: str, now: datetime | None = None) -> str:
    def substitute(match: re.Match[str]) -> str:
        kind, offset = match.group(1), int(match.group(2) or 0)
        if kind == "base":
            return base
        if kind == "port":
            return base.rsplit(":", 1)[-1]
        moment = days_ago(offset, now)
        if kind == "iso":
            return moment.isoformat(timespec="seconds")
        if kind == "rfc822":
            return format_datetime(moment)
        if kind == "date":
            return moment.date().isoformat()
        if kind == "ar":
            return f"{moment.day} {_AR_MONTHS[moment.month - 1]} {moment.year} - {moment:%H:%M}"
        if kind == "fr":
            return f"{moment.day} {_FR_MONTHS[moment.month - 1]} {moment.year} à {moment:%Hh%M}"
        return f"{moment.day} {_EN_MONTHS[moment.month - 1]} {moment.year}, {moment:%H:%M}"

    return _PLACEHOLDER.sub(substitute, text)


@dataclass(frozen=True)
class Route:
    path: str
    target: str  # a file name, or "@behaviour[:file]" for subclasses that simulate trouble
    content_type: str


@dataclass(frozen=True)
class Hit:
    path: str  # as sent, query included
    host: str
    user_agent: str


def load_routes(folder: Path) -> dict[str, Route]:
    routes = {}
    for line in (folder / "routes.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split() if not line.lstrip().startswith("#") else []
        if not fields:
            continue
        path, target = unquote(fields[0]), fields[1]
        file_name = target.split(":", 1)[-1] if target.startswith("@") else target
        content_type = fields[2] if len(fields) > 2 else _TYPES.get(Path(file_name).suffix, "text/html")
        routes[path] = Route(path, target, content_type)
    return routes


class LocalSite:
    """One site on its own port; ``start()`` returns once it accepts connections."""

    def __init__(self, folder: Path, *, encoding: str = "utf-8", charset_header: bool = True) -> None:
        self.folder = folder
        self.routes = load_routes(folder)
        self.encoding = encoding
        self.charset_header = charset_header  # False: the charset is only in the page's <meta>
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------
    def start(self, port: int = 0) -> LocalSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                with site._lock:
                    site.log.append(Hit(self.path, self.headers.get("Host", ""), self.headers.get("User-Agent", "")))
                site.respond(self)

            def log_message(self, *args: object) -> None:
                pass

        self._server = _QuietServer(("127.0.0.1", port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name=f"site-{self.folder.name}", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash: ``http://127.0.0.1:PORT``."""
        assert self._server is not None, "site not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def requests(self) -> list[str]:
        """Paths requested so far (query included, as sent), in order."""
        with self._lock:
            return [hit.path for hit in self.log]

    def reset(self) -> None:
        with self._lock:
            self.log.clear()

    # -- responses ------------------------------------------------------------------
    def route(self, raw_path: str) -> Route | None:
        parts = urlsplit(raw_path)
        path = unquote(parts.path) + (f"?{unquote(parts.query)}" if parts.query else "")
        return self.routes.get(path) or self.routes.get(unquote(parts.path))

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        route = self.route(handler.path)
        if route is None or route.target.startswith("@"):
            self.send(handler, 404, "<html><body><h1>404</h1></body></html>")
            return
        self.send(handler, 200, self.page(route.target), route.content_type)

    def page(self, file_name: str) -> str:
        return render((self.folder / file_name).read_text(encoding="utf-8"), self.url)

    def send(self, handler: BaseHTTPRequestHandler, status: int, body: str | bytes,
             content_type: str = "text/html", headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else body.encode(self.encoding, errors="xmlcharrefreplace")
        if self.charset_header and not isinstance(body, bytes):
            content_type = f"{content_type}; charset={self.encoding}"
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)


class _QuietServer(ThreadingHTTPServer):
    """A crawler that gives up on a slow or huge page hangs up: that is expected, not an error."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)

