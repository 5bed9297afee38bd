"""Classifier behaviour on articles written for these tests (ar, fr, en)."""
from __future__ import annotations

import dataclasses

import pytest

from pipelines.classify import CLASSIFIER_VERSION, SUBTYPES, Verdict, classify

# --- positives, one or more per subtype -------------------------------------

POSITIVES = {
    "police_intel_ar": (
        "حموشي يتباحث مع رئيس الشرطة الفيدرالية الألمانية بالرباط",
        "استقبل المدير العام للأمن الوطني ولمراقبة التراب الوطني، يوم الإثنين بالرباط، "
        "رئيس الشرطة الفيدرالية الألمانية الذي يقوم بزيارة عمل للمملكة على رأس وفد أمني. "
        "وتناولت المباحثات سبل تطوير التعاون الأمني الثنائي وتبادل المعلومات حول التهديدات "
        "المرتبطة بالجريمة المنظمة. واتفق الجانبان على تعزيز التنسيق العملياتي بين مصالح البلدين.",
        "police_intel",
        {"DE"},
    ),
    "counter_terrorism_fr": (
        "Démantèlement d'une cellule terroriste en coordination avec la police belge",
        "La Direction générale de la surveillance du territoire (DGST) a démantelé mardi une "
        "cellule terroriste de quatre membres affiliés à Daech, en coordination avec la police "
        "fédérale belge. Deux suspects ont été interpellés à Tétouan et deux autres à Anvers. "
        "Cette opération conjointe illustre la coopération sécuritaire entre le Maroc et la "
        "Belgique dans la lutte antiterroriste.",
        "counter_terrorism",
        {"BE"},
    ),
    "defence_en": (
        "Royal Armed Forces and US troops open joint exercise in the south",
        "The Royal Moroccan Armed Forces and the United States military launched a joint "
        "military exercise near Tan-Tan on Monday, with units from Senegal and Ghana also "
        "taking part. The drills cover desert manoeuvres, air support and medical evacuation. "
        "Officers from both armies said the exercise strengthens defence cooperation and "
        "interoperability.",
        "defence",
        {"US", "SN", "GH"},
    ),
    "judicial_extradition_ar": (
        "المغرب يسلم هولندا مطلوبا في قضية تهريب دولي للمخدرات",
        "سلمت السلطات المغربية، يوم الخميس، إلى نظيرتها الهولندية مواطنا يحمل الجنسيتين كان "
        "موضوع مذكرة بحث دولية صادرة عن القضاء الهولندي بتهمة الاتجار الدولي في المخدرات. "
        "وجرت عملية التسليم في إطار اتفاقية التعاون القضائي بين البلدين، بعد أن أوقفته "
        "عناصر الشرطة القضائية بطنجة في وقت سابق.",
        "judicial_extradition",
        {"NL"},
    ),
    "migration_border_fr": (
        "Migration: la Gendarmerie royale et la Guardia Civil renforcent leurs patrouilles mixtes",
        "Le Maroc et l'Espagne ont convenu de renforcer les patrouilles conjointes en mer pour "
        "lutter contre l'immigration clandestine, à l'issue d'une réunion tenue à Rabat entre "
        "responsables de la Gendarmerie royale et de la Guardia Civil. Les deux parties ont "
        "salué l'échange d'informations sur les réseaux de passeurs et le contrôle des frontières.",
        "migration_border",
        {"ES"},
    ),
    "cyber_en": (
        "DGSN and Estonia sign cybercrime memorandum",
        "Morocco's General Directorate of National Security (DGSN) signed a memorandum of "
        "understanding with Estonia's police board on Wednesday to fight cybercrime. The "
        "agreement provides for training of Moroccan investigators in digital forensics and "
        "the exchange of information on ransomware networks and cyberattack threats.",
        "cyber",
        {"EE"},
    ),
    "event_security_ar": (
        "تنسيق أمني مغربي برتغالي استعدادا لكأس العالم 2030",
        "عقد مسؤولون من المديرية العامة للأمن الوطني ونظراؤهم من الشرطة البرتغالية اجتماعا "
        "بالرباط خصص لتنسيق الترتيبات الأمنية الخاصة بتأمين التظاهرات الكبرى، وفي مقدمتها "
        "كأس العالم 2030. وتناول الاجتماع تبادل الخبرات في تدبير الحشود ومكافحة الشغب.",
        "event_security",
        {"PT"},
    ),
    "multilateral_org_en": (
        "Morocco takes part in Afripol general assembly",
        "A Moroccan security delegation led by the DGSN took part on Tuesday in the general "
        "assembly of Afripol, the African Union mechanism for police cooperation. The delegation "
        "presented Morocco's experience in fighting terrorism and organised crime and called "
        "for stronger information sharing between African police services.",
        "multilateral_org",
        {"AFRIPOL", "AU"},
    ),
    "turkish_counterpart_ar": (
        "",
        "أجرى المدير العام للأمن الوطني مباحثات مع نظيره التركي بأنقرة تناولت التعاون "
        "الأمني في مجال مكافحة الإرهاب والهجرة غير الشرعية، وتبادل الخبرات في مجال التكوين الشرطي.",
        None,
        {"TR"},
    ),
    "spanish_fr": (
        "Coopération antiterroriste avec la police espagnole",
        "Les services marocains ont transmis à leurs homologues espagnols des renseignements "
        "qui ont permis l'arrestation de deux jihadistes à Bilbao, selon la police espagnole. "
        "Le ministre de l'Intérieur a salué la coopération sécuritaire entre les deux pays.",
        None,
        {"ES"},
    ),
}


@pytest.mark.parametrize("name", sorted(POSITIVES))
def test_positive_is_flagged_with_partners(name: str) -> None:
    title, text, subtype, partners = POSITIVES[name]
    verdict = classify(title, text)
    assert verdict.flagged, verdict.reasons
    assert verdict.score >= 0.5
    assert set(verdict.partners) == partners, verdict.reasons
    if subtype:
        assert verdict.subtype == subtype, verdict.reasons


# --- hard negatives ---------------------------------------------------------

NEGATIVES = {
    "local_arrest_ar": (
        "توقيف شخصين بالدار البيضاء للاشتباه في ترويج المخدرات",
        "تمكنت عناصر الشرطة القضائية بالدار البيضاء من توقيف شخصين يبلغان من العمر 25 و31 سنة "
        "للاشتباه في تورطهما في حيازة وترويج المخدرات. وقد تم حجز كمية من الأقراص المهلوسة، "
        "ووضع المشتبه فيهما تحت تدبير الحراسة النظرية بتعليمات من النيابة العامة المختصة.",
    ),
    "police_anniversary_fr": (
        "La DGSN célèbre le 69e anniversaire de sa création",
        "La famille de la Sûreté nationale a célébré vendredi le 69e anniversaire de la création "
        "de la DGSN lors d'une cérémonie à Fès. Le préfet de police a rendu hommage aux policiers "
        "tombés en service et présenté le bilan de la sécurité routière et des portes ouvertes.",
    ),
    "dgsn_chief_profile_en": (
        "Who is the man at the head of Morocco's police?",
        "He rose through the ranks of the domestic intelligence service before being named to "
        "lead the DGSN. Colleagues describe a discreet and demanding manager, while critics in "
        "this opinion piece question the concentration of power in a single official. His "
        "supporters credit him with modernising police stations and recruiting more women.",
    ),
    "trade_spain_fr": (
        "Maroc-Espagne : les échanges commerciaux atteignent un record",
        "Les échanges commerciaux entre le Maroc et l'Espagne ont dépassé 22 milliards d'euros, "
        "selon les chiffres publiés lundi. Les deux pays veulent renforcer leur coopération "
        "économique et l'investissement dans l'automobile et le tourisme.",
    ),
    "trade_spain_ar": (
        "",
        "وقع المغرب وإسبانيا مذكرة تفاهم لتعزيز التعاون الاقتصادي والاستثمار في قطاع الطاقات "
        "المتجددة، خلال منتدى الأعمال المنعقد بمدريد بحضور رجال أعمال من البلدين.",
    ),
    "foreign_police_en": (
        "German police bust smuggling ring with Europol support",
        "German federal police arrested eleven people in Hamburg and Bremen on Thursday in an "
        "operation coordinated by Europol against a people-smuggling network. Investigators "
        "from Austria and the Czech Republic took part in the joint operation.",
    ),
    "diplomacy_ar": (
        "بوريطة يستقبل نظيره البرتغالي",
        "أجرى وزير الشؤون الخارجية مباحثات مع نظيره البرتغالي تناولت العلاقات الثنائية "
        "والمبادلات التجارية والتعاون الثقافي والسياحي، إضافة إلى التحضير للقمة الثنائية المقبلة.",
    ),
    "sports_fr": (
        "CAN : le Maroc bat le Sénégal et file en demi-finale",
        "La sélection marocaine s'est imposée face au Sénégal (2-1) au terme d'un match intense. "
        "Les buts ont été marqués en seconde période devant un public conquis.",
    ),
    "world_cup_cohosts_en": (
        "",
        "Morocco and Spain will jointly host the 2030 World Cup with Portugal, in a partnership "
        "the three federations say will boost tourism and investment.",
    ),
    "domestic_cyber_ar": (
        "",
        "تعمل فرق مكافحة الجرائم الإلكترونية التابعة للمديرية العامة للأمن الوطني على رصد "
        "عمليات الاحتيال عبر الإنترنت، وقد أوقفت الأسبوع الماضي ثلاثة أشخاص بمراكش.",
    ),
}


@pytest.mark.parametrize("name", sorted(NEGATIVES))
def test_hard_negative_is_not_flagged(name: str) -> None:
    title, text = NEGATIVES[name]
    verdict = classify(title, text)
    assert not verdict.flagged, verdict.reasons
    assert verdict.subtype is None


# --- partner extraction -----------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("التقى المدير العام للأمن الوطني بنظيره التركي لبحث التعاون الأمني.", {"TR"}),
        ("وأشاد الوفد الأمني بالتعاون مع السلطات الإسبانية في مكافحة الإرهاب.", {"ES"}),
        ("La DGST a collaboré avec la police espagnole et les services italiens.", {"ES", "IT"}),
        ("Réunion de travail entre la DGSN et la police française sur la sécurité.", {"FR"}),
        ("Morocco and Spanish police dismantled a drug ring with Portuguese support.", {"ES", "PT"}),
        ("سلم المغرب مصريا وتونسيين وجزائريين مطلوبين في إطار التعاون الأمني.", {"EG", "TN", "DZ"}),
        ("Hammouchi met the FBI director and the head of the Guardia Civil.", {"US", "ES"}),
        ("وشارك وفد أمني في اجتماعات الأنتربول ومجلس وزراء الداخلية العرب.", {"INTERPOL", "AIMC"}),
        ("Accord entre le Maroc et Europol, salué par l'Union européenne.", {"EUROPOL", "EU"}),
        ("ناقش الطرفان التعاون الأمني مع مالي والنيجر وتشاد.", {"ML", "NE", "TD"}),
        ("الحموشي في الرياض لبحث التعاون مع المملكة العربية السعودية.", {"SA"}),
    ],
)
def test_partner_extraction(text: str, expected: set[str]) -> None:
    assert set(classify("", text).partners) == expected


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("خصصت الحكومة الدعم المالي لتعزيز الأمن ووقعت اتفاقا مع فرنسا.", "ML"),
        ("Selon l'agence espagnole EFE, la DGSN coopère avec la France.", "ES"),
        ("The US, Italy and Senegal join the exercise. Spain will not take part this year.", "ES"),
        ("حضر عناصر من الشرطة الفرنسية مباراة المنتخب الجزائري بالرباط في إطار التعاون الأمني.", "DZ"),
        ("Le ministre s'est rendu dans la capitale tunisienne pour la coopération sécuritaire.", "TN"),
        ("Un an après, la police a eu un accord de sécurité avec la France, un point c'est tout.", "UN"),
        ("أكد المغرب والمملكة المغربية التعاون الأمني مع فرنسا", "MA"),
        ("Patrouilles conjointes dans le détroit de Gibraltar avec la Guardia Civil.", "GI"),
        ("وتم تعزيز التنسيق الأمني مع الشرطة الإسبانية في مضيق جبل طارق.", "GI"),
        ("La réunion a porté sur la coopération policière avec la police espagnole.", "RE"),
        ("حضر ممثلو الاتحاد الإفريقي لكرة القدم اجتماع التنسيق الأمني مع الشرطة السنغالية.", "AU"),
        ("La DGSN a remis à la justice allemande un ressortissant turc recherché.", "TR"),
        ("سلمت المصالح الأمنية مواطنا جزائريا إلى السلطات الفرنسية في إطار التعاون القضائي.", "DZ"),
        # passports, origins, routes and tournament hosts, also along a list
        ("Arrêté en coordination avec la police belge, le suspect d'origine syrienne était armé.", "SY"),
        ("وأوقفت الشرطة الإسبانية بتنسيق مع المخابرات المغربية متطرفا قادما من تركيا والعراق.", "IQ"),
        ("La DGSN, avec la police italienne, a saisi un camion immatriculé en Espagne.", "ES"),
        ("Moroccan police and the DEA seized cocaine shipped from Brazil and Ecuador.", "EC"),
        ("The DGSN briefed the FBI before the World Cup, to be held in Canada and Mexico.", "MX"),
        ("تنسيق أمني مع الشرطة البرتغالية لتأمين كأس العالم 2030 في إطار التنظيم المشترك مع إسبانيا.", "ES"),
        ("La DGST et la police française ont remonté une filière de cocaïne sud-américaine.", "US"),
    ],
)
def test_passing_or_ambiguous_mentions_are_not_partners(text: str, absent: str) -> None:
    assert absent not in classify("", text).partners


def test_states_in_a_delegation_list_stay_partners() -> None:
    verdict = classify(
        "",
        "شارك وفد من الأمن الوطني في اجتماع أمني بحضور وفود تمثل مصر والأردن والعراق "
        "وسوريا ولبنان وقطر، لبحث التعاون في مكافحة الإرهاب.",
    )
    assert set(verdict.partners) == {"EG", "JO", "IQ", "SY", "LB", "QA"}


def test_a_capital_stands_for_its_state_only_beside_rabat() -> None:
    metonym = classify("", "بحث التنسيق الأمني بين الرباط ومدريد في اجتماع ضم مسؤولين من المديرية "
                           "العامة للأمن الوطني لمكافحة شبكات تهريب المخدرات.")
    assert metonym.flagged and metonym.partners == ["ES"], metonym.reasons
    venue = classify("", "La DGST a transmis à la police italienne des renseignements sur un suspect "
                         "arrêté à Madrid, dans le cadre de la coopération antiterroriste.")
    assert venue.partners == ["IT"], venue.reasons


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Spanish and Moroccan police jointly dismantled a hashish trafficking network in Larache.", True),
        ("أوقفت الشرطة القضائية بأكادير، بتنسيق مع الشرطة الدولية، مواطنا ألمانيا مطلوبا للقضاء.", True),
        ("أوقفت الشرطة البلجيكية مغربيين بأنتويربن للاشتباه في تهريب الكوكايين، دون أن تشير "
         "إلى أي تنسيق مع السلطات المغربية.", False),
    ],
)
def test_joint_work_and_its_denial(text: str, flagged: bool) -> None:
    verdict = classify("", text)
    assert verdict.flagged is flagged, verdict.reasons


def test_generic_institutions_need_a_moroccan_story() -> None:
    """"The interior minister" is Moroccan in a Moroccan story, anyone's in a foreign one."""
    foreign = classify(
        "قطر والكويت توقعان اتفاقية أمنية",
        "وقع وزير الداخلية القطري ونظيره الكويتي، يوم الأحد بالدوحة، اتفاقية للتعاون الأمني "
        "تشمل تبادل المعلومات حول الجريمة المنظمة، بحضور وزير الداخلية.",
    )
    assert not foreign.flagged, foreign.reasons
    moroccan = classify(
        "",
        "Le ministre de l'Intérieur a reçu à Rabat son homologue portugais pour évoquer "
        "la coopération sécuritaire et la lutte contre le terrorisme.",
    )
    assert moroccan.flagged and any(r.startswith("institution: Interior ministry") for r in moroccan.reasons)


def test_a_moroccan_city_places_unnamed_services_in_morocco() -> None:
    verdict = classify(
        "",
        "أحبطت المصالح الأمنية بميناء طنجة المتوسط، بتنسيق مع الشرطة الإيطالية، محاولة "
        "لتهريب الكوكايين في إطار التعاون الأمني الدولي.",
    )
    assert verdict.flagged and verdict.partners == ["IT"], verdict.reasons


@pytest.mark.parametrize(
    ("title", "text", "subtype"),
    [
        # the organisation is the channel, the topic decides
        ("", "Moroccan police arrested in Agadir a Dutch national wanted under an Interpol red "
             "notice issued by the Netherlands; extradition proceedings will follow.", "judicial_extradition"),
        ("", "La DGSN et Europol ont démantelé un réseau de sextorsion et de rançongiciels; "
             "la coopération policière a permis d'identifier les cybercriminels.", "cyber"),
        # the organisation's own gathering
        ("", "A Moroccan delegation took part in the Interpol General Assembly, meeting police "
             "chiefs from Brazil, Japan and Kenya to discuss security cooperation.", "multilateral_org"),
        # "security cooperation" everywhere, the event named once
        ("", "وأوفدت المديرية العامة للأمن الوطني ضباط اتصال إلى قطر خلال كأس العالم، في إطار "
             "التعاون الأمني والتنسيق مع الشرطة القطرية.", "event_security"),
    ],
)
def test_subtype_follows_the_topic(title: str, text: str, subtype: str) -> None:
    verdict = classify(title, text)
    assert verdict.flagged and verdict.subtype == subtype, (verdict.subtype, verdict.reasons)


def test_un_offices_report_as_un() -> None:
    """DESIGN.md has one code for the UN system; an office and "the UN" are one partner."""
    verdict = classify(
        "Morocco and UNOCT renew counter-terrorism training agreement",
        "Morocco and the UN Office of Counter-Terrorism renewed the agreement on the Rabat "
        "training office. The United Nations praised Moroccan counter-terrorism cooperation.",
    )
    assert verdict.flagged and verdict.partners == ["UN"]


def test_foreign_institution_with_possessive_is_not_moroccan() -> None:
    verdict = classify(
        "Spanish police dismantle cell in Madrid",
        "Spain's Interior Ministry said its police arrested three terrorism suspects in Madrid.",
    )
    assert not any(r.startswith("institution:") for r in verdict.reasons)
    assert not verdict.flagged


@pytest.mark.parametrize(
    "text",
    [
        "وقع البلدان اتفاقيات في الفلاحة والأمن الغذائي والأمن الطاقي مع كينيا.",
        "Le Maroc et l'Allemagne ont tenu la session du dialogue sur la sécurité énergétique.",
        "Morocco and Germany discussed food security at the summit session.",
    ],
)
def test_non_security_uses_of_security_words_do_not_flag(text: str) -> None:
    verdict = classify("", text)
    assert not verdict.flagged, verdict.reasons
    assert not any(r.startswith("evidence:") for r in verdict.reasons), verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        # construct state: the later word is definite, unlike the listed "مذكرة تفاهم"
        "تندرج الدورة في إطار مذكرة التفاهم الموقعة بين جامعة نايف العربية للعلوم الأمنية والمديرية العامة للأمن الوطني.",
        "عقدت المديرية العامة للأمن الوطني اجتماعا تنسيقيا مع ضباط اتصال من الشرطة السنغالية لتأمين كأس أمم إفريقيا.",
        "La police judiciaire a interpellé le suspect à la demande de la justice néerlandaise, pour trafic de stupéfiants.",
    ],
)
def test_cooperation_phrasings_beyond_the_listed_forms(text: str) -> None:
    verdict = classify("", text)
    assert any(r.startswith("evidence:") for r in verdict.reasons), verdict.reasons


def test_morocco_is_never_a_partner() -> None:
    verdict = classify("Morocco, Maroc, المغرب", "Moroccan and marocaine security cooperation with Morocco")
    assert "MA" not in verdict.partners


# --- contract ---------------------------------------------------------------

def test_verdict_contract() -> None:
    title, text, *_ = POSITIVES["police_intel_ar"]
    verdict = classify(title, text, "ar")
    assert isinstance(verdict, Verdict)
    assert [f.name for f in dataclasses.fields(Verdict)] == [
        "flagged", "score", "subtype", "partners", "reasons"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.flagged = False  # type: ignore[misc]
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.subtype in SUBTYPES
    assert isinstance(CLASSIFIER_VERSION, str) and CLASSIFIER_VERSION


def test_reasons_explain_the_verdict() -> None:
    title, text, *_ = POSITIVES["police_intel_ar"]
    reasons = classify(title, text).reasons
    assert any(r.startswith("institution: DGSN (") for r in reasons)
    assert any(r.startswith("partner: DE (") for r in reasons)
    assert any(r.startswith("cooperation: ") for r in reasons)


def test_negative_reasons_say_what_is_missing() -> None:
    title, text = NEGATIVES["local_arrest_ar"]
    assert "no foreign partner named" in classify(title, text).reasons


def test_threshold_is_configurable() -> None:
    title, text, *_ = POSITIVES["cyber_en"]
    default = classify(title, text)
    assert classify(title, text, threshold=default.score).flagged
    strict = classify(title, text, threshold=min(1.0, default.score + 0.01))
    assert not strict.flagged and strict.subtype is None
    assert strict.score == default.score


def test_empty_article() -> None:
    verdict = classify("", "")
    assert verdict == Verdict(False, verdict.score, None, [], verdict.reasons)
    assert verdict.score < 0.5


def test_lang_hint_does_not_change_the_verdict() -> None:
    title, text, *_ = POSITIVES["counter_terrorism_fr"]
    assert classify(title, text, "fr") == classify(title, text) == classify(title, text, "en")


def test_version_changes_when_an_analyst_edits_a_vocabulary(tmp_path, monkeypatch) -> None:
    import shutil

    from pipelines import lexicon as module

    for path in module.DATA.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(module, "DATA", tmp_path)
    before = module.vocabulary_digest()
    assert CLASSIFIER_VERSION.endswith("+" + before)
    with open(tmp_path / "signals.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# an analyst's note\n")
    assert module.vocabulary_digest() != before


# --- page noise and real-article phrasing (failures met on published pages) --


def test_ticker_and_read_also_lines_name_no_partner() -> None:
    verdict = classify(
        "Loudyi s'entretient avec le ministre kényan de la défense",
        "- 10:15Le Portugal lance un nouveau visa de travail\n"
        "- 09:40Lire la chronique sportive du week-end\n"
        "Le ministre délégué chargé de l'Administration de la défense nationale a reçu à Rabat "
        "son homologue kényan pour renforcer la coopération militaire bilatérale.\n"
        "Lire aussi : Washington et Alger discutent de sécurité régionale\n"
        "Culture. Festival de Fès    Le Sénégal bat la Gambie    La Belgique durcit ses visas",
    )
    assert verdict.flagged and verdict.partners == ["KE"], verdict.reasons


def test_a_line_in_capitals_has_no_acronyms() -> None:
    verdict = classify(
        "",
        "TANGER : INTERPELLATION D'UN SUEDOIS VISE PAR UN MANDAT D'ARRET\n"
        "La police de Tanger a arrêté un Suédois recherché par les autorités judiciaires "
        "suédoises, qui faisait l'objet d'une notice rouge d'Interpol, en vue de son extradition.",
    )
    assert "UN" not in verdict.partners and "SE" in verdict.partners, verdict.reasons


def test_the_kingdom_is_not_morocco_in_a_foreign_story() -> None:
    verdict = classify(
        "",
        "استعادت الشرطة الأردنية متهما فارا بعد توقيفه فوق الأراضي السعودية بالتنسيق مع "
        "شرطة المملكة والإنتربول، في إطار التعاون الأمني بين البلدين.",
    )
    assert not verdict.flagged, verdict.reasons


def test_algerian_police_sharing_the_dgsn_name_is_not_moroccan() -> None:
    verdict = classify(
        "",
        "Le directeur général de la sûreté nationale a reçu mardi à Alger le chef de la "
        "police nigérienne; les entretiens ont porté sur la coopération sécuritaire et "
        "l'échange d'informations entre les deux pays.",
    )
    assert not verdict.flagged, verdict.reasons


def test_a_past_tournament_host_is_not_a_partner() -> None:
    verdict = classify(
        "",
        "وتعتمد المديرية العامة للأمن الوطني تجربة سبق تطبيقها في كأس العالم بالبرازيل، "
        "بتنسيق مع الشرطة الإيطالية في إطار التعاون الأمني لتأمين التظاهرة.",
    )
    assert verdict.partners == ["IT"], verdict.reasons


def test_states_listed_after_between_without_morocco_are_a_route() -> None:
    verdict = classify(
        "",
        "Moroccan police arrested in Tangier a German wanted under an Interpol red notice "
        "issued at the request of the German judicial authorities; he smuggled cannabis "
        "between Portugal, Italy and Austria. Extradition proceedings have begun.",
    )
    assert verdict.flagged and set(verdict.partners) == {"DE", "INTERPOL"}, verdict.reasons


def test_a_dual_national_suspect_names_no_partner() -> None:
    verdict = classify(
        "",
        "Police in Fez arrested a Belgian-Moroccan national in a joint operation with the DGST, "
        "acting on information the DGST received about a cocaine network.",
    )
    assert not verdict.flagged and verdict.partners == [], verdict.reasons


def test_a_french_article_before_a_demonym_names_a_person() -> None:
    verdict = classify(
        "Agadir : un Italien recherché par Interpol interpellé",
        "Un citoyen italien arrivé en provenance d'Italie a été arrêté; il faisait l'objet "
        "d'une notice rouge émise à la demande des autorités judiciaires suisses, en vue de "
        "son extradition.",
    )
    assert verdict.flagged and set(verdict.partners) == {"CH", "INTERPOL"}, verdict.reasons


def test_two_moroccan_services_coordinating_relate_to_no_partner() -> None:
    verdict = classify(
        "",
        "La DGSN a saisi 300 kilos de résine de cannabis à Settat, en collaboration avec la DGST. "
        "Un rapport de l'Office des Nations unies contre la drogue et le crime cite le Maroc.",
    )
    assert not verdict.flagged, verdict.reasons


def test_brussels_is_the_eu_when_the_story_names_the_eu() -> None:
    verdict = classify(
        "",
        "The European Commission and Morocco agreed on border management support; the "
        "partnership between Rabat and Brussels covers police cooperation against migrant "
        "smuggling networks, Laftit said.",
    )
    assert verdict.flagged and verdict.partners == ["EU"], verdict.reasons


def test_french_spelling_of_naif_university() -> None:
    verdict = classify(
        "",
        "Hammouchi a reçu le président de l'Université arabe Naif des sciences de sécurité "
        "pour développer la coopération en matière de formation policière.",
    )
    assert verdict.flagged and verdict.partners == ["NAUSS"], verdict.reasons


def test_compound_adjective_names_both_states() -> None:
    verdict = classify(
        "",
        "La DGSN a signé un partenariat germano-marocain de formation policière et d'échange "
        "d'informations sur la criminalité organisée.",
    )
    assert verdict.flagged and verdict.partners == ["DE"], verdict.reasons


@pytest.mark.parametrize(
    ("title", "text", "partners"),
    [
        ("Les Pays-Bas coopèrent avec le Maroc contre les narco-trafiquants",
         "Les autorités néerlandaises coopèrent avec la justice marocaine pour poursuivre les "
         "trafiquants de drogue réfugiés au Maroc.", {"NL"}),
        ("المغرب يطالب البرتغال بتسليم مطلوب للعدالة",
         "طالبت السلطات المغربية من نظيرتها البرتغالية تسليم مغربي مطلوب بموجب أمر بحث دولي "
         "في قضية تهريب البشر.", {"PT"}),
        ("Trafiquant extradé par l'Italie",
         "Un trafiquant de drogue a été extradé par l'Italie à la demande du Maroc.", {"IT"}),
    ],
)
def test_real_phrasings_of_cooperation_and_extradition(title: str, text: str, partners: set[str]) -> None:
    verdict = classify(title, text)
    assert verdict.flagged and set(verdict.partners) == partners, verdict.reasons


def test_bulleted_titles_under_a_most_read_heading_are_dropped() -> None:
    verdict = classify(
        "Hammouchi à Lisbonne",
        "Le patron de la DGSN-DGST a rencontré ses homologues portugais pour renforcer la "
        "coopération sécuritaire.\nLes plus lus – Afrique\n- Niger : un nouveau gouvernement\n"
        "• Tchad : la saison des pluies s'annonce précoce",
    )
    assert verdict.flagged and verdict.partners == ["PT"], verdict.reasons


# --- partners: a state counts only where the story makes it a party ---------


def test_states_in_navigation_lines_are_not_partners() -> None:
    verdict = classify(
        "تعاون أمني مغربي برتغالي لتفكيك شبكة للهجرة السرية",
        "الأكثر مشاهدة\n• حرب السودان والوساطة الإقليمية\n• روسيا وأوكرانيا والمفاوضات\n"
        "فككت المديرية العامة للأمن الوطني، بتنسيق مع الشرطة البرتغالية، شبكة لتهريب المهاجرين.",
    )
    assert verdict.flagged and verdict.partners == ["PT"], verdict.reasons


def test_a_plain_list_of_participating_states_is_kept() -> None:
    verdict = classify(
        "Royal Armed Forces open a joint exercise with foreign troops",
        "The Royal Moroccan Armed Forces launched a joint military exercise near Agadir.\n"
        "Troops from Ghana, Senegal, Italy and Brazil are on the ground this week.",
    )
    assert verdict.flagged and set(verdict.partners) == {"GH", "SN", "IT", "BR"}, verdict.reasons


def test_a_sentence_continuing_a_cooperation_sentence_keeps_its_states() -> None:
    verdict = classify(
        "Livraisons surveillées de drogue",
        "Les services de sécurité marocains ont mené, en coopération avec la police portugaise, "
        "une livraison surveillée de cocaïne. Jusque-là, ces opérations se faisaient seulement avec la "
        "Belgique et les Pays-Bas.",
    )
    assert verdict.flagged and set(verdict.partners) == {"PT", "BE", "NL"}, verdict.reasons


def test_a_background_sentence_in_its_own_paragraph_adds_no_partner() -> None:
    verdict = classify(
        "La DGSN et la police belge démantèlent un réseau de cocaïne",
        "La DGSN a démantelé, en coordination avec la police fédérale belge, un réseau de "
        "trafic de cocaïne.\nLes enquêteurs redoutent un nouvel eldorado des trafiquants. Il "
        "pourrait s'agir de la Guinée-Bissau, un pays pauvre de la côte ouest-africaine.",
    )
    assert verdict.flagged and verdict.partners == ["BE"], verdict.reasons


def test_a_state_acting_through_its_own_police_is_kept_without_a_cooperation_word() -> None:
    verdict = classify(
        "Sécurité de la CAN 2025 : coordination entre la DGSN et ses partenaires",
        "La DGSN a installé un centre de coordination pour la CAN 2025 avec la police "
        "sénégalaise.\nDes agents de la police ivoirienne apportent aussi leur expertise technique.",
    )
    assert verdict.flagged and set(verdict.partners) == {"SN", "CI"}, verdict.reasons


def test_the_previous_stop_of_a_tour_is_not_a_partner() -> None:
    verdict = classify(
        "Hammouchi in Madrid to deepen security cooperation",
        "Abdellatif Hammouchi, head of the DGSN and the DGST, arrived in Madrid straight from "
        "Canada to hold talks on security cooperation with his Spanish counterparts.",
    )
    assert verdict.flagged and verdict.partners == ["ES"], verdict.reasons


def test_a_state_that_co_hosts_a_tournament_after_naming_it_is_background() -> None:
    verdict = classify(
        "Morocco and Britain step up police cooperation",
        "The DGSN and the British police agreed on talks about security cooperation for major "
        "events. Morocco will host the 2030 World Cup, and in the same decade Ireland will co-host a "
        "European championship.",
    )
    assert verdict.flagged and verdict.partners == ["GB"], verdict.reasons


def test_moroccan_passport_alone_does_not_make_a_sentence_moroccan() -> None:
    verdict = classify(
        "Coopération antiterroriste entre la DGST et la police espagnole",
        "La DGST et la police espagnole ont démantelé une cellule de Daech.\nLe chef de la "
        "cellule, un ressortissant marocain, envoyait des recrues en Irak.",
    )
    assert verdict.flagged and verdict.partners == ["ES"], verdict.reasons


def test_a_story_whose_only_states_lack_context_still_reports_them() -> None:
    verdict = classify("", "Arrestation à Tanger. Le suspect venait d'Italie, selon la police.")
    assert verdict.partners == ["IT"], verdict.reasons


def test_a_passive_arabic_handover_to_moroccan_authorities_is_extradition() -> None:
    verdict = classify(
        "القضاء الإسباني يوافق على تسليم مطلوب",
        "وافقت محكمة إسبانية على تسليم شخص متهم بتهريب المخدرات للسلطات المغربية بعد توقيفه في مالقة.",
    )
    assert verdict.flagged and verdict.partners == ["ES"], verdict.reasons
    assert verdict.subtype == "judicial_extradition"


def test_an_english_passive_extradition_from_morocco_is_flagged() -> None:
    verdict = classify(
        "Fugitive sent back to Belgium",
        "A drug trafficker arrested in Agadir last month was extradited to Belgium on Tuesday, "
        "Moroccan security authorities said.",
    )
    assert verdict.flagged and verdict.partners == ["BE"], verdict.reasons


def test_a_handover_at_bab_sebta_needs_no_named_moroccan_service() -> None:
    verdict = classify(
        "Wanted man handed over",
        "A man sought for armed robbery was handed over to Spain at the Bab Sebta crossing, "
        "under an international arrest warrant.",
    )
    assert verdict.flagged and verdict.partners == ["ES"], verdict.reasons


def test_a_joint_security_operation_counts_as_cooperation() -> None:
    verdict = classify(
        "Extremist cell dismantled",
        "The BCIJ, in a joint security operation with Italy's anti-terrorism police, arrested two "
        "extremists in Nador and one in Milan.",
    )
    assert verdict.flagged and verdict.partners == ["IT"], verdict.reasons


def test_indirect_moroccan_services_and_feminine_counterpart() -> None:
    verdict = classify(
        "تسلم مطلوب من فرنسا",
        "تسلمت المصالح المغربية من نظيرتها الفرنسية شخصا مبحوثا عنه بموجب مذكرة بحث دولية.",
    )
    assert verdict.flagged and verdict.partners == ["FR"], verdict.reasons
    verdict = classify(
        "Extradé vers l'Allemagne",
        "Un trafiquant interpellé à Tanger a été extradé vers l'Allemagne, selon les forces de "
        "sécurité marocaines.",
    )
    assert verdict.flagged and verdict.partners == ["DE"], verdict.reasons


def test_unnamed_foreign_police_at_a_tournament_are_a_foreign_side() -> None:
    verdict = classify(
        "أمن البطولة القارية",
        "استقبلت المديرية العامة للأمن الوطني عناصر شرطة من عدة دول إفريقية للمشاركة في تأمين "
        "مباريات كأس أمم إفريقيا، في إطار التعاون الأمني وتبادل الخبرات.",
    )
    assert verdict.flagged and verdict.partners == [], verdict.reasons
    assert any(r.startswith("unnamed partners") for r in verdict.reasons)


def test_unnamed_countries_without_security_cooperation_stay_unflagged() -> None:
    verdict = classify(
        "Record tourist season",
        "Morocco welcomed visitors from several countries this summer, and hotels in Marrakech "
        "reported record occupancy.",
    )
    assert not verdict.flagged, verdict.reasons
    verdict = classify(
        "حصيلة المديرية",
        "أوقفت المديرية العامة للأمن الوطني مشتبها فيه بالدار البيضاء بعد شكايات من مواطنين.",
    )
    assert not verdict.flagged and "no foreign partner named" in verdict.reasons


def test_a_garbled_police_name_and_joint_cooperation_on_a_noisy_page() -> None:
    verdict = classify(
        "الشرطة الإسبانية تفكك خلية",
        "وكالة أنباء\n\nرمز الخبر: 1234\nأعلنت الشرطة الإسبانية تفكيك خلية إرهابية في تعاون مشترك "
        "بين الأجهزة الأمنية الإسبانية والمغربية.\nوقال البيان إن الشرطة الوطنية والمديرية العامة "
        "للأمن في المغرب فككتا الخلية.",
    )
    assert verdict.flagged and verdict.partners == ["ES"], verdict.reasons
