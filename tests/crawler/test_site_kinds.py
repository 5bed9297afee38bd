"""Extraction and dating on one hand-written page per kind of Moroccan news site.

Each kind (WordPress with a Yoast graph, Arc XP, legacy portals addressed by
id, windows-1256 pages) breaks extractors and date finders in its own way.
A fixture is a page written for this project that copies the site's markup
and date format, never its text, next to a YAML file with what must come out
of it.  One parametrised test runs them all, Fundus-style: adding a kind is
adding two files.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from scrapy.http import HtmlResponse

from crawler.config import load_config
from crawler.feeds import parse_feed, parse_sitemap
from crawler.urls import canonical_url
from pipelines.process import PageInput, process_page

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT / "tests" / "fixtures" / "pages"
CONFIG = load_config(ROOT / "config.yaml")
EXPECTATIONS = sorted(PAGES.glob("*/*.yaml"))


def _load(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _as_served(path: Path, expected: dict[str, Any]) -> str:
    """Decode the page as the crawler does: Content-Type header first, then <meta charset>."""
    headers = {"Content-Type": expected.get("content_type", "text/html; charset=utf-8")}
    response = HtmlResponse(url=canonical_url(expected["url"]), body=path.read_bytes(), headers=headers)
    return response.text


def test_every_kind_has_a_fixture() -> None:
    assert {p.parent.name for p in EXPECTATIONS} >= {"wordpress", "arc", "legacy", "windows-1256"}


@pytest.mark.parametrize("expectation", EXPECTATIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_page_is_extracted_and_dated(expectation: Path) -> None:
    expected = _load(expectation)
    source = CONFIG.source(expected["source"])
    url = canonical_url(expected["url"])
    assert source.is_article(url), f"{source.name} pattern does not take its own article {url}"
    published = datetime.fromisoformat(expected["published_at"])
    html = _as_served(expectation.with_suffix(".html"), expected)

    processed = process_page(
        PageInput(url=url, source=CONFIG.page_sources()[source.name], html=html,
                  fetched_at=published + timedelta(hours=3)),
        CONFIG.process_settings(),
    )

    assert processed.rejected is None and processed.row is not None
    row = processed.row
    assert row["title"] == expected["title"]
    assert row["published_at"] == published, row["date_origin"]
    assert expected["body"] in row["text"]
    assert row["lang"] == expected["lang"]
    assert "short_body" not in processed.flags
    for unwanted in expected.get("not_in_body", []):
        assert unwanted not in row["text"]


@pytest.mark.parametrize("kind", ["feed", "sitemap"])
def test_arc_feed_and_news_sitemap_point_at_articles(kind: str) -> None:
    """Le360's RSS and Google News sitemap, as Arc XP serves them, yield article links with dates."""
    source = CONFIG.source("le360-fr")
    body = (PAGES / "arc" / f"le360-fr-{kind}.xml").read_bytes()
    entries = parse_feed(body) if kind == "feed" else list(parse_sitemap(body).entries)
    assert len(entries) == 3
    for entry in entries:
        assert source.is_article(canonical_url(entry.url)), entry.url
        assert entry.date and entry.title
    article = _load(PAGES / "arc" / "le360-fr-article.yaml")
    assert canonical_url(article["url"]) in {canonical_url(e.url) for e in entries}
