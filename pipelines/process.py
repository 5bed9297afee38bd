"""One fetched page in, one ``articles`` row out: extract, date, classify, fingerprint.

This is the pure heart of the pipeline.  The Scrapy item pipeline calls it on
fresh pages and ``newsmon reprocess`` calls it on stored HTML, so both paths
produce identical rows and neither needs a network.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.article_date import date_article
from pipelines.classify import CLASSIFIER_VERSION, Verdict, classify
from pipelines.config_fields import Number, setting
from pipelines.dedupe import content_hash, simhash
from pipelines.event_keys import EventKeys, event_keys
from pipelines.extract import extract_article, headline, parse_html
from pipelines.normalize import normalize_for_search
from pipelines.store import search_text

# Below this many characters the "body" is a menu or a cookie banner, not an
# article: there is nothing to classify, and the page counts as an extraction
# failure for source health.
MIN_TEXT_CHARS = 60


@dataclass(frozen=True)
class ClassifierSettings:
    """The ``classifier:`` section of config.yaml."""

    threshold: float = setting(0.5, check=Number(maximum=1), help="score at or above which a story is flagged")


@dataclass(frozen=True)
class ProcessSettings:
    """What the page stage reads, gathered from several config sections by ``Config.process_settings``."""

    max_age_days: int | None  # None: no age limit (reprocessing, `sources check`, imports)
    threshold: float
    min_body_chars: int  # shorter bodies are stored but flagged 'short_body' for source health
    timezone: str = "Africa/Casablanca"  # the zone of printed times that name none


@dataclass(frozen=True)
class PageSource:
    """The three facts about a page's source that processing reads."""

    name: str
    lang: str
    date_selector: str | None = None


@dataclass(frozen=True)
class PageInput:
    url: str
    source: PageSource
    html: str
    fetched_at: datetime
    feed_date: datetime | None = None
    feed_title: str | None = None


@dataclass(frozen=True)
class Processed:
    row: dict[str, Any] | None  # articles columns as Python values (datetimes, lists); the store spells them
    simhash: int | None
    rejected: str | None  # None when the row is to be stored; else 'too_old' | 'empty'
    flags: frozenset[str] = field(default_factory=frozenset)  # health signals: 'no_date', 'short_body'
    keys: EventKeys | None = None  # event-grouping keys, computed in the worker like the rest


def process_page(page: PageInput, settings: ProcessSettings) -> Processed:
    """Turn a page into an article row, or say why it is not stored.

    Age is judged against the fetch time, not the wall clock, so that
    reprocessing old HTML reaches the same decision as the original crawl.
    """
    tree = parse_html(page.html)
    if tree is None:
        return Processed(None, None, "empty")
    extracted = extract_article(tree, page.url, page.source.lang)
    if extracted is None or len(extracted.text) < MIN_TEXT_CHARS:
        return Processed(None, None, "empty")
    dated = date_article(
        tree, page.url, lang=extracted.lang, feed_date=page.feed_date, now=page.fetched_at,
        selector=page.source.date_selector, fallback=extracted.date, zone=ZoneInfo(settings.timezone),
    )
    flags = set()
    if dated.published_at is None:
        flags.add("no_date")
    elif settings.max_age_days is not None and dated.published_at < page.fetched_at - timedelta(days=settings.max_age_days):
        return Processed(None, None, "too_old", frozenset(flags))
    if len(extracted.text) < settings.min_body_chars:
        flags.add("short_body")
    row, fingerprint = article_row(
        url=page.url, source=page.source.name, lang=extracted.lang,
        title=headline(tree, extracted.title, page.feed_title) or page.feed_title,
        text=extracted.text, author=extracted.author, published_at=dated.published_at, date_origin=dated.origin,
        date_raw=dated.raw, fetched_at=page.fetched_at, threshold=settings.threshold,
    )
    return Processed(row, fingerprint, None, frozenset(flags), event_keys(row["title"], row["text"]))


def article_row(*, url: str, source: str, lang: str, title: str | None, text: str, author: str | None,
                published_at: datetime | None, date_origin: str | None, date_raw: str | None,
                fetched_at: datetime, threshold: float) -> tuple[dict[str, Any], int | None]:
    """The ``articles`` row of an extracted (or imported) article, and its simhash.

    Crawled pages and ``newsmon import`` lines both go through here, so an
    imported report is stored exactly as the same report crawled would be.
    """
    normalized_text = normalize_for_search(text)
    verdict = classify(title or "", text, lang, threshold=threshold)
    row = {
        "url": url,
        "source": source,
        "lang": lang,
        "title": title,
        "text": text,
        "author": author,
        "published_at": published_at,
        "date_origin": date_origin,
        "date_raw": date_raw,
        "fetched_at": fetched_at,
        "content_hash": content_hash(text, normalized=normalized_text),
        "search_text": search_text(title, text, normalized_text=normalized_text),
        **verdict_columns(verdict),
    }
    return row, simhash(text, normalized=normalized_text)


def verdict_columns(verdict: Verdict) -> dict[str, Any]:
    """The classifier's output as `articles` columns (partners and reasons stay lists)."""
    return {
        "flagged": int(verdict.flagged),
        "score": round(float(verdict.score), 4),
        "subtype": verdict.subtype,
        "partners": list(verdict.partners),
        "reasons": list(verdict.reasons),
        "classifier_version": CLASSIFIER_VERSION,
    }
