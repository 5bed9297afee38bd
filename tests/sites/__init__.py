"""Fixture news sites on 127.0.0.1 for crawler, daemon and source-health tests.

Four sites, each on its own port, written for the project (no copied text):

- ``ar_wp``: Arabic WordPress-like site, RSS feed, Yoast JSON-LD, Arabic
  slugs (raw and percent-encoded), robots.txt-disallowed and off-site links,
  and the pathological pages (always 500, 503 once then 200, slower than the
  timeout, larger than the size limit, redirect to 169.254.169.254);
- ``fr_sitemap``: French site with only a sitemap index (news sitemap + an
  old monthly sitemap) and listings paginated by rel=next, "Suivant »" and
  page numbers;
- ``en_atom``: English site with an Atom feed, dates only in visible text;
- ``ar_legacy``: windows-1256 portal (charset only in ``<meta>``), ``?id=``
  URLs, republishing one ``ar_wp`` article.

Usage (``news_site`` fixture in tests/conftest.py)::

    def test_x(news_site, tmp_path):
        config = news_site.write_config(tmp_path)            # all four sites
        news_site["ar_wp"].set_mode("forbidden")              # 403 everywhere
        ...run `newsmon crawl --config config` in a subprocess...
        assert "/feed/" in news_site["ar_wp"].requests

Modes: ``normal``; ``silent`` (feeds, sitemaps and listings list nothing);
``forbidden`` (403 on every path); ``challenge`` (a Cloudflare-style "Just a
moment..." page with 503); ``broken`` (article pages lose their text, as
after a redesign).  ``stop()`` a site to get "connection refused".
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from crawler.localsite import LocalSite

HERE = Path(__file__).parent
SITE_NAMES = ("ar_wp", "fr_sitemap", "en_atom", "ar_legacy")
MODES = ("normal", "silent", "forbidden", "challenge", "broken")
SLOW_SECONDS = 5.0
HUGE_BYTES = 400_000

CHALLENGE_PAGE = """<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta name="robots" content="noindex,nofollow"></head><body><div class="main-wrapper">
<h1>Checking your browser before accessing the site.</h1>
<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1"></script></div></body></html>"""
BROKEN_ARTICLE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>-</title></head>
<body><div id="app"></div><script>window.__STATE__ = {}</script></body></html>"""
_EMPTY = {
    "application/rss+xml": '<?xml version="1.0"?><rss version="2.0"><channel><title>-</title></channel></rss>',
    "application/atom+xml": '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>-</title></feed>',
    "application/xml": '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>',
    "text/html": "<!DOCTYPE html><html><head><meta charset='utf-8'><title>-</title></head><body></body></html>",
}
# Article files: the sites' own (a1003.html) and those shared with the demo (../crawler/demo/ar-1001.html).
_ARTICLE_FILE = re.compile(r"(?:^|/)(?:(?:a|f|e|n)|(?:ar|fr|en)-)\d+\.html$")


class FixtureSite(LocalSite):
    """A :class:`LocalSite` that can misbehave on purpose (see the module docstring)."""

    def __init__(self, name: str) -> None:
        legacy = name == "ar_legacy"
        super().__init__(HERE / name, encoding="cp1256" if legacy else "utf-8", charset_header=not legacy)
        self.name = name
        self.mode = "normal"
        self._hits_by_path: dict[str, int] = {}

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        self.mode = mode

    def reset(self) -> None:
        """Forget the request log and the 503-once memory; back to normal mode."""
        super().reset()
        self._hits_by_path.clear()
        self.mode = "normal"

    def respond(self, handler: BaseHTTPRequestHandler) -> None:
        if self.mode == "forbidden":
            self.send(handler, 403, "<html><body><h1>403 Forbidden</h1></body></html>")
            return
        if self.mode == "challenge":
            self.send(handler, 503, CHALLENGE_PAGE, headers={"Server": "cloudflare"})
            return
        route = self.route(handler.path)
        if route is None:
            self.send(handler, 404, "<html><body><h1>404</h1></body></html>")
            return
        if not route.target.startswith("@"):
            self._serve_file(handler, route.target, route.content_type)
            return
        behaviour, _, argument = route.target[1:].partition(":")
        count = self._count(route.path)
        if behaviour == "always500":
            self.send(handler, 500, "<html><body>Internal Server Error</body></html>")
        elif behaviour == "flaky503":
            if count == 1:
                self.send(handler, 503, "<html><body>Service Unavailable</body></html>")
            else:
                self._serve_file(handler, argument, route.content_type)
        elif behaviour == "slow":
            time.sleep(SLOW_SECONDS)
            self._serve_file(handler, argument, route.content_type)
        elif behaviour == "huge":
            filler = "<p>" + "حشو " * 50 + "</p>\n"
            self.send(handler, 200, "<html><body>" + filler * (HUGE_BYTES // len(filler.encode()) + 1) + "</body></html>")
        elif behaviour == "redirect":
            self.send(handler, 302, "", headers={"Location": argument})
        else:
            raise ValueError(f"unknown behaviour {behaviour!r} in {self.folder / 'routes.txt'}")

    def _serve_file(self, handler: BaseHTTPRequestHandler, file_name: str, content_type: str) -> None:
        is_article = bool(_ARTICLE_FILE.search(file_name))
        if self.mode == "silent" and not is_article and file_name != "robots.txt":
            self.send(handler, 200, _EMPTY.get(content_type, _EMPTY["text/html"]), content_type)
        elif self.mode == "broken" and is_article:
            self.send(handler, 200, BROKEN_ARTICLE)
        else:
            self.send(handler, 200, self.page(file_name), content_type)

    def _count(self, path: str) -> int:
        with self._lock:
            self._hits_by_path[path] = self._hits_by_path.get(path, 0) + 1
            return self._hits_by_path[path]


class FixtureWeb:
    """The four fixture sites, started together; index by name: ``web["ar_wp"]``."""

    def __init__(self) -> None:
        self.sites = {name: FixtureSite(name) for name in SITE_NAMES}

    def start(self) -> FixtureWeb:
        for site in self.sites.values():
            site.start()
        return self

    def stop(self) -> None:
        for site in self.sites.values():
            site.stop()

    def __getitem__(self, name: str) -> FixtureSite:
        return self.sites[name]

    @property
    def url(self) -> str:
        """Base URL of the Arabic WordPress site, the one most tests need."""
        return self.sites["ar_wp"].url

    @property
    def requests(self) -> list[str]:
        """Every path requested, all sites together, prefixed by the site name: ``ar_wp:/feed/``."""
        return [f"{name}:{path}" for name, site in self.sites.items() for path in site.requests]

    def reset(self) -> None:
        for site in self.sites.values():
            site.reset()

    def set_mode(self, mode: str, *names: str) -> None:
        for name in names or SITE_NAMES:
            self.sites[name].set_mode(mode)

    def sources_yaml(self, names: tuple[str, ...] | list[str] | None = None) -> str:
        """The ``sources:`` entries for the named sites (all by default)."""
        blocks = []
        for name in names or SITE_NAMES:
            blocks.append(_source_yaml(name, self.sites[name].url))
        return "sources:\n" + "".join(blocks)

    def write_config(self, folder: Path, names: tuple[str, ...] | list[str] | None = None,
                     *, database: str = "newsmon.db", extra: str = "", **crawl: Any) -> Path:
        """Write ``folder/config.yaml`` crawling the named sites fast (no delay, short timeout).

        ``crawl`` overrides keys of the ``crawl:`` section; ``extra`` is appended verbatim
        (e.g. a ``health:`` or ``digest:`` section).
        """
        settings: dict[str, Any] = {
            "user_agent": "newsmon-test/0.1 (+https://example.org/newsmon)", "download_delay": 0,
            "autothrottle": False, "concurrent_per_site": 4, "timeout": 2.5, "retries": 1,
            "max_page_bytes": 200_000, "max_age_days": 7, "allow_private_networks": True,
            "listing_depth": 3, "max_run_minutes": 5, "workers": 1,
        }
        settings.update(crawl)
        lines = [f"database: {database}", self.sources_yaml(names).rstrip(), "crawl:"]
        lines += [f"  {key}: {_yaml_scalar(value)}" for key, value in settings.items()]
        path = Path(folder) / "config.yaml"
        path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        return path


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return '"' + str(value).replace('"', '\\"') + '"'


def _source_yaml(name: str, base: str) -> str:
    pattern_base = re.escape(base)
    specs = {
        "ar_wp": ("ar", f"feeds: ['{base}/feed/']", rf"^{pattern_base}/(?:private/)?[^/?#]+-\d{{3,}}\.html$"),
        "fr_sitemap": ("fr", f"sitemaps: ['{base}/sitemap_index.xml']\n    start_urls: ['{base}/actualites']",
                       rf"^{pattern_base}/actualites/[a-z0-9-]+-\d+$"),
        "en_atom": ("en", f"feeds: ['{base}/atom.xml']", rf"^{pattern_base}/news/\d+/[a-z0-9-]+$"),
        "ar_legacy": ("ar", f"start_urls: ['{base}/index.php']", rf"^{pattern_base}/news\.php\?id=\d+$"),
    }
    lang, discovery, pattern = specs[name]
    slug = name.replace("_", "-")
    return (f"  - name: {slug}\n    url: '{base}/'\n    lang: {lang}\n    {discovery}\n"
            f"    article_pattern: '{pattern}'\n")


NEWSMON = Path(sys.executable).with_name("newsmon")


def newsmon_command() -> list[str]:
    """The ``newsmon`` console script of this tree (or the module, where it is not installed)."""
    return [str(NEWSMON)] if NEWSMON.exists() else [sys.executable, "-m", "scheduler.cli"]


def run_newsmon(*args: str, timeout: float = 90, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``newsmon`` console script in a fresh process (Twisted's reactor cannot restart in pytest's)."""
    return subprocess.run([*newsmon_command(), *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, cwd=HERE.parent.parent)
