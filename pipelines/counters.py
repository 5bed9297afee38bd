"""The counters of one source's crawl: the one list that the crawl's stats, the ``source_runs`` table and health share.

The crawler counts into a subclass of :class:`RunCounters`, the store writes
one column per :data:`COUNTERS` name and health reads them back into another
subclass, so adding a counter is a field here plus a migration adding its
column (a test checks that the table and this list agree).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(kw_only=True)
class RunCounters:
    """One field per ``source_runs`` counter column, in column order."""

    requests: int = 0  # requests the downloader sent
    items_found: int = 0  # article links found in feeds, sitemaps and listings
    new_articles: int = 0  # articles stored for the first time
    skipped: int = 0  # links not fetched or not stored: already known, too old, forbidden by robots.txt
    errors: int = 0  # failed requests and unusable answers
    extraction_failures: int = 0  # pages without an extractable body
    dating_failures: int = 0  # articles stored without a publication date
    short_bodies: int = 0  # articles whose body is shorter than health.min_body_chars
    blocked: int = 0  # 1 when the site refused us (HTTP 403 or a challenge page)

    def counts(self) -> dict[str, int]:
        """The counters by column name, in :data:`COUNTERS` order."""
        return {name: getattr(self, name) for name in COUNTERS}


COUNTERS: tuple[str, ...] = tuple(f.name for f in fields(RunCounters))
