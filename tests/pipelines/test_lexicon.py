"""pipelines/lexicon.py: the vocabularies compiled into one phrase dictionary, and matching against it.

Tested through the public surface the classifier uses (``lexicon()``,
``Lexicon.add`` and ``Lexicon.scan`` on normalised tokens), with sentences
written for these tests.
"""

from __future__ import annotations

import pytest

from pipelines.lexicon import Lexicon, lexicon
from pipelines.normalize import normalize_text, tokens


def scan(text: str, lex: Lexicon | None = None) -> list[tuple[str, set[tuple[str, str]]]]:
    """Each match as (the words matched, normalised; {(kind, value)})."""
    folded = tokens(normalize_text(text))
    cased = tokens(normalize_text(text, keep_case=True))
    assert len(folded) == len(cased)
    return [(" ".join(folded[m.start:m.end]), {(e.kind, e.value) for e in m.entries})
            for m in (lex or lexicon()).scan(folded, cased)]


def words(text: str) -> str:
    """``text`` as :func:`scan` reports it."""
    return " ".join(tokens(normalize_text(text)))


def found(text: str, kind: str) -> set[str]:
    """The values of every ``kind`` entry matched in ``text``."""
    return {value for _, entries in scan(text) for k, value in entries if k == kind}


# --- states ----------------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    # CLDR territory names, for states the data file does not list
    ("وصل وفد من النرويج إلى الرباط", "NO"),
    ("Une délégation venue de Norvège est arrivée à Rabat", "NO"),
    ("A delegation from Norway arrived in Rabat", "NO"),
    ("زار مسؤول من آيسلندا المدينة", "IS"),
    ("Un accord avec l'Islande", "IS"),
    ("Talks with Finland resumed", "FI"),
    # names the data file adds to CLDR's
    ("تعاون مع الجارة الشمالية في مجال الهجرة", "ES"),
    ("La coopération avec le voisin ibérique", "ES"),
])
def test_states_by_name(text: str, code: str) -> None:
    assert code in found(text, "state")


@pytest.mark.parametrize("text", [
    # Arabic nisba: masculine, feminine, plural (nominative and oblique), dual, definite, with و and ب
    "شرطي إسباني", "الشرطة الإسبانية", "مواطنون إسبانيون", "مع المسؤولين الإسبانيين", "خبيران إسبانيان",
    "والسلطات الإسبانية", "بالسلطات الإسبانية",
    # French: masculine, feminine, plurals
    "un policier espagnol", "la police espagnole", "des agents espagnols", "les autorités espagnoles",
    # English adjective and nouns
    "Spanish police", "two Spaniards",
])
def test_demonyms_in_every_form(text: str) -> None:
    assert found(text, "state") == {"ES"}


@pytest.mark.parametrize("text, code", [
    ("la police italienne", "IT"), ("des gendarmes italiens", "IT"),    # -en: -enne, -ens
    ("les autorités françaises", "FR"), ("un juge français", "FR"),      # -s: -e, -es
    ("des experts belges", "BE"),                                         # -e: -s
    ("les services kényans", "KE"), ("Kenyan officers", "KE"),
])
def test_french_and_english_demonym_endings(text: str, code: str) -> None:
    assert found(text, "state") == {code}


@pytest.mark.parametrize("text", [
    "إسبانيا", "اسبانيا", "إسبانِيا",                       # hamza on alef or not, a stray kasra
    "وإسبانيا", "لإسبانيا", "بإسبانيا", "وبإسبانيا",         # proclitics و ل ب
    "الإسبانيّة", "الاسبانية",                              # shadda; alef without hamza
    "إسبـــانيا",                                            # tatweel stretching
])
def test_arabic_spelling_variants_and_clitics(text: str) -> None:
    assert found(f"اتفاق مع {text} اليوم", "state") == {"ES"}


@pytest.mark.parametrize("text, code", [
    ("Les États-Unis et le Maroc", "US"), ("Les Etats-Unis et le Maroc", "US"), ("les etats-unis", "US"),
    ("en Algérie", "DZ"), ("en Algerie", "DZ"), ("la police algérienne", "DZ"), ("la police algerienne", "DZ"),
    ("les policiers sénégalais", "SN"), ("les policiers senegalais", "SN"),
])
def test_french_with_or_without_accents(text: str, code: str) -> None:
    assert code in found(text, "state")


def test_morocco_is_not_a_partner_state() -> None:
    assert found("Le Maroc et l'Espagne ; المغرب وإسبانيا ; Morocco and Spain", "state") == {"ES"}


def test_longest_phrase_wins() -> None:
    """"الولايات المتحدة الأمريكية" is one state, not "المتحدة" plus an adjective."""
    ((span, _),) = [m for m in scan("وقعت الولايات المتحدة الأمريكية اتفاقا") if ("state", "US") in m[1]]
    assert span == words("الولايات المتحدة الأمريكية")


# --- organisations ---------------------------------------------------------

@pytest.mark.parametrize("text, code", [
    ("بتنسيق مع الإنتربول", "INTERPOL"), ("بتنسيق مع الانتربول", "INTERPOL"), ("بتنسيق مع الأنتربول", "INTERPOL"),
    ("عبر المنظمة الدولية للشرطة الجنائية", "INTERPOL"),
    ("une notice rouge d'Interpol", "INTERPOL"), ("une notice rouge de l'OIPC", "INTERPOL"),
    ("l'Organisation internationale de police criminelle a diffusé", "INTERPOL"),
    ("the International Criminal Police Organization said", "INTERPOL"),
    ("un rapport d'Europol", "EUROPOL"), ("حسب اليوروبول", "EUROPOL"),
    ("des agents de Frontex", "FRONTEX"),
    ("selon l'ONU", "UN"), ("a UN report", "UN"), ("les Nations unies", "UN"), ("الأمم المتحدة", "UN"),
])
def test_organisations_by_name_and_acronym(text: str, code: str) -> None:
    assert code in found(text, "org")


@pytest.mark.parametrize("text", [
    "un accord a été signé avec un pays voisin",           # French article, not the UN
    "Let us be clear about the plan",                       # English pronoun, not the US
    "ARRESTATION D'UN RESSORTISSANT ÉTRANGER À TANGER",     # a shouted headline: capitals prove nothing
])
def test_acronyms_need_capitals_in_a_sentence_that_is_not_shouted(text: str) -> None:
    assert not found(text, "org") and "US" not in found(text, "state")


def test_agencies_belong_to_their_state() -> None:
    assert found("La Guardia Civil et la DGSI", "agency") == {"ES", "FR"}
    assert found("des agents de la Sûreté de l'État", "agency") == {"BE"}
    assert found("des agents de la Surete de l'Etat", "agency") == {"BE"}


# --- compiling a vocabulary --------------------------------------------------

def test_a_multi_word_arabic_term_also_matches_in_its_definite_form() -> None:
    lex = Lexicon()
    lex.add("مذكرة تفاهم", "coop", "agreement")
    for text, matched in (("وقع الطرفان مذكرة تفاهم", "مذكرة تفاهم"), ("بنود مذكرة التفاهم الموقعة", "مذكرة التفاهم"),
                          ("ومذكرة التفاهم", "ومذكرة التفاهم")):
        assert scan(text, lex) == [(words(matched), {("coop", "agreement")})]


def test_a_french_term_ending_in_de_also_matches_when_elided() -> None:
    lex = Lexicon()
    lex.add("en provenance de", "ctx", "origin")
    assert [w for w, _ in scan("un bateau en provenance de Tarifa", lex)] == ["en provenance de"]
    assert [w for w, _ in scan("un camion en provenance d'Espagne", lex)] == ["en provenance d"]


def test_acronym_entries_are_recognised_when_added() -> None:
    lex = Lexicon()
    lex.add("OIPC", "org", "INTERPOL")
    lex.add("police", "sec", "police")
    assert scan("la police et l'OIPC", lex) == [("police", {("sec", "police")}), ("oipc", {("org", "INTERPOL")})]
    assert scan("la police et l'oipc", lex) == [("police", {("sec", "police")})]


def test_leftmost_longest_and_one_entry_per_kind_and_value() -> None:
    lex = Lexicon()
    lex.add("police", "sec", "police")
    lex.add("police judiciaire", "sec", "judicial")
    lex.add("Police judiciaire", "sec", "judicial")  # a second spelling of the same term adds nothing
    assert scan("la police judiciaire et la police", lex) == [
        ("police judiciaire", {("sec", "judicial")}), ("police", {("sec", "police")})]
    assert len(lex.phrases[("police", "judiciaire")]) == 1


def test_one_phrase_can_carry_several_kinds() -> None:
    """'Washington' is a capital and a name of the United States; both readings reach the classifier."""
    ((_, entries),) = scan("Washington")
    assert {("state", "US"), ("capital", "US")} <= entries
