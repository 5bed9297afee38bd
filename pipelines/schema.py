"""The database schema as numbered migrations (sqlite-utils ``Migrations``).

Each function runs once per database, in order, inside a transaction with
its record in ``_sqlite_migrations``; a schema change is a new function at
the end, never an edit of an applied one, so every existing file upgrades
the same way.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from pipelines.dedupe import simhash_bands

migrations = Migrations("newsmon")


@migrations()
def m001_articles(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            source TEXT NOT NULL,
            lang TEXT,
            title TEXT,
            text TEXT,
            author TEXT,
            published_at TEXT,
            date_origin TEXT,
            date_raw TEXT,
            fetched_at TEXT NOT NULL,
            content_hash TEXT,
            simhash TEXT,
            cluster_id INTEGER,
            flagged INTEGER NOT NULL DEFAULT 0,
            score REAL,
            subtype TEXT,
            partners TEXT NOT NULL DEFAULT '[]',
            reasons TEXT NOT NULL DEFAULT '[]',
            classifier_version TEXT,
            search_text TEXT NOT NULL DEFAULT ''
        )
        """
    )
    for column in ("source", "published_at", "fetched_at", "content_hash", "cluster_id", "flagged"):
        db.execute(f"CREATE INDEX IF NOT EXISTS idx_articles_{column} ON articles({column})")
    # Bands of the 64-bit simhash (see pipelines.dedupe): near-duplicates
    # share at least one band exactly, so candidates come from an index.
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS simhash_bands (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            band INTEGER NOT NULL,
            value INTEGER NOT NULL,
            PRIMARY KEY (band, value, article_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS pages (
            url TEXT PRIMARY KEY,
            html_z BLOB,
            encoding TEXT,
            feed_date TEXT,
            feed_title TEXT,
            fetched_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS urls (
            url TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            last_error TEXT
        )
        """
    )


@migrations()
def m002_runs(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS crawl_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            trigger TEXT NOT NULL DEFAULT 'cli',
            pid INTEGER,
            sources TEXT NOT NULL DEFAULT '[]',
            requests INTEGER NOT NULL DEFAULT 0,
            new_articles INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )
        """
    )
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS source_runs (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES crawl_runs(id),
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            requests INTEGER NOT NULL DEFAULT 0,
            items_found INTEGER NOT NULL DEFAULT 0,
            new_articles INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0,
            extraction_failures INTEGER NOT NULL DEFAULT 0,
            dating_failures INTEGER NOT NULL DEFAULT 0,
            short_bodies INTEGER NOT NULL DEFAULT 0,
            blocked INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            notes TEXT NOT NULL DEFAULT '[]'
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_source_runs_source ON source_runs(source, started_at)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS digests (
            digest_date TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            sent_at TEXT,
            recipients TEXT NOT NULL DEFAULT '[]',
            article_ids TEXT NOT NULL DEFAULT '[]',
            subject TEXT,
            message_id TEXT,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )
        """
    )


@migrations()
def m003_fulltext(db: sqlite_utils.Database) -> None:
    # Trigram over a normalised column: the default tokenizer cannot see past
    # Arabic clitics (وإسبانيا) or hamza spellings (الأمني/الامني).
    db["articles"].enable_fts(["title", "search_text"], fts_version="FTS5", create_triggers=True, tokenize="trigram")


@migrations()
def m004_simhash_seven_bands(db: sqlite_utils.Database) -> None:
    """Re-band stored fingerprints: the near-duplicate distance grew from 3 to 6 bits."""
    db.execute("DELETE FROM simhash_bands")
    rows = db.execute("SELECT id, simhash FROM articles WHERE simhash IS NOT NULL").fetchall()
    db.conn.executemany(
        "INSERT INTO simhash_bands (article_id, band, value) VALUES (?, ?, ?)",
        [(article_id, band, value) for article_id, hex_value in rows
         for band, value in enumerate(simhash_bands(int(hex_value, 16)))],
    )


@migrations()
def m005_events(db: sqlite_utils.Database) -> None:
    """Events (one real-world happening, many reports) and the index that places articles in them.

    Existing articles keep ``event_id`` NULL until ``newsmon reprocess``
    groups them; readers treat an unplaced article as an event of its own.
    """
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS events (
            id INTEGER PRIMARY KEY,
            first_seen TEXT NOT NULL,
            earliest_published TEXT,
            day INTEGER NOT NULL,
            title TEXT,
            titles TEXT NOT NULL DEFAULT '{}',
            languages TEXT NOT NULL DEFAULT '[]',
            sources TEXT NOT NULL DEFAULT '[]',
            partners TEXT NOT NULL DEFAULT '[]',
            subtype TEXT,
            flagged INTEGER NOT NULL DEFAULT 0,
            reports INTEGER NOT NULL DEFAULT 0,
            grouping_version TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_events_day ON events(day)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_events_flagged ON events(flagged, day)")
    if "event_id" not in db["articles"].columns_dict:
        db.execute("ALTER TABLE articles ADD COLUMN event_id INTEGER REFERENCES events(id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_articles_event_id ON articles(event_id)")
    # Each article's keys (see pipelines.event_keys), read back to score candidates.
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS article_keys (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            day INTEGER NOT NULL,
            keys TEXT NOT NULL
        )
        """
    )
    # The placement index: candidates are read by key within a few days.
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS event_keys (
            key TEXT NOT NULL,
            day INTEGER NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (key, day, article_id)
        ) WITHOUT ROWID
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_event_keys_article ON event_keys(article_id)")
    # Re-index the full text only when the indexed columns change: placing an
    # article in its event (or re-classifying it) must not rewrite its trigrams.
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        """
        CREATE TRIGGER articles_au AFTER UPDATE OF title, search_text ON articles BEGIN
          INSERT INTO articles_fts (articles_fts, rowid, title, search_text)
            VALUES ('delete', old.rowid, old.title, old.search_text);
          INSERT INTO articles_fts (rowid, title, search_text) VALUES (new.rowid, new.title, new.search_text);
        END
        """
    )


@migrations()
def m006_alert_ledger(db: sqlite_utils.Database) -> None:
    """Watchlist alerts: one row per (watchlist, event, channel), so each is sent at most once.

    A row stays ``pending`` until its channel accepted it; a failed send
    only moves ``next_attempt_at`` (back-off).  ``lease_until`` is set while
    one process is sending the row, so a manual crawl beside the daemon's
    never sends it twice; a lease left by a killed process simply expires.
    """
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS alert_ledger (
            id INTEGER PRIMARY KEY,
            watchlist TEXT NOT NULL,
            event_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            terms TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            lease_until TEXT,
            sent_at TEXT,
            last_error TEXT,
            UNIQUE (watchlist, event_id, channel)
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_alert_ledger_pending ON alert_ledger(status, channel, watchlist)")


@migrations()
def m007_times_in_utc(db: sqlite_utils.Database) -> None:
    """Every stored time in UTC (pipelines.dbtime): publication and feed dates kept the page's own offset.

    SQLite's strftime reads a ``+HH:MM`` suffix, so each column converts in
    one UPDATE; a value it cannot read stays as it was.  No indexed text
    changes, and since m005 the full-text trigger fires only for those.
    """
    columns = (("articles", "published_at"), ("articles", "fetched_at"), ("pages", "feed_date"),
               ("pages", "fetched_at"), ("urls", "first_seen"), ("urls", "last_seen"),
               ("crawl_runs", "started_at"), ("crawl_runs", "finished_at"), ("source_runs", "started_at"),
               ("source_runs", "finished_at"), ("digests", "sent_at"), ("events", "first_seen"),
               ("events", "earliest_published"), ("alert_ledger", "created_at"), ("alert_ledger", "next_attempt_at"),
               ("alert_ledger", "lease_until"), ("alert_ledger", "sent_at"))
    for table, column in columns:
        utc = f"strftime('%Y-%m-%dT%H:%M:%S+00:00', {column})"
        db.execute(f"UPDATE {table} SET {column} = {utc} WHERE {utc} IS NOT NULL AND {column} <> {utc}")


@migrations()
def m008_published_url(db: sqlite_utils.Database) -> None:
    """The URL as the site published it, next to ``url`` (the canonical identity key).

    ``url`` stays the unique key that deduplication and "already stored"
    compare; ``published_url`` is what was requested and what the digest
    links to.  Rows stored before it are NULL: readers fall back to ``url``.
    """
    db.execute("ALTER TABLE articles ADD COLUMN published_url TEXT")


@migrations()
def m009_feedback(db: sqlite_utils.Database) -> None:
    """Analysts' verdicts, learned models, and the rules' own verdict beside the one shown.

    ``flagged``, ``partners`` and ``subtype`` hold the verdict shown everywhere
    (an analyst's, else the learned model's, else the rules'); the ``rule_*``
    columns keep the rules' verdict so that a model can be switched off and
    the rules' verdict comes back without re-classifying.
    """
    for column, kind in (("rule_flagged", "INTEGER"), ("rule_partners", "TEXT"), ("rule_subtype", "TEXT"),
                         ("learned_score", "REAL"), ("learned_reasons", "TEXT"),
                         ("verdict_by", "TEXT NOT NULL DEFAULT 'rules'")):
        db.execute(f"ALTER TABLE articles ADD COLUMN {column} {kind}")
    db.execute("UPDATE articles SET rule_flagged = flagged, rule_partners = partners, rule_subtype = subtype")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS feedback (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            event_id INTEGER,
            verdict TEXT CHECK (verdict IN ('relevant', 'not_relevant')),
            partners TEXT,
            subtype TEXT,
            who TEXT NOT NULL,
            at TEXT NOT NULL,
            via TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_feedback_article ON feedback(article_id, id)")
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS models (
            id INTEGER PRIMARY KEY,
            created_at TEXT NOT NULL,
            trained_on INTEGER NOT NULL,
            cv_f1_rules REAL NOT NULL,
            cv_f1_learned REAL NOT NULL,
            active INTEGER NOT NULL DEFAULT 0,
            classifier_version TEXT,
            model TEXT NOT NULL
        )
        """
    )
