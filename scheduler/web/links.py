"""The URLs of the web interface that other parts (the digest) print, under ``serve.base_url``."""

from __future__ import annotations

from urllib.parse import urlencode


def event_url(base: str, event_id: int) -> str:
    return f"{base.rstrip('/')}/events/{event_id}"


def feedback_url(base: str, event_id: int, verdict: str) -> str:
    """Opens the confirmation page; only its POST records the verdict (mail scanners follow GETs)."""
    return f"{event_url(base, event_id)}/feedback?{urlencode({'verdict': verdict})}"
