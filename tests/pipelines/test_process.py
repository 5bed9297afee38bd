"""process_page and reprocess on hand-written pages, with a real SQLite file."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from pipelines import classify as classify_module
from pipelines.process import PageInput, PageSource, ProcessSettings, process_page
from pipelines.reprocess import reprocess
from pipelines.store import ArticleStore, open_database

FIXTURES = Path(__file__).parents[1] / "fixtures" / "process"
FETCHED = datetime(2025, 11, 22, 9, 0, tzinfo=timezone.utc)
SOURCE_AR = PageSource("site-ar", "ar")
SOURCE_FR = PageSource("site-fr", "fr")
HOMES = {"site-ar": "https://news.example.ma/", "site-fr": "https://fr.example.ma/"}
SETTINGS = ProcessSettings(max_age_days=7, threshold=0.5, min_body_chars=300)
NO_AGE_LIMIT = ProcessSettings(max_age_days=None, threshold=0.5, min_body_chars=300)


def page(name: str, source: PageSource, **extra) -> PageInput:
    html = (FIXTURES / name).read_text(encoding="utf-8")
    return PageInput(url=f"{HOMES[source.name]}{name}", source=source, html=html, fetched_at=FETCHED, **extra)


def run(p: PageInput, max_age_days: int | None = 7, timezone: str = "Africa/Casablanca"):
    return process_page(p, ProcessSettings(max_age_days=max_age_days, threshold=0.5, min_body_chars=300,
                                           timezone=timezone))


def test_cooperation_page_becomes_a_flagged_row() -> None:
    result = run(page("ar_cooperation.html", SOURCE_AR))
    assert result.rejected is None and result.row is not None
    row = result.row
    assert row["title"] == "الرباط ومدريد تعززان التنسيق الأمني لمواجهة شبكات التهريب"
    assert row["published_at"].isoformat() == "2025-11-21T18:40:00+01:00" and row["date_origin"] == "meta"
    assert row["lang"] == "ar" and row["author"] == "سعاد المرابط"
    assert row["text"].startswith("استقبل المدير العام") and "مضيق جبل طارق" in row["text"] and "الأكثر قراءة" not in row["text"] and "محفوظة" not in row["text"]
    assert row["flagged"] == 1 and "ES" in row["partners"] and "MA" not in row["partners"]
    assert row["reasons"] and row["classifier_version"] == classify_module.CLASSIFIER_VERSION
    assert row["fetched_at"] == FETCHED
    assert result.simhash is not None and len(row["content_hash"]) == 32
    assert not result.flags


def test_old_article_is_rejected_but_young_enough_is_kept() -> None:
    old = run(page("fr_old_local.html", SOURCE_FR))
    assert old.rejected == "too_old" and old.row is None
    kept = run(page("fr_old_local.html", SOURCE_FR), max_age_days=None)
    assert kept.row["published_at"].isoformat() == "2025-03-03T11:05:00+00:00"  # Ramadan 2025: Morocco on UTC+0
    assert kept.row["flagged"] == 0 and kept.row["partners"] == []
    assert kept.row["date_origin"] == "visible"


def test_feed_date_and_title_fill_in_for_a_bare_page() -> None:
    bare = "<html><body><article><p>" + ("Le ministère a publié un communiqué sur la météo de la semaine. " * 8) + "</p></article></body></html>"
    feed_date = datetime(2025, 11, 21, 20, 0, tzinfo=timezone.utc)
    result = process_page(
        PageInput(url="https://fr.example.ma/bare.html", source=SOURCE_FR, html=bare, fetched_at=FETCHED,
                  feed_date=feed_date, feed_title="Titre du flux"),
        SETTINGS,
    )
    assert result.row["date_origin"] == "feed" and result.row["title"] == "Titre du flux"


@pytest.mark.parametrize("html", ["", "   ", "<html><body><nav>menu</nav></body></html>"])
def test_pages_without_a_body_are_rejected_as_empty(html: str) -> None:
    result = process_page(PageInput(url="https://fr.example.ma/x.html", source=SOURCE_FR, html=html, fetched_at=FETCHED),
                          SETTINGS)
    assert result.rejected == "empty"


def test_printed_times_without_a_zone_are_read_in_the_configured_timezone() -> None:
    casablanca = run(page("fr_old_local.html", SOURCE_FR), max_age_days=None)
    paris = run(page("fr_old_local.html", SOURCE_FR), max_age_days=None, timezone="Europe/Paris")
    assert casablanca.row["published_at"].isoformat() == "2025-03-03T11:05:00+00:00"
    assert paris.row["published_at"].isoformat() == "2025-03-03T11:05:00+01:00"


def test_reprocess_reclassifies_outdated_rows_only(tmp_path: Path) -> None:
    store = ArticleStore(open_database(tmp_path / "news.db"))
    fresh = run(page("ar_cooperation.html", SOURCE_AR))
    stale = dict(fresh.row, url="https://news.example.ma/stale.html", flagged=0, partners=[], classifier_version="0-old")
    store.save_article(fresh.row, html=(FIXTURES / "ar_cooperation.html").read_text(encoding="utf-8"), simhash=fresh.simhash)
    store.save_article(stale)
    sources = {"site-ar": SOURCE_AR}
    result = reprocess(store, NO_AGE_LIMIT, sources)
    assert (result.examined, result.updated, result.newly_flagged) == (1, 1, 1)
    row = store.db.execute("SELECT flagged, partners, classifier_version FROM articles WHERE url LIKE '%stale%'").fetchone()
    assert row[0] == 1 and "ES" in row[1] and row[2] == classify_module.CLASSIFIER_VERSION
    full = reprocess(store, NO_AGE_LIMIT, sources, full=True)
    assert (full.examined, full.updated, full.without_html, full.failed) == (2, 2, 1, 0)


LEGACY_BODY = "<p>" + ("أعلنت السلطات المحلية بمدينة تطوان عن افتتاح سوق أسبوعي جديد لفائدة الفلاحين الصغار والتجار. " * 4) + "</p>"


def test_xhtml_with_an_encoding_declaration_is_parsed() -> None:
    xhtml = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
             '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" lang="ar">'
             "<head><title>سوق أسبوعي جديد بتطوان</title><meta property='article:published_time' "
             "content='2025-11-21T10:00:00+01:00'/></head><body><div>" + LEGACY_BODY * 2 + "</div></body></html>")
    result = run(PageInput(url="https://news.example.ma/x.html", source=SOURCE_AR, html=xhtml, fetched_at=FETCHED))
    assert result.rejected is None and "سوق أسبوعي جديد" in result.row["text"]


@pytest.mark.parametrize("head, body_headline, feed_title, expected", [
    # the site's name is the <title>'s first half; the h1 is the story's
    ("<title>بوابة الشمال - افتتاح سوق</title>", "افتتاح سوق أسبوعي جديد بضواحي تطوان", None,
     "افتتاح سوق أسبوعي جديد بضواحي تطوان"),
    # no h1: the feed's title tells which half is the story
    ("<title>بوابة الشمال - افتتاح سوق أسبوعي جديد بضواحي تطوان</title>", None, "افتتاح سوق أسبوعي جديد بضواحي تطوان",
     "افتتاح سوق أسبوعي جديد بضواحي تطوان"),
    # <title> is the site's name alone, og:title carries the headline
    ("<title>بوابة الشمال</title><meta property='og:title' content='افتتاح سوق أسبوعي جديد'>"
     "<meta property='og:site_name' content='بوابة الشمال'>", None, None, "افتتاح سوق أسبوعي جديد"),
    # a good title stays, whatever the feed says
    ("<title>افتتاح سوق أسبوعي جديد | بوابة الشمال</title>", "افتتاح سوق أسبوعي جديد", "سوق جديد", "افتتاح سوق أسبوعي جديد"),
])
def test_headline_is_preferred_to_the_sites_name(head: str, body_headline: str | None, feed_title: str | None,
                                                 expected: str) -> None:
    h1 = f"<h1>{body_headline}</h1>" if body_headline else ""
    html = f"<html lang='ar'><head><meta charset='utf-8'>{head}</head><body><div>{h1}{LEGACY_BODY}{LEGACY_BODY}</div></body></html>"
    result = run(PageInput(url="https://news.example.ma/n.php?id=7", source=SOURCE_AR, html=html, fetched_at=FETCHED,
                           feed_title=feed_title))
    assert result.row["title"] == expected
