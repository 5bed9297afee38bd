"""Publication dates as Moroccan, Levantine, French and English news sites print them.

dateparser alone misses most Moroccan forms (ماي، شتنبر، نونبر...), refuses to mix
``ar-MA`` with ``ar-LB`` in one call, reads ``05/04/2025`` month-first and manages
about a thousand parses a second. So the common shapes are read here by a small
grammar (ISO 8601, RFC 822, "day month year [time]", numeric day-first, relative
phrases) after our own normalisation, and dateparser only sees what the grammar
does not know, through cached parsers in a fixed locale order.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

# The zone of a printed time that names none, unless the caller passes the configured `timezone`.
DEFAULT_ZONE = ZoneInfo("Africa/Casablanca")

# Clocks and zones of news servers are sloppy (local time labelled UTC is common),
# so a date slightly ahead of `now` is kept; anything further ahead is a misreading.
FUTURE_TOLERANCE = timedelta(hours=2)
EARLIEST_YEAR = 1990
# dateparser on long text is slow and finds dates in noise; visible-date callers
# pass short element texts.
MAX_FALLBACK_CHARS = 100

_PRIMARY_LOCALES = {
    "ar": ("ar-MA", "fr", "en"),
    "fr": ("fr", "ar-MA", "en"),
    "en": ("en", "fr", "ar-MA"),
}
_LEVANTINE_LOCALES = ("ar-LB",)
_DATEPARSER_SETTINGS = {
    "DATE_ORDER": "DMY",
    "PREFER_DATES_FROM": "past",
    "REQUIRE_PARTS": ["day", "month", "year"],
    # No epoch timestamps or "20251122"-style runs: both turn stray numbers into dates.
    "PARSERS": ["relative-time", "absolute-time"],
}

# --- normalisation -----------------------------------------------------------

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_CHAR_MAP = str.maketrans({
    "،": ",", "٫": ".", "٬": ",", "؛": ";", "ـ": None,
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u200f": None, "\u200e": None,
    "\u200b": None, "’": "'", "–": "-", "—": "-",
})
_HARAKAT = re.compile("[\u064b-\u0652\u0670]")
_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    """Fold everything that only varies in spelling so the grammar can stay small."""
    text = unicodedata.normalize("NFKC", text).translate(_DIGITS).translate(_CHAR_MAP)
    text = _HARAKAT.sub("", text).casefold()
    return _SPACES.sub(" ", text).strip()


# --- month names and filler words ---------------------------------------------

_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: ("يناير", "جانفي", "كانون الثاني", "janvier", "janv", "january", "jan"),
    2: ("فبراير", "فيفري", "شباط", "fevrier", "février", "fevr", "févr", "fev", "fév", "february", "feb"),
    3: ("مارس", "اذار", "mars", "march", "mar"),
    4: ("ابريل", "افريل", "نيسان", "avril", "avr", "april", "apr"),
    5: ("ماي", "مايو", "ايار", "mai", "may"),
    6: ("يونيو", "يونيه", "جوان", "حزيران", "juin", "june", "jun"),
    7: ("يوليوز", "يوليو", "يوليه", "جويلية", "تموز", "juillet", "juil", "july", "jul"),
    8: ("غشت", "اغسطس", "اوت", "اب", "août", "aout", "august", "aug"),
    9: ("شتنبر", "سبتمبر", "ايلول", "septembre", "sept", "september", "sep"),
    10: ("اكتوبر", "تشرين الاول", "octobre", "october", "oct"),
    11: ("نونبر", "نوفمبر", "تشرين الثاني", "novembre", "november", "nov"),
    12: ("دجنبر", "ديسمبر", "دسمبر", "كانون الاول", "décembre", "decembre", "déc", "december", "dec"),
}
_MONTHS = {name: number for number, names in _MONTH_NAMES.items() for name in names}
_MONTH_ALT = "|".join(sorted(map(re.escape, _MONTHS), key=len, reverse=True))

_MONTH_DATE = re.compile(
    rf"(?<![\d\w])(?P<day>\d{{1,2}})(?:er|st|nd|rd|th)? ?(?:de )?(?P<month>{_MONTH_ALT})\b\.?,?"
    rf"(?: ?(?P<year>\d{{4}})(?!\d))?"
)
_MONTH_FIRST_DATE = re.compile(
    rf"\b(?P<month>{_MONTH_ALT})\b\.? (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}})(?!\d)"
)
_NUMERIC_DMY = re.compile(r"(?<![\d.:/-])(?P<day>\d{1,2})([/.-])(?P<month>\d{1,2})\2(?P<year>\d{4}|\d{2})(?![\d:/-]|\.\d)")
_NUMERIC_YMD = re.compile(r"(?<![\d.:/-])(?P<year>\d{4})([/.-])(?P<month>\d{1,2})\2(?P<day>\d{1,2})(?!\d)")

_HIJRI_MONTHS = (
    r"محرم|صفر|ربيع (?:الاول|الاخر|الثاني)|جماد[ىي] (?:الاولى|الاخرة|الثانية)"
    r"|رجب|شعبان|رمضان|شوال|ذ[وي] القعدة|ذ[وي] الحجة"
)
_HIJRI_DATE = re.compile(rf"\b\d{{1,2}} (?:{_HIJRI_MONTHS}) \d{{4}}(?: ?هـ?\b)?")
_FILLERS = re.compile(
    r"\b(?:نشر في|نشر بتاريخ|تاريخ النشر|اخر تحديث|تم التحديث|على الساعة|علي الساعة"
    r"|في تمام الساعة|الساعة|بتاريخ|الموافق|نشر|يوم(?= ?\d)"
    r"|publi[ée]e? le|mis(?:e)? [àa] jour le|mis(?:e)? [àa] jour|modifi[ée]e? le|cr[ée]{2}e? le"
    r"|published on|published|updated on|last updated|updated|posted on|posted)\b"
)
_YEAR_SUFFIX = re.compile(r"(?<=\d{4}) ?م\b")
_WEEKDAYS = re.compile(
    r"\b(?:الاثنين|الاتنين|الثلاثاء|الاربعاء|الخميس|الجمعة|السبت|الاحد"
    r"|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\b\.?,?"
)


def _strip_fillers(text: str) -> str:
    """Drop words that surround dates but carry none, so dateparser and the gap
    check between a date and its time see only date material."""
    text = _HIJRI_DATE.sub(" ", text) if _MONTH_DATE.search(text) or _NUMERIC_DMY.search(text) else text
    text = _YEAR_SUFFIX.sub("", text)
    text = _WEEKDAYS.sub(" ", _FILLERS.sub(" ", text))
    return _SPACES.sub(" ", text).strip(" :|-,")


# --- times and zones ----------------------------------------------------------

_MERIDIEM = r"(?P<mer>a\.?m\.?|p\.?m\.?|صباحا|صباح|ص|مساءا|مساء|م|ظهرا)(?![\w])"
_TIME = re.compile(
    r"(?<![\d:.])(?P<hour>[01]?\d|2[0-3])"
    r"(?:(?: ?: ?)(?P<minute>[0-5]\d)(?::(?P<second>[0-5]\d)(?:\.\d+)?)?|(?: ?h ?)(?P<hminute>[0-5]\d)?(?![a-z\d]))"
    rf"(?: ?{_MERIDIEM})?"
    r"(?: ?(?P<zone>(?:gmt|utc|ut|z)(?: ?[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})(?![\w]))?"
)
_PM = {"pm", "p.m.", "p.m", "pm.", "مساء", "مساءا", "م", "ظهرا"}
_AM = {"am", "a.m.", "a.m", "am.", "صباحا", "صباح", "ص"}
# What may separate a date from its time: punctuation and tiny connectors
# ("à", "at", "le", "في", "على"), as in "10:15 - 28 نونبر 2025", "21 nov 2025, 08:45" or
# Yabiladi's "في 16/03/2018 على 13h47".
_GAP = re.compile(r"^(?:[\s,|/•·@()\[\]:-]|\b(?:à|a|at|le|on|في|على|t)\b)*$")

# --- relative phrases -------------------------------------------------------------

_UNIT_FORMS = {
    "seconds": ("ثانية:1", "ثوان", "ثواني", "ثانيتين:2", "ثانيتان:2", "seconde:1", "secondes", "sec", "second:1", "seconds", "secs"),
    "minutes": ("دقيقة:1", "دقائق", "دقيقتين:2", "دقيقتان:2", "minute:1", "minutes", "min", "mins"),
    "hours": ("ساعة:1", "ساعات", "ساعتين:2", "ساعتان:2", "heure:1", "heures", "h", "hour:1", "hours", "hr", "hrs"),
    "days": ("يوم:1", "ايام", "يومين:2", "يومان:2", "jour:1", "jours", "j", "day:1", "days"),
    "weeks": ("اسبوع:1", "اسابيع", "اسبوعين:2", "اسبوعان:2", "semaine:1", "semaines", "week:1", "weeks"),
    "months": ("شهر:1", "اشهر", "شهور", "شهرين:2", "شهران:2", "mois", "month:1", "months"),
    "years": ("سنة:1", "سنوات", "سنتين:2", "سنتان:2", "عام:1", "اعوام", "عامين:2", "an:1", "ans", "annee:1",
              "année:1", "années", "annees", "year:1", "years"),
}


def _unit_words() -> dict[str, tuple[str, int | None]]:
    """Each unit word and the count it implies on its own: Arabic singulars and
    duals carry one ("منذ ساعة") or two ("منذ يومين"); plurals need a number."""
    words = {}
    for unit, forms in _UNIT_FORMS.items():
        for form in forms:
            word, _, count = form.partition(":")
            words[word] = (unit, int(count) if count else None)
    return words


_UNIT_WORDS = _unit_words()
_UNIT_ALT = "|".join(sorted(map(re.escape, _UNIT_WORDS), key=len, reverse=True))
_ONE = {"un", "une", "a", "an", "one"}

_RELATIVE_AR = re.compile(rf"\b(?:منذ|قبل) ?(?P<n>\d+)? ?(?P<unit>{_UNIT_ALT})\b")
_RELATIVE_FR = re.compile(rf"\bil y a (?P<n>\d+|une?)? ?(?P<unit>{_UNIT_ALT})\b")
_RELATIVE_EN = re.compile(rf"\b(?P<n>\d+|an?|one) ?(?P<unit>{_UNIT_ALT}) ago\b")
_DAY_WORDS = {
    "اليوم": 0, "امس": 1, "الامس": 1, "البارحة": 1, "اول امس": 2, "اول البارحة": 2,
    "aujourd'hui": 0, "hier": 1, "avant-hier": 2, "avant hier": 2,
    "today": 0, "yesterday": 1,
}
_DAY_WORD = re.compile(
    r"^(?P<word>" + "|".join(sorted(map(re.escape, _DAY_WORDS), key=len, reverse=True)) + r")\b(?P<rest>.*)$"
)
_NOW_WORDS = {"الان", "حالا", "à l'instant", "a l'instant", "maintenant", "just now", "now"}


@dataclass(frozen=True)
class _Found:
    """A grammar hit: the local wall-clock reading and, when printed, its zone."""

    when: datetime
    explicit_zone: bool


def parse_date(text: str, lang: str | None = None, now: datetime | None = None,
               zone: tzinfo | None = None) -> datetime | None:
    """Read one printed date; a text without a zone is wall-clock time in ``zone``
    (the configured ``timezone``; Africa/Casablanca when not given).

    ``now`` anchors relative and yearless dates and the future check: pass the page's
    fetch time, never the time of a re-run. Returns None for anything unreadable,
    implausible (before 1990) or ahead of ``now`` by more than a couple of hours.
    """
    if not isinstance(text, str) or not text.strip():
        return None
    local = zone or DEFAULT_ZONE
    reference = _reference(now, local)
    try:
        found = _parse(text, lang, reference, local)
    except (ValueError, OverflowError, TypeError):
        return None
    if found is None or found.year < EARLIEST_YEAR or found > reference + FUTURE_TOLERANCE:
        return None
    return found


def _reference(now: datetime | None, zone: tzinfo) -> datetime:
    """A naive `now` is read as wall-clock time in ``zone``, like naive page text."""
    if now is None:
        return datetime.now(zone)
    if now.tzinfo is None:
        return now.replace(tzinfo=zone)
    return now


def _parse(text: str, lang: str | None, now: datetime, zone: tzinfo) -> datetime | None:
    norm = _normalise(text)
    found = _absolute(norm)
    if found is not None:
        return found.when if found.explicit_zone else found.when.replace(tzinfo=zone)
    cleaned = _strip_fillers(norm)
    return (
        _relative(cleaned, now, zone)
        or _yearless(cleaned, now, zone)
        or _with_dateparser(cleaned, lang, now, zone)
    )


@lru_cache(maxsize=8192)
def _absolute(norm: str) -> _Found | None:
    """Dates that carry their own year do not depend on `now`, so they are cached."""
    found = _iso(norm) or _rfc822(norm)
    if found is None:
        found = _grammar(_strip_fillers(norm))
    return found


_ISO = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"(?:[t ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,]\d+)?)?"
    r" ?(?P<zone>z|[+-]\d{2}(?::?\d{2})?)?)?"
)


def _iso(norm: str) -> _Found | None:
    """Feeds, sitemaps, meta tags and JSON-LD speak bare ISO 8601; anything
    around it goes through the grammar, which also finds a time set apart."""
    match = _ISO.fullmatch(norm)
    if match is None:
        return None
    g = match.groupdict()
    clock = time(int(g["hour"] or 0), int(g["minute"] or 0), int(g["second"] or 0))
    when = datetime.combine(date(int(g["year"]), int(g["month"]), int(g["day"])), clock)
    zone = _zone(g["zone"]) if g["zone"] else None
    return _Found(when.replace(tzinfo=zone), True) if zone else _Found(when, False)


_RFC822 = re.compile(
    r"^(?:[a-z]{3},? )?(?P<day>\d{1,2}) (?P<month>[a-z]{3}) (?P<year>\d{4}|\d{2}) "
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
    r"(?: (?P<zone>[+-]\d{4}|gmt|ut|utc|z|[ecmp][sd]t))?$"
)
_US_ZONES = {"est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}


def _rfc822(norm: str) -> _Found | None:
    """RSS pubDate; "-0000" means the zone is unknown (RFC 2822), so it stays local."""
    match = _RFC822.match(norm)
    if match is None or match["month"] not in _MONTHS:
        return None
    g = match.groupdict()
    year = int(g["year"]) + (2000 if len(g["year"]) == 2 else 0)
    when = datetime(year, _MONTHS[g["month"]], int(g["day"]), int(g["hour"]), int(g["minute"]), int(g["second"] or 0))
    zone_text = g["zone"]
    if zone_text is None or zone_text == "-0000":
        return _Found(when, False)
    zone = timezone(timedelta(hours=_US_ZONES[zone_text])) if zone_text in _US_ZONES else _zone(zone_text)
    return _Found(when.replace(tzinfo=zone), True)


def _zone(text: str) -> timezone | None:
    """Offsets as printed: "z", "gmt", "+01:00", "+0100", "gmt+1", "utc+01:00"."""
    text = text.replace(" ", "")
    if text in {"z", "gmt", "utc", "ut"}:
        return timezone.utc
    match = re.fullmatch(r"(?:gmt|utc|ut)?([+-])(\d{1,2}):?(\d{2})?", text)
    if match is None:
        return None
    offset = timedelta(hours=int(match[2]), minutes=int(match[3] or 0))
    return timezone(-offset if match[1] == "-" else offset)


def _grammar(text: str) -> _Found | None:
    """The first full printed date in the text, with the time printed next to it."""
    for pattern in (_MONTH_DATE, _MONTH_FIRST_DATE, _NUMERIC_DMY, _NUMERIC_YMD):
        for match in pattern.finditer(text):
            day = _calendar_day(match)
            if day is not None:
                return _attach_time(text, match, day)
    return None


def _calendar_day(match: re.Match[str]) -> date | None:
    """Day-first everywhere; a second field above 12 can only be a US month-first date."""
    if match["year"] is None:
        return None
    year = int(match["year"])
    if year < 100:
        year += 2000
    month_text, day = match["month"], int(match["day"])
    month = int(month_text) if month_text.isdigit() else _MONTHS[month_text.rstrip(".")]
    if month > 12 and day <= 12:
        month, day = day, month
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _attach_time(text: str, match: re.Match[str], day: date) -> _Found:
    clock = _time_near(text, match.start(), match.end())
    if clock is None:
        return _Found(datetime.combine(day, time()), False)
    moment, zone = clock
    when = datetime.combine(day, moment)
    return _Found(when.replace(tzinfo=zone), True) if zone else _Found(when, False)


def _time_near(text: str, start: int, end: int) -> tuple[time, timezone | None] | None:
    """A time counts only when nothing but separators lies between it and the date."""
    for match in _TIME.finditer(text):
        if start <= match.start() < end or start < match.end() <= end:
            continue
        gap = text[match.end():start] if match.end() <= start else text[end:match.start()]
        if _GAP.match(gap):
            return _read_time(match)
    return None


def _read_time(match: re.Match[str]) -> tuple[time, timezone | None]:
    hour = int(match["hour"])
    minute = int(match["minute"] or match["hminute"] or 0)
    meridiem = match["mer"]
    if meridiem in _PM and hour < 12:
        hour += 12
    elif meridiem in _AM and hour == 12:
        hour = 0
    zone = _zone(match["zone"]) if match["zone"] else None
    return time(hour, minute, int(match["second"] or 0)), zone


def _relative(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    """"منذ 3 ساعات", "il y a 2 jours", "yesterday at 10:15" against the fetch time."""
    if text in _NOW_WORDS:
        return now
    for pattern in (_RELATIVE_AR, _RELATIVE_FR, _RELATIVE_EN):
        match = pattern.search(text)
        if match:
            return _ago(now, match["n"], match["unit"], zone)
    match = _DAY_WORD.match(text)
    if match is None:
        return None
    clock = _TIME.search(match["rest"])
    if match["rest"].strip() and (clock is None or not _GAP.match(match["rest"][: clock.start()])):
        return None
    local_day = now.astimezone(zone).date() - timedelta(days=_DAY_WORDS[match["word"]])
    moment = _read_time(clock)[0] if clock else time()
    return datetime.combine(local_day, moment, tzinfo=zone)


def _ago(now: datetime, count_text: str | None, unit_word: str, zone: tzinfo) -> datetime | None:
    unit, implied = _UNIT_WORDS[unit_word]
    if count_text is None or count_text in _ONE:
        count = implied if count_text is None else 1
    else:
        count = int(count_text)
    if count is None:
        return None
    local = now.astimezone(zone)
    if unit == "months":
        return _shift_months(local, -count)
    if unit == "years":
        return _shift_months(local, -12 * count)
    return (now.astimezone(timezone.utc) - timedelta(**{unit: count})).astimezone(zone)


def _shift_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last_day))


def _yearless(text: str, now: datetime, zone: tzinfo) -> datetime | None:
    """"22 نونبر 14:30" on a listing page means the latest such day not after today."""
    match = _MONTH_DATE.search(text)
    if match is None or match["year"] is not None:
        return None
    today = now.astimezone(zone).date()
    month = _MONTHS[match["month"]]
    for year in (today.year, today.year - 1):
        try:
            day = date(year, month, int(match["day"]))
        except ValueError:
            continue
        if day <= today:
            found = _attach_time(text, match, day)
            return found.when if found.explicit_zone else found.when.replace(tzinfo=zone)
    return None


def _with_dateparser(text: str, lang: str | None, now: datetime, zone: tzinfo) -> datetime | None:
    """Last resort for shapes the grammar does not know, Moroccan locales first."""
    if not text or len(text) > MAX_FALLBACK_CHARS:
        return None
    base = now.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    for locales in _locale_order(lang):
        result = _dateparser(locales, base).get_date_data(text).date_obj
        if result is not None:
            return result if result.tzinfo else result.replace(tzinfo=zone)
    return None


def _locale_order(lang: str | None) -> tuple[tuple[str, ...], ...]:
    primary = _PRIMARY_LOCALES.get(lang or "ar", _PRIMARY_LOCALES["ar"])
    return (primary,) if lang in {"fr", "en"} else (primary, _LEVANTINE_LOCALES)


@lru_cache(maxsize=64)
def _dateparser(locales: tuple[str, ...], relative_base: datetime) -> DateDataParser:
    """One parser per locale set and minute of `now`: building one is cheap, but
    reusing it keeps dateparser's per-parser caches warm during a crawl."""
    settings = dict(_DATEPARSER_SETTINGS, RELATIVE_BASE=relative_base)
    return DateDataParser(locales=list(locales), use_given_order=True, settings=settings)
