"""The ``newsmon`` command line: a thin layer of click commands over the library.

Each command loads the configuration, calls one library function and turns
its known failures (:class:`ConfigError`, :class:`StoreError`, ...) into a
one-line message and a non-zero exit code; tracebacks are for bugs only.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import click

from crawler.config import Config, ConfigError, load_config
from pipelines.dbtime import utc_now
from pipelines.store import StoreError, open_database, open_readonly, search_articles
from scheduler.report import format_search_hit

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"]}
USER_ERRORS = (ConfigError, StoreError)


def config_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--config", "config_path", default="config.yaml", show_default=True, envvar="NEWSMON_CONFIG",
        type=click.Path(dir_okay=False), help="Configuration file.",
    )(func)


def load(config_path: str) -> Config:
    try:
        return load_config(config_path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def user_errors(config: Config, *also: type[Exception]) -> Iterator[None]:
    """Known failures become one line and exit code 1.

    A database file that exists but is not SQLite (or lacks our tables) is
    only found out by the first query, long after it was opened, so
    ``sqlite3.Error`` is caught here as well as :class:`StoreError`.
    """
    try:
        yield
    except (*USER_ERRORS, *also) as exc:
        raise click.ClickException(str(exc)) from None
    except sqlite3.Error as exc:
        raise click.ClickException(f"cannot read database {config.database}: {exc}") from None


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="newsmon")
def cli() -> None:
    """newsmon: daily monitor of Moroccan news media for security-cooperation stories.

    \b
    Example:
        newsmon crawl --source hespress-ar
        newsmon search "Interpol"
    """


@cli.command()
@config_option
@click.option("--source", "sources", multiple=True, metavar="NAME", help="Crawl only this source (repeatable).")
@click.option("--trigger", default="cli", hidden=True, help="Who started the run (recorded in crawl_runs).")
@click.option("--quiet", is_flag=True, help="No progress lines, only the summary.")
def crawl(config_path: str, sources: tuple[str, ...], trigger: str, quiet: bool) -> None:
    """Crawl the configured sources once and store every new article.

    Exits 0 when the crawl completed, even if some pages failed (they are
    recorded in source_runs); non-zero when every source failed, when a
    database write failed (the crawl stops at once) or when
    crawl.max_run_minutes was reached.

    \b
    Example:
        newsmon crawl --config config.yaml --source le360-fr
    """
    from crawler.crawl_lock import CrawlBusy
    from crawler.run import run_crawl  # Scrapy is heavy: import only for the commands that crawl
    from scheduler.report import format_crawl_summary

    config = load(config_path)
    with user_errors(config, CrawlBusy):
        selected = config.select_sources(list(sources))
        if not selected:
            raise click.ClickException(f"{config.path.name}: no enabled source to crawl")
        result = run_crawl(config, selected, trigger=trigger, progress=None if quiet else _progress)
    click.echo(format_crawl_summary(result))
    if result.stop_message:  # a failed write or the time limit: one line, non-zero
        raise click.ClickException(result.stop_message)
    if result.interrupted:  # checked first: sources cut short by a signal did not "fail"
        sys.exit(130)
    if result.all_failed:
        raise click.ClickException(f"every source failed ({len(result.sources)} sources): see the table above")


def _progress(message: str) -> None:
    click.echo(message, err=True)


@cli.command()
@config_option
@click.argument("query")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def search(config_path: str, query: str, limit: int, as_json: bool) -> None:
    """Full-text search of stored articles (Arabic spelling variants folded).

    \b
    Example:
        newsmon search "التعاون الأمني"
        newsmon search "Europol" --json
    """
    config = load(config_path)
    with user_errors(config):
        conn = open_readonly(config.database)
        rows = search_articles(conn, query, limit=limit)
    tz = ZoneInfo(config.timezone)
    if as_json:
        for row in rows:
            row.pop("text", None)
            if row["published_at"] is not None:
                row["published_at"] = row["published_at"].astimezone(tz).isoformat(timespec="seconds")
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo(f"no article matches {query!r}")
        return
    for row in rows:
        click.echo(format_search_hit(row, tz))
        click.echo(f"  {'':16}  {row['url']}")
    events = {row["event_id"] or -row["id"] for row in rows}
    click.echo(f"{len(rows)} article(s) reporting {len(events)} event(s); * = flagged as security cooperation")


@cli.command()
@click.argument("labels", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON object.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None, help="Override the flagging threshold.")
def evaluate(labels: str, as_json: bool, threshold: float | None) -> None:
    """Measure the classifier on labelled JSON Lines: precision, recall, F1, partner F1.

    \b
    Example:
        newsmon evaluate ../shared/eval/dev.jsonl --json
    """
    from pipelines.evaluate import evaluate_file, format_report

    try:
        result = evaluate_file(Path(labels), threshold=threshold)
    except ValueError as exc:
        raise click.ClickException(str(exc).splitlines()[0]) from None
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False))
    else:
        click.echo(format_report(result))


@cli.command()
@config_option
@click.option("--full", is_flag=True, help="Re-run extraction and dating on stored HTML too, for every article.")
def reprocess(config_path: str, full: bool) -> None:
    """Re-classify stored articles whose classifier version is out of date.

    With --full, every article with kept HTML is extracted, dated and
    classified again; no network is used either way.  Events are regrouped
    when the grouping rules changed.

    \b
    Example:
        newsmon reprocess
        newsmon reprocess --full
    """
    from pipelines.reprocess import reprocess as run_reprocess
    from pipelines.store import ArticleStore

    config = load(config_path)
    with user_errors(config):
        store = ArticleStore(open_database(config.database))
        result = run_reprocess(store, config.process_settings(age_limit=False), config.page_sources(), full=full,
                               progress=_progress)
    click.echo(
        f"reprocessed {result.updated} of {result.examined} article(s): {result.newly_flagged} newly flagged, "
        f"{result.unflagged} no longer flagged, {result.without_html} without stored HTML (re-classified only), "
        f"{result.failed} failed; {result.regrouped} article(s) placed in events"
    )


@cli.command("import")
@config_option
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--quiet", is_flag=True, help="No progress lines, only the summary.")
def import_(config_path: str, file: str, quiet: bool) -> None:
    """Import articles from a JSON Lines file (news-please, Media Cloud or any export).

    One object a line: url and text required; title, lang (ar|fr|en),
    published (ISO 8601) and source optional; other keys are ignored.  Each
    article is classified and placed in its event like a crawled one, with
    no age limit; a URL already stored with the same text is skipped.  A bad
    line is reported as FILE:LINE: reason and the others are imported; the
    exit code is 1 if any line failed.

    \b
    Example:
        newsmon import archive.jsonl --config config.yaml
    """
    from crawler.urls import canonical_url
    from pipelines.importer import import_file
    from pipelines.store import ArticleStore

    config = load(config_path)
    path = Path(file)
    if not path.is_file():
        raise click.ClickException(f"{file}: no such file")
    with user_errors(config, OSError):
        store = ArticleStore(open_database(config.database))
        result = import_file(store, path, canonical=canonical_url, timezone_name=config.timezone,
                             threshold=config.classifier.threshold, progress=None if quiet else _progress)
    for error in result.errors:
        click.echo(error, err=True)
    click.echo(f"imported {result.lines - len(result.errors)} of {result.lines} line(s): {result.created} new, "
               f"{result.updated} updated, {result.unchanged} unchanged; {len(result.events)} event(s)")
    if result.errors:
        sys.exit(1)


@cli.command()
@config_option
def daemon(config_path: str) -> None:
    """Crawl and send the digest on the configured schedule, in the foreground.

    One daemon per database; SIGTERM or Ctrl-C stops it cleanly (a running
    crawl gets daemon.stop_grace_seconds, then is killed).

    \b
    Example:
        newsmon daemon --config config.yaml
    """
    from scheduler.daemon import run_daemon
    from scheduler.locks import LockBusy

    config = load(config_path)
    if not config.enabled_sources:  # it would run for ever and never crawl
        raise click.ClickException(f"{config.path.name}: sources: no enabled source; the daemon would never crawl")
    with user_errors(config, LockBusy):
        run_daemon(config)


@cli.command()
@config_option
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Build the digest of this day (YYYY-MM-DD) instead of today.")
@click.option("--dry-run", is_flag=True, help="Write the message to --out; send and record nothing.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="File for --dry-run (.eml).")
@click.option("--force", is_flag=True, help="Send even if this day's digest was already sent.")
def digest(config_path: str, day: Any, dry_run: bool, out: str | None, force: bool) -> None:
    """Build the digest of flagged stories and mail it (once per day).

    \b
    Example:
        newsmon digest
        newsmon digest --dry-run --out today.eml
        newsmon digest --date 2025-11-22 --force
    """
    from scheduler.digest import DigestError, deliver_digest, write_digest

    if dry_run != bool(out):
        raise click.UsageError("--dry-run and --out go together: newsmon digest --dry-run --out FILE.eml")
    config = load(config_path)
    when = day.date() if day else None
    with user_errors(config, DigestError):
        result = write_digest(config, Path(out), when) if out else deliver_digest(config, when, force=force)
    if not result.ok:
        raise click.ClickException(result.message)
    click.echo(result.message)


@cli.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def status(config_path: str, as_json: bool) -> None:
    """Last crawl runs, per-source health, last digest, next scheduled jobs, database size.

    \b
    Example:
        newsmon status
        newsmon status --json
    """
    from scheduler.status import collect_status, format_status, status_json

    config = load(config_path)
    with user_errors(config):
        report = collect_status(config)
    click.echo(status_json(report) if as_json else format_status(report))


@cli.command()
@config_option
@click.option("--host", default=None, help="Address to listen on (default serve.host, 127.0.0.1).")
@click.option("--port", default=None, type=click.IntRange(1, 65535), help="Port (default serve.port, 8080).")
@click.option("--hash-password", is_flag=True, help="Ask for a password and print its hash for serve.password_hash.")
def serve(config_path: str, host: str | None, port: int | None, hash_password: bool) -> None:
    """Serve the analysts' web interface: the day's events, articles, search, feedback.

    Listens on 127.0.0.1 unless told otherwise; any other address needs
    serve.password_hash (or its environment variable). Ctrl-C stops it.

    \b
    Example:
        newsmon serve
        newsmon serve --host 0.0.0.0 --port 8080
        newsmon serve --hash-password
    """
    from scheduler.web.security import hash_password as make_hash

    if hash_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        click.echo(make_hash(password))
        return
    import uvicorn

    from scheduler.web.app import create_app
    from scheduler.web.security import check_bind

    config = load(config_path)
    host = host or config.serve.host
    port = port or config.serve.port
    with user_errors(config):
        check_bind(config, host)
        app = create_app(config)
    click.echo(f"newsmon serve: http://{host}:{port}/ (database {config.database}); Ctrl-C stops it", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@cli.command()
@config_option
def learn(config_path: str) -> None:
    """Train the learned verdict on analysts' feedback; use it only if it beats the rules.

    Prints the cross-validated F1 on the feedback with the rules alone and
    with the model; the model re-scores stored articles without feedback
    only when its F1 is higher, and is kept (unused) otherwise.

    \b
    Example:
        newsmon feedback import reviewed.jsonl
        newsmon learn
    """
    from pipelines.learn import LearnError
    from pipelines.learn import learn as run_learn

    config = load(config_path)
    with user_errors(config, LearnError):
        db = open_database(config.database)
        result = run_learn(db.conn, progress=_progress)
    state = "in use" if result.active else "not used: it does not beat the rules"
    click.echo(f"model #{result.model_id} on {result.examples} verdicts: cross-validated F1 rules "
               f"{result.cv_f1_rules:.3f}, with the model {result.cv_f1_learned:.3f} — {state}; "
               f"{result.changed} article(s) changed verdict")


@cli.group()
def feedback() -> None:
    """Analysts' verdicts: import labelled files, export what analysts said."""


@feedback.command("import")
@config_option
@click.argument("labels", type=click.Path(exists=True, dir_okay=False))
@click.option("--who", default=None, help="Analyst recorded as the author (default: $USER).")
def feedback_import(config_path: str, labels: str, who: str | None) -> None:
    """Record the labels of an evaluate-format JSON Lines file as analysts' verdicts.

    Each line is matched to a stored article by its canonical "url"; lines
    whose URL is not in the database (or that have no "url") are listed and
    skipped. Partners and subtype of positive lines are recorded as
    corrections.

    \b
    Example:
        newsmon feedback import reviewed.jsonl --who amina
    """
    import getpass

    from crawler.urls import canonical_url
    from pipelines.feedback import FeedbackError, import_feedback

    config = load(config_path)
    with user_errors(config, FeedbackError):
        db = open_database(config.database)
        result = import_feedback(db.conn, Path(labels), who=who or getpass.getuser(), canonical=canonical_url)
    for line in result.unknown:
        click.echo(f"unknown URL {line}", err=True)
    for line in result.without_url:
        click.echo(f"{line}: no \"url\", cannot be matched to a stored article", err=True)
    click.echo(f"recorded {result.recorded} verdict(s); {len(result.unknown)} unknown URL(s), "
               f"{len(result.without_url)} line(s) without url")


@feedback.command("export")
@config_option
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def feedback_export(config_path: str, out: str | None) -> None:
    """Print every judged article once, with its latest verdict, in the evaluate format.

    \b
    Example:
        newsmon feedback export --out reviewed.jsonl
        newsmon evaluate reviewed.jsonl
    """
    from pipelines.feedback import export_feedback

    config = load(config_path)
    with user_errors(config):
        conn = open_database(config.database).conn
        lines = [json.dumps(record, ensure_ascii=False) for record in export_feedback(conn)]
    text = "".join(line + "\n" for line in lines)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(lines)} verdict(s) to {out}")
    else:
        click.echo(text, nl=False)


@cli.group()
def sources() -> None:
    """Inspect the configured news sources."""


@sources.command("check")
@config_option
@click.argument("names", nargs=-1, metavar="[NAME]...")
def sources_check(config_path: str, names: tuple[str, ...]) -> None:
    """Fetch each source's feeds, sitemaps and one article now, and print what works.

    Columns: reachable (yes, no, blocked), links found, links matching the
    article pattern, whether one article was extracted and dated. Without
    NAMEs every enabled source is checked; a named source is checked even
    when disabled. Exits 1 only when no source at all was reachable (no
    network, or a proxy refusing everything).

    \b
    Example:
        newsmon sources check
        newsmon sources check hespress-ar le360-fr
    """
    from crawler.check import check_sources, format_table

    config = load(config_path)
    with user_errors(config):
        selected = config.select_sources(list(names))
    if not selected:
        raise click.ClickException(f"{config.path.name}: no enabled source to check")
    results = check_sources(selected, config)
    click.echo(format_table(results))
    if not any(r.reachable == "yes" for r in results):
        raise click.ClickException("no source was reachable: is this machine online?")


@cli.command()
def demo() -> None:
    """Serve the built-in demo site on 127.0.0.1, crawl it into data/demo/ and show what was stored.

    Needs no internet and no configuration: the whole flow, from feed to
    search, on articles written for the project in Arabic, French and English.
    """
    from scheduler.demo import run_demo

    sys.exit(run_demo())


@cli.group("config")
def config_group() -> None:
    """Work with the configuration file (validate it before a daemon restart)."""


@config_group.command("check")
@config_option
def config_check(config_path: str) -> None:
    """Validate the configuration without opening or creating the database.

    Prints one summary line and exits 0, or one line
    `FILE:LINE: key: reason` and exits 1.
    """
    config = load(config_path)
    enabled = config.enabled_sources
    click.echo(f"{config_path}: ok ({len(enabled)} enabled source(s) of {len(config.sources)}; "
               f"database {config.database})")


@cli.group()
def watch() -> None:
    """Tune watchlist queries on stored articles and see what each watchlist caught."""


@watch.command("test")
@config_option
@click.argument("query")
@click.option("--days", default=7, show_default=True, type=click.IntRange(1, 3650), help="Articles stored this recently.")
def watch_test(config_path: str, query: str, days: int) -> None:
    """Run QUERY over the articles stored in the last --days days and print its hits, newest first.

    The query language is the watchlists' (see README): AND, OR, NOT,
    parentheses, "phrases", NEAR/n, prefix*, title:, @ES, @INTERPOL,
    @person:hammouchi.

    \b
    Example:
        newsmon watch test '(سبتة OR Ceuta) AND @ES AND NOT sport*' --days 30
    """
    from pipelines.query_match import QuerySyntaxError, compile_query
    from pipelines.watch_scan import count_stored, scan_stored
    from scheduler.watch_report import format_hits

    config = load(config_path)
    try:
        compiled = compile_query(query)
    except QuerySyntaxError as exc:
        raise click.ClickException(f"QUERY: {exc}") from None
    with user_errors(config):
        conn = open_readonly(config.database)
        since = utc_now() - timedelta(days=days)
        hits = scan_stored(conn, {"query": compiled}, since)["query"]
        click.echo(format_hits(hits, days=days, searched=count_stored(conn, since), tz=ZoneInfo(config.timezone)))


@watch.command("list")
@config_option
def watch_list(config_path: str) -> None:
    """Each configured watchlist with its delivery, its query, its hits of the last 7 days and its alerts (sent, owed)."""
    from pipelines.alert_ledger import ledger_state
    from pipelines.watch_scan import scan_stored
    from scheduler.watch_report import format_watchlists

    config = load(config_path)
    found, ledger = {}, {}
    if config.watchlists:
        with user_errors(config):
            conn = open_readonly(config.database)
            found = scan_stored(conn, {w.name: w.query for w in config.watchlists}, utc_now() - timedelta(days=7))
            ledger = ledger_state(conn)
    click.echo(format_watchlists(config.watchlists, found, days=7, tz=ZoneInfo(config.timezone), ledger=ledger))


@cli.group()
def db() -> None:
    """Check or back up the database file."""


@db.command("check")
@config_option
def db_check(config_path: str) -> None:
    """Run SQLite's full integrity check; exits 1 when the file is damaged.

    \b
    Example:
        newsmon db check
    """
    from pipelines.integrity import check_database, describe

    config = load(config_path)
    if not Path(config.database).exists():
        raise click.ClickException(f"database {config.database} does not exist yet: run `newsmon crawl` first")
    problems = check_database(config.database, full=True)
    if problems:
        raise click.ClickException(f"{config.database}: {describe(problems)}; restore a backup (newsmon db backup)")
    click.echo(f"{config.database}: ok")


@db.command("backup")
@config_option
@click.argument("file", type=click.Path(dir_okay=False))
def db_backup(config_path: str, file: str) -> None:
    """Copy a consistent snapshot of the database to FILE, safely while the daemon runs.

    \b
    Example:
        newsmon db backup /backups/newsmon-$(date +%F).db
    """
    from pipelines.integrity import backup_database

    config = load(config_path)
    if not Path(config.database).exists():
        raise click.ClickException(f"database {config.database} does not exist yet: run `newsmon crawl` first")
    try:
        size = backup_database(config.database, file)
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(f"backup to {file} failed: {exc}") from None
    click.echo(f"backed up {config.database} to {file} ({size} bytes)")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="newsmon")


if __name__ == "__main__":
    main()
