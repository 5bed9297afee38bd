"""Every source's article_pattern against real URLs of that site.

A pattern that misses articles makes a source silent; one that accepts
category or pagination pages fills the database with listings.  The cases
live in tests/fixtures/source_urls.yaml (real URLs from public evidence) and are
checked in both spellings the crawler may compare: the canonical one (upper-
case percent escapes) and the readable one (raw Arabic letters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from crawler.config import Source, load_config
from crawler.urls import canonical_url, readable_url

ROOT = Path(__file__).resolve().parents[2]
CASES = yaml.safe_load((ROOT / "tests" / "fixtures" / "source_urls.yaml").read_text(encoding="utf-8"))
CONFIG = load_config(ROOT / "config.yaml")
REJECT_KINDS = ("category", "tag", "author", "pagination")


def _article_urls(entry: dict[str, Any]) -> list[str]:
    return [item["url"] if isinstance(item, dict) else item for item in entry["articles"]]


def _cases(kind: str) -> Iterator[Any]:
    for name, entry in CASES.items():
        if kind == "article":
            urls = _article_urls(entry)
        else:
            urls = [url for urls in entry["rejects"].values() for url in urls]
        for url in urls:
            yield pytest.param(name, url, id=f"{name}:{url[:90]}")


def _spellings(url: str) -> list[str]:
    canonical = canonical_url(url)
    return [canonical, readable_url(canonical)]


def _source(name: str) -> Source:
    return CONFIG.source(name)


@pytest.mark.parametrize(("name", "url"), list(_cases("article")))
def test_article_urls_match(name: str, url: str) -> None:
    source = _source(name)
    for spelling in _spellings(url):
        assert source.is_article(spelling), f"{name}: article not recognised: {spelling}"


@pytest.mark.parametrize(("name", "url"), list(_cases("reject")))
def test_listing_urls_are_rejected(name: str, url: str) -> None:
    source = _source(name)
    for spelling in _spellings(url):
        assert not source.is_article(spelling), f"{name}: listing taken for an article: {spelling}"


def test_every_source_has_cases() -> None:
    configured = {s.name for s in CONFIG.sources}
    assert configured == set(CASES), "config.yaml and tests/fixtures/source_urls.yaml list different sources"


@pytest.mark.parametrize("source", CONFIG.enabled_sources, ids=lambda s: s.name)
def test_enabled_source_cases_are_complete(source: Source) -> None:
    """An enabled source has article cases and every kind of listing page.

    An article case that is not a real URL must say why (`shape_only`), so a
    reader knows which patterns rest on a platform's shape rather than a sighting.
    """
    entry = CASES[source.name]
    assert entry["articles"], f"{source.name}: no article URL"
    for item in entry["articles"]:
        assert isinstance(item, str) or item.get("shape_only"), f"{source.name}: {item} is neither real nor explained"
    missing = [kind for kind in REJECT_KINDS if not entry["rejects"].get(kind)]
    assert not missing, f"{source.name}: no {', '.join(missing)} example"
    assert entry.get("evidence"), f"{source.name}: say where the URLs come from"


def test_default_config_covers_three_languages() -> None:
    enabled = CONFIG.enabled_sources
    assert len(enabled) >= 25
    assert {s.lang for s in enabled} == {"ar", "fr", "en"}
    for source in CONFIG.sources:
        for url in (*source.feeds, *source.sitemaps, *source.start_urls):
            assert not source.is_article(canonical_url(url)), f"{source.name}: feed or listing {url} looks like an article"
