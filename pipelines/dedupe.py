"""Exact and near-duplicate fingerprints of article bodies.

Moroccan aggregators (Maghress and the like) republish whole articles with a
different header, footer and sometimes a trimmed first line.  An exact hash
catches verbatim copies; a 64-bit simhash over word shingles of the
normalised text catches the lightly edited ones.  Clusters are looked up
through seven bands of the hash: two hashes at most six bits apart agree on
at least one whole band (pigeonhole), so candidates come from an index
instead of a pairwise scan of the table.
"""

from __future__ import annotations

import hashlib
import sqlite3

from pipelines.normalize import normalize_for_search

SIMHASH_BITS = 64
# An aggregator's own intro and footer lines move a copy's hash by 4-6 bits;
# unrelated texts sit around 32 bits apart, so 6 leaves a wide margin.
MAX_DISTANCE = 6
BAND_WIDTHS = (10, 9, 9, 9, 9, 9, 9)  # MAX_DISTANCE + 1 bands covering the 64 bits
MIN_WORDS = 40  # too little text to tell a copy from a coincidence
_MASK = (1 << SIMHASH_BITS) - 1


def content_hash(text: str, *, normalized: str | None = None) -> str:
    """Hash of the normalised body: equal for copies that differ only in spelling variants or spacing.

    Pass ``normalized`` (``normalize_for_search(text)``) when the caller has it already.
    """
    folded = normalized if normalized is not None else normalize_for_search(text)
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def simhash(text: str, shingle: int = 3, *, normalized: str | None = None) -> int | None:
    """64-bit simhash of word shingles, or None when the text is too short to fingerprint."""
    words = (normalized if normalized is not None else normalize_for_search(text)).split()
    if len(words) < MIN_WORDS:
        return None
    hashes = [
        hashlib.blake2b(" ".join(words[i : i + shingle]).encode("utf-8"), digest_size=8).digest()
        for i in range(len(words) - shingle + 1)
    ]
    # Bit-count per position by transposing the hashes' bit strings: the
    # column tally runs in C instead of 64 Python steps per shingle.
    columns = zip(*(format(int.from_bytes(h, "big"), "064b") for h in hashes))
    half = len(hashes) / 2
    result = 0
    for column in columns:  # most significant bit first
        result = (result << 1) | (column.count("1") > half)
    return result


def simhash_bands(value: int) -> list[int]:
    bands, shift = [], 0
    for width in BAND_WIDTHS:
        bands.append((value >> shift) & ((1 << width) - 1))
        shift += width
    return bands


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & _MASK).bit_count()


def find_cluster(conn: sqlite3.Connection, value: int) -> int | None:
    """Cluster id of the earliest stored article within MAX_DISTANCE bits of ``value``."""
    clauses = " OR ".join("(b.band = ? AND b.value = ?)" for _ in BAND_WIDTHS)
    params: list[int] = [v for band, value_band in enumerate(simhash_bands(value)) for v in (band, value_band)]
    rows = conn.execute(
        f"""
        SELECT DISTINCT a.id, a.simhash, a.cluster_id FROM simhash_bands b JOIN articles a ON a.id = b.article_id
        WHERE ({clauses}) ORDER BY a.id
        """,
        params,
    ).fetchall()
    for _article_id, stored, cluster in rows:
        if stored and hamming(int(stored, 16), value) <= MAX_DISTANCE:
            return cluster
    return None
