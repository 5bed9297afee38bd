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
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipelines.classify import classify
from pipelines.evaluate import evaluate_file

DATA = Path(__file__).parents[1] / "data"


@dataclass(frozen=True)
class Gate:
    """A held-out file, the shape its floors were set on, and the floors."""

    file: str
    shape: tuple[int, int, int, int]  # articles, ar, fr, en
    f1: float
    partners_f1: float
    lang_f1: float
    lang_partners_f1: float

    @property
    def rows(self) -> list[dict]:
        return [json.loads(line) for line in (DATA / self.file).read_text(encoding="utf-8").splitlines() if line]


GATES = [
    Gate("holdout.jsonl", (90, 40, 25, 25), f1=0.95, partners_f1=0.93, lang_f1=0.90, lang_partners_f1=0.90),
    Gate("holdout2.jsonl", (100, 45, 30, 25), f1=0.96, partners_f1=0.95, lang_f1=0.93, lang_partners_f1=0.93),
]
H2_SUBTYPE_FLOOR = 0.82


@pytest.fixture(scope="module", params=GATES, ids=lambda gate: gate.file)
def gated(request: pytest.FixtureRequest) -> tuple[Gate, dict]:
    return request.param, evaluate_file(DATA / request.param.file)


def test_holdout_is_what_the_floors_were_set_on(gated: tuple[Gate, dict]) -> None:
    gate, _ = gated
    rows = gate.rows
    langs = [r["lang"] for r in rows]
    assert (len(rows), langs.count("ar"), langs.count("fr"), langs.count("en")) == gate.shape
    assert all("MA" not in r["partners"] and bool(r["partners"]) == bool(r["label"]) for r in rows)


def test_holdout_overall(gated: tuple[Gate, dict]) -> None:
    gate, result = gated
    assert result["f1"] >= gate.f1, result
    assert result["partners_f1"] >= gate.partners_f1, result


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_holdout_per_language(gated: tuple[Gate, dict], lang: str) -> None:
    gate, result = gated
    figures = result["by_lang"][lang]
    assert figures["f1"] >= gate.lang_f1, figures
    assert figures["partners_f1"] >= gate.lang_partners_f1, figures


def test_holdout2_subtypes() -> None:
    """Share of positives whose subtype is the expected one (some are judgement calls)."""
    rows = GATES[1].rows
    assert all(bool(r["subtype"]) == bool(r["label"]) for r in rows)
    positives = [r for r in rows if r["label"]]
    agree = sum(classify(r["title"], r["text"], r["lang"]).subtype == r["subtype"] for r in positives)
    assert agree / len(positives) >= H2_SUBTYPE_FLOOR, agree
