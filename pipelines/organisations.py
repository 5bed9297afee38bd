"""International organisations, read from the one file that defines them.

``pipelines/data/organisations.yaml`` holds, for each organisation, the names
the classifier matches, the display names the digest shows and what kind of
body it is. Both the classifier and the digest read it through this module,
so adding an organisation is one YAML edit (which also changes
CLASSIFIER_VERSION, as the vocabulary hash covers every data file).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

__all__ = ["Organisation", "display_name", "organisations"]

_FILE = Path(__file__).with_name("data") / "organisations.yaml"
_LANGS = ("ar", "fr", "en")


@dataclass(frozen=True)
class Organisation:
    code: str
    names: tuple[str, ...]
    display: dict[str, str]
    security: bool  # its whole remit is security
    multilateral: bool  # its meetings make a story multilateral
    seats: tuple[str, ...] = ()


class OrganisationsError(ValueError):
    """organisations.yaml is malformed; the message names the entry."""


@lru_cache(maxsize=1)
def organisations() -> dict[str, Organisation]:
    """Code -> organisation, validated once."""
    raw = yaml.safe_load(_FILE.read_text(encoding="utf-8")) or {}
    out: dict[str, Organisation] = {}
    for code, spec in raw.items():
        where = f"{_FILE.name}: {code}"
        if not isinstance(spec, dict) or not spec.get("names"):
            raise OrganisationsError(f"{where}: needs a non-empty 'names' list")
        display = spec.get("display") or {}
        missing = [lang for lang in _LANGS if not display.get(lang)]
        if missing:
            raise OrganisationsError(f"{where}: display needs {', '.join(missing)}")
        unknown = set(spec) - {"names", "display", "security", "multilateral", "seats"}
        if unknown:
            raise OrganisationsError(f"{where}: unknown key {sorted(unknown)[0]}")
        out[code] = Organisation(
            code=code,
            names=tuple(spec["names"]),
            display={lang: display[lang] for lang in _LANGS},
            security=bool(spec.get("security", False)),
            multilateral=bool(spec.get("multilateral", False)),
            seats=tuple(spec.get("seats") or ()),
        )
    return out


def display_name(code: str, lang: str) -> str | None:
    """The organisation's name in the reader's language, or None for a code that is not one."""
    org = organisations().get(code)
    return org.display[lang] if org else None
