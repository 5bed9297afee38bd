"""The SQLite database: connections, article upserts, run bookkeeping, search (schema in pipelines.schema).

One file holds everything so that an analyst can open it in Datasette.  The
crawler is the only heavy writer; WAL mode lets the digest and ``status`` read
while a crawl commits.  Every article is written in its own short transaction
together with its URL bookkeeping, so a crash mid-crawl loses at most the page
being written and leaves the database consistent.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import contextmanager
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlite_utils

from pipelines.counters import COUNTERS
from pipelines.dbtime import from_db, to_db, utc_now
from pipelines.dblists import LIST_COLUMNS, decode_lists, list_to_db
from pipelines.dedupe import find_cluster, simhash_bands
from pipelines.event_keys import EventKeys, event_keys
from pipelines.events import place_article, refresh_event
from pipelines.normalize import normalize_for_search
from pipelines.schema import migrations
from pipelines.verdicts import settle

# URL states that mean "never request this again".  Failed fetches are retried
# on later crawls until they have failed MAX_URL_ATTEMPTS times.
FINAL_URL_STATES = ("stored", "too_old", "empty")
MAX_URL_ATTEMPTS = 3


# The articles columns holding a time; callers pass aware datetimes (see pipelines.dbtime).
_ARTICLE_TIMES = frozenset({"published_at", "fetched_at"})


class StoreError(RuntimeError):
    """The database cannot be opened or written; the message is one line for the user."""


class WriteFailed(StoreError):
    """A write was refused (disk full, lock held too long, I/O error): nothing of it was kept.

    The message is SQLite's own reason, one line ("database or disk is full"),
    so a crawl can stop at once and say why.
    """


def write_failure(exc: sqlite3.Error) -> WriteFailed:
    """The one-line reason for a failed write; a held lock also says what we waited for."""
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "locked" in reason or "busy" in reason:
        reason = f"{reason} (another process held its write lock too long)"
    return WriteFailed(reason)


def search_text(title: str | None, text: str | None, *, normalized_text: str | None = None) -> str:
    """The ``articles.search_text`` column the trigram index reads; pass ``normalized_text`` if already folded."""
    body = normalized_text if normalized_text is not None else normalize_for_search(text or "")
    return f"{normalize_for_search(title or '')} {body}".strip()


def open_database(path: str | Path, *, timeout: float = 30.0) -> sqlite_utils.Database:
    """Open (creating if needed) and migrate the database; WAL is switched on once."""
    db_path = Path(path)
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(db_path), timeout=timeout, isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        with _setup_lock(db_path):
            if db.journal_mode != "wal":
                db.enable_wal()
            migrations.apply(db)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = NORMAL")
    except (sqlite3.Error, OSError) as exc:
        raise StoreError(f"cannot open database {db_path}: {exc}") from None
    return db


@contextmanager
def _setup_lock(db_path: Path) -> Iterator[None]:
    """One process at a time switches a new file to WAL and migrates it.

    Two first starts at once (a crawl and `status`, the daemon and a manual
    crawl) used to both see a migration pending and both apply it:
    "UNIQUE constraint failed: _sqlite_migrations" or "database is locked".
    SQLite's own locks cannot cover the check and the change together
    (switching to WAL cannot happen inside a transaction), so an OS lock
    beside the file does; it vanishes with its process.
    """
    fd = os.open(db_path.with_name(db_path.name + ".setup.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection for reporting commands, which must never block a crawl."""
    db_path = Path(path)
    if not db_path.exists():
        raise StoreError(f"database {db_path} does not exist yet: run `newsmon crawl` first")
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def compress_html(html: str) -> bytes:
    return zlib.compress(html.encode("utf-8"), 6)


def decompress_html(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8")


@dataclass(frozen=True)
class SavedArticle:
    id: int
    created: bool
    cluster_id: int
    event_id: int


class ArticleStore:
    """The crawler's write side: known URLs, article upserts, run records."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- URLs ------------------------------------------------------------
    def known_urls(self, urls: Iterable[str]) -> set[str]:
        """URLs that must not be requested again: stored, too old, or failed too often."""
        candidates = list(dict.fromkeys(urls))
        known: set[str] = set()
        for start in range(0, len(candidates), 500):
            chunk = candidates[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT url FROM urls WHERE url IN ({marks}) AND (state IN ({','.join('?' * len(FINAL_URL_STATES))}) OR attempts >= ?)",
                [*chunk, *FINAL_URL_STATES, MAX_URL_ATTEMPTS],
            ).fetchall()
            known.update(row[0] for row in rows)
        return known

    def record_url(self, url: str, source: str, state: str, error: str | None = None) -> None:
        """Remember a fetched URL's outcome; failures count towards giving up on it."""
        now = to_db(utc_now())
        failed = 0 if state in FINAL_URL_STATES else 1
        with self._transaction():
            self._record_url(url, source, state, error, now, failed)

    def _record_url(self, url: str, source: str, state: str, error: str | None, now: str | None, failed: int) -> None:
        self.db.execute(
            """
            INSERT INTO urls (url, source, state, attempts, first_seen, last_seen, last_error)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(url) DO UPDATE SET state = excluded.state, attempts = urls.attempts + excluded.attempts,
                last_seen = excluded.last_seen, last_error = excluded.last_error
            """,
            [url, source, state, failed, now, now, error],
        )

    # -- articles --------------------------------------------------------
    def save_article(self, row: dict[str, Any], *, html: str | None = None, page: dict[str, Any] | None = None,
                     simhash: int | None = None, keys: EventKeys | None = None) -> SavedArticle:
        """Upsert one article by canonical URL, with its page, near-duplicate cluster and event.

        The cluster is the id of the earliest stored article whose simhash is
        within a few bits, so copies republished by aggregators join the
        original's group; an article with no near twin starts its own.  The
        event is placed by :func:`pipelines.events.place_article` from the
        article's keys (computed here unless the caller has them).
        """
        if keys is None:  # computed before the write lock is taken
            keys = event_keys(row.get("title"), row.get("text"))
        record = _stored_columns(_with_rule_verdict({"partners": [], "reasons": [], **row}))
        if "search_text" not in record:
            record["search_text"] = search_text(record.get("title"), record.get("text"))
        if simhash is not None:
            record["simhash"] = f"{simhash:016x}"
        with self._transaction():
            existing = self.db.execute("SELECT id, cluster_id FROM articles WHERE url = ?", [record["url"]]).fetchone()
            if existing is None:
                # The id is chosen before the INSERT so the row is written once:
                # a later UPDATE would make the FTS trigger re-index the whole text.
                # Safe because the transaction holds the write lock.
                article_id = self.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM articles").fetchone()[0]
                cluster_id = (find_cluster(self.db.conn, simhash) if simhash is not None else None) or article_id
                record.update(id=article_id, cluster_id=cluster_id)
                columns = list(record)
                self.db.execute(
                    f"INSERT INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    [record[c] for c in columns],
                )
                if simhash is not None:
                    self.db.conn.executemany(
                        "INSERT INTO simhash_bands (article_id, band, value) VALUES (?, ?, ?)",
                        [(article_id, band, value) for band, value in enumerate(simhash_bands(simhash))],
                    )
                created = True
            else:
                article_id, cluster_id = existing
                columns = list(record)
                assignments = ", ".join(f"{c} = ?" for c in columns if c != "url")
                self.db.execute(f"UPDATE articles SET {assignments} WHERE id = ?",
                                [record[c] for c in columns if c != "url"] + [article_id])
                created = False
            if html is not None or page is not None:
                page_row = dict(page or {})
                self.db.execute(
                    """
                    INSERT INTO pages (url, html_z, encoding, feed_date, feed_title, fetched_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT(url) DO UPDATE SET html_z = excluded.html_z, encoding = excluded.encoding,
                        feed_date = excluded.feed_date, feed_title = excluded.feed_title, fetched_at = excluded.fetched_at
                    """,
                    [record["url"], compress_html(html) if html is not None else None, page_row.get("encoding"),
                     to_db(page_row.get("feed_date")), page_row.get("feed_title"), record["fetched_at"]],
                )
            settle(self.db.conn, [article_id])  # before placing: the event summarises the verdicts shown
            event_id = place_article(self.db.conn, article_id, record, keys,
                                     copy_of=cluster_id if cluster_id != article_id else None)
            self._record_url(record["url"], record["source"], "stored", None, record["fetched_at"], 0)
        return SavedArticle(article_id, created, cluster_id, event_id)

    def drop_old_html(self, days: int) -> int:
        """Forget the raw HTML of pages fetched more than ``days`` ago; articles stay.

        At a few tens of kilobytes a page and thousands of pages a day, kept
        HTML is what would otherwise grow the file without bound; SQLite
        reuses the freed pages, so the file stops growing.
        """
        cutoff = to_db(utc_now() - timedelta(days=days))
        with self._transaction():
            cursor = self.db.execute(
                "UPDATE pages SET html_z = NULL WHERE html_z IS NOT NULL AND fetched_at < ?", [cutoff])
            return cursor.rowcount

    def update_article(self, article_id: int, changes: dict[str, Any]) -> None:
        """Rewrite derived columns (used by `reprocess`); a new rules verdict is settled against feedback."""
        values = _stored_columns(_with_rule_verdict(dict(changes)))
        if ("title" in values or "text" in values) and "search_text" not in values:
            current = self.db.execute("SELECT title, text FROM articles WHERE id = ?", [article_id]).fetchone()
            title = values.get("title", current[0]) or ""
            text = values.get("text", current[1]) or ""
            values["search_text"] = search_text(title, text)
        assignments = ", ".join(f"{c} = ?" for c in values)
        with self._transaction():
            self.db.execute(f"UPDATE articles SET {assignments} WHERE id = ?", [*values.values(), article_id])
            if "rule_flagged" in values:
                settle(self.db.conn, [article_id])
            event = self.db.execute("SELECT event_id FROM articles WHERE id = ?", [article_id]).fetchone()
            if event and event[0] is not None:  # its flag, partners or title may speak for the event
                refresh_event(self.db.conn, event[0])

    # -- runs ------------------------------------------------------------
    def start_crawl_run(self, sources: list[str], trigger: str = "cli", pid: int | None = None) -> int:
        with self._transaction():
            cursor = self.db.execute(
                "INSERT INTO crawl_runs (started_at, status, trigger, pid, sources) VALUES (?, 'running', ?, ?, ?)",
                [to_db(utc_now()), trigger, pid, list_to_db(sources)],
            )
            return cursor.lastrowid

    def finish_crawl_run(self, run_id: int, status: str, totals: dict[str, Any]) -> None:
        with self._transaction():
            self.db.execute(
                """
                UPDATE crawl_runs SET finished_at = ?, status = ?, requests = ?, new_articles = ?, skipped = ?,
                    errors = ?, last_error = ? WHERE id = ?
                """,
                [to_db(utc_now()), status, totals.get("requests", 0), totals.get("new_articles", 0),
                 totals.get("skipped", 0), totals.get("errors", 0), totals.get("last_error"), run_id],
            )

    def save_source_run(self, run_id: int, source: str, started_at: datetime, status: str, stats: dict[str, Any]) -> int:
        """One ``source_runs`` row; ``stats`` holds the :data:`COUNTERS` by name, ``last_error`` and ``notes``."""
        columns = (*COUNTERS, "last_error")
        values = [*(stats.get(c, 0) for c in COUNTERS), stats.get("last_error")]
        notes = list_to_db(stats.get("notes"))
        with self._transaction():
            cursor = self.db.execute(
                f"INSERT INTO source_runs (run_id, source, started_at, finished_at, status, {', '.join(columns)}, notes) "
                f"VALUES (?, ?, ?, ?, ?, {', '.join('?' * len(columns))}, ?)",
                [run_id, source, to_db(started_at), to_db(utc_now()), status, *values, notes],
            )
            return cursor.lastrowid

    def mark_interrupted_runs(self) -> int:
        """Close runs left 'running' by a crashed or killed crawl so reports stay truthful.

        A run whose process is still alive (a manual crawl beside the
        daemon's) is left alone; only dead owners' runs are closed.
        """
        with self._transaction():
            rows = self.db.execute("SELECT id, pid FROM crawl_runs WHERE status = 'running'").fetchall()
            dead = [run_id for run_id, pid in rows if not _process_alive(pid)]
            for run_id in dead:
                self.db.execute(
                    "UPDATE crawl_runs SET status = 'interrupted', finished_at = COALESCE(finished_at, ?) WHERE id = ?",
                    [to_db(utc_now()), run_id],
                )
            return len(dead)

    # -- helpers -----------------------------------------------------------
    def transaction(self) -> Any:
        """Group several writes into one BEGIN IMMEDIATE … COMMIT (each method nests inside it)."""
        return self._transaction()

    def _transaction(self) -> Any:
        return _Transaction(self.db.conn)


def _stored_columns(row: dict[str, Any]) -> dict[str, Any]:
    """An ``articles`` row as stored: times (aware datetimes) and lists in the database's spelling."""
    record = dict(row)
    for column in _ARTICLE_TIMES.intersection(record):
        record[column] = to_db(record[column])
    for column in LIST_COLUMNS.intersection(record):
        record[column] = list_to_db(record[column])
    return record


def _with_rule_verdict(record: dict[str, Any]) -> dict[str, Any]:
    """A verdict written by the rules is also kept as theirs; :func:`settle` then decides what is shown."""
    if "flagged" in record:
        record.setdefault("rule_flagged", record["flagged"])
        record.setdefault("rule_partners", record.get("partners") or [])
        record.setdefault("rule_subtype", record.get("subtype"))
    return record


def write_transaction(conn: sqlite3.Connection) -> Any:
    """BEGIN IMMEDIATE … COMMIT around a writer outside :class:`ArticleStore` (nested use joins the outer one)."""
    return _Transaction(conn)


def _process_alive(pid: int | None) -> bool:
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT: take the write lock up front so concurrent
    writers wait on the busy timeout instead of failing mid-transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.outer = False

    def __enter__(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise write_failure(exc) from None
            self.outer = True
        return self.conn

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if not self.outer:
            return
        if exc_type is None:
            try:
                self.conn.execute("COMMIT")
                return
            except sqlite3.Error as commit_error:
                exc = commit_error
        if self.conn.in_transaction:  # SQLite already rolled back after SQLITE_FULL and some I/O errors
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        if isinstance(exc, sqlite3.Error):
            raise write_failure(exc) from None


def text_match(query: str) -> tuple[bool, list[str], list[str]] | None:
    """The full-text part of a search: (needs the FTS join, WHERE clauses, parameters), or None for no terms.

    The trigram tokenizer needs terms of three characters or more, so shorter
    ones are matched with LIKE on the same normalised column.
    """
    terms = normalize_for_search(query).split()
    if not terms:
        return None
    long_terms = [t for t in terms if len(t) >= 3]
    where, params = [], []
    if long_terms:
        where.append("articles_fts MATCH ?")
        params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
    for term in (t for t in terms if len(t) < 3):
        where.append("a.search_text LIKE ?")
        params.append(f"%{term}%")
    return bool(long_terms), where, params


def search_articles(conn: sqlite3.Connection, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over the normalised index (see :func:`text_match`), newest first.

    ``published_at`` comes back as an aware datetime (UTC), ``partners`` as a list.
    """
    match = text_match(query)
    if match is None:
        return []
    fts, where, params = match
    sql = ("SELECT a.id, COALESCE(a.published_url, a.url) AS url, a.source, a.lang, a.title, a.published_at, "
           "a.flagged, a.score, a.partners, a.text, a.event_id FROM articles a")
    if fts:
        sql += " JOIN articles_fts f ON f.rowid = a.id"
    sql += " WHERE " + " AND ".join(where) + " ORDER BY a.published_at DESC LIMIT ?"
    params.append(limit)
    hits = read_rows(conn, sql, params)
    for hit in hits:
        hit["published_at"] = from_db(hit["published_at"])
    return hits


def read_rows(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[dict[str, Any]]:
    """Rows by column name, list columns as Python lists; the caller's connection is left as it was."""
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return [decode_lists(dict(row)) for row in cursor.execute(sql, list(params))]
