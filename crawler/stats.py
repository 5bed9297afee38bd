"""Per-source counters of one run: what ``source_runs`` records and source health reads.

Scrapy's own stats count requests and retries but know nothing of "new
article", "already stored" or "blocked"; the spider and the item pipeline
update this object instead, and the run turns it into one ``source_runs`` row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pipelines.counters import RunCounters


@dataclass
class SourceStats(RunCounters):
    """The stored counters (see :class:`RunCounters`) plus what only the run itself needs."""

    source: str
    started_at: datetime
    responses: int = 0  # successful (2xx) responses, robots.txt excluded; decides "failed"
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
        return {**self.counts(), "last_error": self.last_error, "notes": list(self.notes)}

    def progress_line(self) -> str:
        errors = f"{self.errors} error" + ("" if self.errors == 1 else "s")
        line = f"{self.source}: {self.new_articles} new, {self.skipped} skipped, {errors}"
        if self.blocked:
            line += " (blocked)"
        return line
