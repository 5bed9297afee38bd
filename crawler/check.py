"""``newsmon sources check``: does each source still work, right now?

Where health (pipelines.health) judges a source from its history, this asks
the site directly: fetch its feeds and sitemaps (or its homepage when it has
neither), count the links that match its ``article_pattern``, fetch one such
article and see whether extraction and dating succeed on it.  It is the
first thing to run after adding a source or when ``status`` says one broke.

It uses a plain blocking HTTP client (urllib) instead of the Scrapy engine:
a handful of requests per source needs no scheduler, and a thread pool runs
the sources side by side so thirty unreachable sites cost one timeout, not
thirty.  The crawler's own rules still apply: the configured User-Agent,
timeout and size limit, and the refusal of loopback and private addresses
(redirects included) unless ``crawl.allow_private_networks`` is set.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse, Response, XmlResponse

from crawler.block_pages import blocked_reason
from crawler.discovery import Candidate, read_listing, robots_sitemaps, standard_candidates
from crawler.feeds import FeedError, parse_feed, parse_sitemap
from crawler.listing import feed_links, links
from crawler.netguard import refusal_reason
from crawler.urls import canonical_url, published_url, readable_url
from pipelines.dbtime import utc_now
from pipelines.health import CONFIG_ADVICE

if TYPE_CHECKING:
    from crawler.config import Config, CrawlSettings, Source

MAX_WORKERS = 16


class FetchError(Exception):
    """A request that produced no usable response; the message is one line."""


class Blocked(FetchError):
    """The site answered, but with a 403 or a bot challenge."""


class Unreachable(FetchError):
    """No answer at all (DNS, refused connection, timeout): the host's other URLs are not tried."""


@dataclass
class CheckResult:
    source: str
    reachable: str = "no"  # yes | no | blocked
    items: int = 0  # links found in feeds, sitemaps or the homepage
    matching: int = 0  # of those, links that match the article pattern
    article_url: str | None = None
    extraction_ok: bool | None = None  # None: no article could be tried
    date_found: bool | None = None
    problems: list[str] = field(default_factory=list)
    host_down: bool = False

    @property
    def ok(self) -> bool:
        return self.reachable == "yes" and bool(self.matching) and bool(self.extraction_ok) and bool(self.date_found)


Fetcher = Callable[[str], Response]


def check_sources(sources: tuple[Source, ...] | list[Source], config: Config,
                  fetch: Fetcher | None = None) -> list[CheckResult]:
    """Check every source concurrently; results come back in the order given."""
    fetcher = fetch or make_fetcher(config.crawl)
    if not sources:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_WORKERS, len(sources))) as pool:
        return list(pool.map(lambda s: check_source(s, config, fetcher), sources))


def check_source(source: Source, config: Config, fetch: Fetcher) -> CheckResult:
    """Feeds and sitemaps, then the homepage if they yield nothing, then one article."""
    result = CheckResult(source.name)
    found: list[str] = []
    for url in source.feeds:
        found += _entries(result, url, fetch, feed=True)
    for url in source.sitemaps:
        found += _entries(result, url, fetch, feed=False)
    configured = source.feeds or source.sitemaps
    answering = not result.host_down and result.reachable != "blocked"
    if configured and answering and not any(_is_article(source, u) for u in found):
        found += _discover(result, source, fetch)
    if not found or source.start_urls:
        for url in source.start_urls or (source.url,):
            found += _homepage_links(result, url, fetch)
    found = list(dict.fromkeys(found))
    result.items = len(found)
    articles = [url for url in found if _is_article(source, url)]
    result.matching = len(articles)
    if articles:
        _try_article(result, source, articles[0], config, fetch)
    elif result.reachable == "yes":
        result.problems.append(f"none of {len(found)} link(s) matches article_pattern")
    if result.reachable == "blocked" and source.fetcher != "impersonate":
        # Cloudflare-style refusals often target the TLS handshake, not the request.
        if result.problems:
            result.problems[0] += " — try `fetcher: impersonate` for this source (browser TLS fingerprint)"
    return result


def _discover(result: CheckResult, source: Source, fetch: Fetcher) -> list[str]:
    """Try the crawler's alternatives (crawler.discovery) in order; the first listing articles is reported."""
    queue = standard_candidates(source.url)
    while queue:
        candidate = queue.pop(0)
        try:
            response = fetch(candidate.url)
        except FetchError:
            continue
        if candidate.kind == "robots":
            queue[:0] = [Candidate("sitemap", u) for u in robots_sitemaps(response.body)]
            continue
        if candidate.kind == "homepage":
            if isinstance(response, HtmlResponse):
                queue[:0] = [Candidate("feed", u) for u in feed_links(response)]
            continue
        try:
            listing = read_listing(candidate.kind, response.body)
        except FeedError:
            continue
        urls = [published_url(e.url, base=response.url) for e in listing.entries]
        if listing.children and not urls:
            child = _fetch(result, published_url(listing.children[0].url, base=response.url), fetch)
            try:
                urls = [published_url(e.url, base=child.url) for e in parse_sitemap(child.body).entries] if child else []
            except FeedError:
                urls = []
        if any(_is_article(source, u) for u in urls):
            result.reachable = "yes"
            what = "WordPress API" if candidate.kind == "wp_api" else candidate.kind
            result.problems.insert(0, f"configured feeds/sitemaps list no article; {what} {candidate.url} does "
                                      f"— {CONFIG_ADVICE}")
            return urls
    return []


def _is_article(source: Source, url: str) -> bool:
    """Patterns are written against the canonical form, as the crawler matches them."""
    canonical = canonical_url(url)
    return source.is_article(canonical) or source.is_article(readable_url(canonical))


def _fetch(result: CheckResult, url: str, fetch: Fetcher) -> Response | None:
    """Fetch one URL, recording reachability and the first problems on ``result``."""
    if result.host_down:
        return None
    try:
        response = fetch(url)
    except Blocked as exc:
        if result.reachable == "no":
            result.reachable = "blocked"
        result.problems.append(str(exc))
        return None
    except FetchError as exc:
        result.host_down = isinstance(exc, Unreachable) and result.reachable == "no"
        result.problems.append(str(exc))
        return None
    result.reachable = "yes"
    return response


def _entries(result: CheckResult, url: str, fetch: Fetcher, *, feed: bool) -> list[str]:
    response = _fetch(result, url, fetch)
    if response is None:
        return []
    try:
        if feed:
            entries = parse_feed(response.body)
        else:
            sitemap = parse_sitemap(response.body)
            entries = list(sitemap.entries)
            if not entries and sitemap.children:
                # An index: the first child sitemap is enough to see what articles look like.
                child = _fetch(result, published_url(sitemap.children[0].url, base=url), fetch)
                entries = list(parse_sitemap(child.body).entries) if child is not None else []
    except FeedError as exc:
        result.problems.append(f"{url}: {exc}")
        return []
    if not entries:
        result.problems.append(f"{url}: no entries")
    return [published_url(e.url, base=response.url) for e in entries]


def _homepage_links(result: CheckResult, url: str, fetch: Fetcher) -> list[str]:
    """Links of a listing page, plus the entries of any feed it advertises."""
    response = _fetch(result, url, fetch)
    if not isinstance(response, HtmlResponse):
        return []
    found = links(response)
    for feed in feed_links(response)[:1]:
        found += _entries(result, feed, fetch, feed=True)
    return found


def _try_article(result: CheckResult, source: Source, url: str, config: Config, fetch: Fetcher) -> None:
    # trafilatura is heavy: load it only when needed.  A check is a one-off: the
    # article's age does not matter, only whether it can be read and dated.
    from pipelines.process import PageInput, process_page

    result.article_url = url
    response = _fetch(result, url, fetch)
    if response is None:
        return
    html = response.text if isinstance(response, HtmlResponse) else response.body.decode("utf-8", "replace")
    page = PageInput(url=url, source=config.page_sources()[source.name], html=html, fetched_at=utc_now())
    try:
        processed = process_page(page, config.process_settings(age_limit=False))
    except Exception as exc:  # as in the crawl's pipeline: a page that breaks the extractor is a finding, not a crash
        result.extraction_ok = False
        result.problems.append(f"{url}: processing failed: {type(exc).__name__}: {str(exc)[:200]}")
        return
    result.extraction_ok = processed.row is not None
    result.date_found = bool(processed.row and processed.row.get("published_at"))
    if not result.extraction_ok:
        result.problems.append(f"{url}: no article text extracted")
    elif not result.date_found:
        result.problems.append(f"{url}: no publication date found")


# -- the HTTP client ----------------------------------------------------------------

def make_fetcher(settings: CrawlSettings) -> Fetcher:
    """A blocking GET with the crawler's User-Agent, timeout, size limit and network guard."""
    guard = None if settings.allow_private_networks else _GuardedRedirects()
    handlers = [guard] if guard else []
    opener = urllib.request.build_opener(*handlers)

    def fetch(url: str) -> Response:
        if guard:
            _refuse_private(url)
        request = urllib.request.Request(url, headers={
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        })
        try:
            with opener.open(request, timeout=settings.timeout) as answer:
                status, final_url, headers = answer.status, answer.geturl(), dict(answer.headers.items())
                body = answer.read(settings.max_page_bytes + 1)
        except urllib.error.HTTPError as exc:
            status, final_url, headers = exc.code, exc.geturl() or url, dict(exc.headers.items()) if exc.headers else {}
            body = exc.read(settings.max_page_bytes + 1) if exc.fp else b""
        except urllib.error.URLError as exc:
            raise Unreachable(f"{url}: {_reason(exc.reason)}") from None
        except TimeoutError:
            raise Unreachable(f"{url}: timed out after {settings.timeout:g} s") from None
        except (OSError, ValueError) as exc:  # connection resets, malformed URLs, bad status lines
            raise Unreachable(f"{url}: {exc}") from None
        if len(body) > settings.max_page_bytes:
            raise FetchError(f"{url}: larger than {settings.max_page_bytes} bytes")
        response = _response(final_url, status, headers, body)
        reason = blocked_reason(response)
        if reason:
            raise Blocked(f"{url}: {reason}")
        if status >= 400:
            raise FetchError(f"{url}: HTTP {status}")
        return response

    return fetch


def _response(url: str, status: int, headers: dict[str, str], body: bytes) -> Response:
    kind = headers.get("Content-Type", headers.get("content-type", "")).lower()
    cls = XmlResponse if "xml" in kind and "html" not in kind else HtmlResponse
    return cls(url=url, status=status, headers=headers, body=body)


def _refuse_private(url: str) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unreachable(f"{url}: cannot resolve {host} ({_reason(exc)})") from None
    reason = refusal_reason(host, sorted({info[4][0] for info in infos}))
    if reason:
        raise FetchError(f"{url}: {reason}")


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """Apply the private-network refusal to every redirect target too."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        _refuse_private(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _reason(reason: object) -> str:
    if isinstance(reason, socket.gaierror):
        return "DNS lookup failed"
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    return str(reason)


# -- the table -------------------------------------------------------------------------

def format_table(results: list[CheckResult]) -> str:
    """One line per source; an unreachable one says why in its last column."""
    header = f"{'source':<20} {'reachable':<9} {'items':>5} {'match':>5}  {'extract':<7} {'date':<4}  problem"
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(f"{r.source:<20} {r.reachable:<9} {r.items:>5} {r.matching:>5}  {_mark(r.extraction_ok):<7} "
                     f"{_mark(r.date_found):<4}  {r.problems[0] if r.problems else ''}")
    reachable = sum(r.reachable == "yes" for r in results)
    working = sum(r.ok for r in results)
    lines.append(f"{reachable} of {len(results)} source(s) reachable, {working} fully working "
                 "(article found, extracted and dated)")
    return "\n".join(lines)


def _mark(value: bool | None) -> str:
    return "-" if value is None else ("yes" if value else "NO")
