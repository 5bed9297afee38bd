"""Language-independent keys of a report: who, where, what, how many.

Two reports of one happening share few words when one is Arabic and the
other French, but they name the same states, bodies, officials and places,
quote the same figures and tell the same act.  This module reads those as
typed keys (``p:hammouchi``, ``s:ES``, ``o:INTERPOL``, ``l:madrid``, ``n:93``,
``y:2023``, ``a:meeting``, ``f:opening``, ``e:african_lion``) that :mod:`pipelines.events` compares and indexes.

States and organisations come from the classifier's vocabulary
(:mod:`pipelines.lexicon`, CLDR names); officials, places and acts from
``pipelines/data/{officials,places,acts}.yaml`` (acts, phases and named
recurring happenings such as exercises).  Keys found in the title and
lead are kept apart from the body's: the lead tells the event, the body also
recalls earlier ones as background.  The act (``a:``) is read from the lead
only; the phase of a multi-day happening (``f:``, opening/closing) from both.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import NamedTuple

from pipelines.lexicon import DATA, Lexicon, lexicon, load_yaml
from pipelines.normalize import normalize_text, tokens

__all__ = ["EventKeys", "Official", "event_keys", "load_officials", "keys_digest"]

# Files whose content changes the keys (and so the grouping version).
KEY_FILES = ("officials.yaml", "places.yaml", "acts.yaml", "partners.yaml", "organisations.yaml")
LEAD_CHARS = 400  # the title plus about two sentences: who met whom, where, what
_SENTENCE_END_RE = re.compile(r"(?<=[.!?؟])\s")
MIN_WORD = 4  # shorter words are mostly function words in all three languages
_CONJUNCTION_RE = re.compile(r"^[وف](?=[\u0621-\u064a]{4})")
_ARTICLE_RE = re.compile(r"^(?:بال|كال|لل|ال|[بلك](?=[\u0621-\u064a]{4}))")
_NUMBER_RE = re.compile(r"^(?:و|ب|ل|ال|بال|وال|لل)?(\d{1,9})(?:st|nd|rd|th|e|eme|er|ere|ieme|me)?$")
_NUMBER_WORDS = {
    # cardinals and ordinals the press writes out; small figures are otherwise too common to count
    **dict.fromkeys(("trois", "three", "ثلاثة", "ثلاث", "troisieme", "third", "الثالثة", "الثالث"), 3),
    **dict.fromkeys(("quatre", "four", "أربعة", "أربع", "quatrieme", "fourth", "الرابعة", "الرابع"), 4),
    **dict.fromkeys(("cinq", "five", "خمسة", "خمس", "cinquieme", "fifth", "الخامسة", "الخامس"), 5),
    **dict.fromkeys(("six", "ستة", "ست", "sixieme", "sixth", "السادسة", "السادس"), 6),
    **dict.fromkeys(("sept", "seven", "سبعة", "سبع", "septieme", "seventh", "السابعة", "السابع"), 7),
    **dict.fromkeys(("huit", "eight", "ثمانية", "ثماني", "huitieme", "eighth", "الثامنة", "الثامن"), 8),
    **dict.fromkeys(("neuf", "nine", "تسعة", "تسع", "neuvieme", "ninth", "التاسعة", "التاسع"), 9),
    **dict.fromkeys(("dix", "ten", "عشرة", "عشر", "dixieme", "tenth", "العاشرة", "العاشر"), 10),
    **dict.fromkeys(("onze", "eleven", "onzieme", "eleventh"), 11),
    **dict.fromkeys(("douze", "twelve", "douzieme", "twelfth"), 12),
}
_NUMBER_WORDS = {normalize_text(word): value for word, value in _NUMBER_WORDS.items()}


class Official(NamedTuple):
    id: str
    country: str
    role: str
    names: dict[str, list[str]]


@dataclass(frozen=True)
class EventKeys:
    """Typed keys of one report; ``body`` includes ``lead``.

    ``words`` are the title's and lead's longer words with Arabic proclitics
    and the article stripped: two reports in the same language also share
    wording that no key captures (a suspect's name, a medal's).
    """

    lead: frozenset[str]
    body: frozenset[str]
    words: frozenset[str] = frozenset()  # the lead's content words, for reports in one language

    def kind(self, prefix: str, *, lead_only: bool = False) -> frozenset[str]:
        """Keys of one kind (``"p"``, ``"s"``, ``"o"``, ``"l"``, ``"n"``, ``"y"``, ``"a"``, ``"f"``, ``"e"``)."""
        return (self._lead_kinds if lead_only else self._body_kinds).get(prefix, frozenset())

    @cached_property
    def _lead_kinds(self) -> dict[str, frozenset[str]]:
        return _by_kind(self.lead)

    @cached_property
    def _body_kinds(self) -> dict[str, frozenset[str]]:
        return _by_kind(self.body)


def _by_kind(keys: frozenset[str]) -> dict[str, frozenset[str]]:
    """Keys grouped by their one-letter kind: comparisons ask for kinds many times per pair."""
    groups: dict[str, set[str]] = {}
    for key in keys:
        groups.setdefault(key[0], set()).add(key)
    return {kind: frozenset(members) for kind, members in groups.items()}


def keys_digest() -> str:
    """A short hash of the files the keys come from: editing one regroups like a code change."""
    digest = hashlib.sha256()
    for name in KEY_FILES:
        digest.update(name.encode() + b"\0" + (DATA / name).read_bytes())
    return digest.hexdigest()[:8]


@lru_cache(maxsize=1)
def load_officials() -> dict[str, Official]:
    """The officials of ``officials.yaml`` by id (also read by watchlists' ``@person:<id>``)."""
    out: dict[str, Official] = {}
    for spec in load_yaml("officials.yaml")["officials"]:
        names = {lang: list(spec.get("names", {}).get(lang) or []) for lang in ("ar", "fr", "en")}
        out[spec["id"]] = Official(spec["id"], spec["country"], spec.get("role", ""), names)
    return out


@lru_cache(maxsize=1)
def _vocabulary() -> Lexicon:
    lex = Lexicon()
    for official in load_officials().values():
        for names in official.names.values():
            for name in names:
                lex.add(name, "official", official.id)
    for spec in load_yaml("places.yaml")["places"]:
        for names in spec["names"].values():
            for name in names or []:
                lex.add(name, "place", spec["id"])
    acts = load_yaml("acts.yaml")
    for section, kind in (("acts", "act"), ("phases", "phase"), ("named_events", "named")):
        for label, by_lang in acts[section].items():
            for terms in by_lang.values():
                for term in terms:
                    lex.add(term, kind, label)
    return lex


def _lead(title: str, text: str) -> str:
    """The title and the opening sentences, cut at a sentence end near LEAD_CHARS."""
    head = text[: LEAD_CHARS * 2]
    cut = LEAD_CHARS
    for match in _SENTENCE_END_RE.finditer(head):
        if match.end() >= LEAD_CHARS // 2:
            cut = match.end()
            break
    return f"{title}\n{head[:cut]}"


def _scan(text: str, *, with_acts: bool) -> set[str]:
    cased = tokens(normalize_text(text, keep_case=True))
    folded = [t.casefold() for t in cased]
    keys: set[str] = set()
    for match in lexicon().scan(folded, cased):
        for entry in match.entries:
            if entry.kind == "state" and not entry.ambiguous:
                keys.add(f"s:{entry.value}")
            elif entry.kind == "agency":
                keys.add(f"s:{entry.value}")
            elif entry.kind == "org":
                keys.add(f"o:{entry.value}")
    officials = load_officials()
    for match in _vocabulary().scan(folded, cased):
        for entry in match.entries:
            if entry.kind == "official":
                keys.add(f"p:{entry.value}")
                country = officials[entry.value].country
                if country != "MA":  # a foreign official names the partner: "Pardo Piqueras" says Spain
                    keys.add(f"s:{country}" if len(country) == 2 else f"o:{country}")
            elif entry.kind == "place":
                keys.add(f"l:{entry.value}")
            elif entry.kind == "act" and with_acts:
                keys.add(f"a:{entry.value}")
            elif entry.kind == "phase":
                keys.add(f"f:{entry.value}")
            elif entry.kind == "named":
                keys.add(f"e:{entry.value}")
    keys.update(_numbers(folded))
    return keys


def _numbers(folded: list[str]) -> set[str]:
    """Figures and ordinals (``n:93``) and years (``y:2023``); 0-2 are too common to tell events apart."""
    out: set[str] = set()
    for token in folded:
        match = _NUMBER_RE.match(token)
        value = int(match.group(1)) if match else _NUMBER_WORDS.get(token)
        if value is None or value < 3:
            continue
        out.add(f"y:{value}" if 1900 <= value <= 2100 else f"n:{value}")
    return out


def _stem(token: str) -> str:
    """Strip one Arabic conjunction and one preposition or article (وبالرباط -> رباط), the same way on both sides."""
    return _ARTICLE_RE.sub("", _CONJUNCTION_RE.sub("", token))


@lru_cache(maxsize=1)
def _vocabulary_words() -> frozenset[str]:
    """Every word of a known phrase (institutions, states, cues, officials...): the keys carry them already,
    and the DGSN's long title would otherwise make every story about it look alike."""
    words = set()
    for lex in (lexicon(), _vocabulary()):
        for phrase in lex.phrases:
            words.update(_stem(token) for token in phrase)
    return frozenset(words)


def _words(text: str) -> frozenset[str]:
    known = _vocabulary_words()
    out = set()
    for token in tokens(normalize_text(text)):
        if token.isdigit():
            continue
        stem = _stem(token)
        if len(stem) >= MIN_WORD and stem not in known:
            out.add(stem)
    return frozenset(out)


def event_keys(title: str | None, text: str | None) -> EventKeys:
    """The keys of one report, from its title and text in any of ar/fr/en."""
    title, text = title or "", text or ""
    lead_text = _lead(title, text)
    lead = _scan(lead_text, with_acts=True)
    body = _scan(text, with_acts=False) | lead
    return EventKeys(frozenset(lead), frozenset(body), _words(lead_text))
