"""Hand a message to the configured SMTP server.

Plain, STARTTLS or implicit TLS; the login password is read from the
environment variable named in the config, never from the config file, so the
file can be shared and committed.  Every failure becomes one
:class:`SendError` line that ends up in ``digests.last_error``.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage

from crawler.config import SmtpSettings


class SendError(RuntimeError):
    """The server did not accept the message; the digest stays unsent."""


def send_message(msg: EmailMessage, smtp: SmtpSettings, recipients: list[str]) -> list[str]:
    """Send and return the recipients the server refused (it accepted at least one)."""
    password = None
    if smtp.username:
        password = os.environ.get(smtp.password_env)
        if password is None:
            raise SendError(f"SMTP login as {smtp.username} needs the password in ${smtp.password_env}, which is not set")
    context = ssl.create_default_context()
    where = f"SMTP {smtp.host}:{smtp.port}"
    try:
        if smtp.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.starttls:
                client.starttls(context=context)
            if smtp.username and password is not None:
                client.login(smtp.username, password)
            refused = client.send_message(msg, to_addrs=recipients)
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"{where}: every recipient refused: {_first_reason(exc.recipients)}") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"{where}: {exc.smtp_code} {_one_line(exc.smtp_error)}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"{where}: {_one_line(str(exc) or type(exc).__name__)}") from None
    return sorted(refused)


def _one_line(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    return " ".join(text.split())


def _first_reason(recipients: dict[str, tuple[int, bytes]]) -> str:
    address, (code, reason) = next(iter(recipients.items()))
    return f"{address}: {code} {_one_line(reason)}"
