"""Classifier v2: the classes of miss found on unseen real articles (issue 12).

Every article here is written for the project (ar/fr/en), in the shape of the
real stories the previous version got wrong: the class, not the words, is
what each test pins down.
"""
from __future__ import annotations

import pytest

from pipelines.classify import classify


def flagged(title: str, text: str, lang: str, partners: set[str]) -> None:
    verdict = classify(title, text, lang)
    assert verdict.flagged, verdict.reasons
    assert set(verdict.partners) == partners, verdict.reasons


def not_flagged(title: str, text: str, lang: str) -> None:
    verdict = classify(title, text, lang)
    assert not verdict.flagged, verdict.reasons


# --- defence cooperation as a first-class subject -------------------------

@pytest.mark.parametrize("title, text, lang, partners", [
    ("مناورات عسكرية مشتركة بين القوات المسلحة الملكية والجيش البرتغالي",
     "انطلقت صباح اليوم بمنطقة القنيطرة مناورات عسكرية مشتركة تجمع وحدات من القوات المسلحة الملكية "
     "ونظيرتها البرتغالية، وتستمر أسبوعا كاملا.\nوتهدف هذه التمارين إلى تعزيز قابلية التشغيل البيني "
     "بين الجيشين وتبادل الخبرات في مجال الإنزال البحري.", "ar", {"PT"}),
    ("", "Les Forces armées royales participeront du 2 au 14 mars à l'exercice multinational Flintlock, "
     "organisé cette année au Sénégal par le commandement américain pour l'Afrique. Des forces spéciales "
     "marocaines manœuvreront aux côtés des armées des États-Unis et du Sénégal.", "fr", {"US", "SN"}),
    ("Washington approves sale of air-defence missiles to Morocco",
     "The State Department has approved the possible sale of short-range air-defence missiles to the "
     "Kingdom of Morocco, the Pentagon's Defense Security Cooperation Agency said on Friday.\n"
     "The package would strengthen the Royal Armed Forces, a long-standing US partner, the agency added.",
     "en", {"US"}),
])
def test_defence_acts_are_cooperation(title: str, text: str, lang: str, partners: set[str]) -> None:
    flagged(title, text, lang, partners)


# --- intelligence given to a foreign service ------------------------------

@pytest.mark.parametrize("title, text, lang, partners", [
    ("Un projet d'attentat déjoué à Vienne grâce à la DGST",
     "La police autrichienne a interpellé samedi un jeune homme qui préparait une attaque contre un "
     "marché de Noël, sur la base d'informations fournies par la Direction générale de la surveillance "
     "du territoire (DGST).\nLe suspect avait prêté allégeance à une organisation terroriste.", "fr", {"AT"}),
    ("", "German police arrested a man planning a knife attack in Hamburg after information provided by "
     "Morocco's General Directorate of Territorial Surveillance (DGST) identified him. The suspect had "
     "pledged allegiance to a jihadist group, the German interior ministry said.", "en", {"DE"}),
    ("معلومات المخابرات المغربية تحبط هجوما إرهابيا في بلجيكا",
     "تمكنت الشرطة البلجيكية من توقيف شخص كان يعد لتنفيذ عمل إرهابي، وذلك بناء على معلومات دقيقة "
     "وفرتها المديرية العامة لمراقبة التراب الوطني.", "ar", {"BE"}),
])
def test_intelligence_tip_makes_morocco_a_party(title: str, text: str, lang: str, partners: set[str]) -> None:
    flagged(title, text, lang, partners)


# --- red notices, extraditions and joint patrols --------------------------

@pytest.mark.parametrize("title, text, lang, partners", [
    ("توقيف مواطن بلجيكي بأكادير موضوع نشرة حمراء",
     "أوقفت عناصر الشرطة القضائية بأكادير مواطنا بلجيكيا يبلغ من العمر 40 سنة، يشكل موضوع نشرة حمراء "
     "صادرة عن الأنتربول.\nوجاء توقيفه تنفيذا لأمر دولي بإلقاء القبض أصدرته السلطات القضائية في بلجيكا "
     "في قضية تتعلق بالاتجار الدولي في المخدرات.", "ar", {"BE", "INTERPOL"}),
    ("", "Les éléments de la sûreté de Fès ont interpellé un ressortissant italien recherché par les "
     "autorités judiciaires italiennes en vertu d'une notice rouge d'Interpol pour trafic de stupéfiants. "
     "Le bureau Interpol de Rabat a informé son homologue à Rome en vue de son extradition.",
     "fr", {"IT", "INTERPOL"}),
])
def test_arrest_on_a_foreign_notice(title: str, text: str, lang: str, partners: set[str]) -> None:
    flagged(title, text, lang, partners)


# --- training of foreign officers at Moroccan institutes ------------------

@pytest.mark.parametrize("title, text, lang, partners", [
    ("تخرج فوج من ضباط الشرطة البوركينابيين بالمعهد الملكي للشرطة",
     "احتضن المعهد الملكي للشرطة بالقنيطرة حفل تخرج فوج من ضباط الشرطة البوركينابيين، بعد دورة تكوينية "
     "دامت تسعة أشهر أشرفت عليها المديرية العامة للأمن الوطني، في إطار التعاون الأمني بين البلدين.",
     "ar", {"BF"}),
    ("Royal Police Institute graduates officers from the Central African Republic",
     "Twenty police officers from the Central African Republic graduated on Wednesday from the Royal "
     "Police Institute in Kenitra after a year of training by the DGSN, as part of security cooperation "
     "between the two countries.", "en", {"CF"}),
])
def test_training_foreign_officers(title: str, text: str, lang: str, partners: set[str]) -> None:
    flagged(title, text, lang, partners)


# --- Morocco is not a party -----------------------------------------------

@pytest.mark.parametrize("title, text, lang", [
    # Algeria's police directorate bears the same Arabic name as Morocco's
    ("حجز كمية من الكيف المعالج بولاية وهران",
     "تمكنت مصالح المديرية العامة للأمن الوطني من حجز 80 كيلوغراما من الكيف المعالج قادمة من المغرب، "
     "وتوقيف ثلاثة أشخاص بولاية وهران الجزائرية.\nوأكدت المديرية العامة للأمن الوطني أن العملية تندرج "
     "في إطار مكافحة الجريمة المنظمة، بالتنسيق مع مصالح الدرك الوطني الجزائري.", "ar"),
    # ... and so does Mauritania's, meeting a partner Morocco also meets
    ("اتفاقية تعاون أمني بين موريتانيا والسنغال",
     "وقع المدير العام للأمن الوطني الموريتاني ونظيره السنغالي في نواكشوط اتفاقية للتعاون الأمني "
     "وتبادل المعلومات حول شبكات الهجرة غير النظامية.", "ar"),
    # a Spanish–French–Europol operation against hashish that merely came from Morocco
    ("", "La Guardia civil, en collaboration avec la police française et Europol, a démantelé un réseau "
     "qui introduisait en Europe du haschisch en provenance du Maroc. Quinze personnes de nationalités "
     "espagnole et française ont été arrêtées à Malaga et à Marseille.", "fr"),
    ("Spanish police seize hashish shipment",
     "Spain's Guardia Civil, working with Portuguese police, seized four tonnes of hashish smuggled from "
     "Morocco on speedboats and arrested nine suspects in Cadiz and Huelva.", "en"),
    ("تفكيك شبكة لتهريب المخدرات بين إسبانيا وفرنسا",
     "فككت الشرطة الإسبانية بتعاون مع الدرك الفرنسي شبكة لتهريب الحشيش المغربي نحو أوروبا، واعتقلت "
     "عشرة أشخاص بينهم مواطن مغربي.", "ar"),
])
def test_foreign_operations_without_a_moroccan_party(title: str, text: str, lang: str) -> None:
    not_flagged(title, text, lang)


@pytest.mark.parametrize("title, text, lang", [
    ("Casablanca police seize cocaine, arrest Brazilian national",
     "Police in Casablanca arrested a Brazilian national at the airport carrying three kilograms of "
     "cocaine in his luggage, the DGSN said. Officers also seized two phones.\nThe suspect was placed in "
     "custody. Investigators are checking whether he is also the subject of an international arrest "
     "warrant issued by the Brazilian authorities.", "en"),
    ("Saisie de résine de cannabis à Agadir",
     "Les éléments de la sûreté d'Agadir ont saisi deux tonnes de résine de cannabis et interpellé quatre "
     "suspects, dont un ressortissant néerlandais, a indiqué la DGSN.\nLes mis en cause ont été placés en "
     "garde à vue.", "fr"),
    ("توقيف أجنبيين بمراكش",
     "أوقفت عناصر الشرطة القضائية بمراكش مواطنين فرنسيين للاشتباه في تورطهما في السرقة، وتم وضعهما "
     "تحت تدبير الحراسة النظرية.", "ar"),
])
def test_domestic_arrests_of_foreigners(title: str, text: str, lang: str) -> None:
    not_flagged(title, text, lang)


@pytest.mark.parametrize("title, text, lang", [
    ("Bourita receives Portuguese counterpart",
     "Foreign Minister Nasser Bourita held talks in Rabat with his Portuguese counterpart on trade, "
     "tourism, investment, migration and terrorism, ahead of the 2030 World Cup co-hosted by the two "
     "countries and Spain.", "en"),
    ("", "Le ministre des Affaires étrangères a reçu son homologue hongrois. Les entretiens ont porté sur "
     "le commerce, l'investissement, le tourisme et la sécurité régionale.", "fr"),
])
def test_diplomatic_agenda_is_not_security_cooperation(title: str, text: str, lang: str) -> None:
    not_flagged(title, text, lang)


def test_rivals_are_not_partners() -> None:
    verdict = classify(
        "Les FAR mènent un exercice conjoint avec l'armée française",
        "Les Forces armées royales et l'armée française ont conduit un exercice conjoint au large de "
        "Dakhla.\nCet exercice intervient dans un contexte de tensions entre le Maroc et l'Algérie.", "fr")
    assert verdict.flagged and verdict.partners == ["FR"], verdict.reasons


# --- texts without a title --------------------------------------------------

def test_without_title_the_lead_carries_the_subject() -> None:
    flagged("", "Le directeur général de la DGSN a reçu à Rabat son homologue sénégalais. Les deux "
            "responsables ont examiné la coopération sécuritaire bilatérale et l'échange de renseignements.",
            "fr", {"SN"})


def test_cooperation_in_passing_is_not_the_subject() -> None:
    verdict = classify(
        "",
        "Les éléments de la sûreté de Tanger ont démantelé un réseau de vol de voitures et interpellé six "
        "suspects. Les enquêteurs ont saisi quatre véhicules et des clés électroniques.\nLes suspects ont "
        "été présentés au parquet. Les voitures volées étaient revendues dans plusieurs villes.\n"
        "L'un d'eux faisait l'objet d'un mandat d'arrêt émis par les autorités espagnoles.", "fr")
    assert not verdict.flagged
    assert "cooperation only in passing, not the main subject" in verdict.reasons


# --- background parties: migrants' nationalities, diplomatic history ----------

def test_nationalities_of_migrants_are_not_partners() -> None:
    flagged("", "En coordination avec la police espagnole, la police marocaine a démantelé à Nador un réseau "
            "de passeurs. Les migrants marocains, algériens et guinéens payaient 2 000 euros la traversée.",
            "fr", {"ES"})


def test_diplomatic_background_is_not_a_partner() -> None:
    flagged("Morocco and Israel sign a defence memorandum",
            "Morocco and Israel signed a defence memorandum of understanding in Rabat on Tuesday, opening the way "
            "for military training and industrial cooperation.\nThe ministers of defence discussed joint projects.\n"
            "Morocco was one of four Arab states, along with the UAE, Bahrain and Sudan, to normalise relations "
            "with Israel under US-brokered accords.", "en", {"IL"})


def test_the_united_kingdom_is_not_the_kingdom() -> None:
    not_flagged("", "La police espagnole et la police française ont démantelé un réseau de passeurs qui "
                "opérait entre la France et le Royaume-Uni, en coordination avec Europol.", "fr")
    flagged("", "La DGSN a signé un accord de coopération sécuritaire avec le Royaume-Uni sur la lutte contre "
            "le terrorisme.", "fr", {"GB"})


# --- names Morocco shares, coasts, requests for help (second unseen batch) ----

def test_another_states_surveillance_du_territoire_is_not_moroccan() -> None:
    not_flagged("Dakar et Paris signent un accord antiterroriste",
                "Le ministre français de l'Intérieur a signé à Dakar un accord de partenariat sécuritaire avec "
                "le Sénégal. Il a remis des véhicules à la Direction de la surveillance du territoire et à la "
                "Direction de la police judiciaire pour la lutte antiterroriste.", "fr")


def test_a_coast_is_a_place_not_a_partner() -> None:
    not_flagged("Moroccan Navy rescues 60 migrants",
                "The Royal Moroccan Navy rescued 60 migrants off Dakhla; they had set sail from the Mauritanian "
                "coast towards the Canary Islands, a Spanish archipelago. They were handed over to the Royal "
                "Gendarmerie after receiving medical care.", "en")


def test_a_request_for_military_training_is_cooperation() -> None:
    flagged("Le Niger sollicite le Maroc pour former ses forces spéciales",
            "Le président nigérien a sollicité l'aide du Maroc pour la formation de ses forces spéciales face "
            "aux groupes terroristes du Sahel.", "fr", {"NE"})
