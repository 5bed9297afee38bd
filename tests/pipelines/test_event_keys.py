"""Language-independent keys: the same happening told in ar/fr/en yields the same keys."""
from __future__ import annotations

from pipelines.event_keys import event_keys, load_officials

# Written for the project: one meeting told three ways.
AR = ("حموشي يتباحث بمدريد مع المدير العام للشرطة الإسبانية",
      "أجرى عبد اللطيف حموشي، المدير العام للأمن الوطني ولمراقبة التراب الوطني، مباحثات بمدريد "
      "مع فرانسيسكو باردو بيكيراس بمناسبة الذكرى الـ200 لتأسيس الشرطة الوطنية. "
      "وتناول اللقاء التعاون الأمني بين البلدين.")
FR = ("Hamouchi s'entretient à Madrid avec le patron de la police espagnole",
      "Abdellatif Hammouchi a eu des entretiens à Madrid avec Francisco Pardo Piqueras, en marge du "
      "200ème anniversaire de la police nationale espagnole. Les deux responsables ont évoqué la coopération.")
EN = ("Morocco's security chief holds talks in Madrid",
      "Abdellatif Hammouchi met Spain's national police director general Pardo Piqueras in Madrid on the "
      "200th anniversary of the Spanish National Police. Talks covered counter-terrorism cooperation.")


def test_same_meeting_same_keys_in_three_languages() -> None:
    keys = [event_keys(title, text) for title, text in (AR, FR, EN)]
    expected = {"p:hammouchi", "p:pardo_piqueras", "l:madrid", "s:ES", "n:200", "a:meeting"}
    for k in keys:
        assert expected <= k.lead, sorted(k.lead)


def test_years_and_ordinals_are_keys() -> None:
    keys = event_keys("Le Maroc à la 93e Assemblée générale d'Interpol",
                      "L'édition 2025 de l'exercice réunit neuf pays. La 93ème session se tient à Marrakech.")
    assert {"n:93", "y:2025", "n:9", "o:INTERPOL", "l:marrakech", "a:assembly"} <= keys.body
    arabic = event_keys("المغرب يحتضن الدورة الـ93 للجمعية العامة للأنتربول", "تنعقد الدورة ٩٣ بمراكش.")
    assert {"n:93", "o:INTERPOL", "l:marrakech"} <= arabic.body


def test_background_in_the_body_is_not_the_lead() -> None:
    lead_text = "Hammouchi a reçu à Rabat le directeur de la police espagnole. " * 5
    keys = event_keys("Hammouchi reçoit à Rabat", lead_text + "L'an dernier, il avait visité Washington. " * 5)
    assert "l:rabat" in keys.lead
    assert "l:washington" in keys.body and "l:washington" not in keys.lead


def test_ordinary_words_are_not_places_or_officials() -> None:
    keys = event_keys("نصب الخيام في الساحة الجديدة", "تم نصب الخيام في الساحة الجديدة قرب بركان خامد.")
    assert not keys.kind("p") and not keys.kind("l")


def test_officials_file_shape() -> None:
    officials = load_officials()
    assert officials["hammouchi"].country == "MA"
    assert "حموشي" in officials["hammouchi"].names["ar"]
    for official in officials.values():
        assert official.id and official.country and any(official.names.values())
