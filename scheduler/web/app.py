"""``newsmon serve``: the analyst's pages over the database (a small Starlette app; README says why).

Pages read through a read-only SQLite connection opened per request, so
browsing can never write and never blocks a crawl. The only writes are
analysts' verdicts, through :func:`pipelines.feedback.record_feedback`, on a
POST that carries the session's CSRF token from a signed-in analyst (on a
loopback bind without a password, the local user).
"""

from __future__ import annotations

import csv
import io
import secrets
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from crawler.config import Config
from pipelines.classify import SUBTYPES
from pipelines.feedback import VERDICTS, FeedbackError, record_feedback
from pipelines.dbtime import utc_now
from pipelines.store import open_database, open_readonly
from scheduler.web import queries
from scheduler.web.highlight import highlight
from scheduler.web.i18n import Words
from scheduler.web.security import csrf_ok, csrf_token, local_analyst, password_hash, verify_password

TEMPLATES = Path(__file__).with_name("templates")
FEED_DAYS = 7


def create_app(config: Config, *, secret: str | None = None) -> Starlette:
    """The ASGI application; ``secret`` signs session cookies (random per start unless given)."""
    open_database(config.database).close()  # create and migrate once, before any read-only connection
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    words = Words(config.digest.language)
    tz = ZoneInfo(config.timezone)
    pages = Pages(config, env, words, tz)
    routes = [
        Route("/", pages.index),
        Route("/events/{key:int}", pages.event),
        Route("/articles/{key:int}", pages.article),
        Route("/events/{key:int}/feedback", pages.event_feedback, methods=["GET", "POST"]),
        Route("/articles/{key:int}/feedback", pages.article_feedback, methods=["GET", "POST"]),
        Route("/articles/{key:int}/correct", pages.correct, methods=["POST"]),
        Route("/search", pages.search),
        Route("/feed.atom", pages.feed),
        Route("/health", pages.health),
        Route("/login", pages.login, methods=["GET", "POST"]),
        Route("/logout", pages.logout, methods=["POST"]),
    ]
    middleware = [Middleware(SessionMiddleware, secret_key=secret or secrets.token_urlsafe(32),
                             session_cookie="newsmon_session", same_site="strict", max_age=12 * 3600)]
    return Starlette(routes=routes, middleware=middleware)


class Pages:
    def __init__(self, config: Config, env: Environment, words: Words, tz: ZoneInfo) -> None:
        self.config, self.env, self.words, self.tz = config, env, words, tz
        self.auth = password_hash(config)

    # -- helpers -----------------------------------------------------------
    def analyst(self, request: Request) -> str | None:
        """Who may change things now: the signed-in analyst, or the local user when no password is set."""
        return request.session.get("user") if self.auth else local_analyst()

    def render(self, request: Request, template: str, code: int = 200, **values: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(
            w=self.words, lang=self.words.lang, dir=self.words.direction, csrftoken=csrf_token(request.session),
            analyst=self.analyst(request), auth=bool(self.auth), request=request, local=self.local,
            subtypes=SUBTYPES, urlencode=urlencode, **values)
        return HTMLResponse(html, status_code=code)

    def local(self, moment: datetime | None) -> str:
        return moment.astimezone(self.tz).strftime("%Y-%m-%d %H:%M") if moment else "—"

    def read(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        conn = open_readonly(self.config.database)
        try:
            return work(conn)
        finally:
            conn.close()

    def not_found(self, request: Request) -> HTMLResponse:
        return self.render(request, "message.html", 404, title=self.words("not_found"), message=self.words("not_found"))

    def forbidden(self, request: Request) -> HTMLResponse:
        return self.render(request, "message.html", 403, title="403", message=self.words("forbidden"))

    # -- pages -------------------------------------------------------------
    def index(self, request: Request) -> HTMLResponse:
        today = utc_now().astimezone(self.tz).date()
        try:
            day = date.fromisoformat(request.query_params.get("date", ""))
        except ValueError:
            day = today
        events = self.read(lambda conn: queries.flagged_events(conn, *queries.day_bounds(day, self.tz)))
        return self.render(request, "index.html", day=day, events=events, today=today,
                           previous=day - timedelta(days=1), next=day + timedelta(days=1) if day < today else None)

    def event(self, request: Request) -> HTMLResponse:
        found = self.read(lambda conn: queries.event(conn, request.path_params["key"]))
        if found is None:
            return self.not_found(request)
        return self.render(request, "event.html", event=found)

    def article(self, request: Request) -> HTMLResponse:
        found = self.read(lambda conn: queries.article(conn, request.path_params["key"]))
        if found is None:
            return self.not_found(request)
        reasons = found["reasons"] + found["learned_reasons"]
        return self.render(request, "article.html", article=found, reasons=reasons,
                           pieces=highlight(found["text"] or "", found["reasons"]))

    async def event_feedback(self, request: Request) -> Response:
        return await self._feedback(request, "event")

    async def article_feedback(self, request: Request) -> Response:
        return await self._feedback(request, "article")

    async def _feedback(self, request: Request, kind: str) -> Response:
        """GET: a confirmation page (changes nothing). POST with the CSRF token: record the verdict."""
        key = request.path_params["key"]
        if kind == "event":
            found = await run_in_threadpool(self.read, lambda conn: queries.event(conn, key))
            ids = [r["id"] for r in found.reports] if found else []
            back = f"/events/{key}"
        else:
            found = await run_in_threadpool(self.read, lambda conn: queries.article(conn, key))
            ids = [key] if found else []
            back = f"/articles/{key}"
        if found is None:
            return self.not_found(request)
        if request.method == "GET":
            verdict = request.query_params.get("verdict")
            if verdict not in VERDICTS:
                return self.not_found(request)
            if self.analyst(request) is None:
                return RedirectResponse("/login?" + urlencode({"next": str(request.url.path) + "?" + request.url.query}), 303)
            return self.render(request, "confirm.html", kind=kind, verdict=verdict, target=found, count=len(ids),
                               action=request.url.path, back=back)
        form = await request.form()
        if not csrf_ok(request.session, form.get("csrftoken")):
            return self.forbidden(request)
        who = self.analyst(request)
        if who is None:
            return self.forbidden(request)
        verdict = form.get("verdict")
        if verdict not in VERDICTS:
            return self.render(request, "message.html", 400, title="400", message=f"verdict {verdict!r}")
        await run_in_threadpool(self._write, ids, who=who, verdict=verdict, event_id=key if kind == "event" else None)
        return RedirectResponse(back, 303)

    async def correct(self, request: Request) -> Response:
        """Partners and subtype corrections from the article page (a POST with the CSRF token)."""
        key = request.path_params["key"]
        form = await request.form()
        if not csrf_ok(request.session, form.get("csrftoken")):
            return self.forbidden(request)
        who = self.analyst(request)
        if who is None:
            return self.forbidden(request)
        partners = [p for p in str(form.get("partners", "")).replace(",", " ").split() if p]
        subtype = str(form.get("subtype") or "") or None
        try:
            await run_in_threadpool(self._write, [key], who=who, partners=partners, subtype=subtype)
        except FeedbackError as exc:
            return self.render(request, "message.html", 400, title="400", message=str(exc))
        return RedirectResponse(f"/articles/{key}", 303)

    def _write(self, ids: list[int], **change: Any) -> None:
        db = open_database(self.config.database)
        try:
            record_feedback(db.conn, ids, via="web", **change)
        finally:
            db.close()

    def search(self, request: Request) -> Response:
        query = queries.SearchQuery.from_params(request.query_params)
        rows, total, facets = self.read(lambda conn: queries.search(conn, query))
        form = request.query_params.get("format")
        if form == "json":
            return JSONResponse([_export(row) for row in rows], headers=_attachment("newsmon-search.json"))
        if form == "csv":
            return Response(_csv(rows), media_type="text/csv; charset=utf-8",
                            headers=_attachment("newsmon-search.csv"))
        return self.render(request, "search.html", query=query, rows=rows, total=total, facets=facets)

    def feed(self, request: Request) -> Response:
        now = utc_now()
        since = (now - timedelta(days=FEED_DAYS)).isoformat(timespec="seconds")
        until = (now + timedelta(minutes=1)).isoformat(timespec="seconds")
        events = self.read(lambda conn: queries.flagged_events(conn, since, until))
        base = (self.config.serve.base_url or str(request.base_url)).rstrip("/")
        return Response(_atom(events, base, self.words, now), media_type="application/atom+xml; charset=utf-8")

    def health(self, request: Request) -> HTMLResponse:
        from scheduler.status import collect_status

        status = collect_status(self.config)
        learning = self.read(queries.model_and_feedback)
        return self.render(request, "health.html", status=status, learning=learning)

    async def login(self, request: Request) -> Response:
        target = request.query_params.get("next", "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        if request.method == "GET" or not self.auth:
            return self.render(request, "login.html", next=target, failed=False)
        form = await request.form()
        if not csrf_ok(request.session, form.get("csrftoken")):
            return self.forbidden(request)
        user, password = str(form.get("user", "")), str(form.get("password", ""))
        good = user == self.config.serve.user and await run_in_threadpool(verify_password, password, self.auth)
        if not good:
            return self.render(request, "login.html", 401, next=target, failed=True)
        request.session["user"] = user
        return RedirectResponse(target, 303)

    async def logout(self, request: Request) -> Response:
        form = await request.form()
        if not csrf_ok(request.session, form.get("csrftoken")):
            return self.forbidden(request)
        request.session.pop("user", None)
        return RedirectResponse("/", 303)


EXPORT_FIELDS = ("id", "url", "source", "lang", "title", "published_at", "flagged", "verdict_by", "score",
                 "subtype", "partners")


def _export(row: dict[str, Any]) -> dict[str, Any]:
    return {field: row[field] for field in EXPORT_FIELDS}


def _csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        values = _export(row)
        values["partners"] = " ".join(values["partners"])
        # a cell starting with = + - @ would run as a formula in a spreadsheet
        writer.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in values.values()])
    return out.getvalue()


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _atom(events: list[queries.Event], base: str, words: Words, now: datetime) -> str:
    entries = []
    for event in events:
        lead = event.lead
        summary = " · ".join(filter(None, [
            ", ".join(event.sources), ", ".join(words.partner(p) for p in event.partners), words.subtype(event.subtype)]))
        updated = (event.latest or now).isoformat(timespec="seconds")
        entries.append(
            f"<entry><id>{xml_escape(base)}/events/{event.id}</id>"
            f"<title>{xml_escape(lead['title'] or lead['url'])}</title>"
            f'<link rel="alternate" href="{xml_escape(base)}/events/{event.id}"/>'
            f"<updated>{updated}</updated><summary>{xml_escape(summary)}</summary></entry>")
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            f'xml:lang="{words.lang}"><id>{xml_escape(base)}/feed.atom</id><title>newsmon — '
            f'{xml_escape(words("today"))}</title><link rel="self" href="{xml_escape(base)}/feed.atom"/>'
            f"<updated>{now.isoformat(timespec='seconds')}</updated>" + "".join(entries) + "</feed>\n")
