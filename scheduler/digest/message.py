"""Assemble the digest e-mail: headers plus text and HTML alternatives.

``EmailMessage`` with the default policy encodes non-ASCII headers (RFC 2047)
and bodies for us.  The text part is added first and the HTML part last,
because clients show the last alternative they can display.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from babel.dates import format_date

from crawler.config import Config
from scheduler.digest.build import Digest
from scheduler.digest.render_html import render_html
from scheduler.digest.render_text import render_text


def subject_line(digest: Digest) -> str:
    """English and fixed in shape, so analysts can filter and search their mailboxes by it.

    It counts events, not reports: one meeting told by ten sites is one.
    """
    day = format_date(digest.day, "d MMM y", locale="en")
    count = len(digest.stories)
    if count == 0:
        return f"newsmon — {day} — no security-cooperation events"
    noun = "event" if count == 1 else "events"
    return f"newsmon — {day} — {count} security-cooperation {noun}"


def digest_message_id(day: str, sender: str) -> str:
    """The same Message-ID every time a day's digest is sent: a copy delivered twice (a connection
    lost after the final dot, a retry for another recipient) is recognisably the same message."""
    return f"<newsmon-digest-{day}@{sender.rsplit('@', 1)[-1]}>"  # short enough not to be folded


def compose(digest: Digest, config: Config, now: datetime) -> EmailMessage:
    sender = config.digest.sender
    msg = EmailMessage()
    msg["Subject"] = subject_line(digest)
    msg["From"] = formataddr(("newsmon", sender))
    msg["To"] = ", ".join(config.digest.to)
    msg["Date"] = format_datetime(now.astimezone(digest.since.tzinfo))
    msg["Message-ID"] = digest_message_id(digest.day.isoformat(), sender)
    msg["Auto-Submitted"] = "auto-generated"
    msg["Content-Language"] = digest.language
    msg["X-Newsmon-Digest-Date"] = digest.day.isoformat()
    msg.set_content(render_text(digest))
    msg.add_alternative(render_html(digest), subtype="html")
    return msg
