"""What a stored article sets off: instant watchlists, and flagged reports sure enough to go out at once."""
from __future__ import annotations

from pipelines.query_match import compile_query
from pipelines.watchlists import FLAGGED, AlertSettings, Channel, InstantMatcher, Watchlist

CHANNELS = {"hook": Channel("hook", url="json://127.0.0.1/x"), "mail": Channel("mail", url="mailto://127.0.0.1")}
ROW = {"title": "La Guardia Civil et la DGSN à Ceuta", "text": "Réunion de coordination avec la police espagnole.",
       "flagged": 1, "score": 0.9, "partners": ["ES"]}


def watchlist(name: str, query: str, notify: str = "instant", channels: tuple[str, ...] = ("hook",)) -> Watchlist:
    return Watchlist(name, compile_query(query), notify, channels)


def test_instant_watchlists_match_and_digest_ones_wait() -> None:
    matcher = InstantMatcher((
        watchlist("sebta", "Ceuta AND @ES", channels=("hook", "mail")),
        watchlist("melilla", "Melilla"),
        watchlist("daily", "Ceuta", notify="digest", channels=()),
    ), AlertSettings(channels=CHANNELS))
    [hit] = matcher.hits(ROW)
    assert (hit.watchlist, hit.channels) == ("sebta", ("hook", "mail"))
    assert hit.terms == ("Ceuta", "@ES (espagnole)")


def test_sure_flagged_reports_go_to_every_channel() -> None:
    alerts = AlertSettings(channels=CHANNELS, instant_flagged_min_score=0.85)
    matcher = InstantMatcher((), alerts)
    assert matcher.active
    [hit] = matcher.hits(ROW)
    assert (hit.watchlist, hit.terms, hit.channels) == (FLAGGED, ("ES",), ("hook", "mail"))
    assert matcher.hits({**ROW, "score": 0.8}) == []
    assert matcher.hits({**ROW, "flagged": 0}) == []


def test_nothing_to_do_without_channels_or_instant_watchlists() -> None:
    assert not InstantMatcher((watchlist("daily", "Ceuta", notify="digest", channels=()),),
                              AlertSettings(channels=CHANNELS)).active
    assert not InstantMatcher((), AlertSettings(instant_flagged_min_score=0.5)).active
