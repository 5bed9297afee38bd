"""Quality gate: the classifier on a held-out set it was not tuned on.

`tests/data/holdout.jsonl` holds 90 articles (40 ar, 25 fr, 25 en) written for
the project after reading only the labelling rules, before the classifier was
inspected: positives of every subtype and hard negatives (local arrests, police
anniversaries, economic cooperation with named states, foreign security news
without Morocco, sports). The dev set the classifier was tuned on scores
perfectly, which says little about new articles; this set measures that. The
floors sit a few points below the figures measured at classifier 1.2.0 (F1 1.0
in every language; partner F1 0.961 overall, fr 0.938), so a vocabulary or rule
change that costs more than an article or two fails here.

`tests/data/holdout2.jsonl` holds 100 more (45 ar, 30 fr, 25 en), written in the
noise of real pages: excerpts cut mid-sentence, empty titles, bylines, photo
credits, "read also" and share-button lines; Maghrebi Arabic and Moroccan
French press phrasing; delegation lists of 15-20 states; partners named only
through a demonym, a foreign agency or a Gulf, Levant, Sahel, Latin American
or Asian spelling; and negatives that name foreign states as background (a
truck registered in Spain, a suspect's passport, World Cup co-hosts, rescue
teams after an earthquake). It also carries the expected subtype. At 1.2.0 it
scored F1 0.952 (fr 0.938, ar 0.936) and partner F1 0.963; the floors sit a
few points below the figures at 1.3.0 (1.0 throughout, subtype agreement 0.89).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.classify import classify
from pipelines.evaluate import evaluate_file

HOLDOUT = Path(__file__).parent / "data" / "holdout.jsonl"

F1_FLOOR = 0.95
PARTNERS_F1_FLOOR = 0.93
LANG_F1_FLOOR = 0.90
LANG_PARTNERS_F1_FLOOR = 0.90


@pytest.fixture(scope="module")
def result() -> dict:
    return evaluate_file(HOLDOUT)


def test_holdout_is_what_the_floors_were_set_on() -> None:
    rows = [json.loads(line) for line in HOLDOUT.read_text(encoding="utf-8").splitlines() if line]
    langs = [r["lang"] for r in rows]
    assert (len(rows), langs.count("ar"), langs.count("fr"), langs.count("en")) == (90, 40, 25, 25)
    assert all("MA" not in r["partners"] and bool(r["partners"]) == bool(r["label"]) for r in rows)


def test_holdout_overall(result: dict) -> None:
    assert result["f1"] >= F1_FLOOR, result
    assert result["partners_f1"] >= PARTNERS_F1_FLOOR, result


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_holdout_per_language(result: dict, lang: str) -> None:
    figures = result["by_lang"][lang]
    assert figures["f1"] >= LANG_F1_FLOOR, figures
    assert figures["partners_f1"] >= LANG_PARTNERS_F1_FLOOR, figures


HOLDOUT2 = Path(__file__).parent / "data" / "holdout2.jsonl"

H2_F1_FLOOR = 0.96
H2_PARTNERS_F1_FLOOR = 0.95
H2_LANG_F1_FLOOR = 0.93
H2_LANG_PARTNERS_F1_FLOOR = 0.93
H2_SUBTYPE_FLOOR = 0.82


@pytest.fixture(scope="module")
def result2() -> dict:
    return evaluate_file(HOLDOUT2)


def _rows2() -> list[dict]:
    return [json.loads(line) for line in HOLDOUT2.read_text(encoding="utf-8").splitlines() if line]


def test_holdout2_is_what_the_floors_were_set_on() -> None:
    rows = _rows2()
    langs = [r["lang"] for r in rows]
    assert (len(rows), langs.count("ar"), langs.count("fr"), langs.count("en")) == (100, 45, 30, 25)
    assert all("MA" not in r["partners"] and bool(r["partners"]) == bool(r["label"]) for r in rows)
    assert all(bool(r["subtype"]) == bool(r["label"]) for r in rows)


def test_holdout2_overall(result2: dict) -> None:
    assert result2["f1"] >= H2_F1_FLOOR, result2
    assert result2["partners_f1"] >= H2_PARTNERS_F1_FLOOR, result2


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_holdout2_per_language(result2: dict, lang: str) -> None:
    figures = result2["by_lang"][lang]
    assert figures["f1"] >= H2_LANG_F1_FLOOR, figures
    assert figures["partners_f1"] >= H2_LANG_PARTNERS_F1_FLOOR, figures


def test_holdout2_subtypes() -> None:
    """Share of positives whose subtype is the expected one (some are judgement calls)."""
    positives = [r for r in _rows2() if r["label"]]
    agree = sum(classify(r["title"], r["text"], r["lang"]).subtype == r["subtype"] for r in positives)
    assert agree / len(positives) >= H2_SUBTYPE_FLOOR, agree
