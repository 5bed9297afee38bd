"""Segmentation bounds every unit, so classification stays linear in the text."""
from __future__ import annotations

from pipelines.classify import classify
from pipelines.segment import content, pieces
from pipelines.tuning import TUNING

_SENTENCE_AR = ("استقبل المدير العام للأمن الوطني ولمراقبة التراب الوطني نظيره الإسباني وبحثا سبل تعزيز "
                "التعاون الأمني ومكافحة الإرهاب والجريمة المنظمة و")


def test_long_unpunctuated_text_is_cut_into_bounded_units() -> None:
    text = " ".join([_SENTENCE_AR] * 2000)  # ~400 KB, no full stop, no line break
    units = pieces("", text, "ar")
    assert len(units) > 2000 * 20 // TUNING.max_unit_tokens
    assert max(len(u.folded) for u in units) <= TUNING.max_unit_tokens + 5  # tokens vs words


def test_long_unpunctuated_text_is_classified() -> None:
    verdict = classify("", " ".join([_SENTENCE_AR] * 500), "ar")
    assert verdict.flagged and verdict.partners == ["ES"]


def test_ordinary_sentences_stay_whole() -> None:
    sentence = "La DGSN a reçu une délégation espagnole, puis a visité le port de Tanger Med."
    assert [u.cased for u in pieces("", sentence, "fr")][1:] == [pieces("", sentence, "fr")[1].cased]
    assert len(pieces("", sentence, "fr")) == 2  # title and one sentence


def test_lang_chooses_the_clause_punctuation() -> None:
    clause = "وبحث الطرفان التعاون الأمني في مجال مكافحة الإرهاب والجريمة المنظمة العابرة للحدود"
    text = "، ".join([clause] * 12)  # one Arabic sentence of ~140 words, Arabic commas only
    arabic = pieces("", text, "ar")
    english = pieces("", text, "en")
    # Arabic commas end a unit in Arabic; in English only the hard bound cuts
    assert all(u.cased[-1] for u in arabic[1:])
    assert len(arabic) >= len(english)
    assert all(len(u.folded) <= TUNING.max_unit_tokens + 5 for u in arabic + english)


def test_page_furniture_is_removed() -> None:
    page = "Lire aussi : La France et l'Espagne signent un accord\n- 13:45 Breaking headline\nLe corps de l'article."
    assert content(page) == "Le corps de l'article."
