"""Alert ledger and Apprise delivery against real receivers: a local json:// endpoint and aiosmtpd.

Each (watchlist, event) goes out once per channel; a burst folds into one
message; a channel that is down keeps its alerts pending until it is back.
"""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from pipelines.alert_ledger import record_hits
from pipelines.alert_send import deliver_due
from pipelines.dbtime import utc_now
from pipelines.store import ArticleStore, open_database
from pipelines.watchlists import FLAGGED, AlertSettings, Channel, WatchHit


@pytest.fixture
def store(tmp_path: Path) -> ArticleStore:
    return ArticleStore(open_database(tmp_path / "news.db"))


CITIES = ("Tanger", "Nador", "Tétouan", "Oujda", "Agadir", "Laâyoune", "Dakhla", "Casablanca", "Rabat", "Fès",
          "Marrakech", "Kénitra", "Safi", "El Jadida", "Essaouira", "Al Hoceima", "Larache", "Guelmim", "Tiznit",
          "Béni Mellal")
ACTS = ("une saisie de cannabis", "le démantèlement d'un réseau de migration", "l'arrestation d'un suspect",
        "un exercice conjoint", "une visite de travail")


def add_article(store: ArticleStore, n: int, *, title: str, source: str = "site-a", lang: str = "fr",
                simhash: int | None = None) -> int:
    """One report of its own event: each n names another city, act, count and date."""
    text = (f"À {CITIES[n]}, les autorités ont annoncé {ACTS[n % 5]} impliquant {n + 3} personnes "
            f"le {n + 1} novembre {2000 + n}.")
    row = {"url": f"https://example.org/{source}/{n}", "source": source, "lang": lang, "title": title,
           "text": text, "fetched_at": utc_now()}
    return store.save_article(row, simhash=simhash).id


def settings(**channels: str) -> AlertSettings:
    return AlertSettings(channels={name: Channel(name, url=url) for name, url in channels.items()},
                         fold_seconds=60, retry_seconds=30)


def ledger(store: ArticleStore) -> list[tuple]:
    return store.db.execute(
        "SELECT watchlist, event_id, channel, status, attempts FROM alert_ledger ORDER BY id").fetchall()


def test_each_event_once_per_channel_to_webhook_and_mail(store, json_receiver, smtp_server) -> None:
    mail = f"mailto://127.0.0.1:{smtp_server.port}?from=newsmon@example.org&to=analyst@example.org&mode=insecure"
    alerts = settings(hook=json_receiver.url, mail=mail)
    first = add_article(store, 1, title="Ceuta : la Guardia Civil et la DGSN coordonnent", simhash=0xF0F0)
    copy = add_article(store, 2, title="سبتة: تنسيق أمني مغربي إسباني", source="site-b", lang="ar", simhash=0xF0F0)
    hit = WatchHit("sebta-border", ("Ceuta", "@ES (espagnole)"), ("hook", "mail"))
    assert record_hits(store.db.conn, first, [hit], utc_now()) == 2
    assert record_hits(store.db.conn, copy, [hit], utc_now()) == 0  # same event: already owed

    report = deliver_due(store.db.conn, alerts, final=True, base_url="http://127.0.0.1:8080/")
    assert (report.messages, report.alerts, report.failures) == (2, 2, [])
    [message] = json_receiver.messages
    assert message["title"] == "newsmon: sebta-border: Ceuta : la Guardia Civil et la DGSN coordonnent"
    assert "Sources: site-a, site-b (ar, fr)" in message["message"]
    assert "Matched: Ceuta, @ES (espagnole)" in message["message"]
    (event,) = store.db.execute("SELECT event_id FROM articles WHERE id = ?", [first]).fetchone()
    assert f"http://127.0.0.1:8080/events/{event}\n" in message["message"] + "\n"
    [mailed] = smtp_server.messages
    assert mailed["Subject"] == message["title"] and mailed["To"] == "analyst@example.org"

    assert deliver_due(store.db.conn, alerts, final=True).messages == 0  # nothing is sent twice
    assert [row[3] for row in ledger(store)] == ["sent", "sent"]


def test_burst_of_twenty_is_one_folded_message(store, json_receiver) -> None:
    alerts = settings(hook=json_receiver.url)
    start = utc_now()
    for n in range(20):
        article = add_article(store, n, title=f"{CITIES[n]} : rapport {n}")
        record_hits(store.db.conn, article, [WatchHit("sebta-border", ("Sebta",), ("hook",))], start)

    assert deliver_due(store.db.conn, alerts, now=start + timedelta(seconds=5)).messages == 0  # still folding
    report = deliver_due(store.db.conn, alerts, now=start + timedelta(seconds=61))
    assert (report.messages, report.alerts) == (1, 20)
    [message] = json_receiver.messages
    assert message["title"] == "newsmon: 20 new reports match sebta-border"
    assert all(f"{CITIES[n]} : rapport {n}\n" in message["message"] + "\n" for n in range(20))
    assert "/events/" not in message["message"]  # no serve.base_url, no link


def test_receiver_down_then_up_delivers_exactly_once(store, json_receiver) -> None:
    alerts = settings(hook=json_receiver.url)
    for n, watchlist in enumerate(("sebta-border", "interpol")):
        article = add_article(store, n, title=f"Report {n}")
        record_hits(store.db.conn, article, [WatchHit(watchlist, ("x",), ("hook",))], utc_now())
    json_receiver.stop()

    report = deliver_due(store.db.conn, alerts, final=True)
    assert report.messages == 0 and len(report.failures) == 2
    assert [(row[3], row[4]) for row in ledger(store)] == [("pending", 1), ("pending", 1)]
    errors = store.db.execute("SELECT last_error FROM alert_ledger").fetchall()
    assert all(error and not error[0].isdigit() for (error,) in errors)  # Apprise's reason, not its log line
    assert deliver_due(store.db.conn, alerts, final=True).messages == 0  # backing off: not retried yet

    json_receiver.start()
    later = utc_now() + timedelta(seconds=31)
    assert deliver_due(store.db.conn, alerts, final=True, now=later).messages == 2
    assert deliver_due(store.db.conn, alerts, final=True, now=later + timedelta(hours=2)).messages == 0
    assert sorted(m["title"] for m in json_receiver.messages) == [
        "newsmon: interpol: Report 1", "newsmon: sebta-border: Report 0"]
    assert [(row[3], row[4]) for row in ledger(store)] == [("sent", 2), ("sent", 2)]


def test_back_off_doubles_and_caps(store) -> None:
    alerts = settings(hook="json://127.0.0.1:9/closed")
    article = add_article(store, 1, title="x")
    record_hits(store.db.conn, article, [WatchHit("w", (), ("hook",))], utc_now())
    moment, delays = utc_now(), []
    for _ in range(9):
        deliver_due(store.db.conn, alerts, final=True, now=moment)
        (next_at,) = store.db.execute("SELECT next_attempt_at FROM alert_ledger").fetchone()
        delays.append(round((datetime_from(next_at) - utc_now()).total_seconds() / 30))
        moment = datetime_from(next_at) + timedelta(seconds=1)
    assert delays[:4] == [1, 2, 4, 8] and max(delays) == 3600 // 30


def datetime_from(value: str):
    from pipelines.dbtime import from_db

    return from_db(value)


def test_secret_url_from_the_environment(store, json_receiver, monkeypatch) -> None:
    alerts = AlertSettings(channels={"soc": Channel("soc", url_env="NEWSMON_TEST_HOOK")}, retry_seconds=0)
    article = add_article(store, 1, title="x")
    record_hits(store.db.conn, article, [WatchHit("w", (), ("soc",))], utc_now())
    monkeypatch.delenv("NEWSMON_TEST_HOOK", raising=False)
    report = deliver_due(store.db.conn, alerts, final=True)
    assert report.failures and "environment variable NEWSMON_TEST_HOOK is not set" in report.failures[0]
    monkeypatch.setenv("NEWSMON_TEST_HOOK", json_receiver.url)
    assert deliver_due(store.db.conn, alerts, final=True).messages == 1


def test_sure_flagged_reports_have_their_own_wording(store, json_receiver) -> None:
    alerts = settings(hook=json_receiver.url)
    for n in range(2):
        article = add_article(store, n, title=f"Interpol {n}")
        record_hits(store.db.conn, article, [WatchHit(FLAGGED, ("INTERPOL", "ES"), ("hook",))], utc_now())
    deliver_due(store.db.conn, alerts, final=True)
    [message] = json_receiver.messages
    assert message["title"] == "newsmon: 2 new flagged security-cooperation reports"
    assert "Partners: INTERPOL, ES" in message["message"]


def test_an_article_outside_any_event_stands_for_itself(store, json_receiver) -> None:
    article = add_article(store, 1, title="Tanger : un article d'avant les événements")
    store.db.execute("UPDATE articles SET event_id = NULL WHERE id = ?", [article])  # not yet regrouped
    record_hits(store.db.conn, article, [WatchHit("w", ("Tanger",), ("hook",))], utc_now())
    deliver_due(store.db.conn, settings(hook=json_receiver.url), final=True, base_url="http://127.0.0.1:8080")
    [message] = json_receiver.messages
    assert "Sources: site-a (fr)" in message["message"]
    assert message["message"].endswith(f"http://127.0.0.1:8080/articles/{article}")
    assert [row[1] for row in ledger(store)] == [-article]
