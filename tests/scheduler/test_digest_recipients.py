"""Each recipient gets the day's digest exactly once; a slow server cannot hold the send; copies share a Message-ID.

A real aiosmtpd server on loopback that refuses one recipient for now
(450) and accepts it later, and a raw socket server that drip-feeds its
greeting one byte at a time.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import sqlite3
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any, Iterator

import pytest

from crawler.config import load_config
from scheduler.digest import deliver_digest
from tests.conftest import free_port

DAY = date(2026, 11, 22)


def config_file(tmp_path: Path, port: int, timeout: float = 5) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(f"""
database: news.db
sources:
  - {{name: site-fr, url: "http://127.0.0.1:9/", lang: fr, article_pattern: "/a/"}}
digest:
  to: [analyst@example.org, chief@example.org]
  from: newsmon@example.org
  smtp: {{host: 127.0.0.1, port: {port}, timeout: {timeout}}}
""", encoding="utf-8")
    return path


class Refusing:
    """Refuses ``who`` with 450 the first ``times`` times it is named, then accepts it."""

    def __init__(self, who: str, times: int = 1, code: int = 450) -> None:
        self.who, self.left, self.code = who, times, code
        self.deliveries: list[tuple[list[str], bytes]] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == self.who and self.left > 0:
            self.left -= 1
            return f"{self.code} 4.2.1 mailbox busy, try later" if self.code < 500 else f"{self.code} 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.deliveries.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def refusing() -> Iterator[Refusing]:
    from aiosmtpd.controller import Controller

    handler = Refusing("chief@example.org")
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


def ledger(tmp_path: Path) -> tuple[str, list[str], str | None]:
    with sqlite3.connect(tmp_path / "news.db") as db:
        status, recipients, error = db.execute("SELECT status, recipients, last_error FROM digests").fetchone()
    return status, json.loads(recipients), error


def test_a_recipient_refused_for_now_gets_the_digest_later_and_nobody_gets_two(tmp_path: Path, refusing) -> None:
    config = load_config(config_file(tmp_path, refusing.port))
    first = deliver_digest(config, DAY)
    assert first.outcome == "partial" and not first.ok
    assert "chief@example.org (450 4.2.1 mailbox busy, try later, will retry)" in first.message
    assert ledger(tmp_path)[:2] == ("partial", ["analyst@example.org"])

    second = deliver_digest(config, DAY)  # the daemon's retry
    assert second.outcome == "sent" and second.ok
    assert ledger(tmp_path)[:2] == ("sent", ["analyst@example.org", "chief@example.org"])
    assert [to for to, _ in refusing.deliveries] == [["analyst@example.org"], ["chief@example.org"]]
    assert deliver_digest(config, DAY).outcome == "already_done"
    assert len(refusing.deliveries) == 2
    ids = {email.message_from_bytes(body, policy=email.policy.default)["Message-ID"] for _, body in refusing.deliveries}
    assert ids == {"<newsmon-digest-2026-11-22@example.org>"}  # the two sends are one message


def test_a_permanent_refusal_is_reported_not_retried(tmp_path: Path, refusing) -> None:
    refusing.code = 550
    config = load_config(config_file(tmp_path, refusing.port))
    result = deliver_digest(config, DAY)
    assert result.outcome == "sent"
    status, recipients, error = ledger(tmp_path)
    assert (status, recipients) == ("sent", ["analyst@example.org"])
    assert error == "refused by the server: chief@example.org (550 5.1.1 no such user)"


class Drip:
    """An 'SMTP server' that sends its greeting one byte every half second, for ever."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            for byte in ("220 slow.example ESMTP " + "x" * 1000).encode():
                if self.stopped.wait(0.5):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()


@pytest.fixture
def drip() -> Iterator[Drip]:
    server = Drip()
    yield server
    server.close()


def test_a_drip_feeding_server_cannot_hold_the_send_past_its_deadline(tmp_path: Path, drip: Drip) -> None:
    config = load_config(config_file(tmp_path, drip.port, timeout=1))
    started = time.monotonic()
    result = deliver_digest(config, DAY)
    elapsed = time.monotonic() - started
    assert result.outcome == "failed"
    assert result.message.endswith(f"SMTP 127.0.0.1:{drip.port}: gave up: no answer within 4 s")
    assert elapsed < 15  # 4 s of drip, the digest's build and a busy machine


def test_a_stop_request_ends_a_send_in_progress(tmp_path: Path, drip: Drip) -> None:
    config = load_config(config_file(tmp_path, drip.port, timeout=30))
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    started = time.monotonic()
    result = deliver_digest(config, DAY, stop=stop)
    assert result.outcome == "failed" and result.message.endswith("gave up: asked to stop")
    assert time.monotonic() - started < 10
    assert ledger(tmp_path)[0] == "failed"
