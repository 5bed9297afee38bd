"""Load and validate ``config.yaml`` into typed, immutable settings.

Every mistake becomes one :class:`ConfigError` line naming the file, the line
and the dotted key (``config.yaml:14: crawl.timeout: expected a number``), so
an analyst editing the file never meets a traceback.  YAML is composed into
nodes first because only nodes remember their line numbers.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

LANGS = ("ar", "fr", "en")
SOURCE_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class ConfigError(ValueError):
    """A configuration mistake, already phrased as one line for the user."""


@dataclass(frozen=True)
class Source:
    name: str
    url: str
    lang: str
    article_pattern: re.Pattern[str]
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    start_urls: tuple[str, ...] = ()
    enabled: bool = True
    date_selector: str | None = None

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    def is_article(self, url: str) -> bool:
        return self.article_pattern.search(url) is not None


@dataclass(frozen=True)
class CrawlSettings:
    user_agent: str = "newsmon/0.1 (+https://example.org/newsmon)"
    obey_robots: bool = True
    download_delay: float = 1.0
    autothrottle: bool = True
    concurrent_per_site: int = 2
    timeout: float = 30.0
    retries: int = 2
    max_page_bytes: int = 5_000_000
    max_age_days: int = 7
    keep_html: bool = True
    keep_html_days: int = 90  # older pages' HTML is dropped after each crawl; 0 keeps it for ever
    allow_private_networks: bool = False
    listing_depth: int = 3
    max_run_minutes: float = 60.0
    max_articles_per_source: int = 300
    workers: int = 0  # processes for extraction and classification; 0 = one per core, at most 4


@dataclass(frozen=True)
class ScheduleSettings:
    crawl: str = "0 6,18 * * *"
    digest: str = "30 7 * * *"
    catchup_hours: float = 12.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str = "localhost"
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str = "NEWSMON_SMTP_PASSWORD"
    timeout: float = 30.0


@dataclass(frozen=True)
class DigestSettings:
    to: tuple[str, ...] = ("analyst@example.org",)
    sender: str = "newsmon@example.org"
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    language: str = "fr"
    send_empty: bool = True
    max_stories: int = 200


@dataclass(frozen=True)
class ClassifierSettings:
    threshold: float = 0.5


@dataclass(frozen=True)
class DaemonSettings:
    log_file: Path | None = None
    stop_grace_seconds: float = 30.0


@dataclass(frozen=True)
class HealthSettings:
    silent_floor_hours: float = 48.0
    degraded_error_ratio: float = 0.3
    min_body_chars: int = 300
    window_runs: int = 3
    silent_gap_factor: float = 2.0
    history_days: int = 30


@dataclass(frozen=True)
class Config:
    path: Path
    database: Path
    timezone: str = "Africa/Casablanca"
    sources: tuple[Source, ...] = ()
    crawl: CrawlSettings = field(default_factory=CrawlSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    digest: DigestSettings = field(default_factory=DigestSettings)
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    health: HealthSettings = field(default_factory=HealthSettings)

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


# --------------------------------------------------------------------------
# Validation machinery: each field knows how to check one YAML node.

_Checker = Callable[[Any, str], Any]


@dataclass
class _Ctx:
    path: Path

    def fail(self, node: yaml.Node | None, key: str, message: str) -> ConfigError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        return ConfigError(f"{self.path.name}{line}: {key}: {message}")


def _scalar(ctx: _Ctx, node: yaml.Node, key: str) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        raise ctx.fail(node, key, "expected a single value, got a list or mapping")
    return _construct(node)


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _as_str(ctx: _Ctx, node: yaml.Node, key: str, *, allow_none: bool = False) -> str | None:
    value = _scalar(ctx, node, key)
    if value is None and allow_none:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ctx.fail(node, key, f"expected a non-empty string, got {value!r}")
    return value.strip()


def _as_bool(ctx: _Ctx, node: yaml.Node, key: str) -> bool:
    value = _scalar(ctx, node, key)
    if not isinstance(value, bool):
        raise ctx.fail(node, key, f"expected true or false, got {value!r}")
    return value


def _as_number(ctx: _Ctx, node: yaml.Node, key: str, *, integer: bool = False, minimum: float = 0) -> float | int:
    value = _scalar(ctx, node, key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        kind = "an integer" if integer else "a number"
        raise ctx.fail(node, key, f"expected {kind}, got {value!r}")
    if value < minimum:
        raise ctx.fail(node, key, f"must be at least {minimum}, got {value!r}")
    return value


def _as_url(ctx: _Ctx, node: yaml.Node, key: str) -> str:
    value = _as_str(ctx, node, key)
    assert value is not None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ctx.fail(node, key, f"expected an http(s) URL, got {value!r}")
    return value


def _as_list(ctx: _Ctx, node: yaml.Node, key: str, item: Callable[[_Ctx, yaml.Node, str], Any]) -> tuple[Any, ...]:
    if isinstance(node, yaml.ScalarNode) and _construct(node) is None:
        return ()
    if not isinstance(node, yaml.SequenceNode):
        raise ctx.fail(node, key, "expected a list")
    return tuple(item(ctx, child, f"{key}[{i}]") for i, child in enumerate(node.value))


def _as_regex(ctx: _Ctx, node: yaml.Node, key: str) -> re.Pattern[str]:
    value = _as_str(ctx, node, key)
    assert value is not None
    try:
        return re.compile(value)
    except re.error as exc:
        raise ctx.fail(node, key, f"invalid regular expression: {exc}") from None


def _as_cron(ctx: _Ctx, node: yaml.Node, key: str) -> str:
    value = _as_str(ctx, node, key)
    assert value is not None
    fields = value.split()
    if len(fields) not in (5, 6):
        raise ctx.fail(node, key, f"expected a cron expression of 5 fields (or 6 with seconds first), got {value!r}")
    try:
        cron_trigger(value, "UTC")
    except (ValueError, TypeError) as exc:
        raise ctx.fail(node, key, f"invalid cron expression {value!r}: {exc}") from None
    return value


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


def _as_timezone(ctx: _Ctx, node: yaml.Node, key: str) -> str:
    value = _as_str(ctx, node, key)
    assert value is not None
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ctx.fail(node, key, f"unknown time zone {value!r} (use an IANA name such as Africa/Casablanca)") from None
    return value


def _as_email(ctx: _Ctx, node: yaml.Node, key: str) -> str:
    value = _as_str(ctx, node, key)
    assert value is not None
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", value):
        raise ctx.fail(node, key, f"expected an e-mail address, got {value!r}")
    return value


def _as_lang(ctx: _Ctx, node: yaml.Node, key: str) -> str:
    value = _as_str(ctx, node, key)
    if value not in LANGS:
        raise ctx.fail(node, key, f"expected one of {', '.join(LANGS)}, got {value!r}")
    return value


def _mapping(ctx: _Ctx, node: yaml.Node, key: str, allowed: dict[str, Any]) -> dict[str, yaml.Node]:
    """Return the mapping's child nodes, refusing unknown and repeated keys."""
    if isinstance(node, yaml.ScalarNode) and _construct(node) is None:
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


def _section(ctx: _Ctx, node: yaml.Node | None, key: str, cls: type, checkers: dict[str, _Checker]) -> Any:
    if node is None:
        return cls()
    children = _mapping(ctx, node, key, checkers)
    values = {_FIELD_RENAMES.get(name, name): checkers[name](child, f"{key}.{name}") for name, child in children.items()}
    return cls(**values)


_FIELD_RENAMES = {"from": "sender"}


def _source(ctx: _Ctx, node: yaml.Node, key: str) -> Source:
    checkers: dict[str, _Checker] = {
        "name": lambda n, k: _as_str(ctx, n, k),
        "url": lambda n, k: _as_url(ctx, n, k),
        "lang": lambda n, k: _as_lang(ctx, n, k),
        "feeds": lambda n, k: _as_list(ctx, n, k, _as_url),
        "sitemaps": lambda n, k: _as_list(ctx, n, k, _as_url),
        "start_urls": lambda n, k: _as_list(ctx, n, k, _as_url),
        "article_pattern": lambda n, k: _as_regex(ctx, n, k),
        "enabled": lambda n, k: _as_bool(ctx, n, k),
        "date_selector": lambda n, k: _as_selector(ctx, n, k),
    }
    children = _mapping(ctx, node, key, checkers)
    for required in ("name", "url", "lang", "article_pattern"):
        if required not in children:
            raise ctx.fail(node, f"{key}.{required}", "required key is missing")
    values = {name: checkers[name](child, f"{key}.{name}") for name, child in children.items()}
    if not SOURCE_NAME_RE.match(values["name"]):
        raise ctx.fail(children["name"], f"{key}.name", f"use a lower-case slug such as hespress-ar, got {values['name']!r}")
    source = Source(**values)
    for list_key in ("feeds", "sitemaps", "start_urls"):
        for i, url in enumerate(getattr(source, list_key)):
            if urlsplit(url).hostname != source.host:
                child = children[list_key].value[i]
                raise ctx.fail(child, f"{key}.{list_key}[{i}]", f"{url!r} is not on the source's host {source.host!r}")
    return source


def _as_selector(ctx: _Ctx, node: yaml.Node, key: str) -> str | None:
    value = _as_str(ctx, node, key, allow_none=True)
    if value is None:
        return None
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise ctx.fail(node, key, f"invalid CSS selector {value!r}: {exc}") from None
    return value


def _writable_path(ctx: _Ctx, node: yaml.Node, key: str, base: Path) -> Path:
    value = _as_str(ctx, node, key)
    assert value is not None
    path = Path(os.path.expanduser(value))
    if not path.is_absolute():
        path = base / path
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ctx.fail(node, key, f"cannot create directory {str(parent)!r}: {exc.strerror}") from None
    if not os.access(parent, os.W_OK):
        raise ctx.fail(node, key, f"directory {str(parent)!r} is not writable")
    if path.is_dir():
        raise ctx.fail(node, key, f"{str(path)!r} is a directory, expected a file")
    return path


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read, validate and resolve a configuration file.

    Relative paths inside the file are resolved against the file's own
    directory, so a daemon started from anywhere finds the same database.
    """
    config_path = Path(path)
    ctx = _Ctx(config_path)
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read configuration: {exc}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{config_path.name}{line}: YAML syntax error: {problem}") from None
    if root is None:
        raise ConfigError(f"{config_path.name}: the file is empty")
    return _build_config(ctx, root, config_path.resolve().parent)


def _build_config(ctx: _Ctx, root: yaml.Node, base: Path) -> Config:
    num = lambda **kw: (lambda n, k: _as_number(ctx, n, k, **kw))  # noqa: E731 - a tiny checker factory
    boolean = lambda n, k: _as_bool(ctx, n, k)  # noqa: E731
    text = lambda n, k: _as_str(ctx, n, k)  # noqa: E731
    top: dict[str, Any] = {
        "database": None, "timezone": None, "sources": None, "crawl": None, "schedule": None,
        "digest": None, "classifier": None, "daemon": None, "health": None,
    }
    children = _mapping(ctx, root, "", top)
    if "database" not in children:
        raise ctx.fail(root, "database", "required key is missing")
    database = _writable_path(ctx, children["database"], "database", base)
    timezone = _as_timezone(ctx, children["timezone"], "timezone") if "timezone" in children else "Africa/Casablanca"

    sources = _as_list(ctx, children["sources"], "sources", _source) if "sources" in children else ()
    seen: dict[str, int] = {}
    for i, source in enumerate(sources):
        if source.name in seen:
            raise ctx.fail(children["sources"].value[i], f"sources[{i}].name", f"duplicate source name {source.name!r} (first at sources[{seen[source.name]}])")
        seen[source.name] = i

    crawl = _section(ctx, children.get("crawl"), "crawl", CrawlSettings, {
        "user_agent": text, "obey_robots": boolean, "download_delay": num(), "autothrottle": boolean,
        "concurrent_per_site": num(integer=True, minimum=1), "timeout": num(minimum=0.1),
        "retries": num(integer=True), "max_page_bytes": num(integer=True, minimum=1024),
        "max_age_days": num(integer=True, minimum=1), "keep_html": boolean,
        "keep_html_days": num(integer=True),
        "allow_private_networks": boolean, "listing_depth": num(integer=True),
        "max_run_minutes": num(minimum=1), "workers": num(integer=True),
        "max_articles_per_source": num(integer=True, minimum=1),
    })
    schedule = _section(ctx, children.get("schedule"), "schedule", ScheduleSettings, {
        "crawl": lambda n, k: _as_cron(ctx, n, k), "digest": lambda n, k: _as_cron(ctx, n, k),
        "catchup_hours": num(),
    })
    smtp_checkers: dict[str, _Checker] = {
        "host": text, "port": num(integer=True, minimum=1), "starttls": boolean, "ssl": boolean,
        "username": lambda n, k: _as_str(ctx, n, k, allow_none=True), "password_env": text,
        "timeout": num(minimum=0.1),
    }
    digest = _section(ctx, children.get("digest"), "digest", DigestSettings, {
        "to": lambda n, k: _as_list(ctx, n, k, _as_email), "from": lambda n, k: _as_email(ctx, n, k),
        "smtp": lambda n, k: _section(ctx, n, k, SmtpSettings, smtp_checkers),
        "language": lambda n, k: _as_lang(ctx, n, k), "send_empty": boolean,
        "max_stories": num(integer=True, minimum=1),
    })
    if digest.smtp.ssl and digest.smtp.starttls:
        raise ctx.fail(children.get("digest"), "digest.smtp", "choose either ssl or starttls, not both")
    classifier = _section(ctx, children.get("classifier"), "classifier", ClassifierSettings, {
        "threshold": lambda n, k: _unit_interval(ctx, n, k),
    })
    daemon = _section(ctx, children.get("daemon"), "daemon", DaemonSettings, {
        "log_file": lambda n, k: None if _construct(n) is None else _writable_path(ctx, n, k, base),
        "stop_grace_seconds": num(),
    })
    health = _section(ctx, children.get("health"), "health", HealthSettings, {
        "silent_floor_hours": num(minimum=1), "degraded_error_ratio": lambda n, k: _unit_interval(ctx, n, k),
        "min_body_chars": num(integer=True), "window_runs": num(integer=True, minimum=1),
        "silent_gap_factor": num(minimum=1), "history_days": num(integer=True, minimum=1),
    })
    return Config(
        path=ctx.path, database=database, timezone=timezone, sources=sources, crawl=crawl,
        schedule=schedule, digest=digest, classifier=classifier, daemon=daemon, health=health,
    )


def _unit_interval(ctx: _Ctx, node: yaml.Node, key: str) -> float:
    value = float(_as_number(ctx, node, key))
    if value > 1:
        raise ctx.fail(node, key, f"must be between 0 and 1, got {value}")
    return value
