"""Words the digest shows the analyst: partner names, story types, headings.

The classifier stores codes (ISO 3166-1 alpha-2 for states, short upper-case
names for organisations) so that the data stays language-neutral; the digest
is where those codes become words in the reader's language.  States come from
CLDR through Babel; CLDR has no international organisations, whose display
names live with their definitions in pipelines/data/organisations.yaml, the
one file the classifier reads too.
"""

from __future__ import annotations

from functools import cache

from babel import Locale

from pipelines.organisations import display_name

# Moroccan variants: Arabic month names as printed in Morocco (نونبر), Latin digits.
LOCALES = {"ar": "ar_MA", "fr": "fr_MA", "en": "en"}


SUBTYPES: dict[str, dict[str, str]] = {
    "police_intel": {"ar": "أمن واستخبارات", "fr": "Police et renseignement", "en": "Police and intelligence"},
    "counter_terrorism": {"ar": "مكافحة الإرهاب", "fr": "Antiterrorisme", "en": "Counter-terrorism"},
    "defence": {"ar": "دفاع", "fr": "Défense", "en": "Defence"},
    "judicial_extradition": {"ar": "تعاون قضائي وتسليم", "fr": "Justice et extradition", "en": "Judicial cooperation and extradition"},
    "migration_border": {"ar": "هجرة وحدود", "fr": "Migration et frontières", "en": "Migration and borders"},
    "cyber": {"ar": "أمن سيبراني", "fr": "Cybersécurité", "en": "Cybersecurity"},
    "event_security": {"ar": "تأمين التظاهرات", "fr": "Sécurité des grands événements", "en": "Event security"},
    "multilateral_org": {"ar": "منظمات متعددة الأطراف", "fr": "Instances multilatérales", "en": "Multilateral bodies"},
}

# Source health states (pipelines.health); ok is listed only with advice (a feed found elsewhere).
STATES: dict[str, dict[str, str]] = {
    "ok": {"ar": "تعمل", "fr": "fonctionne", "en": "working"},
    "degraded": {"ar": "متدهور", "fr": "dégradée", "en": "degraded"},
    "silent": {"ar": "صامت", "fr": "silencieuse", "en": "silent"},
    "failing": {"ar": "في عطل", "fr": "en échec", "en": "failing"},
    "blocked": {"ar": "محجوب", "fr": "bloquée", "en": "blocked"},
    "unknown": {"ar": "لم يزحف بعد", "fr": "jamais explorée", "en": "never crawled"},
}

LABELS: dict[str, dict[str, str]] = {
    "title": {"ar": "التعاون الأمني", "fr": "Coopération sécuritaire", "en": "Security cooperation"},
    "count": {"ar": "عدد الأحداث: {n}، منذ {since}", "fr": "{n} événement(s) depuis le {since}", "en": "{n} events since {since}"},
    "empty": {
        "ar": "لا يوجد أي مقال عن التعاون الأمني منذ {since}. newsmon يعمل.",
        "fr": "Aucun article sur la coopération sécuritaire depuis le {since}. newsmon fonctionne.",
        "en": "No security-cooperation story since {since}. newsmon is running.",
    },
    "no_partner": {"ar": "دون شريك محدد", "fr": "Sans partenaire identifié", "en": "No named partner"},
    "partners": {"ar": "الشركاء:", "fr": "Partenaires :", "en": "Partners:"},
    "also": {"ar": "نشرته أيضا:", "fr": "Aussi publié par :", "en": "Also reported by:"},
    "more": {"ar": "و{n} حدث آخر لم يعرض", "fr": "{n} autre(s) événement(s) non affiché(s)", "en": "{n} more events not shown"},
    "watch": {"ar": "قائمة المراقبة: {name}", "fr": "Veille : {name}", "en": "Watchlist: {name}"},
    "watch_none": {"ar": "لا جديد.", "fr": "Rien de nouveau.", "en": "Nothing new."},
    "matched": {"ar": "الكلمات المطابقة:", "fr": "Termes trouvés :", "en": "Matched:"},
    "reports": {"ar": "{n} مقالات", "fr": "{n} articles", "en": "{n} reports"},
    "health": {"ar": "حالة المصادر", "fr": "État des sources", "en": "Source health"},
    "health_ok": {
        "ar": "كل المصادر تعمل بشكل عادي.",
        "fr": "Toutes les sources fonctionnent normalement.",
        "en": "Every source is working normally.",
    },
    "open_event": {"ar": "صفحة الحدث:", "fr": "Fiche de l'événement :", "en": "Event page:"},
    "mark_relevant": {"ar": "ذو صلة", "fr": "Pertinent", "en": "Relevant"},
    "mark_not_relevant": {"ar": "غير ذي صلة", "fr": "Non pertinent", "en": "Not relevant"},
    "footer": {
        "ar": "أرسله newsmon. التوقيت: {tz}.",
        "fr": "Envoyé par newsmon. Heures en {tz}.",
        "en": "Sent by newsmon. Times in {tz}.",
    },
}


def label(key: str, lang: str, **values: object) -> str:
    return LABELS[key][lang].format(**values)


def join_names(names: list[str], lang: str) -> str:
    """A list in the reader's punctuation (Arabic uses its own comma)."""
    return ("، " if lang == "ar" else ", ").join(names)


@cache
def _territories(lang: str) -> dict[str, str]:
    return dict(Locale.parse(LOCALES[lang]).territories)


def partner_name(code: str, lang: str) -> str:
    """A state or organisation in the reader's language; an unknown code is shown as is."""
    return display_name(code, lang) or _territories(lang).get(code, code)


def subtype_name(subtype: str | None, lang: str) -> str | None:
    if not subtype:
        return None
    return SUBTYPES.get(subtype, {}).get(lang, subtype.replace("_", " "))


def state_name(state: str, lang: str) -> str:
    return STATES.get(state, {}).get(lang, state)


def text_direction(lang: str | None) -> str:
    return "rtl" if lang == "ar" else "ltr"
