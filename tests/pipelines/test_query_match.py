"""Compiled watchlist queries on articles: boolean logic, proximity, fields, Arabic and French
spelling variants, and entity atoms in Arabic, French and English (texts written for the tests)."""
from __future__ import annotations

import pytest

from pipelines.query_match import ArticleDoc, QuerySyntaxError, compile_query

AR = ArticleDoc(
    "مباحثات أمنية بين المغرب وإسبانيا حول الوضع في سبتة",
    "أجرى المدير العام للأمن الوطني عبد اللطيف حموشي مباحثات مع وفد من الحرس المدني الإسباني.\n"
    "وتناول اللقاء تعزيز التعاون بالأمن الحدودي ومكافحة الهجرة غير النظامية عبر معبر باب سبتة.\n"
    "كما حضر ممثل عن الإنتربول أشغال الاجتماع.",
)
FR = ArticleDoc(
    "Coopération sécuritaire : le Maroc et l'Espagne renforcent leur coordination",
    "Le directeur général de la DGSN, Abdellatif Hammouchi, a reçu une délégation espagnole.\n"
    "Les deux parties ont évoqué la sécurité à la frontière de Ceuta et l'échange d'informations avec Interpol.\n"
    "Un accord a été signé à Rabat.",
)
EN = ArticleDoc(
    "Morocco and Spain step up border security talks",
    "Moroccan police chief Abdellatif Hammouchi met Spanish Interior Minister Fernando Grande-Marlaska in Rabat.\n"
    "The officials discussed the Ceuta crossing, irregular migration and cooperation with INTERPOL.\n"
    "The football match in Ceuta was postponed.",
)
SPORT = ArticleDoc(
    "Ceuta : le match de football reporté",
    "Le club de Ceuta et une équipe espagnole joueront la semaine prochaine. Les supporters sont déçus.",
)


def hits(query: str, *docs: ArticleDoc) -> list[bool]:
    compiled = compile_query(query)
    return [compiled.match(doc) is not None for doc in docs]


@pytest.mark.parametrize("query, expected", [
    ("Ceuta", [False, True, True, True]),
    ("Ceuta AND Rabat", [False, True, True, False]),
    ("Ceuta Rabat", [False, True, True, False]),
    ("Ceuta OR سبتة", [True, True, True, True]),
    ("Ceuta AND NOT football", [False, True, False, False]),
    ("(Ceuta OR سبتة) AND NOT (football OR supporters)", [True, True, False, False]),
    ('"Grande-Marlaska"', [False, False, True, False]),
    ('"Interior Minister Fernando"', [False, False, True, False]),
    ('"Minister Interior"', [False, False, False, False]),
    ("secur*", [False, True, True, False]),
    ("sécu*", [False, True, True, False]),
    ("title:Ceuta", [False, False, False, True]),
    ("text:Ceuta AND NOT title:Ceuta", [False, True, True, False]),
    ("title:(border OR frontière OR سبتة)", [True, False, True, False]),
])
def test_boolean_logic_phrases_prefixes_and_fields(query: str, expected: list[bool]) -> None:
    assert hits(query, AR, FR, EN, SPORT) == expected


def test_near_counts_words_between_in_either_order() -> None:
    assert hits("Hammouchi NEAR/1 Spanish", EN) == [True]  # "Hammouchi met Spanish"
    assert hits("Hammouchi NEAR/2 Minister", EN) == [False]
    assert hits("Hammouchi NEAR/3 Minister", EN) == [True]
    assert hits("Minister NEAR/3 Hammouchi", EN) == [True]
    assert hits("(Ceuta OR Melilla) NEAR/3 crossing", EN) == [True]
    assert hits("Ceuta NEAR/3 postponed", EN) == [True]
    assert hits("title:Spain NEAR/10 Ceuta", EN) == [False]  # title and body are separate fields


@pytest.mark.parametrize("query", [
    "إسبانيا",          # hamza on the alef, written without و in the query
    "اسبانيا",          # bare alef
    "الأمن",            # found inside بالأمن and للأمن
    "امن",              # and without the article
    "الحدودي",
    "أمنيه",            # ta marbuta written as heh
    "مباحثات",
    '"التعاون الأمني"',  # not in the text: the definite adjective differs
])
def test_arabic_spelling_and_clitic_variants(query: str) -> None:
    assert hits(query, AR) == [query != '"التعاون الأمني"']


def test_arabic_diacritics_and_tatweel_are_ignored() -> None:
    doc = ArticleDoc("", "اتفاقية تعاون أَمْنِيّ مع المملكة الإسبـــانية")
    assert hits("أمني", doc) == [True]
    assert hits("الإسبانية", doc) == [True]


def test_french_accents_and_case_are_ignored() -> None:
    assert hits("SECURITE", FR) == [True]
    assert hits("cooperation securitaire", FR) == [True]
    assert hits('"l\'Espagne"', FR) == [True]


@pytest.mark.parametrize("doc", [AR, FR, EN], ids=["ar", "fr", "en"])
def test_state_atom_matches_names_and_demonyms_in_each_language(doc: ArticleDoc) -> None:
    assert hits("@ES", doc) == [True]
    assert hits("@es", doc) == [True]  # codes are case-insensitive
    assert hits("@DE", doc) == [False]


@pytest.mark.parametrize("text", [
    "وفد إسباني", "الشرطة الإسبانية", "السلطات الاسبانية", "مع إسبانيا", "Espagne", "une délégation espagnole",
    "les autorités espagnoles", "Spanish police", "two Spaniards", "coopération hispano-marocaine",
])
def test_state_atom_spellings(text: str) -> None:
    assert hits("@ES", ArticleDoc("", text)) == [True]


@pytest.mark.parametrize("doc", [AR, FR, EN], ids=["ar", "fr", "en"])
def test_organisation_and_person_atoms_in_each_language(doc: ArticleDoc) -> None:
    assert hits("@INTERPOL", doc) == [True]
    assert hits("@person:hammouchi", doc) == [True]
    assert hits("@EUROPOL", doc) == [False]


def test_acronym_atoms_need_capitals() -> None:
    assert hits("@UN", ArticleDoc("", "Un accord a été signé avec un partenaire.")) == [False]
    assert hits("@UN", ArticleDoc("", "Le rapport de l'ONU sur la drogue.")) == [True]
    assert hits("@EU", ArticleDoc("", "The EU and Morocco signed a plan.")) == [True]


def test_person_atom_near_an_organisation() -> None:
    assert hits("@person:hammouchi NEAR/20 @INTERPOL", AR, FR, EN) == [False, False, True]
    assert hits("@person:hammouchi NEAR/3 (DGSN OR الوطني)", AR, FR, EN) == [True, True, False]
    assert hits("@person:grande_marlaska", AR, FR, EN) == [False, False, True]


def test_matched_terms_are_quoted_as_written() -> None:
    compiled = compile_query('(سبتة OR Ceuta) AND (@ES OR "Guardia Civil") AND NOT sport*')
    assert compiled.match(AR) == ["سبتة", "@ES (وإسبانيا)", "@ES (الإسباني)"]
    terms = compiled.match(FR)
    assert terms is not None and "Ceuta" in terms and "@ES (Espagne)" in terms and "@ES (espagnole)" in terms
    assert compile_query("Ceuta AND NOT Rabat").match(SPORT) == ["Ceuta"]  # negated terms are not reported


@pytest.mark.parametrize("query, position, expected", [
    ("@XX", 1, "expected a state code (@ES) or an organisation (@INTERPOL), not @XX"),
    ("Ceuta AND @person:nobody", 11, "expected an official's id"),
    ("NOT sport", 1, "expected at least one word, phrase or entity outside NOT"),
    ("a NEAR/3 (b AND c)", 3, "expected a word, phrase, entity or OR-group on each side of NEAR/3"),
    ("Ceuta AND ---", 11, "expected letters or digits"),
    ("s*", 1, "expected at least two letters before *"),
])
def test_compile_errors(query: str, position: int, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        compile_query(query)
    assert str(info.value).startswith(f"position {position}: {expected}")
