"""Per-source counters of one run: what ``source_runs`` records and source health reads.

Scrapy's own stats count requests and retries but know nothing of "new
article", "already stored" or "blocked"; the spider and the item pipeline
update this object instead, and the run turns it into one ``source_runs`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

STATUSES = ("ok", "empty", "failed", "blocked")


@dataclass
class SourceStats:
    source: str
    started_at: datetime
    requests: int = 0
    responses: int = 0  # successful (2xx) responses, robots.txt excluded
    items_found: int = 0
    new_articles: int = 0
    skipped: int = 0
    errors: int = 0
    extraction_failures: int = 0
    dating_failures: int = 0
    short_bodies: int = 0
    blocked: int = 0
    last_error: str | None = None
    notes: list[str] = field(default_factory=list)
    finish_reason: str | None = None

    def error(self, message: str) -> None:
        self.errors += 1
        self.last_error = message

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    @property
    def status(self) -> str:
        """blocked > failed (nothing answered) > empty (no article link found) > ok."""
        if self.blocked:
            return "blocked"
        if self.responses == 0 and (self.errors or self.requests):
            return "failed"
        if self.items_found == 0:
            return "empty"
        return "ok"

    def as_row(self) -> dict[str, Any]:
        """The ``stats`` argument of :meth:`ArticleStore.save_source_run`."""
        return {
            "requests": self.requests, "items_found": self.items_found, "new_articles": self.new_articles,
            "skipped": self.skipped, "errors": self.errors, "extraction_failures": self.extraction_failures,
            "dating_failures": self.dating_failures, "short_bodies": self.short_bodies, "blocked": self.blocked,
            "last_error": self.last_error, "notes": list(self.notes),
        }

    def progress_line(self) -> str:
        errors = f"{self.errors} error" + ("" if self.errors == 1 else "s")
        line = f"{self.source}: {self.new_articles} new, {self.skipped} skipped, {errors}"
        if self.blocked:
            line += " (blocked)"
        return line
