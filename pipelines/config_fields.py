"""One declaration per configuration key: its default, its check and its help, together.

A settings section is a frozen dataclass whose fields are made with
:func:`setting`.  The loader (``crawler/config.py``) validates config.yaml
by walking those fields, the shipped config.yaml is tested against their
defaults, and the code that reads a section owns its dataclass (health rules
in ``pipelines/health.py``, the classifier's threshold in
``pipelines/process.py``...).  Adding a key is therefore one edit, and a key
cannot be validated one way and documented another.

Checks are plain callables on the YAML value: they return the value to keep
or raise :class:`SettingError` with a message that the loader prefixes with
the file, the line and the dotted key.  They live here, below every stage,
so that ``pipelines/`` can declare its settings without importing the
loader.
"""

from __future__ import annotations

import math
import re
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass
from typing import Any
from urllib.parse import urlsplit

LANGS = ("ar", "fr", "en")


class SettingError(ValueError):
    """A value that fails its check; the message says why, the loader says where."""


Check = Callable[[Any], Any]


def setting(default: Any = MISSING, *, check: Check | Section, help: str, key: str | None = None,
            default_factory: Callable[[], Any] | Any = MISSING) -> Any:
    """Declare one configuration key (``key`` when the YAML name is not a Python name, e.g. ``from``)."""
    metadata = {"check": check, "help": help, "key": key}
    if default_factory is not MISSING:
        return field(default_factory=default_factory, metadata=metadata)
    return field(default=default, metadata=metadata)


def declared(cls: type) -> Iterator[tuple[str, Field]]:
    """The YAML key and the dataclass field of every declared setting of a section."""
    for item in fields(cls):
        if "check" in item.metadata:
            yield item.metadata["key"] or item.name, item


def is_required(item: Field) -> bool:
    return item.default is MISSING and item.default_factory is MISSING


def default_of(item: Field) -> Any:
    if item.default_factory is not MISSING:
        return item.default_factory()
    return item.default


# --------------------------------------------------------------------------
# Checks


@dataclass(frozen=True)
class Number:
    """A finite number in [minimum, maximum]; ``integer`` refuses fractions."""

    minimum: float = 0
    maximum: float | None = None
    integer: bool = False

    def __call__(self, value: Any) -> int | float:
        kind = "an integer" if self.integer else "a number"
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (self.integer and not isinstance(value, int)):
            raise SettingError(f"expected {kind}, got {value!r}")
        if not math.isfinite(value):
            raise SettingError(f"expected {kind}, got {value!r}")
        if value < self.minimum:
            raise SettingError(f"must be at least {self.minimum}, got {value!r}")
        if self.maximum is not None and value > self.maximum:
            raise SettingError(f"must be at most {self.maximum}, got {value!r}")
        return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingError(f"expected true or false, got {value!r}")
    return value


@dataclass(frozen=True)
class Text:
    """A non-empty string (stripped); ``optional`` also accepts null."""

    optional: bool = False

    def __call__(self, value: Any) -> str | None:
        if value is None and self.optional:
            return None
        if not isinstance(value, str) or not value.strip():
            raise SettingError(f"expected a non-empty string, got {value!r}")
        return value.strip()


text = Text()
optional_text = Text(optional=True)


@dataclass(frozen=True)
class Choice:
    options: tuple[str, ...]

    def __call__(self, value: Any) -> str:
        if value not in self.options:
            raise SettingError(f"expected one of {', '.join(self.options)}, got {value!r}")
        return value


lang_code = Choice(LANGS)


def http_url(value: Any) -> str:
    value = text(value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingError(f"expected an http(s) URL, got {value!r}")
    return value


def email_address(value: Any) -> str:
    value = text(value)
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", value):
        raise SettingError(f"expected an e-mail address, got {value!r}")
    return value


def regex(value: Any) -> re.Pattern[str]:
    value = text(value)
    try:
        return re.compile(value)
    except re.error as exc:
        raise SettingError(f"invalid regular expression: {exc}") from None


def timezone_name(value: Any) -> str:
    value = text(value)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise SettingError(f"unknown time zone {value!r} (use an IANA name such as Africa/Casablanca)") from None
    return value


def css_selector(value: Any) -> str | None:
    value = optional_text(value)
    if value is None:
        return None
    from cssselect import GenericTranslator, SelectorError

    try:
        GenericTranslator().css_to_xpath(value)
    except SelectorError as exc:
        raise SettingError(f"invalid CSS selector {value!r}: {exc}") from None
    return value


@dataclass(frozen=True)
class ListOf:
    """A YAML list (null is an empty one); the loader checks each item with its own line number."""

    item: Check
    non_empty: bool = False

    def __call__(self, value: Any) -> tuple[Any, ...]:
        if value is None:
            value = []
        if not isinstance(value, list):
            raise SettingError("expected a list")
        if self.non_empty and not value:
            raise SettingError("expected at least one item")
        return tuple(self.item(v) for v in value)


@dataclass(frozen=True)
class Section:
    """A nested mapping validated against another settings dataclass."""

    cls: type

    def __post_init__(self) -> None:
        if not is_dataclass(self.cls):
            raise TypeError(f"Section needs a settings dataclass, got {self.cls!r}")


@dataclass(frozen=True)
class MapOf:
    """A YAML mapping of slugs to sections (alert channels by name); each section gets its slug as ``name``.

    The loader walks real mappings node by node, so that a mistake names its
    line; called directly, the check only accepts the empty default.
    """

    item: Section

    def __call__(self, value: Any) -> dict[str, Any]:
        if value is None or value == {}:
            return {}
        raise SettingError("expected a mapping of names to settings")


@dataclass(frozen=True)
class FilePath:
    """A file path, relative to the config file's folder; the loader resolves it and checks its folder."""

    optional: bool = False

    def __call__(self, value: Any) -> str | None:
        return Text(optional=self.optional)(value)
