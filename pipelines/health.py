"""Per-source health from the crawl history: is each site still feeding us?

A news monitor fails its users most often by going quiet without saying so:
a site changes its markup, starts answering 403, or simply stops publishing
where we look.  This module turns the ``source_runs`` and ``articles`` rows of
one database into one verdict per source that ``newsmon status`` and the
daily digest show to analysts.

API (stable; other modules rely on it)::

    source_health(conn_or_db, sources, settings, timezone="UTC", now=None) -> list[SourceHealth]

``conn_or_db`` is a ``sqlite3.Connection``, a ``sqlite_utils.Database`` or the
database path (a missing file means nothing was crawled yet).  ``sources``
are the names to report, in that order; ``settings`` the ``health:`` section.  ``SourceHealth`` has:

``source``        the source's name
``state``         ``ok`` | ``degraded`` | ``silent`` | ``failing`` | ``blocked`` | ``unknown``
``why``           the :class:`Reason`: a code and its parameters, phrased by ``why.text(lang)``
                  in English, French or Arabic (the digest speaks its reader's language)
``reason``        property: ``why`` in English, e.g. "no new article for 3 days (usually one every 5 h)"
``last_success``  end of the latest run in which the site answered (status ok or empty), or None
``articles_7d``   articles stored in the seven days before ``now``
``last_error``    the most recent error message recorded for the source, or None
``last_run``      start of the latest run, or None
``advice``        what the latest run says config.yaml should change (a feed that moved and the
                  address used instead, a fetcher to try), or None; shown even when the state is ok
``is_ok``         property: ``state == "ok"``

States, most serious first (the first that applies wins; ``STATES`` lists them in this order):

* ``blocked``  the latest run was refused by the site (HTTP 403 or a
  challenge page, recorded by the spider as ``blocked``);
* ``failing``  the latest run got nothing but errors (DNS, timeouts, 5xx);
* ``degraded`` over the last ``health.window_runs`` runs, the share of failed
  requests, of pages without an extractable body, of articles without a date
  or of bodies shorter than ``health.min_body_chars`` exceeds
  ``health.degraded_error_ratio``;
* ``silent``   no new article for longer than the source's usual gap times
  ``health.silent_gap_factor``, and never less than
  ``health.silent_floor_hours``.  The usual gap is the 90th percentile of
  the gaps between its articles (publication time, else fetch time) over the
  last ``health.history_days``, so a weekly magazine is not called silent
  after two days while a wire service is;
* ``unknown``  never crawled;
* ``ok``       everything else.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pipelines.config_fields import Number, setting
from pipelines.counters import COUNTERS, RunCounters
from pipelines.dbtime import from_db, to_db, utc_now

@dataclass(frozen=True)
class HealthSettings:
    """The ``health:`` section of config.yaml: when a source counts as degraded or silent."""

    silent_floor_hours: float = setting(48.0, check=Number(minimum=1),
                                        help="a source is silent after max(this, its usual gap) without a new article")
    degraded_error_ratio: float = setting(0.3, check=Number(maximum=1),
                                          help="above this share of failed requests, bodiless or undated pages or "
                                               "short bodies, a source is degraded")
    min_body_chars: int = setting(300, check=Number(integer=True), help="shorter extracted bodies count as suspicious")
    window_runs: int = setting(3, check=Number(minimum=1, integer=True),
                               help="the latest runs of a source that the degraded ratios are taken over")
    silent_gap_factor: float = setting(2.0, check=Number(minimum=1),
                                       help="silent after this many times its usual gap without a new article")
    history_days: int = setting(30, check=Number(minimum=1, integer=True), help="how far back the usual gap is learned")


STATES = ("blocked", "failing", "degraded", "silent", "unknown", "ok")  # most serious first, for sorting reports
MIN_GAPS_TO_LEARN = 5
# The spider ends a source_runs note with this when the configuration should change.
CONFIG_ADVICE = "update config.yaml"
USUAL_GAP_QUANTILE = 0.9


@dataclass(frozen=True)
class Reason:
    """Why a source is in its state, kept as data so that each reader phrases it in its own language.

    ``params`` hold counts, ``timedelta`` spans and local times already
    written as ``YYYY-MM-DD HH:MM``; see ``_PHRASES`` for the codes.
    """

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """One line in ``lang`` (ar, fr or en); English for any other language."""
        lang = lang if lang in _DURATION_UNITS else "en"
        values = {k: _duration(v, lang) if isinstance(v, timedelta) else v for k, v in self.params.items()}
        if "runs" in values:
            values["runs_phrase"] = _runs_phrase(values["runs"], lang)
        if self.code == "silent_quiet":
            habit = "habit" if self.params.get("usual") else "no_habit"
            values["habit"] = _PHRASES[habit][lang].format(**values)
        error = self.params.get("error")
        return _PHRASES[self.code][lang].format(**values) + (f": {error}" if error else "")


@dataclass(frozen=True)
class SourceHealth:
    source: str
    state: str
    why: Reason
    last_success: datetime | None
    articles_7d: int
    last_error: str | None
    last_run: datetime | None = None
    advice: str | None = None

    @property
    def reason(self) -> str:
        """The reason in English, as ``newsmon status`` prints it."""
        return self.why.text("en")

    @property
    def is_ok(self) -> bool:
        return self.state == "ok"


@dataclass
class RunRow(RunCounters):
    """One ``source_runs`` row as health reads it: its times, status, counters and last error."""

    started_at: datetime
    finished_at: datetime | None
    status: str
    last_error: str | None = None
    notes: tuple[str, ...] = ()


def source_health(conn_or_db: Any, sources: Sequence[str], settings: HealthSettings, timezone: str = "UTC",
                  now: datetime | None = None) -> list[SourceHealth]:
    """Health of each named source, from one database; local times in reasons are in ``timezone``."""
    moment = now or utc_now()
    selected = list(sources)
    conn, owned = _connection(conn_or_db)
    if conn is None:
        return [assess(name, [], [], None, 0, settings, moment, timezone) for name in selected]
    since = moment - timedelta(days=settings.history_days)
    try:
        runs = _runs(conn, selected, since)
        times = _article_times(conn, selected, since)
        last_new = _last_new_article(conn, selected)
        week = _articles_since(conn, selected, moment - timedelta(days=7))
    finally:
        if owned:
            conn.close()
    return [
        assess(name, runs.get(name, []), times.get(name, []), last_new.get(name), week.get(name, 0),
               settings, moment, timezone)
        for name in selected
    ]


def assess(source: str, runs: Sequence[RunRow], article_times: Iterable[datetime], last_new: datetime | None,
           articles_7d: int, settings: HealthSettings, now: datetime, tz: str = "UTC") -> SourceHealth:
    """The verdict for one source, from its runs (newest first) and article times; no I/O."""
    zone = ZoneInfo(tz)
    last_success = next((r.finished_at or r.started_at for r in runs if r.status in ("ok", "empty")), None)
    last_error = next((r.last_error for r in runs if r.last_error), None)

    advice = next((n for n in runs[0].notes if CONFIG_ADVICE in n), None) if runs else None

    def verdict(state: str, code: str, **params: Any) -> SourceHealth:
        return SourceHealth(source, state, Reason(code, params), last_success, articles_7d, last_error,
                            runs[0].started_at if runs else None, advice)

    if not runs:
        return verdict("unknown", "never_crawled")
    latest = runs[0]
    error = latest.last_error.removeprefix("blocked: ") if latest.last_error else None
    for state, rule in (("blocked", _is_blocked), ("failing", _is_failed)):
        if rule(latest):
            streak = _streak(runs, rule)
            return verdict(state, state, runs=len(streak), since=_when(streak[-1].started_at, zone), error=error)
    window = runs[: settings.window_runs]
    trouble = _degradation(window, settings)
    if trouble:
        return verdict("degraded", trouble[0], runs=len(window), **trouble[1])
    usual = usual_gap(article_times)
    threshold = max(timedelta(hours=settings.silent_floor_hours), usual * settings.silent_gap_factor) if usual \
        else timedelta(hours=settings.silent_floor_hours)
    if now - latest.started_at > threshold:
        return verdict("silent", "not_crawled", idle=now - latest.started_at, last=_when(latest.started_at, zone))
    if last_new is None:
        first = runs[-1].started_at
        if now - first > threshold:
            return verdict("silent", "nothing_stored", runs=len(runs), since=_when(first, zone))
        return verdict("ok", "first_crawl", age=now - first)
    quiet = now - last_new
    if quiet > threshold:
        return verdict("silent", "silent_quiet", quiet=quiet, usual=usual, threshold=threshold)
    return verdict("ok", "ok", count=articles_7d, quiet=quiet)


def usual_gap(times: Iterable[datetime]) -> timedelta | None:
    """90th percentile of the gaps between consecutive articles, or None with too few to tell."""
    ordered = sorted(set(times))
    gaps = sorted(b - a for a, b in pairwise(ordered))
    if len(gaps) < MIN_GAPS_TO_LEARN:
        return None
    return gaps[min(len(gaps) - 1, int(len(gaps) * USUAL_GAP_QUANTILE))]


# -- the rules ------------------------------------------------------------------

def _is_blocked(run: RunRow) -> bool:
    return run.status == "blocked" or (run.status == "failed" and run.blocked > 0)


def _is_failed(run: RunRow) -> bool:
    return run.status == "failed" or (run.requests > 0 and run.errors >= run.requests and run.new_articles == 0)


def _streak(runs: Sequence[RunRow], rule: Callable[[RunRow], bool]) -> list[RunRow]:
    streak = []
    for run in runs:
        if not rule(run):
            break
        streak.append(run)
    return streak


def _degradation(window: Sequence[RunRow], settings: HealthSettings) -> tuple[str, dict[str, int]] | None:
    """The worst symptom above the threshold, as a reason code and its counts, or None."""
    requests = sum(r.requests for r in window)
    stored = sum(r.new_articles for r in window)
    unextracted = sum(r.extraction_failures for r in window)
    symptoms = [  # (code, bad, out of)
        ("unextracted", unextracted, stored + unextracted),
        ("requests_failed", sum(r.errors for r in window), requests),
        ("undated", sum(r.dating_failures for r in window), stored),
        ("short_bodies", sum(r.short_bodies for r in window), stored),
    ]
    code, bad, total = max(symptoms, key=lambda s: s[1] / s[2] if s[2] else 0)
    if not total or bad / total <= settings.degraded_error_ratio:
        return None
    counts = {"bad": bad, "total": total}
    if code == "short_bodies":
        counts["chars"] = settings.min_body_chars
    return code, counts


# -- phrasing -------------------------------------------------------------------
# One line per reason code and language; ``{runs_phrase}`` and durations are
# put in the language by ``Reason.text``, the last error is appended verbatim.

_PHRASES: dict[str, dict[str, str]] = {
    "never_crawled": {"en": "never crawled", "fr": "jamais explorée", "ar": "لم يزحف عليه بعد"},
    "blocked": {
        "en": "blocked by the site (HTTP 403 or challenge page) in the last {runs_phrase} since {since}",
        "fr": "bloquée par le site (HTTP 403 ou page de vérification) lors de {runs_phrase}, depuis le {since}",
        "ar": "حجبه الموقع (HTTP 403 أو صفحة تحقق) في {runs_phrase} منذ {since}",
    },
    "failing": {
        "en": "every request failed in the last {runs_phrase} since {since}",
        "fr": "toutes les requêtes ont échoué lors de {runs_phrase}, depuis le {since}",
        "ar": "فشلت كل الطلبات في {runs_phrase} منذ {since}",
    },
    "unextracted": {
        "en": "no article text could be extracted from {bad} of {total} pages in the last {runs_phrase}",
        "fr": "aucun texte d'article extrait de {bad} pages sur {total} lors de {runs_phrase}",
        "ar": "تعذر استخراج نص المقال من {bad} من أصل {total} صفحة في {runs_phrase}",
    },
    "requests_failed": {
        "en": "{bad} of {total} requests failed in the last {runs_phrase}",
        "fr": "{bad} requêtes sur {total} ont échoué lors de {runs_phrase}",
        "ar": "فشل {bad} من أصل {total} طلب في {runs_phrase}",
    },
    "undated": {
        "en": "{bad} of {total} articles had no findable date in the last {runs_phrase}",
        "fr": "{bad} articles sur {total} sans date lisible lors de {runs_phrase}",
        "ar": "{bad} من أصل {total} مقال دون تاريخ مقروء في {runs_phrase}",
    },
    "short_bodies": {
        "en": "{bad} of {total} articles had bodies under {chars} characters in the last {runs_phrase}",
        "fr": "{bad} articles sur {total} avaient un texte de moins de {chars} caractères lors de {runs_phrase}",
        "ar": "{bad} من أصل {total} مقال نصه أقصر من {chars} حرف في {runs_phrase}",
    },
    "not_crawled": {
        "en": "not crawled for {idle} (last run {last})",
        "fr": "pas explorée depuis {idle} (dernière exploration le {last})",
        "ar": "لم يزحف عليه منذ {idle} (آخر زحف {last})",
    },
    "nothing_stored": {
        "en": "no article stored in {runs_phrase} since {since}",
        "fr": "aucun article enregistré en {runs} exploration(s) depuis le {since}",
        "ar": "لم يخزن أي مقال في {runs} عملية زحف منذ {since}",
    },
    "first_crawl": {
        "en": "no article yet; first crawled {age} ago",
        "fr": "pas encore d'article ; première exploration il y a {age}",
        "ar": "لا مقال بعد؛ أول زحف قبل {age}",
    },
    "silent_quiet": {
        "en": "no new article for {quiet} ({habit}; alarm after {threshold})",
        "fr": "aucun nouvel article depuis {quiet} ({habit} ; alerte après {threshold})",
        "ar": "لا مقال جديد منذ {quiet} ({habit}؛ التنبيه بعد {threshold})",
    },
    "habit": {
        "en": "usually one every {usual}",
        "fr": "d'habitude un toutes les {usual}",
        "ar": "عادة مقال كل {usual}",
    },
    "no_habit": {
        "en": "no usual rhythm learned yet",
        "fr": "rythme habituel pas encore appris",
        "ar": "لم يعرف إيقاعه المعتاد بعد",
    },
    "ok": {
        "en": "{count} article(s) in 7 days; last new one {quiet} ago",
        "fr": "{count} article(s) en 7 jours ; dernier nouvel article il y a {quiet}",
        "ar": "{count} مقال في 7 أيام؛ آخر مقال جديد قبل {quiet}",
    },
}

_RUNS_PHRASES = {  # (one run, several runs)
    "en": ("run", "{n} runs"),
    "fr": ("la dernière exploration", "les {n} dernières explorations"),
    "ar": ("آخر عملية زحف", "آخر {n} عمليات زحف"),
}

_DURATION_UNITS = {  # (minutes, hours, days)
    "en": ("min", "h", "days"),
    "fr": ("min", "h", "jours"),
    "ar": ("دقيقة", "ساعة", "يوما"),
}
_ARABIC_PLURALS = {"دقيقة": "دقائق", "ساعة": "ساعات", "يوما": "أيام"}  # after the numbers 3 to 10


def _runs_phrase(count: int, lang: str = "en") -> str:
    one, several = _RUNS_PHRASES[lang]
    return one if count == 1 else several.format(n=count)


def _when(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _duration(span: timedelta, lang: str = "en") -> str:
    minutes, hours, days = _DURATION_UNITS[lang]
    total = span.total_seconds() / 3600
    if total < 1:
        count, unit = max(1, round(total * 60)), minutes
    elif total < 48:
        count, unit = round(total), hours
    else:
        count, unit = round(total / 24), days
    if lang == "ar" and 3 <= count <= 10:
        unit = _ARABIC_PLURALS[unit]
    return f"{count} {unit}"


# -- reading the database -------------------------------------------------------

def _connection(conn_or_db: Any) -> tuple[sqlite3.Connection | None, bool]:
    """The connection to read, and whether we opened it (and so must close it)."""
    if isinstance(conn_or_db, sqlite3.Connection):
        return conn_or_db, False
    if isinstance(conn_or_db, (str, Path)):
        path = Path(conn_or_db)
        if not path.exists():
            return None, False
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30), True
    return conn_or_db.conn, False  # a sqlite_utils.Database


def _in(names: Sequence[str]) -> str:
    return ",".join("?" * len(names))


def _has_table(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", [table]).fetchone() is not None


def _runs(conn: sqlite3.Connection, names: Sequence[str], since: datetime) -> dict[str, list[RunRow]]:
    if not names or not _has_table(conn, "source_runs"):
        return {}
    rows = conn.execute(
        f"""
        SELECT source, started_at, finished_at, status, last_error, notes, {', '.join(COUNTERS)}
        FROM source_runs WHERE source IN ({_in(names)})
        AND (started_at >= ? OR id IN (SELECT MAX(id) FROM source_runs GROUP BY source))
        ORDER BY started_at DESC, id DESC
        """,
        [*names, to_db(since)],
    ).fetchall()
    runs: dict[str, list[RunRow]] = {}
    for source, started, finished, status, last_error, notes, *counts in rows:
        started_at = from_db(started)
        if started_at is None:
            continue
        runs.setdefault(source, []).append(RunRow(
            started_at, from_db(finished), status, last_error=last_error, notes=_notes(notes),
            **{name: int(count or 0) for name, count in zip(COUNTERS, counts, strict=True)},
        ))
    return runs


def _notes(value: str | None) -> tuple[str, ...]:
    try:
        notes = json.loads(value or "[]")
    except ValueError:  # a hand edit in Datasette must not break a report
        return ()
    return tuple(n for n in notes if isinstance(n, str)) if isinstance(notes, list) else ()


def _article_times(conn: sqlite3.Connection, names: Sequence[str], since: datetime) -> dict[str, list[datetime]]:
    """Publication time of each recent article, its fetch time when undated."""
    if not names or not _has_table(conn, "articles"):
        return {}
    rows = conn.execute(
        f"SELECT source, published_at, fetched_at FROM articles WHERE source IN ({_in(names)}) AND fetched_at >= ?",
        [*names, to_db(since)],
    ).fetchall()
    times: dict[str, list[datetime]] = {}
    for source, published, fetched in rows:
        fetched_at = from_db(fetched)
        moment = from_db(published) or fetched_at
        if moment is not None and fetched_at is not None:
            times.setdefault(source, []).append(min(moment, fetched_at))
    return times


def _last_new_article(conn: sqlite3.Connection, names: Sequence[str]) -> dict[str, datetime]:
    """When each source last gave us a new article: the articles table, or a run that counted one."""
    latest: dict[str, datetime] = {}
    queries = []
    if _has_table(conn, "articles"):
        queries.append(f"SELECT source, MAX(fetched_at) FROM articles WHERE source IN ({_in(names)}) GROUP BY source")
    if _has_table(conn, "source_runs"):
        queries.append(f"SELECT source, MAX(COALESCE(finished_at, started_at)) FROM source_runs "
                       f"WHERE source IN ({_in(names)}) AND new_articles > 0 GROUP BY source")
    for sql in queries if names else []:
        for source, value in conn.execute(sql, list(names)):
            moment = from_db(value)
            if moment is not None and (source not in latest or moment > latest[source]):
                latest[source] = moment
    return latest


def _articles_since(conn: sqlite3.Connection, names: Sequence[str], since: datetime) -> dict[str, int]:
    if not names or not _has_table(conn, "articles"):
        return {}
    rows = conn.execute(
        f"SELECT source, COUNT(*) FROM articles WHERE source IN ({_in(names)}) AND fetched_at >= ? GROUP BY source",
        [*names, to_db(since)],
    )
    return {source: count for source, count in rows}
