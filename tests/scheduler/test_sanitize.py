"""Article strings lose every invisible format character before they are shown; titles are capped."""

from __future__ import annotations

import pytest

from scheduler.digest.sanitize import TITLE_CHARS, clean, title

INVISIBLE = {
    "ZWSP": "\u200b", "LRM": "\u200e", "RLM": "\u200f", "ALM": "\u061c", "LRE": "\u202a", "RLO": "\u202e",
    "LRI": "\u2066", "PDI": "\u2069", "BOM": "\ufeff", "soft hyphen": "\u00ad", "word joiner": "\u2060",
}


@pytest.mark.parametrize("name", sorted(INVISIBLE))
def test_invisible_format_characters_are_removed(name: str) -> None:
    mark = INVISIBLE[name]
    assert clean(f"التعاون{mark} الأمني{mark}") == "التعاون الأمني"
    assert title(f"{mark}Coopération{mark} sécuritaire") == "Coopération sécuritaire"


def test_joiners_that_shape_words_are_kept() -> None:
    assert clean("می\u200cخواهم") == "می\u200cخواهم"  # ZWNJ inside a Persian word
    assert clean("👩\u200d💻") == "👩\u200d💻"


def test_a_title_is_capped_at_a_word_boundary() -> None:
    long = "Le Maroc et l'Espagne renforcent leur coopération " * 20
    shown = title(long)
    assert len(shown) <= TITLE_CHARS + 2 and shown.endswith(" …")
    assert title("Titre court") == "Titre court"
