"""The daemon's alerts job sends what a crawl could not deliver, once the channel is back."""

from __future__ import annotations

import time
from pathlib import Path

from crawler.config import load_config
from pipelines.alert_ledger import record_hits
from pipelines.alert_send import deliver_due
from pipelines.dbtime import utc_now
from pipelines.store import ArticleStore, open_database
from pipelines.watchlists import WatchHit
from scheduler.jobs import alerts_tick


def test_alerts_tick_delivers_what_is_owed(write_config, json_receiver) -> None:
    path: Path = write_config(f"""\
database: news.db
watchlists:
  - {{name: sebta-border, query: 'Ceuta', channels: [hook]}}
alerts:
  channels:
    hook: {{url: "{json_receiver.url}"}}
  retry_seconds: 0.1
""")
    config = load_config(path)
    store = ArticleStore(open_database(config.database))
    article = store.save_article({"url": "https://example.org/1", "source": "s", "title": "Ceuta",
                                  "text": "Ceuta", "fetched_at": utc_now()}).id
    record_hits(store.db.conn, article, [WatchHit("sebta-border", ("Ceuta",), ("hook",))], utc_now())
    json_receiver.stop()
    assert deliver_due(store.db.conn, config.alerts, final=True).failures  # the crawl's last attempt failed
    json_receiver.start()
    time.sleep(1.1)  # the back-off, at the ledger's one-second resolution
    alerts_tick(config)
    alerts_tick(config)
    assert [m["title"] for m in json_receiver.messages] == ["newsmon: sebta-border: Ceuta"]
    assert store.db.execute("SELECT status FROM alert_ledger").fetchall() == [("sent",)]
