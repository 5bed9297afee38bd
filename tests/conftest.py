"""Shared fixtures: temporary config files and databases (real SQLite files)."""

from __future__ import annotations

import email
import email.policy
import socket
import textwrap
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write a config.yaml in a temporary folder and return its path."""

    def write(text: str, name: str = "config.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

    Set ``refuse`` to make it answer every message with 554, like a server
    that rejects the digest.
    """

    def __init__(self) -> None:
        self.envelopes: list[Any] = []
        self.refuse = False
        self.host = "127.0.0.1"
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "554 5.7.1 Message refused by test server"
        self.envelopes.append(envelope)
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server() -> Iterator[SmtpSink]:
    """An SMTP server on a free loopback port for the duration of one test."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    sink.port = controller.port
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def news_site():
    """The four fixture news sites on 127.0.0.1 (see tests/sites/__init__.py for modes and helpers)."""
    from sites import FixtureWeb

    web = FixtureWeb().start()
    try:
        yield web
    finally:
        web.stop()


class JsonReceiver:
    """A local HTTP endpoint for Apprise's ``json://`` URLs that keeps every message it accepts.

    ``stop()`` leaves the port closed ("connection refused"); ``start()``
    listens on the same port again, so a channel can go down and come back.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[dict[str, Any]] = []
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/hook"

    def start(self) -> JsonReceiver:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.messages.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def json_receiver() -> Iterator[JsonReceiver]:
    """An Apprise ``json://`` receiver on a free loopback port, listening (``stop()`` it to refuse)."""
    receiver = JsonReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()
