"""A programmable site on 127.0.0.1 that answers only the exact request-targets it was given.

Unlike :class:`crawler.localsite.LocalSite`, which matches paths after
percent-decoding (a forgiving server), this one compares the request-target
byte for byte: ``/d%27accords-1.html`` is not ``/d'accords-1.html``, and
``?b=2&a=1`` is not ``?a=1&b=2``.  Real servers behind some CMSs are that
strict, and a crawler that rewrites links loses their articles.

Each target maps to an :class:`Answer`, or to a list of answers served in turn
(the last one repeating) for pages that change between runs; everything else
is a 404.  Every request-target is logged, in order, for assertions.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a hanging server)

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


class ScriptedSite:
    def __init__(self) -> None:
        self.answers: dict[str, Answer | list[Answer]] = {}
        self.log: list[str] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> ScriptedSite:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                site._respond(self)

            def log_message(self, *args: object) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="scripted-site", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "site not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def requests_of(self, target: str) -> int:
        with self._lock:
            return self.log.count(target)

    def _respond(self, handler: BaseHTTPRequestHandler) -> None:
        target = handler.path
        with self._lock:
            self.log.append(target)
            scripted = self.answers.get(target)
            if isinstance(scripted, list):
                turn = self._served.get(target, 0)
                self._served[target] = turn + 1
                scripted = scripted[min(turn, len(scripted) - 1)]
        answer = scripted or Answer("<html><body><h1>404</h1></body></html>", status=404)
        if answer.delay:
            time.sleep(answer.delay)
        data = answer.payload()
        handler.send_response(answer.status)
        handler.send_header("Content-Type", answer.content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in answer.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)
