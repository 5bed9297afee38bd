"""The digest e-mail against a real SQLite file and a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crawler.config import load_config
from pipelines.dedupe import simhash
from pipelines.dbtime import to_db
from pipelines.store import ArticleStore, open_database
from scheduler.digest import deliver_digest, due_digest_day
from tests.conftest import SmtpSink, free_port

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime.now(timezone.utc)

AR_TEXT = ("استقبل المدير العام للأمن الوطني ولمراقبة التراب الوطني بالرباط نظيره الإسباني، وأجرى الجانبان مباحثات ثنائية "
           "حول تعزيز التعاون الأمني في مجال مكافحة الإرهاب والجريمة المنظمة وتبادل المعلومات بين البلدين. ") * 3
FR_TEXT = ("La DGSN et Interpol ont tenu à Rabat une séance de travail consacrée à la coopération policière, "
           "à l'échange de renseignements et à la lutte contre la criminalité transnationale organisée. ") * 3
EN_TEXT = ("Moroccan and Turkish security chiefs signed a memorandum of understanding on counter-terrorism "
           "cooperation and the exchange of expertise in police training during a working visit to Ankara. ") * 3

SCRIPT_TITLE = "<script>alert(1)</script> Interpol et la DGSN renforcent leur coopération"
IMG_TITLE = '"><img src=x onerror=alert(1)> Rabat et Ankara signent un accord'


def write_config(tmp_path: Path, smtp_port: int, *, language: str = "fr", send_empty: bool = True,
                 extra_smtp: str = "") -> Path:
    path = tmp_path / f"config-{language}.yaml"
    path.write_text(f"""
database: news.db
timezone: Africa/Casablanca
sources:
  - {{name: site-ar, url: "http://127.0.0.1:9/", lang: ar, article_pattern: "/a/"}}
  - {{name: site-fr, url: "http://127.0.0.1:9/", lang: fr, article_pattern: "/a/"}}
schedule: {{crawl: "0 6 * * *", digest: "30 7 * * *", catchup_hours: 12}}
digest:
  to: [analyst@example.org, chief@example.org]
  from: newsmon@example.org
  language: {language}
  send_empty: {"true" if send_empty else "false"}
  smtp: {{host: 127.0.0.1, port: {smtp_port}, timeout: 5{extra_smtp}}}
""", encoding="utf-8")
    return path


def article(url: str, *, title: str, text: str, lang: str, source: str, partners: list[str], score: float,
            fetched: datetime = NOW - timedelta(hours=1), flagged: int = 1) -> dict:
    return {
        "url": url, "source": source, "lang": lang, "title": title, "text": text,
        "published_at": (fetched - timedelta(hours=2)).astimezone(timezone(timedelta(hours=1))),
        "fetched_at": fetched, "flagged": flagged, "score": score, "subtype": "police_intel",
        "partners": partners, "reasons": [], "classifier_version": "test",
    }


def save(config_path: Path, *rows: dict) -> list[int]:
    store = ArticleStore(open_database(load_config(config_path).database))
    ids = [store.save_article(row, simhash=simhash(row["text"])).id for row in rows]
    store.db.close()
    return ids


def standard_articles() -> list[dict]:
    return [
        article("https://site-ar.example/a/1.html", title="حموشي يتباحث مع نظيره الإسباني تعزيز التعاون الأمني",
                text=AR_TEXT, lang="ar", source="site-ar", partners=["ES"], score=0.95),
        article("https://site-fr.example/a/2.html", title=SCRIPT_TITLE, text=FR_TEXT, lang="fr", source="site-fr",
                partners=["INTERPOL"], score=0.8),
        article("javascript:alert(1)", title=IMG_TITLE, text=EN_TEXT, lang="en", source="site-fr",
                partners=["TR"], score=0.7),
        article("https://site-fr.example/a/3.html", title="Météo: un week-end ensoleillé", text="Du soleil partout. " * 20,
                lang="fr", source="site-fr", partners=[], score=0.1, flagged=0),
    ]


def digest_rows(config_path: Path) -> list[dict]:
    conn = sqlite3.connect(load_config(config_path).database)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM digests ORDER BY digest_date")]
    conn.close()
    return rows


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_digest_is_received_once_with_both_parts_escaped_and_rtl(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port)
    save(config_path, *standard_articles())
    config = load_config(config_path)

    result = deliver_digest(config)
    assert result.outcome == "sent", result.message
    assert deliver_digest(config).outcome == "already_done"

    assert len(smtp_server.envelopes) == 1
    assert sorted(smtp_server.envelopes[0].rcpt_tos) == ["analyst@example.org", "chief@example.org"]
    msg = smtp_server.messages[0]
    assert msg["Subject"].startswith("newsmon — ") and msg["Subject"].endswith(" — 3 security-cooperation events")
    assert msg["From"] == "newsmon <newsmon@example.org>"
    assert msg["Message-ID"].startswith("<") and msg["Message-ID"].endswith("@example.org>")
    assert msg["Date"]
    assert msg.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in msg.iter_parts()] == ["text/plain", "text/html"]

    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html and "<img" not in html and "javascript:" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'dir="rtl" lang="ar"' in html and "direction:rtl" in html
    assert 'dir="ltr" lang="fr"' in html
    assert "حموشي يتباحث مع نظيره الإسباني" in html
    assert "Espagne" in html and "Turquie" in html and "Interpol" in html  # partner names in French
    assert "Météo" not in html  # not flagged

    text = msg.get_body(("plain",)).get_content()
    assert SCRIPT_TITLE in text and "حموشي يتباحث" in text and "https://site-ar.example/a/1.html" in text
    assert "== Espagne (1) ==" in text

    (row,) = digest_rows(config_path)
    assert row["status"] == "sent" and row["attempts"] == 1 and row["last_error"] is None
    assert len(json.loads(row["article_ids"])) == 3
    assert json.loads(row["recipients"]) == ["analyst@example.org", "chief@example.org"]


def test_second_cli_run_the_same_day_sends_nothing_unless_forced(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port)
    save(config_path, *standard_articles())

    first = run_cli("digest", "--config", str(config_path))
    assert first.returncode == 0, first.stderr
    assert "sent 'newsmon —" in first.stdout
    second = run_cli("digest", "--config", str(config_path))
    assert second.returncode == 0, second.stderr
    assert "already sent" in second.stdout and "nothing sent" in second.stdout
    assert len(smtp_server.envelopes) == 1

    forced = run_cli("digest", "--config", str(config_path), "--force")
    assert forced.returncode == 0, forced.stderr
    assert len(smtp_server.envelopes) == 2
    assert digest_rows(config_path)[0]["attempts"] == 2


def test_refusing_server_leaves_the_digest_unsent_and_a_later_run_sends_it(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port)
    save(config_path, *standard_articles())
    smtp_server.refuse = True

    refused = run_cli("digest", "--config", str(config_path))
    assert refused.returncode != 0
    assert "554" in refused.stderr and "Traceback" not in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    (row,) = digest_rows(config_path)
    assert row["status"] == "failed" and row["sent_at"] is None and row["attempts"] == 1 and "554" in row["last_error"]

    smtp_server.refuse = False
    result = deliver_digest(load_config(config_path))
    assert result.outcome == "sent", result.message
    assert len(smtp_server.messages) == 1
    (row,) = digest_rows(config_path)
    assert row["status"] == "sent" and row["attempts"] == 2 and row["last_error"] is None


def test_closed_port_and_missing_password_leave_it_unsent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config_path = write_config(tmp_path, free_port())
    save(config_path, *standard_articles())
    result = deliver_digest(load_config(config_path))
    assert result.outcome == "failed" and "127.0.0.1" in result.message

    monkeypatch.delenv("NEWSMON_TEST_PASSWORD", raising=False)
    login_path = write_config(tmp_path, free_port(), extra_smtp=", username: newsmon, password_env: NEWSMON_TEST_PASSWORD")
    result = deliver_digest(load_config(login_path))
    assert result.outcome == "failed" and "$NEWSMON_TEST_PASSWORD" in result.message
    (row,) = digest_rows(config_path)
    assert row["status"] == "failed" and row["attempts"] == 2


def test_dry_run_writes_the_message_and_sends_nothing(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port)
    save(config_path, *standard_articles())
    out = tmp_path / "digest.eml"
    result = run_cli("digest", "--config", str(config_path), "--dry-run", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "nothing sent" in result.stdout
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    assert "3 security-cooperation events" in msg["Subject"]
    assert smtp_server.envelopes == [] and digest_rows(config_path) == []

    lonely = run_cli("digest", "--config", str(config_path), "--out", str(out))
    assert lonely.returncode != 0 and "--dry-run and --out go together" in lonely.stderr


def test_empty_day_sends_a_short_mail_or_nothing(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port)
    open_database(load_config(config_path).database).close()
    result = deliver_digest(load_config(config_path))
    assert result.outcome == "sent"
    msg = smtp_server.messages[0]
    assert msg["Subject"].endswith("— no security-cooperation events")
    assert "Aucun article sur la coopération sécuritaire" in msg.get_body(("plain",)).get_content()
    assert "site-ar" in msg.get_body(("html",)).get_content()  # never crawled: in the source-health section

    (tmp_path / "quiet").mkdir()
    quiet_path = write_config(tmp_path / "quiet", smtp_server.port, send_empty=False)
    result = deliver_digest(load_config(quiet_path))
    assert result.outcome == "empty_skipped" and len(smtp_server.envelopes) == 1
    assert deliver_digest(load_config(quiet_path)).outcome == "already_done"


def test_source_health_section_names_failing_sources(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port)
    save(config_path, *standard_articles())
    store = ArticleStore(open_database(load_config(config_path).database))
    run = store.start_crawl_run(["site-ar", "site-fr"], "schedule", 1)
    store.save_source_run(run, "site-ar", NOW - timedelta(minutes=10), "failed",
                          {"requests": 2, "errors": 2, "last_error": "<b>DNS</b> lookup failed\nfor site-ar.example"})
    store.save_source_run(run, "site-fr", NOW - timedelta(minutes=10), "ok", {"requests": 4, "items_found": 3, "new_articles": 2})
    store.finish_crawl_run(run, "finished", {})
    store.db.close()
    assert deliver_digest(load_config(config_path)).outcome == "sent"
    msg = smtp_server.messages[0]
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    health_html = html[html.index("État des sources"):]
    assert "site-ar" in health_html and "en échec" in health_html and "&lt;b&gt;DNS&lt;/b&gt;" in health_html
    assert "site-fr" not in health_html
    health_text = text[text.index("== État des sources =="):]
    assert "- site-ar: en échec" in health_text and "site-fr" not in health_text
    assert "lookup failed for site-ar.example" in health_text  # one line: the newline cannot forge another


def test_next_digest_starts_where_the_last_one_ended_and_skips_copies(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port)
    config = load_config(config_path)
    yesterday = NOW - timedelta(days=1)
    (mailed,) = save(config_path, article("https://site-ar.example/a/1.html", title="قصة الأمس", text=AR_TEXT, lang="ar",
                                          source="site-ar", partners=["ES"], score=0.9, fetched=yesterday - timedelta(hours=2)))
    db = open_database(config.database)
    db["digests"].insert({"digest_date": (NOW - timedelta(days=1)).date().isoformat(), "status": "sent",
                          "sent_at": to_db(yesterday), "article_ids": json.dumps([mailed]), "attempts": 1})
    db.close()
    # Today: a republished copy of yesterday's story, and a new story with its own copy.
    save(config_path,
         article("https://aggregator.example/a/9.html", title="قصة الأمس منقولة", text="نقلا عن: " + AR_TEXT,
                 lang="ar", source="aggregator-ar", partners=["ES"], score=0.9),
         article("https://site-fr.example/a/5.html", title="Accord Maroc-Interpol", text=FR_TEXT, lang="fr",
                 source="site-fr", partners=["INTERPOL"], score=0.8),
         article("https://copies.example/a/6.html", title="Accord Maroc-Interpol (reprise)", text=FR_TEXT + " Source: MAP.",
                 lang="fr", source="copies-fr", partners=["INTERPOL"], score=0.8))
    assert deliver_digest(config).outcome == "sent"
    msg = smtp_server.messages[0]
    text = msg.get_body(("plain",)).get_content()
    assert "Accord Maroc-Interpol" in text and "قصة الأمس" not in text
    assert "Aussi publié par : copies-fr (fr) <https://copies.example/a/6.html>" in text
    assert msg["Subject"].endswith("— 1 security-cooperation event")


def test_date_option_builds_another_days_digest(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port, language="ar")
    two_days_ago = NOW - timedelta(days=2)
    save(config_path,
         article("https://site-ar.example/a/old.html", title="قصة قديمة", text=AR_TEXT, lang="ar", source="site-ar",
                 partners=["ES"], score=0.9, fetched=two_days_ago),
         article("https://site-fr.example/a/new.html", title="Nouvelle", text=FR_TEXT, lang="fr", source="site-fr",
                 partners=["INTERPOL"], score=0.9))
    day = two_days_ago.astimezone(ZoneInfo("Africa/Casablanca")).date()
    out = tmp_path / "old.eml"
    result = run_cli("digest", "--config", str(config_path), "--date", day.isoformat(), "--dry-run", "--out", str(out))
    assert result.returncode == 0, result.stderr
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    html = msg.get_body(("html",)).get_content()
    assert "قصة قديمة" in html and "Nouvelle" not in html
    assert '<html lang="ar" dir="rtl">' in html and "إسبانيا" in html


def test_due_day_follows_the_cron_and_the_catchup_window(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, 25))  # digest 07:30, catch-up 12 h
    local = ZoneInfo("Africa/Casablanca")
    day = datetime(2025, 11, 22).date()
    assert due_digest_day(config, datetime(2025, 11, 22, 7, 30, 0, tzinfo=local)) == day
    assert due_digest_day(config, datetime(2025, 11, 22, 6, 0, tzinfo=local)) is None  # yesterday's is 22.5 h old
    assert due_digest_day(config, datetime(2025, 11, 22, 19, 29, tzinfo=local)) == day
    assert due_digest_day(config, datetime(2025, 11, 22, 19, 31, tzinfo=local)) is None  # past the 12 h window


def test_the_digest_ledger_writes_lists_the_store_reads(tmp_path: Path) -> None:
    from pipelines.store import read_rows
    from scheduler.digest.ledger import record_sent

    db = open_database(tmp_path / "news.db")
    record_sent(db.conn, NOW.date(), at=NOW, recipients=["analyste@example.org"], article_ids=[3, 1],
                subject="s", message_id="<m@x>", refused=[])
    assert read_rows(db.conn, "SELECT recipients, article_ids FROM digests") == [
        {"recipients": ["analyste@example.org"], "article_ids": [3, 1]}]


def test_digest_links_to_the_url_as_published(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config_path = write_config(tmp_path, smtp_server.port)
    row = article("https://site-fr.example/a/news.php?id=9&lang=fr", title="Coopération policière", text=FR_TEXT,
                  lang="fr", source="site-fr", partners=["INTERPOL"], score=0.9)
    save(config_path, {**row, "published_url": "https://site-fr.example/a/news.php?lang=fr&id=9"})
    out = tmp_path / "digest.eml"
    assert run_cli("digest", "--config", str(config_path), "--dry-run", "--out", str(out)).returncode == 0
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    assert "https://site-fr.example/a/news.php?lang=fr&id=9" in text
    assert "id=9&lang=fr" not in text
