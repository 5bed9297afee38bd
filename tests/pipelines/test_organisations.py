"""Organisations live in one file that the classifier and the digest both read."""
from __future__ import annotations

from pipelines.classify import classify
from pipelines.lexicon import DATA, vocabulary_digest
from pipelines.organisations import display_name, organisations
from scheduler.digest.names import partner_name


def test_every_organisation_has_names_and_display_names() -> None:
    orgs = organisations()
    assert {"INTERPOL", "EUROPOL", "AFRIPOL", "UN", "AU", "EU", "NATO", "FRONTEX", "LAS", "AIMC", "NAUSS",
            "WEF"} <= set(orgs)
    for org in orgs.values():
        assert org.names and all(org.display[lang] for lang in ("ar", "fr", "en"))


def test_digest_shows_the_display_name_of_the_file() -> None:
    assert partner_name("AIMC", "en") == display_name("AIMC", "en") == "Arab Interior Ministers' Council"
    assert partner_name("ES", "fr") == "Espagne"  # states still come from CLDR
    assert partner_name("XYZ", "fr") == "XYZ"


def test_un_offices_report_as_un() -> None:
    verdict = classify("", "La DGSN et l'ONUDC ont signé un accord de coopération sur la lutte contre la "
                       "criminalité organisée.", "fr")
    assert verdict.partners == ["UN"]
    assert display_name("UNODC", "en") is None


def test_the_organisations_file_is_part_of_the_classifier_version() -> None:
    assert (DATA / "organisations.yaml").exists()
    assert "organisations.yaml" in {p.name for p in DATA.glob("*.yaml")}
    assert len(vocabulary_digest()) == 8
