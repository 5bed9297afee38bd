"""Plain-text output of ``newsmon watch test`` and ``newsmon watch list``."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pipelines.alert_ledger import LedgerState
from pipelines.watch_scan import StoredHit
from pipelines.watchlists import Watchlist

SHOWN_TERMS = 6


def format_hits(hits: list[StoredHit], *, days: int, searched: int, tz: ZoneInfo) -> str:
    """Every matching event, newest first: date (in ``tz``), source, language, title, matched terms, URL."""
    reports = sum(h.reports for h in hits)
    lines = [f"{_events(len(hits), reports)} in the last {days} days ({searched} articles searched)"]
    for hit in hits:
        day = _day(hit, tz)
        lines.append(f"{day}  {hit.source} [{hit.lang or '?'}]  {hit.title or '(untitled)'}")
        more = f" · {hit.reports} reports" if hit.reports > 1 else ""
        lines.append(f"    matched: {', '.join(hit.terms[:SHOWN_TERMS])}{more}")
        lines.append(f"    {hit.url}")
    return "\n".join(lines)


def format_watchlists(watchlists: tuple[Watchlist, ...], found: dict[str, list[StoredHit]], *, days: int,
                      tz: ZoneInfo, ledger: dict[str, LedgerState] | None = None) -> str:
    """One block per watchlist: name, delivery, query, its hits of the last ``days`` days and its alerts."""
    if not watchlists:
        return "no watchlists in the configuration (add a `watchlists:` section)"
    lines = []
    for watchlist in watchlists:
        hits = found.get(watchlist.name, [])
        where = f"instant → {', '.join(watchlist.channels)}" if watchlist.notify == "instant" else "digest"
        lines.append(f"{watchlist.name}  ({where})  {_events(len(hits), sum(h.reports for h in hits))} "
                     f"in {days} days")
        lines.append(f"    query: {watchlist.source}")
        state = (ledger or {}).get(watchlist.name)
        if state is not None:
            owed = f", {state.pending} owed" if state.pending else ""
            error = f" (last error: {state.last_error})" if state.pending and state.last_error else ""
            lines.append(f"    alerts: {state.sent} sent{owed}{error}")
        for hit in hits[:3]:
            lines.append(f"    {_day(hit, tz)}  {hit.source}  {hit.title or '(untitled)'}")
    return "\n".join(lines)


def _day(hit: StoredHit, tz: ZoneInfo) -> str:
    """The report's publication day (its fetch day when undated) in the configured zone."""
    return (hit.published_at or hit.fetched_at).astimezone(tz).date().isoformat()


def _events(events: int, reports: int) -> str:
    noun = "event" if events == 1 else "events"
    return f"{events} {noun} ({reports} report{'' if reports == 1 else 's'})"
