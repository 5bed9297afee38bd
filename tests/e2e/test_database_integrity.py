"""A damaged database is noticed (`db check`, `status`), and `db backup` copies a live one consistently."""

from __future__ import annotations

import email
import email.policy
import json
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from pipelines.store import open_database
from sites import run_newsmon

pytestmark = pytest.mark.e2e


def make_database(folder: Path, write_config, articles: int = 400) -> Path:
    config = write_config("database: newsmon.db\n")
    db = open_database(folder / "newsmon.db")
    with db.conn:
        db.conn.executemany(
            "INSERT INTO articles (url, source, fetched_at, title, text, search_text) VALUES (?, 's', '2025-11-22T09:00:00+00:00', ?, ?, ?)",
            [(f"https://ex.ma/{n}", f"Titre {n}", f"Texte de l'article {n}. " * 40, f"titre {n}") for n in range(articles)])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return config


def damage(path: Path) -> None:
    """16 KB of noise in the middle of the file, as the issue's tester did."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek(size // 2)
        handle.write(os.urandom(16_384))


def test_a_damaged_file_is_reported_by_db_check_and_status(tmp_path: Path, write_config) -> None:
    config = make_database(tmp_path, write_config)
    healthy = run_newsmon("db", "check", "--config", str(config))
    assert healthy.returncode == 0 and healthy.stdout.strip().endswith(": ok")
    status = run_newsmon("status", "--json", "--config", str(config))
    assert json.loads(status.stdout)["database"]["integrity"] == "ok"

    damage(tmp_path / "newsmon.db")
    broken = run_newsmon("db", "check", "--config", str(config))
    assert broken.returncode == 1
    assert broken.stderr.startswith("Error: ") and "damaged: " in broken.stderr
    assert len(broken.stderr.strip().splitlines()) == 1 and "Traceback" not in broken.stderr
    status = run_newsmon("status", "--config", str(config))
    assert "damaged: " in status.stdout + status.stderr


def test_backup_while_another_process_writes_is_a_consistent_copy(tmp_path: Path, write_config) -> None:
    config = make_database(tmp_path, write_config)
    stop = threading.Event()

    def write() -> None:  # a writer like the daemon's crawl, committing all the time
        conn = sqlite3.connect(tmp_path / "newsmon.db", timeout=30)
        n = 10_000
        while not stop.is_set():
            with conn:
                conn.execute("INSERT INTO articles (url, source, fetched_at, search_text) VALUES (?, 's', 'x', '')",
                             [f"https://ex.ma/w{n}"])
            n += 1
        conn.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        time.sleep(0.3)
        backup = run_newsmon("db", "backup", str(tmp_path / "copy" / "backup.db"), "--config", str(config))
    finally:
        stop.set()
        writer.join()
    assert backup.returncode == 0, backup.stderr
    copy = sqlite3.connect(tmp_path / "copy" / "backup.db")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT COUNT(*) FROM articles WHERE url NOT LIKE '%/w%'").fetchone()[0] == 400
    assert not (tmp_path / "copy" / "backup.db.partial").exists()


def test_the_digest_warns_of_a_damaged_database(tmp_path: Path, write_config) -> None:
    config = make_database(tmp_path, write_config)
    damage(tmp_path / "newsmon.db")
    run_newsmon("digest", "--dry-run", "--out", str(tmp_path / "d.eml"), "--config", str(config))
    text = (tmp_path / "d.eml").read_bytes()
    message = email.message_from_bytes(text, policy=email.policy.default)
    plain = message.get_body(("plain",)).get_content()
    assert "database" in plain and "damaged: " in plain and "newsmon db check" in plain
