"""Load and validate ``config.yaml`` into typed, immutable settings.

Every mistake becomes one :class:`ConfigError` line naming the file, the line
and the dotted key (``config.yaml:14: crawl.timeout: expected a number``), so
an analyst editing the file never meets a traceback.  YAML is composed into
nodes first because only nodes remember their line numbers.

Each key is declared once, with :func:`pipelines.config_fields.setting`, in
the settings dataclass of the stage that reads it: the crawl's and the
daemon's here, the page stage's in :mod:`pipelines.process`, health's in
:mod:`pipelines.health`.  :class:`Config` assembles them; the loader below
walks the declarations, and a test holds the shipped config.yaml to their
defaults.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from pipelines.config_fields import (
    Choice, FilePath, ListOf, MapOf, Number, Section, SettingError, boolean, css_selector, declared, email_address, http_url,
    is_required, lang_code, optional_text, regex, setting, text, timezone_name,
)
from pipelines.health import HealthSettings
from pipelines.process import ClassifierSettings, PageSource, ProcessSettings
from pipelines.watchlists import SLUG_RE, AlertSettings, Watchlist

SOURCE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class ConfigError(ValueError):
    """A configuration mistake, already phrased as one line for the user."""


def _slug(value: Any) -> str:
    value = text(value)
    if not SOURCE_NAME_RE.match(value):
        raise SettingError(f"use a lower-case slug such as hespress-ar, got {value!r}")
    return value


def _cron(value: Any) -> str:
    value = text(value)
    fields = value.split()
    if len(fields) not in (5, 6):
        raise SettingError(f"expected a cron expression of 5 fields (or 6 with seconds first), got {value!r}")
    try:
        trigger = cron_trigger(value, "UTC")
    except (ValueError, TypeError) as exc:
        raise SettingError(f"invalid cron expression {value!r}: {exc}") from None
    if trigger.get_next_fire_time(None, datetime.now(timezone.utc)) is None:  # e.g. 0 6 31 2 *: no 31 February
        raise SettingError(f"cron expression {value!r} never fires")
    return value


@dataclass(frozen=True)
class Source:
    name: str = setting(check=_slug, help="unique slug naming the source in every report")
    url: str = setting(check=http_url, help="homepage; its host is the one the crawl stays on")
    lang: str = setting(check=lang_code, help="language of its articles: ar | fr | en")
    article_pattern: re.Pattern[str] = setting(check=regex, help="regular expression matching its article URLs")
    feeds: tuple[str, ...] = setting((), check=ListOf(http_url), help="RSS/Atom feeds")
    sitemaps: tuple[str, ...] = setting((), check=ListOf(http_url), help="sitemaps or sitemap indexes")
    start_urls: tuple[str, ...] = setting((), check=ListOf(http_url), help="listing pages followed through pagination")
    enabled: bool = setting(True, check=boolean, help="false keeps the entry but skips it")
    date_selector: str | None = setting(None, check=css_selector, help="CSS selector of the date when a site hides it")
    fetcher: str = setting("scrapy", check=Choice(("scrapy", "impersonate")),
                           help="impersonate: fetch with a browser's TLS fingerprint (curl_cffi) when the site blocks Scrapy")

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def is_article(self, url: str) -> bool:
        return self.article_pattern.search(url) is not None


@dataclass(frozen=True)
class CrawlSettings:
    user_agent: str = setting("newsmon/0.1 (+https://example.org/newsmon)", check=text,
                              help="honest, with a contact URL")
    obey_robots: bool = setting(True, check=boolean, help="obey robots.txt")
    download_delay: float = setting(1.0, check=Number(), help="seconds between requests to one site")
    autothrottle: bool = setting(True, check=boolean, help="adapt the delay to the site's latency")
    concurrent_per_site: int = setting(2, check=Number(minimum=1, integer=True), help="parallel requests per site")
    timeout: float = setting(30.0, check=Number(minimum=0.1), help="seconds per request")
    retries: int = setting(2, check=Number(integer=True), help="extra attempts on 5xx, 429 and timeouts, with back-off")
    max_page_bytes: int = setting(5_000_000, check=Number(minimum=1024, integer=True),
                                  help="larger responses are abandoned")
    max_age_days: int = setting(7, check=Number(minimum=1, integer=True), help="articles older than this are not stored")
    keep_html: bool = setting(True, check=boolean, help="store compressed HTML so `newsmon reprocess` needs no network")
    keep_html_days: int = setting(90, check=Number(integer=True),
                                  help="drop stored HTML older than this after each crawl (0 = keep for ever)")
    allow_private_networks: bool = setting(False, check=boolean,
                                           help="refuse loopback/private/link-local targets (redirects included)")
    listing_depth: int = setting(3, check=Number(integer=True), help="listing pages followed through pagination, per start URL")
    max_run_minutes: float = setting(60.0, check=Number(minimum=1), help="a crawl running longer is stopped (its results are kept)")
    max_articles_per_source: int = setting(300, check=Number(minimum=1, integer=True),
                                           help="article pages fetched per source and run, newest first; the rest wait")
    page_timeout: float = setting(60.0, check=Number(minimum=1),
                                  help="seconds one page may take to extract and classify; then it counts as failed")
    workers: int = setting(0, check=Number(integer=True),
                           help="processes extracting and classifying pages; 0 = one per core (at most 4); "
                                "never more than the cores")


@dataclass(frozen=True)
class ScheduleSettings:
    crawl: str = setting("0 6,18 * * *", check=_cron, help="cron in `timezone`; 6 fields = seconds first")
    digest: str = setting("30 7 * * *", check=_cron, help="cron in `timezone`")
    catchup_hours: float = setting(12.0, check=Number(),
                                   help="a digest missed while the daemon was down is sent if this late at most")


@dataclass(frozen=True)
class SmtpSettings:
    host: str = setting("localhost", check=text, help="SMTP server")
    port: int = setting(25, check=Number(minimum=1, maximum=65535, integer=True), help="SMTP port")
    starttls: bool = setting(False, check=boolean, help="upgrade the connection with STARTTLS")
    ssl: bool = setting(False, check=boolean, help="implicit TLS (port 465); exclusive with starttls")
    username: str | None = setting(None, check=optional_text,
                                   help="login only when set; the password comes from password_env")
    password_env: str = setting("NEWSMON_SMTP_PASSWORD", check=text, help="environment variable holding the password")
    timeout: float = setting(30.0, check=Number(minimum=0.1), help="seconds per SMTP operation")


@dataclass(frozen=True)
class DigestSettings:
    to: tuple[str, ...] = setting(("analyst@example.org",), check=ListOf(email_address, non_empty=True),
                                  help="recipients (at least one)")
    sender: str = setting("newsmon@example.org", check=email_address, help="From: address", key="from")
    smtp: SmtpSettings = setting(default_factory=SmtpSettings, check=Section(SmtpSettings), help="the mail server")
    language: str = setting("fr", check=lang_code, help="language of partner names and headings (ar | fr | en)")
    send_empty: bool = setting(True, check=boolean,
                               help="send a short \"nothing today\" mail so analysts know newsmon is alive")
    max_stories: int = setting(200, check=Number(minimum=1, integer=True), help="stories listed at most")


@dataclass(frozen=True)
class DaemonSettings:
    log_file: Path | None = setting(None, check=FilePath(optional=True),
                                    help="also log to this file (stderr always); rotated at 5 MB, 3 kept")
    stop_grace_seconds: float = setting(30.0, check=Number(),
                                        help="on SIGTERM, time a running crawl gets before it is killed")


_PASSWORD_HASH_RE = re.compile(r"pbkdf2_sha256\$\d+\$[0-9a-f]+\$[A-Za-z0-9+/=]+")


def _optional_url(value: Any) -> str | None:
    return None if value is None else http_url(value)


def _password_hash(value: Any) -> str | None:
    value = optional_text(value)
    if value is not None and not _PASSWORD_HASH_RE.fullmatch(value):
        raise SettingError("expected a hash made by `newsmon serve --hash-password`")
    return value


@dataclass(frozen=True)
class ServeSettings:
    host: str = setting("127.0.0.1", check=text, help="any non-loopback address requires a password hash below")
    port: int = setting(8080, check=Number(minimum=1, maximum=65535, integer=True), help="TCP port")
    base_url: str | None = setting(None, check=_optional_url,
                                   help="where analysts reach `newsmon serve`; digest entries link there")
    user: str = setting("analyst", check=text, help="the analyst's user name when a password is set")
    password_hash: str | None = setting(None, check=_password_hash,
                                        help="from `newsmon serve --hash-password`; or put it in the variable below")
    password_hash_env: str = setting("NEWSMON_SERVE_PASSWORD_HASH", check=text,
                                     help="environment variable holding the password hash")


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path = setting(check=FilePath(), help="SQLite file, created on first use (opens in Datasette)")
    timezone: str = setting("Africa/Casablanca", check=timezone_name,
                            help="IANA zone for schedules, digest dates and undated page times")
    sources: tuple[Source, ...] = setting((), check=ListOf(Section(Source)), help="the news sites to crawl")
    crawl: CrawlSettings = setting(default_factory=CrawlSettings, check=Section(CrawlSettings), help="politeness and limits")
    schedule: ScheduleSettings = setting(default_factory=ScheduleSettings, check=Section(ScheduleSettings),
                                         help="when the daemon crawls and sends the digest")
    digest: DigestSettings = setting(default_factory=DigestSettings, check=Section(DigestSettings), help="the daily e-mail")
    classifier: ClassifierSettings = setting(default_factory=ClassifierSettings, check=Section(ClassifierSettings),
                                             help="the security-cooperation classifier")
    daemon: DaemonSettings = setting(default_factory=DaemonSettings, check=Section(DaemonSettings), help="the daemon")
    health: HealthSettings = setting(default_factory=HealthSettings, check=Section(HealthSettings),
                                     help="when a source counts as degraded or silent")
    watchlists: tuple[Watchlist, ...] = setting((), check=ListOf(Section(Watchlist)),
                                                help="analysts' own queries, alerted at once or listed in the digest")
    alerts: AlertSettings = setting(default_factory=AlertSettings, check=Section(AlertSettings),
                                    help="where instant alerts go")
    serve: ServeSettings = setting(default_factory=ServeSettings, check=Section(ServeSettings),
                                   help="`newsmon serve`: the analysts' web interface")

    @property
    def enabled_sources(self) -> tuple[Source, ...]:
        return tuple(s for s in self.sources if s.enabled)

    def source(self, name: str) -> Source:
        for candidate in self.sources:
            if candidate.name == name:
                return candidate
        known = ", ".join(s.name for s in self.sources) or "none"
        raise ConfigError(f"{self.path}: no source named {name!r} (known: {known})")

    def select_sources(self, names: list[str] | tuple[str, ...] | None) -> tuple[Source, ...]:
        """Explicitly named sources run even when disabled: the user asked for them."""
        if not names:
            return self.enabled_sources
        return tuple(self.source(n) for n in names)

    def process_settings(self, *, age_limit: bool = True) -> ProcessSettings:
        """What the page stage reads; ``age_limit=False`` for pages judged long after their crawl."""
        return ProcessSettings(
            max_age_days=self.crawl.max_age_days if age_limit else None,
            threshold=self.classifier.threshold,
            min_body_chars=self.health.min_body_chars,
            timezone=self.timezone,
        )

    def page_sources(self) -> dict[str, PageSource]:
        """Every configured source as the page stage sees it, by name."""
        return {s.name: PageSource(s.name, s.lang, s.date_selector) for s in self.sources}


# --------------------------------------------------------------------------
# The loader: walks the declared settings, node by node, so that every
# mistake can name its line.


@dataclass
class _Ctx:
    path: Path
    base: Path  # the config file's folder: relative paths in the file are relative to it

    def fail(self, node: yaml.Node | None, key: str, message: str) -> ConfigError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return ConfigError(f"{self.path.name}{line}: {key}: {message}")


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and _construct(node) is None


def _value(ctx: _Ctx, node: yaml.Node, key: str, check: Any) -> Any:
    """Check one node against its declaration, recursing into lists and sections."""
    if isinstance(check, Section):
        return _section(ctx, node, key, check.cls)
    if isinstance(check, MapOf) and not _is_null(node):
        return _named_sections(ctx, node, key, check.item.cls)
    if isinstance(check, ListOf) and not _is_null(node):
        if not isinstance(node, yaml.SequenceNode):
            raise ctx.fail(node, key, "expected a list")
        if check.non_empty and not node.value:
            raise ctx.fail(node, key, "expected at least one item")
        return tuple(_value(ctx, child, f"{key}[{i}]", check.item) for i, child in enumerate(node.value))
    if not isinstance(node, yaml.ScalarNode):
        raise ctx.fail(node, key, "expected a single value, got a list or mapping")
    try:
        value = check(_construct(node))
        if isinstance(check, FilePath) and value is not None:
            return _writable_path(value, ctx.base)
        return value
    except SettingError as exc:
        raise ctx.fail(node, key, str(exc)) from None


def _mapping(ctx: _Ctx, node: yaml.Node, key: str, allowed: Collection[str]) -> dict[str, yaml.Node]:
    """Return the mapping's child nodes, refusing unknown and repeated keys."""
    if _is_null(node):
        return {}
    if not isinstance(node, yaml.MappingNode):
        raise ctx.fail(node, key or "(top level)", "expected a mapping of keys to values")
    children: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        name = _construct(key_node)
        dotted = f"{key}.{name}" if key else str(name)
        if name not in allowed:
            hint = ", ".join(sorted(allowed))
            raise ctx.fail(key_node, dotted, f"unknown key (expected one of: {hint})")
        if name in children:
            raise ctx.fail(key_node, dotted, "key given twice")
        children[name] = value_node
    return children


def _section(ctx: _Ctx, node: yaml.Node, key: str, cls: type, **given: Any) -> Any:
    """Build one settings dataclass from a mapping node, defaults for what is absent."""
    settings = dict(declared(cls))
    children = _mapping(ctx, node, key, settings)
    values = dict(given)
    for name, item in settings.items():
        dotted = f"{key}.{name}" if key else name
        if name in children:
            values[item.name] = _value(ctx, children[name], dotted, item.metadata["check"])
        elif is_required(item):
            raise ctx.fail(node, dotted, "required key is missing")
    try:
        built = cls(**values)
    except SettingError as exc:  # a rule between keys of one section (see __post_init__)
        raise ctx.fail(node, key or "(top level)", str(exc)) from None
    for rule in _CROSS_CHECKS.get(cls, ()):
        rule(ctx, built, node, children, key)
    return built


def _named_sections(ctx: _Ctx, node: yaml.Node, key: str, cls: type) -> dict[str, Any]:
    """A mapping of slugs to sections (``alerts.channels``); each section is built with its slug as ``name``."""
    if not isinstance(node, yaml.MappingNode):
        raise ctx.fail(node, key, "expected a mapping of names to settings")
    out: dict[str, Any] = {}
    for key_node, value_node in node.value:
        name = _construct(key_node)
        dotted = f"{key}.{name}"
        if not isinstance(name, str) or not SLUG_RE.match(name):
            raise ctx.fail(key_node, dotted, f"use a lower-case slug such as analysts-telegram, got {name!r}")
        if name in out:
            raise ctx.fail(key_node, dotted, "key given twice")
        out[name] = _section(ctx, value_node, dotted, cls, name=name)
    return out


def _writable_path(value: str, base: Path) -> Path:
    """Resolve against the config's folder; refuse a folder that cannot be created or written.

    Nothing is created here: validating a configuration must not touch the disk.
    """
    path = Path(os.path.expanduser(value))
    if not path.is_absolute():
        path = base / path
    if path.is_dir():
        raise SettingError(f"{str(path)!r} is a directory, expected a file")
    existing = path.parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise SettingError(f"cannot create directory {str(path.parent)!r}: {str(existing)!r} is not a directory")
    if not os.access(existing, os.W_OK):
        raise SettingError(f"directory {str(existing)!r} is not writable")
    return path


def _sources_on_their_host(ctx: _Ctx, source: Source, node: yaml.Node, children: dict[str, yaml.Node], key: str) -> None:
    for list_key in ("feeds", "sitemaps", "start_urls"):
        for i, address in enumerate(getattr(source, list_key)):
            host = urlsplit(address).hostname or ""
            if host != source.host and host.removeprefix("www.") != source.host.removeprefix("www."):
                child = children[list_key].value[i]
                raise ctx.fail(child, f"{key}.{list_key}[{i}]", f"{address!r} is not on the source's host {source.host!r} (or its www./bare twin)")


def _unique_source_names(ctx: _Ctx, config: Config, node: yaml.Node, children: dict[str, yaml.Node], key: str) -> None:
    seen: dict[str, int] = {}
    for i, source in enumerate(config.sources):
        if source.name in seen:
            raise ctx.fail(children["sources"].value[i], f"sources[{i}].name",
                           f"duplicate source name {source.name!r} (first at sources[{seen[source.name]}])")
        seen[source.name] = i


def _one_kind_of_tls(ctx: _Ctx, smtp: SmtpSettings, node: yaml.Node, children: dict[str, yaml.Node], key: str) -> None:
    if smtp.ssl and smtp.starttls:
        raise ctx.fail(node, key, "choose either ssl or starttls, not both")


def _child(node: yaml.Node, name: str) -> yaml.Node:
    """The value node of ``name`` in a mapping node (the mapping itself when absent)."""
    for key_node, value_node in getattr(node, "value", ()):
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == name:
            return value_node
    return node


def _channels_fit_the_delivery(ctx: _Ctx, watchlist: Watchlist, node: yaml.Node, children: dict[str, yaml.Node],
                               key: str) -> None:
    if watchlist.notify == "instant" and not watchlist.channels:
        raise ctx.fail(node, f"{key}.channels", "an instant watchlist needs at least one channel from alerts.channels")
    if watchlist.notify == "digest" and watchlist.channels:
        raise ctx.fail(children["channels"], f"{key}.channels",
                       "a digest watchlist goes out with the digest: remove its channels or use notify: instant")


def _watchlists_name_known_channels(ctx: _Ctx, config: Config, node: yaml.Node, children: dict[str, yaml.Node],
                                    key: str) -> None:
    seen: dict[str, int] = {}
    for i, watchlist in enumerate(config.watchlists):
        item = children["watchlists"].value[i]
        if watchlist.name in seen:
            raise ctx.fail(_child(item, "name"), f"watchlists[{i}].name",
                           f"duplicate watchlist name {watchlist.name!r} (first at watchlists[{seen[watchlist.name]}])")
        seen[watchlist.name] = i
        for j, channel in enumerate(watchlist.channels):
            if channel not in config.alerts.channels:
                known = ", ".join(sorted(config.alerts.channels)) or "none defined"
                raise ctx.fail(_child(item, "channels").value[j], f"watchlists[{i}].channels[{j}]",
                               f"unknown channel {channel!r} (alerts.channels: {known})")


# Rules that involve more than one key, run after the section is built.
_CROSS_CHECKS: dict[type, tuple[Callable[..., None], ...]] = {
    Source: (_sources_on_their_host,),
    Config: (_unique_source_names, _watchlists_name_known_channels),
    SmtpSettings: (_one_kind_of_tls,),
    Watchlist: (_channels_fit_the_delivery,),
}


def cron_trigger(expression: str, timezone: str) -> Any:
    """Build an APScheduler trigger; a 6-field expression has seconds first (handy in tests)."""
    from apscheduler.triggers.cron import CronTrigger

    fields = expression.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression, timezone=timezone)
    second, minute, hour, day, month, dow = fields
    return CronTrigger(second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=dow, timezone=timezone)


def next_fire_times(config: Config, now: datetime) -> dict[str, datetime | None]:
    """When the crawl and the digest are next due after ``now``, in the configured zone."""
    return {
        name: cron_trigger(expression, config.timezone).get_next_fire_time(None, now)
        for name, expression in (("crawl", config.schedule.crawl), ("digest", config.schedule.digest))
    }


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read, validate and resolve a configuration file.

    Relative paths inside the file are resolved against the file's own
    directory, so a daemon started from anywhere finds the same database.
    """
    config_path = Path(path)
    try:
        text_ = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read configuration: {exc}") from None
    try:
        root = yaml.compose(text_, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{config_path.name}{line}: YAML syntax error: {problem}") from None
    if root is None:
        raise ConfigError(f"{config_path.name}: the file is empty")
    ctx = _Ctx(config_path, config_path.resolve().parent)
    return _section(ctx, root, "", Config, path=config_path)
