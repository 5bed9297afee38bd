"""Terminal output of the crawl and search commands.

The crawl summary is one aligned row per source so an analyst sees at a
glance which site is down and why, then the totals and the elapsed time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scheduler.digest.sanitize import clean, title

if TYPE_CHECKING:
    from crawler.run import CrawlResult

_COLUMNS = ("source", "status", "requests", "new", "skipped", "errors", "last error")
_LAST_ERROR_WIDTH = 70


def format_crawl_summary(result: CrawlResult) -> str:
    """Render a crawl's result as a plain-text table."""
    rows = [
        (s.source, s.status, str(s.requests), str(s.new_articles), str(s.skipped), str(s.errors),
         _clip(s.last_error or ""))
        for s in result.sources
    ]
    totals = result.totals
    footer = ("total", result.status, str(totals["requests"]), str(totals["new_articles"]),
              str(totals["skipped"]), str(totals["errors"]), "")
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows, footer]) for i in range(len(_COLUMNS))]
    numeric = {2, 3, 4, 5}

    def line(row: tuple[str, ...]) -> str:
        cells = [cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i]) for i, cell in enumerate(row)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [line(_COLUMNS), rule, *(line(row) for row in rows), rule, line(footer)]
    out.append(f"run {result.run_id} {result.status} in {_duration(result.elapsed)}")
    return "\n".join(out)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _LAST_ERROR_WIDTH else text[: _LAST_ERROR_WIDTH - 1] + "…"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes} min {secs:02d} s"


def format_search_hit(row: dict[str, Any], tz: ZoneInfo, source_width: int = 18) -> str:
    """One search result: flag, publication minute in ``tz``, source, title (`newsmon search` and the demo)."""
    flag = "*" if row["flagged"] else " "
    when = row["published_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M") if row["published_at"] else ""
    return f"{flag} {when:16}  {clean(row['source']):<{source_width}} {title(row['title']) or '(no title)'}"
