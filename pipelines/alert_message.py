"""The text of an alert: one event, or a burst folded into one message.

A chat channel that receives twenty messages in a minute gets muted, so a
group of pending alerts for one watchlist becomes "9 new reports match
sebta-border" with one short block per event.  Each block carries what an
analyst needs to decide whether to open it: the event's representative
title, its sources and languages, the terms that matched, and a link to the
event page when ``serve.base_url`` is configured.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from pipelines.alert_ledger import PendingAlert
from pipelines.dblists import list_from_db
from pipelines.watchlists import FLAGGED

__all__ = ["AlertItem", "event_items", "render"]


@dataclass(frozen=True)
class AlertItem:
    event_id: int
    title: str
    sources: tuple[str, ...]
    languages: tuple[str, ...]
    terms: tuple[str, ...]
    link: str | None


def event_items(conn: sqlite3.Connection, alerts: list[PendingAlert], base_url: str | None) -> list[AlertItem]:
    """Describe each alert's event from the ``events`` table (its representative title, sources, languages)."""
    items = []
    for alert in alerts:
        row = conn.execute("SELECT title, sources, languages FROM events WHERE id = ?", [alert.event_id]).fetchone()
        if row is not None:
            title, sources, languages = row[0], tuple(list_from_db(row[1])), tuple(list_from_db(row[2]))
        else:  # an article not placed in an event: it stands for itself
            article = conn.execute("SELECT title, source, lang FROM articles WHERE id = ?", [alert.article_id]).fetchone()
            title, sources, languages = (article[0], (article[1],), tuple(filter(None, (article[2],)))) if article \
                else (None, (), ())
        link = None
        if base_url:
            page = f"events/{alert.event_id}" if alert.event_id > 0 else f"articles/{alert.article_id}"
            link = f"{base_url.rstrip('/')}/{page}"
        items.append(AlertItem(alert.event_id, title or "(untitled)", sources, languages, alert.terms, link))
    return items


def render(watchlist: str, items: list[AlertItem]) -> tuple[str, str]:
    """(title, plain-text body) of one message for ``items`` of one watchlist."""
    flagged = watchlist == FLAGGED
    if len(items) == 1:
        head = "Flagged security-cooperation report" if flagged else f"{watchlist}"
        title = f"newsmon: {head}: {items[0].title}"
    elif flagged:
        title = f"newsmon: {len(items)} new flagged security-cooperation reports"
    else:
        title = f"newsmon: {len(items)} new reports match {watchlist}"
    return title, "\n\n".join(_block(item, flagged) for item in items)


def _block(item: AlertItem, flagged: bool) -> str:
    lines = [
        item.title,
        f"Sources: {', '.join(item.sources)} ({', '.join(item.languages) or '?'})",
        f"{'Partners' if flagged else 'Matched'}: {', '.join(item.terms) or '-'}",
    ]
    if item.link:
        lines.append(item.link)
    return "\n".join(lines)
