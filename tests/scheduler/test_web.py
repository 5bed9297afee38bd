"""The web interface in process (Starlette's test client) on a real database: escaping, facets, exports, auth."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from crawler.config import load_config
from pipelines.classify import classify
from pipelines.process import verdict_columns
from pipelines.store import ArticleStore, open_database
from scheduler.web.app import create_app
from scheduler.web.highlight import highlight
from scheduler.web.security import hash_password, verify_password

HOSTILE = "الرباط ومدريد تعززان التعاون الأمني <script>alert('x')</script>"
TEXT = ("استقبل المدير العام للأمن الوطني بالرباط وفدا أمنيا إسبانيا لبحث التعاون الأمني في مجال مكافحة الإرهاب "
        "وتبادل المعلومات مع الشرطة الإسبانية. ") * 3
FRENCH = ("La DGSN et la police française ont signé à Rabat un accord de coopération sécuritaire contre le "
          "terrorisme et le trafic de drogue. ") * 3


def save(store: ArticleStore, url: str, title: str, text: str, lang: str, source: str) -> int:
    now = datetime.now(timezone.utc)
    verdict = classify(title, text, lang)
    return store.save_article({"url": url, "source": source, "lang": lang, "title": title, "text": text,
                               "fetched_at": now, "published_at": now, **verdict_columns(verdict)}).id


@pytest.fixture
def config_path(write_config) -> Path:
    path = write_config("database: news.db\ndigest:\n  language: fr\n")
    store = ArticleStore(open_database(load_config(path).database))
    save(store, "https://a.ma/1.html", HOSTILE, TEXT, "ar", "site-ar")
    save(store, "https://b.ma/2.html", "Rabat et Paris renforcent leur coopération sécuritaire", FRENCH, "fr", "site-fr")
    store.db.close()
    return path


def client(config_path: Path) -> TestClient:
    return TestClient(create_app(load_config(config_path)))


def token(page: str) -> str:
    return re.search(r'name="csrftoken" value="([^"]+)"', page).group(1)


def test_article_text_is_escaped_with_its_evidence_marked(config_path: Path) -> None:
    page = client(config_path).get("/articles/1").text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert '<mark class="actor">المدير العام للأمن الوطني</mark>' in page
    from pipelines.classify import CLASSIFIER_VERSION

    assert CLASSIFIER_VERSION in page and "institution: DGSN" in page  # classifier version and reasons


def test_highlight_tolerates_hamza_and_accent_spellings() -> None:
    pieces = highlight("تم توقيع مذكرة التفاهم مع اسبانيا. Coopération securitaire.",
                       ["partner: ES (إسبانيا)", "cooperation: coopération sécuritaire"])
    assert ("اسبانيا", "partner") in pieces and ("Coopération securitaire", "coop") in pieces


def test_search_facets_and_exports(config_path: Path) -> None:
    web = client(config_path)
    page = web.get("/search", params={"q": "cooperation securitaire"}).text
    assert "Rabat et Paris" in page and "site-fr" in page and "1 résultat(s)" in page
    both = web.get("/search", params={"verdict": "relevant"}).text
    assert "2 résultat(s)" in both and "partner=FR" in both and "partner=ES" in both
    only_ar = web.get("/search", params={"verdict": "relevant", "lang": "ar", "format": "json"}).json()
    assert [row["url"] for row in only_ar] == ["https://a.ma/1.html"] and only_ar[0]["partners"] == ["ES"]
    exported = web.get("/search", params={"partner": "FR", "format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["source"], r["partners"]) for r in rows] == [("site-fr", "FR")]


def test_atom_feed_lists_flagged_events_with_absolute_links(config_path: Path) -> None:
    feed = client(config_path).get("/feed.atom")
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert feed.text.count("<entry>") == 2 and "http://testserver/events/1" in feed.text
    assert "&lt;script&gt;" in feed.text and "<script>" not in feed.text


def test_health_page_shows_the_sources_and_feedback_counts(config_path: Path) -> None:
    page = client(config_path).get("/health").text
    assert "Articles jugés par les analystes : 0" in page


def test_with_a_password_changes_need_a_signed_in_analyst(config_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("NEWSMON_SERVE_PASSWORD_HASH", hash_password("s3cret", iterations=1000))
    web = client(config_path)
    confirm = web.get("/articles/1/feedback", params={"verdict": "not_relevant"}, follow_redirects=False)
    assert confirm.status_code == 303 and confirm.headers["location"].startswith("/login?next=")
    page = web.get("/login").text
    refused = web.post("/articles/1/feedback", data={"verdict": "not_relevant", "csrftoken": token(page)})
    assert refused.status_code == 403
    wrong = web.post("/login", data={"user": "analyst", "password": "nope", "csrftoken": token(page)})
    assert wrong.status_code == 401
    web.post("/login", data={"user": "analyst", "password": "s3cret", "csrftoken": token(page)})
    page = web.get("/articles/1/feedback", params={"verdict": "not_relevant"}).text
    done = web.post("/articles/1/feedback", data={"verdict": "not_relevant", "csrftoken": token(page)},
                    follow_redirects=False)
    assert done.status_code == 303
    db = open_database(load_config(config_path).database)
    assert db.execute("SELECT verdict, who, via FROM feedback").fetchall() == [("not_relevant", "analyst", "web")]


def test_partner_corrections_from_the_article_page(config_path: Path) -> None:
    web = client(config_path)
    page = web.get("/articles/2").text
    web.post("/articles/2/correct", data={"partners": "fr, interpol", "subtype": "counter_terrorism",
                                          "csrftoken": token(page)})
    db = open_database(load_config(config_path).database)
    assert db.execute("SELECT partners, subtype FROM articles WHERE id = 2").fetchone() == (
        json.dumps(["FR", "INTERPOL"]), "counter_terrorism")
    bad = web.post("/articles/2/correct", data={"partners": "MA", "csrftoken": token(page)})
    assert bad.status_code == 400 and "Morocco is never a partner" in bad.text


def test_password_hashes_verify() -> None:
    encoded = hash_password("pw", iterations=1000)
    assert verify_password("pw", encoded) and not verify_password("px", encoded)
    assert not verify_password("pw", "md5$1$x$y")


def test_serve_settings_are_validated(write_config) -> None:
    from crawler.config import ConfigError

    config = load_config(write_config("database: a.db\nserve:\n  port: 9000\n  base_url: https://news.example.org\n"))
    assert (config.serve.port, config.serve.base_url, config.serve.host) == (9000, "https://news.example.org", "127.0.0.1")
    with pytest.raises(ConfigError, match=r"^config.yaml:3: serve.password_hash: expected a hash made by"):
        load_config(write_config("database: a.db\nserve:\n  password_hash: hunter2\n"))
