"""The digest's watchlist sections: one per `notify: digest` watchlist, mailed to a real SMTP server."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from crawler.config import load_config
from pipelines.dbtime import utc_now
from pipelines.store import ArticleStore, open_database
from scheduler.digest import deliver_digest
from tests.conftest import SmtpSink

CONFIG = """\
database: news.db
digest:
  to: [analyst@example.org]
  language: {language}
  send_empty: false
  smtp: {{host: 127.0.0.1, port: {port}, timeout: 5}}
watchlists:
  - name: sebta-border
    query: '(سبتة OR Ceuta) AND (@ES OR "Guardia Civil") AND NOT sport*'
    notify: digest
  - name: europol
    query: '@EUROPOL'
    notify: digest
  - name: instant-one
    query: 'Ceuta'
    channels: [hook]
alerts:
  channels:
    hook: {{url: "json://127.0.0.1:9/hook"}}
"""


def setup(tmp_path: Path, port: int, language: str = "fr") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(port=port, language=language), encoding="utf-8")
    store = ArticleStore(open_database(load_config(path).database))
    for i, (title, text, lang) in enumerate([
        ("معبر باب سبتة: تنسيق مع الحرس المدني الإسباني", "اجتماع بين مسؤولين مغاربة وإسبان حول معبر سبتة.", "ar"),
        ("Ceuta : la Guardia Civil renforce ses patrouilles", "La police marocaine et la Guardia Civil à Ceuta.", "fr"),
        ("Ceuta : le match de football reporté", "Le club de Ceuta jouera contre une équipe espagnole. sport", "fr"),
    ]):
        store.save_article({"url": f"https://example.org/{i}", "source": f"site-{lang}", "lang": lang, "title": title,
                            "text": text, "fetched_at": utc_now() - timedelta(hours=2), "flagged": 0})
    store.db.close()
    return path


def parts(sink: SmtpSink) -> tuple[str, str]:
    [message] = sink.messages
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_each_digest_watchlist_gets_its_section(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config = load_config(setup(tmp_path, smtp_server.port))
    result = deliver_digest(config)
    assert result.outcome == "sent", result.message  # no flagged story, but the watchlists caught something
    text, html = parts(smtp_server)
    section = text[text.index("== Veille : sebta-border (2) =="):text.index("== Veille : europol (0) ==")]
    assert "(سبتة OR Ceuta) AND (@ES OR \"Guardia Civil\") AND NOT sport*" in section
    assert "* معبر باب سبتة: تنسيق مع الحرس المدني الإسباني" in section
    assert "* Ceuta : la Guardia Civil renforce ses patrouilles" in section
    assert "Termes trouvés : سبتة" in section and "football" not in text
    assert "== Veille : europol (0) ==" in text and "Rien de nouveau." in text
    assert "instant-one" not in text  # instant watchlists alert at once, not in the digest
    assert "Veille : sebta-border" in html and "Guardia Civil renforce" in html


def test_arabic_digest_labels(tmp_path: Path, smtp_server: SmtpSink) -> None:
    config = load_config(setup(tmp_path, smtp_server.port, language="ar"))
    assert deliver_digest(config).outcome == "sent"
    text, _ = parts(smtp_server)
    assert "== قائمة المراقبة: sebta-border (2) ==" in text and "الكلمات المطابقة:" in text
