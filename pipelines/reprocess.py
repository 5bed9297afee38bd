"""Re-derive stored articles without the network.

By default only articles classified by an older ``CLASSIFIER_VERSION`` are
re-classified, which is cheap and is what a classifier upgrade needs; the
events are regrouped when ``GROUPING_VERSION`` changed (or placed for the
first time on a database from before events).  With
``full=True`` every article whose HTML was kept goes through extraction,
dating and classification again, e.g. after a dating fix.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pipelines.classify import CLASSIFIER_VERSION, classify
from pipelines.dbtime import from_db
from pipelines.events import regroup
from pipelines.process import PageInput, PageSource, ProcessSettings, process_page, verdict_columns
from pipelines.store import ArticleStore, decompress_html


@dataclass
class ReprocessResult:
    examined: int = 0
    updated: int = 0
    newly_flagged: int = 0
    unflagged: int = 0
    without_html: int = 0
    failed: int = 0
    regrouped: int = 0  # articles placed in events again


def reprocess(store: ArticleStore, settings: ProcessSettings, sources: Mapping[str, PageSource], *,
              full: bool = False, progress: Callable[[str], None] | None = None) -> ReprocessResult:
    """Re-classify (or fully re-process) stored articles; returns counts for the summary.

    ``settings`` should carry no age limit: an article was young enough when
    it was fetched.  ``sources`` are the configured ones by name; an article
    of a source since removed from the config is re-derived all the same.
    """
    result = ReprocessResult()
    where = "" if full else "WHERE a.classifier_version IS NOT ? OR a.classifier_version IS NULL"
    params = [] if full else [CLASSIFIER_VERSION]
    rows = store.db.execute(
        f"""SELECT a.id, a.url, a.source, a.lang, a.title, a.text, a.flagged, a.fetched_at,
                   p.html_z, p.feed_date, p.feed_title
            FROM articles a LEFT JOIN pages p ON p.url = a.url {where} ORDER BY a.id""",
        params,
    ).fetchall()
    for index, (article_id, url, source_name, lang, title, text, was_flagged, fetched_at, html_z, feed_date, feed_title) in enumerate(rows, 1):
        result.examined += 1
        changes = None
        if full and html_z is not None:
            source = sources.get(source_name) or PageSource(source_name, lang or "ar")
            page = PageInput(
                url=url, source=source, html=decompress_html(html_z), fetched_at=from_db(fetched_at),
                feed_date=from_db(feed_date), feed_title=feed_title,
            )
            processed = process_page(page, settings)
            if processed.row is None:
                result.failed += 1
            else:
                changes = {k: v for k, v in processed.row.items() if k not in ("url", "source", "fetched_at")}
        else:
            if full:
                result.without_html += 1
            verdict = classify(title or "", text or "", lang, threshold=settings.threshold)
            changes = verdict_columns(verdict)
        if changes is not None:
            store.update_article(article_id, changes)
            result.updated += 1
            result.newly_flagged += int(changes["flagged"] and not was_flagged)
            result.unflagged += int(was_flagged and not changes["flagged"])
        if progress and index % 200 == 0:
            progress(f"reprocess: {index}/{len(rows)} articles")
    result.regrouped = regroup(store.db.conn, progress=progress)
    return result

