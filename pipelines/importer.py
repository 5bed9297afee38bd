"""``newsmon import``: load articles from JSON Lines through the crawl's own pipeline.

One object a line: ``url`` and ``text`` required; ``title``, ``lang``
(ar|fr|en, detected when absent), ``published`` (ISO 8601 date or datetime)
and ``source`` (defaults to the URL's host) optional; other keys are
ignored, so exports of news-please or Media Cloud load as they are.  Each
line is classified, fingerprinted and placed in its event exactly like a
crawled page (:func:`pipelines.process.article_row`), without the crawl's
age limit.  A URL already stored with the same text is left alone, so
importing a file twice changes nothing.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pipelines.dbtime import utc_now
from pipelines.dedupe import content_hash
from pipelines.event_keys import event_keys
from pipelines.process import MIN_TEXT_CHARS, article_row
from pipelines.store import ArticleStore

LANGS = ("ar", "fr", "en")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
_WORD_RE = re.compile(r"[a-zà-ÿ']+")
_FRENCH = frozenset("le la les des du de et un une est dans pour sur avec au aux par que qui son ses été a".split())
_ENGLISH = frozenset("the of and to in a is on for with by was that as at from his has have be are".split())


class ImportLineError(ValueError):
    """One line cannot be imported; the message is the reason shown after ``FILE:LINE:``."""


@dataclass
class ImportResult:
    lines: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)  # "FILE:LINE: reason", in file order
    events: set[int] = field(default_factory=set)


def detect_lang(title: str, text: str) -> str:
    """ar, fr or en from the script and the commonest function words: enough for news prose."""
    sample = f"{title} {text[:2000]}"
    letters = [c for c in sample if c.isalpha()]
    if letters and sum(bool(_ARABIC_RE.match(c)) for c in letters) > len(letters) / 2:
        return "ar"
    words = _WORD_RE.findall(sample.lower())
    french = sum(w in _FRENCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    return "fr" if french > english else "en"


def parse_published(value: Any, tz: ZoneInfo) -> datetime:
    """An ISO 8601 date or datetime; a date is taken as midnight and a naive time as local (``tz``)."""
    if not isinstance(value, str) or not value.strip():
        raise ImportLineError("published: expected an ISO 8601 date or datetime string")
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text or " " in text \
            else datetime.combine(datetime.fromisoformat(text).date(), time())
    except ValueError:
        raise ImportLineError(f"published: {text!r} is not an ISO 8601 date or datetime") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _string(record: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    value = record.get(key)
    if value is None:
        if required:
            raise ImportLineError(f"{key}: required")
        return None
    if not isinstance(value, str):
        raise ImportLineError(f"{key}: expected a string, got {type(value).__name__}")
    value = value.strip()
    if required and not value:
        raise ImportLineError(f"{key}: empty")
    return value or None


def prepare(record: Any, *, canonical: Callable[[str], str], tz: ZoneInfo, threshold: float,
            fetched_at: datetime) -> tuple[dict[str, Any], int | None]:
    """One decoded line -> the ``articles`` row and simhash; ImportLineError says what is wrong."""
    if not isinstance(record, dict):
        raise ImportLineError(f"expected a JSON object, got {type(record).__name__}")
    url = _string(record, "url", required=True)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImportLineError(f"url: {url!r} is not an http(s) URL")
    text = _string(record, "text", required=True)
    if len(text) < MIN_TEXT_CHARS:
        raise ImportLineError(f"text: {len(text)} characters, an article needs at least {MIN_TEXT_CHARS}")
    title = _string(record, "title")
    lang = _string(record, "lang")
    if lang is not None and lang not in LANGS:
        raise ImportLineError(f"lang: {lang!r} is not one of {', '.join(LANGS)}")
    published = parse_published(record["published"], tz) if record.get("published") is not None else None
    source = _string(record, "source") or parts.hostname.lower()
    return article_row(
        url=canonical(url), source=source, lang=lang or detect_lang(title or "", text), title=title, text=text,
        author=_string(record, "author"), published_at=published, date_origin="import" if published else None,
        date_raw=record["published"] if published else None, fetched_at=fetched_at, threshold=threshold,
    )


def import_lines(store: ArticleStore, name: str, lines: Iterable[bytes | str], *, canonical: Callable[[str], str],
                 timezone_name: str, threshold: float,
                 progress: Callable[[str], None] | None = None) -> ImportResult:
    """Import JSON Lines into the store; bad lines are reported as ``name:LINE: reason`` and skipped."""
    result = ImportResult()
    tz = ZoneInfo(timezone_name)
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        result.lines += 1
        try:
            try:
                if isinstance(line, bytes):
                    line = line.decode("utf-8")
                record = json.loads(line)
            except UnicodeDecodeError:
                raise ImportLineError("not UTF-8 text") from None
            except json.JSONDecodeError as exc:
                raise ImportLineError(f"invalid JSON: {exc.msg} (column {exc.colno})") from None
            row, fingerprint = prepare(record, canonical=canonical, tz=tz, threshold=threshold,
                                       fetched_at=utc_now())
        except ImportLineError as exc:
            result.errors.append(f"{name}:{number}: {exc}")
            continue
        stored = store.db.execute("SELECT content_hash, title, event_id FROM articles WHERE url = ?",
                                  [row["url"]]).fetchone()
        if stored is not None and stored[0] == row["content_hash"] and stored[1] == row["title"] and stored[2]:
            result.unchanged += 1
            result.events.add(stored[2])
            continue
        saved = store.save_article(row, simhash=fingerprint, keys=event_keys(row["title"], row["text"]))
        result.created += saved.created
        result.updated += not saved.created
        result.events.add(saved.event_id)
        if progress and result.lines % 500 == 0:
            progress(f"import: {result.lines} lines, {result.created} new articles")
    return result


def import_file(store: ArticleStore, path: Path, **options: Any) -> ImportResult:
    """:func:`import_lines` over a file; the file name prefixes each error."""
    with open(path, "rb") as fh:  # decoded line by line: one bad byte spoils one line, not the file
        return import_lines(store, str(path), fh, **options)
