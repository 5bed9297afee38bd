"""The interface's words in the analyst's ``digest.language`` (partner and subtype names come from the digest's tables)."""

from __future__ import annotations

from scheduler.digest.names import partner_name, subtype_name, text_direction

__all__ = ["Words", "partner_name", "subtype_name", "text_direction"]

_WORDS: dict[str, dict[str, str]] = {
    "today": {"ar": "أحداث اليوم", "fr": "Événements du jour", "en": "Today's events"},
    "events_of": {"ar": "الأحداث المرصودة يوم {day}", "fr": "Événements signalés le {day}", "en": "Flagged events on {day}"},
    "no_events": {"ar": "لا يوجد حدث مرصود في هذا اليوم.", "fr": "Aucun événement signalé ce jour-là.",
                  "en": "No flagged event on this day."},
    "previous_day": {"ar": "اليوم السابق", "fr": "Jour précédent", "en": "Previous day"},
    "next_day": {"ar": "اليوم التالي", "fr": "Jour suivant", "en": "Next day"},
    "search": {"ar": "بحث", "fr": "Rechercher", "en": "Search"},
    "health": {"ar": "حالة المصادر", "fr": "État des sources", "en": "Source health"},
    "feed": {"ar": "خلاصة Atom", "fr": "Flux Atom", "en": "Atom feed"},
    "reports": {"ar": "التقارير", "fr": "Articles", "en": "Reports"},
    "sources": {"ar": "المصادر", "fr": "Sources", "en": "Sources"},
    "languages": {"ar": "اللغات", "fr": "Langues", "en": "Languages"},
    "partners": {"ar": "الشركاء", "fr": "Partenaires", "en": "Partners"},
    "subtype": {"ar": "النوع", "fr": "Type", "en": "Type"},
    "event": {"ar": "الحدث", "fr": "Événement", "en": "Event"},
    "article": {"ar": "المقال", "fr": "Article", "en": "Article"},
    "original": {"ar": "المقال الأصلي", "fr": "Article original", "en": "Original article"},
    "relevant": {"ar": "ذو صلة", "fr": "Pertinent", "en": "Relevant"},
    "not_relevant": {"ar": "غير ذي صلة", "fr": "Non pertinent", "en": "Not relevant"},
    "mark_relevant": {"ar": "ذو صلة", "fr": "Pertinent", "en": "Relevant"},
    "mark_not_relevant": {"ar": "غير ذي صلة", "fr": "Non pertinent", "en": "Not relevant"},
    "confirm_title": {"ar": "تأكيد التقييم", "fr": "Confirmer l'avis", "en": "Confirm your verdict"},
    "confirm_event": {"ar": "تسجيل «{verdict}» لكل تقارير هذا الحدث ({n})؟",
                      "fr": "Enregistrer « {verdict} » pour les {n} article(s) de cet événement ?",
                      "en": "Record “{verdict}” for all {n} report(s) of this event?"},
    "confirm_article": {"ar": "تسجيل «{verdict}» لهذا المقال؟", "fr": "Enregistrer « {verdict} » pour cet article ?",
                        "en": "Record “{verdict}” for this article?"},
    "confirm": {"ar": "تأكيد", "fr": "Confirmer", "en": "Confirm"},
    "cancel": {"ar": "إلغاء", "fr": "Annuler", "en": "Cancel"},
    "verdict": {"ar": "الحكم", "fr": "Verdict", "en": "Verdict"},
    "by_analyst": {"ar": "حكم المحلل", "fr": "avis d'analyste", "en": "analyst's verdict"},
    "by_learned": {"ar": "النموذج المتعلم", "fr": "modèle appris", "en": "learned model"},
    "by_rules": {"ar": "القواعد", "fr": "règles", "en": "rules"},
    "score": {"ar": "الدرجة", "fr": "Score", "en": "Score"},
    "version": {"ar": "إصدار المصنف", "fr": "Version du classifieur", "en": "Classifier version"},
    "reasons": {"ar": "الأسباب", "fr": "Raisons", "en": "Reasons"},
    "history": {"ar": "سجل التقييمات", "fr": "Historique des avis", "en": "Feedback history"},
    "correct": {"ar": "تصحيح الشركاء والنوع", "fr": "Corriger partenaires et type", "en": "Correct partners and type"},
    "partner_codes": {"ar": "رموز الشركاء (ES, INTERPOL...)", "fr": "Codes des partenaires (ES, INTERPOL…)",
                      "en": "Partner codes (ES, INTERPOL…)"},
    "save": {"ar": "حفظ", "fr": "Enregistrer", "en": "Save"},
    "results": {"ar": "{n} نتيجة", "fr": "{n} résultat(s)", "en": "{n} result(s)"},
    "all": {"ar": "الكل", "fr": "Tous", "en": "All"},
    "source": {"ar": "المصدر", "fr": "Source", "en": "Source"},
    "partner": {"ar": "الشريك", "fr": "Partenaire", "en": "Partner"},
    "lang": {"ar": "اللغة", "fr": "Langue", "en": "Language"},
    "since": {"ar": "من", "fr": "Du", "en": "From"},
    "until": {"ar": "إلى", "fr": "Au", "en": "To"},
    "export": {"ar": "تصدير", "fr": "Exporter", "en": "Export"},
    "login": {"ar": "تسجيل الدخول", "fr": "Connexion", "en": "Sign in"},
    "logout": {"ar": "تسجيل الخروج", "fr": "Déconnexion", "en": "Sign out"},
    "user": {"ar": "اسم المستخدم", "fr": "Identifiant", "en": "User name"},
    "password": {"ar": "كلمة المرور", "fr": "Mot de passe", "en": "Password"},
    "bad_login": {"ar": "اسم المستخدم أو كلمة المرور غير صحيحة.", "fr": "Identifiant ou mot de passe incorrect.",
                  "en": "Wrong user name or password."},
    "signed_in_as": {"ar": "المحلل: {who}", "fr": "Analyste : {who}", "en": "Analyst: {who}"},
    "not_found": {"ar": "غير موجود", "fr": "Introuvable", "en": "Not found"},
    "forbidden": {"ar": "رفض الطلب: رمز التحقق مفقود أو غير صالح. أعد تحميل الصفحة.",
                  "fr": "Requête refusée : jeton CSRF absent ou invalide. Rechargez la page.",
                  "en": "Request refused: missing or invalid CSRF token. Reload the page."},
    "state": {"ar": "الحالة", "fr": "État", "en": "State"},
    "last_success": {"ar": "آخر نجاح", "fr": "Dernier succès", "en": "Last success"},
    "articles_7d": {"ar": "مقالات 7 أيام", "fr": "Articles (7 j)", "en": "Articles (7 days)"},
    "detail": {"ar": "تفاصيل", "fr": "Détail", "en": "Detail"},
    "daemon": {"ar": "الخدمة", "fr": "Démon", "en": "Daemon"},
    "running": {"ar": "يعمل", "fr": "en marche", "en": "running"},
    "stopped": {"ar": "متوقف", "fr": "arrêté", "en": "not running"},
    "last_digest": {"ar": "آخر نشرة", "fr": "Dernier bulletin", "en": "Last digest"},
    "model": {"ar": "النموذج المتعلم", "fr": "Modèle appris", "en": "Learned model"},
    "model_line": {"ar": "#{id}: F1 {learned} مقابل {rules} للقواعد ({n} حكما)، {state}",
                   "fr": "n° {id} : F1 {learned} contre {rules} pour les règles ({n} avis), {state}",
                   "en": "#{id}: F1 {learned} vs {rules} for the rules ({n} verdicts), {state}"},
    "in_use": {"ar": "مستعمل", "fr": "utilisé", "en": "in use"},
    "not_in_use": {"ar": "غير مستعمل", "fr": "non utilisé", "en": "not in use"},
    "judged": {"ar": "مقالات قيمها المحللون: {n}", "fr": "Articles jugés par les analystes : {n}",
               "en": "Articles judged by analysts: {n}"},
}


class Words:
    """``words('today')`` in one language; a missing key is a bug, so it raises."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.direction = text_direction(lang)

    def __call__(self, key: str, **values: object) -> str:
        text = _WORDS[key][self.lang]
        return text.format(**values) if values else text

    def partner(self, code: str) -> str:
        return partner_name(code, self.lang)

    def subtype(self, code: str | None) -> str:
        return subtype_name(code, self.lang) or ""
