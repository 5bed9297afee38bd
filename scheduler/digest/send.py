"""Hand a message to the configured SMTP server.

Plain, STARTTLS or implicit TLS; the login password is read from the
environment variable named in the config, never from the config file, so the
file can be shared and committed.  Every failure becomes one
:class:`SendError` line that ends up in ``digests.last_error``.
"""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from crawler.config import SmtpSettings


class SendError(RuntimeError):
    """The server did not accept the message; the digest stays unsent."""


@dataclass(frozen=True)
class Delivery:
    """What the server said about each recipient."""

    accepted: list[str]
    temporary: dict[str, str]  # address -> "450 reason": try again later
    permanent: dict[str, str]  # address -> "550 reason": reported, not retried


SEND_DEADLINE_FACTOR = 4  # the whole conversation may take this many digest.smtp.timeout


def send_message(msg: EmailMessage, smtp: SmtpSettings, recipients: list[str],
                 stop: threading.Event | None = None) -> Delivery:
    """Send to ``recipients``; raises :class:`SendError` if nobody could be reached or the deadline passed.

    ``smtp.timeout`` bounds each read; a server that drip-feeds its answers
    would pass every one of them, so the whole conversation also has a
    deadline (SEND_DEADLINE_FACTOR times that), and ``stop`` (a daemon asked
    to stop) ends it at once: the connection is closed under the client.
    """
    password = None
    if smtp.username:
        password = os.environ.get(smtp.password_env)
        if password is None:
            raise SendError(f"SMTP login as {smtp.username} needs the password in ${smtp.password_env}, which is not set")
    context = ssl.create_default_context()
    where = f"SMTP {smtp.host}:{smtp.port}"
    deadline = smtp.timeout * SEND_DEADLINE_FACTOR
    clients: list[smtplib.SMTP] = []
    cut = threading.Event()

    def cut_off() -> None:
        cut.set()
        for client in clients:
            if client.sock is not None:
                try:
                    client.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    timer = threading.Timer(deadline, cut_off)
    timer.daemon = True
    timer.start()
    done = threading.Event()
    if stop is not None:
        threading.Thread(target=_watch, args=(stop, done, cut_off), daemon=True).start()
    try:
        if smtp.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(timeout=smtp.timeout)
        clients.append(client)
        with client:
            client.connect(smtp.host, smtp.port)
            if smtp.starttls:
                client.starttls(context=context)
            if smtp.username and password is not None:
                client.login(smtp.username, password)
            try:
                refused = client.send_message(msg, to_addrs=recipients)
            except smtplib.SMTPRecipientsRefused as exc:
                refused = exc.recipients
    except (smtplib.SMTPException, OSError) as exc:
        if cut.is_set():
            why = "asked to stop" if stop is not None and stop.is_set() else f"no answer within {deadline:g} s"
            raise SendError(f"{where}: gave up: {why}") from None
        if isinstance(exc, smtplib.SMTPResponseException):
            raise SendError(f"{where}: {exc.smtp_code} {_one_line(exc.smtp_error)}") from None
        raise SendError(f"{where}: {_one_line(str(exc) or type(exc).__name__)}") from None
    finally:
        timer.cancel()
        done.set()
    temporary = {a: f"{code} {_one_line(reason)}" for a, (code, reason) in refused.items() if 400 <= code < 500}
    permanent = {a: f"{code} {_one_line(reason)}" for a, (code, reason) in refused.items() if a not in temporary}
    return Delivery([r for r in recipients if r not in refused], temporary, permanent)


def _watch(stop: threading.Event, done: threading.Event, cut_off: Callable[[], None]) -> None:
    while not done.is_set():
        if stop.wait(0.2):
            cut_off()
            return


def _one_line(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())
