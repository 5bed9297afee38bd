from __future__ import annotations

import pytest

from pipelines.normalize import clitic_variants, normalize_for_search, normalize_text, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("المُدِيرِيَّةُ العَامَّةُ", "المديريه العامه"),  # tashkeel and ta marbuta
        ("الأمـــــن", "الامن"),  # tatweel
        ("أإآٱا", "ااااا"),  # alef forms
        ("مصطفى", "مصطفي"),  # alef maqsura
        ("مؤتمر رئيس", "موتمر رييس"),  # hamza on waw and yeh
        ("٢٠٢٥ ۱۴", "2025 14"),  # Arabic-Indic and Persian digits
        ("Sûreté NATIONALE  à   Fès", "surete nationale a fes"),
        ("L’Élysée", "l'elysee"),
        ("ﻻ", "لا"),  # presentation-form ligature
        ("a\u200bb\u200fc", "abc"),  # zero-width and bidi marks
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_keep_case_keeps_acronyms() -> None:
    assert normalize_text("L’ONU et la DGSN", keep_case=True) == "L'ONU et la DGSN"


@pytest.mark.parametrize(
    "raw",
    ["المُدِيرِيَّةُ العامّة للأمن الوطني (DGSN)، الرباط", "Coopération « sécuritaire » l’Espagne", "Ⅻ ﬁ ½ ㎒"],
)
def test_idempotent(raw: str) -> None:
    once = normalize_text(raw)
    assert normalize_text(once) == once
    search = normalize_for_search(raw)
    assert normalize_for_search(search) == search


def test_search_form_drops_punctuation_keeps_clitics() -> None:
    assert normalize_for_search("l’Espagne, (DGSN) وبالإسبانية!") == "l espagne dgsn وبالاسبانيه"


def test_mixed_text_is_safe() -> None:
    assert normalize_text("DGST المغربية et la Guardia Civil") == "dgst المغربيه et la guardia civil"


@pytest.mark.parametrize(
    ("token", "variant"),
    [
        ("وبالاسبانيه", "اسبانيه"),
        ("للامن", "الامن"),
        ("والشرطه", "الشرطه"),
        ("بنظيره", "نظيره"),
        ("فالمغرب", "المغرب"),
    ],
)
def test_clitic_variants_include_stem(token: str, variant: str) -> None:
    assert variant in clitic_variants(token)


def test_clitic_variants_keep_the_word_itself_first() -> None:
    for word in ("فرنسا", "وزير", "ليبيا", "police"):
        assert clitic_variants(word)[0] == word
    assert clitic_variants("police") == ("police",)


def test_tokens() -> None:
    assert tokens("l'espagne, dgsn 2025") == ["l", "espagne", "dgsn", "2025"]
