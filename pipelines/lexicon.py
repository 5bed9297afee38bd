"""The classifier's vocabularies, compiled into one phrase dictionary.

Analysts extend ``pipelines/data/*.yaml``; this module turns them, plus
Babel's CLDR territory names in Arabic, French and English and the derived
forms of each demonym (feminine, plural, dual, definite, French elision),
into a dictionary keyed by normalised tokens.  Matching is leftmost-longest
with one lookup per token and phrase length, so its cost does not grow with
the vocabulary.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import babel
import yaml

from pipelines.normalize import clitic_variants, normalize_text, tokens
from pipelines.organisations import organisations

DATA = Path(__file__).with_name("data")


def vocabulary_digest() -> str:
    """A short hash of the vocabulary files, so an analyst's edit is a new version by itself."""
    digest = hashlib.sha256()
    for path in sorted(DATA.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:8]


_ACRONYM_RE = re.compile(r"^[A-ZÀ-Ý]{2,6}$")


class VocabularyEntry(NamedTuple):
    """One meaning of a phrase from the vocabulary files (a phrase may have several)."""

    kind: str  # state, capital, org, agency, ignore, institution, generic, morocco, place, kingdom, foreign, coop, sec, seccoop, neg, ctx
    value: str  # partner code, institution label, subtype, cue label or context name
    display: str  # the term as written in the data file, for reasons
    acronym: bool  # match only text written in capitals
    ambiguous: bool  # a state name that also is an ordinary word


class Match(NamedTuple):
    start: int
    end: int
    entries: tuple[VocabularyEntry, ...]


class Lexicon:
    """All vocabularies in one phrase dictionary keyed by normalised tokens."""

    def __init__(self) -> None:
        self.phrases: dict[tuple[str, ...], list[VocabularyEntry]] = defaultdict(list)
        # phrase lengths that start with each word, longest first: a lookup
        # tries only lengths that exist
        self.lengths: dict[str, tuple[int, ...]] = {}
        self.acronymic: set[tuple[str, ...]] = set()  # keys with an entry matched only in capitals

    def add(self, term: str, kind: str, value: str, *, ambiguous: bool = False) -> None:
        self._add(term, term, kind, value, ambiguous)
        definite = _arabic_definite_variant(term)
        if definite:
            self._add(definite, term, kind, value, ambiguous)
        if term.endswith(" de"):
            # French elides before a vowel: "en provenance d'Espagne"
            self._add(term[:-1] + "'", term, kind, value, ambiguous)

    def _add(self, spelling: str, term: str, kind: str, value: str, ambiguous: bool) -> None:
        key = tuple(tokens(normalize_text(spelling)))
        if not key:
            return
        entry = VocabularyEntry(kind, value, term, bool(_ACRONYM_RE.match(term.replace(".", ""))), ambiguous)
        if not any(e.kind == kind and e.value == value for e in self.phrases[key]):
            self.phrases[key].append(entry)  # spelling variants keep the first display
            if entry.acronym:
                self.acronymic.add(key)
        known = set(self.lengths.get(key[0], ())) | {len(key)}
        self.lengths[key[0]] = tuple(sorted(known, reverse=True))

    def scan(self, folded: list[str], cased: list[str]) -> list[Match]:
        """Leftmost-longest matches; proclitics are tolerated on the first word.

        Acronyms (UN, EU, EAU) match only capitals, and not at all in a line
        written wholly in capitals: "ARRESTATION D'UN RESSORTISSANT" has no UN.
        """
        out: list[Match] = []
        i, n = 0, len(folded)
        shouted: bool | None = None  # computed on the first acronym candidate only
        while i < n:
            best: Match | None = None
            for head in clitic_variants(folded[i]):
                lengths = self.lengths.get(head)
                if not lengths:
                    continue
                for length in lengths:
                    if length > n - i:
                        continue
                    if best and length <= best.end - best.start:
                        break
                    key = (head, *folded[i + 1 : i + length]) if length > 1 else (head,)
                    entries = self.phrases.get(key)
                    if not entries:
                        continue
                    if key in self.acronymic:
                        if shouted is None:
                            shouted = _shouted(cased)
                        capitals = not shouted and all(t.isupper() for t in cased[i : i + length])
                        entries = tuple(e for e in entries if not e.acronym or capitals)
                    if entries:
                        best = Match(i, i + length, entries)
                        break
            if best:
                out.append(best)
                i = best.end
            else:
                i += 1
        return out


def _shouted(cased: list[str]) -> bool:
    """Whether a sentence is written in capitals (a shouted headline)."""
    words = [t for t in cased if t.isalpha() and len(t) > 1 and t.lower() != t.upper()]
    return len(words) >= 4 and sum(t.isupper() for t in words) >= 0.8 * len(words)


def _arabic_nisba_forms(base: str) -> list[str]:
    """Masculine nisba -> feminine, plural, dual and accusative forms (إسباني -> إسبانية ...)."""
    if " " in base:
        return [base]
    suffixes = ("", "ة", "ا", "ون", "ين", "ان", "تان", "تين", "ات")
    return [base + suffix for suffix in suffixes]


_ARABIC_WORD_RE = re.compile(r"^[\u0621-\u064a]{3,}$")
_ARABIC_PARTICLES = frozenset(normalize_text(w) for w in (
    "مع", "في", "من", "على", "إلى", "عن", "بين", "لدى", "حول", "ضد", "عبر", "جنب",
))


def _arabic_definite_variant(term: str) -> str | None:
    """"مذكرة تفاهم" -> "مذكرة التفاهم": the same phrase with its later words definite.

    Proclitics are tolerated on the first word only, but Arabic marks a
    construct (مذكرة التفاهم) or a definite noun phrase (الوفد الأمني) on every
    word after the first too, so each multi-word term also needs that form.
    """
    words = normalize_text(term).split()
    if len(words) < 2:
        return None
    tail = [
        w if w.startswith("ال") or w in _ARABIC_PARTICLES or not _ARABIC_WORD_RE.match(w) else "ال" + w
        for w in words[1:]
    ]
    if tail == words[1:]:
        return None
    return " ".join([words[0], *tail])


def _french_demonym_forms(base: str) -> list[str]:
    if base.endswith("en"):
        return [base, base + "ne", base + "s", base + "nes"]
    if base.endswith(("s", "x")):
        return [base, base + "e", base + "es"]
    if base.endswith(("e", "è", "é")):
        return [base, base + "s"]
    return [base, base + "e", base + "s", base + "es"]


_MOROCCAN_COMPOUND_ENDS = ("marocain", "marocaine", "marocains", "marocaines", "Moroccan")
MOROCCAN_COMPOUND_FOLDED = frozenset(normalize_text(w) for w in _MOROCCAN_COMPOUND_ENDS)


def load_yaml(name: str) -> dict:
    with open(DATA / name, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    lex = Lexicon()
    partners = load_yaml("partners.yaml")
    excluded = set(partners["exclude_codes"])
    ambiguous = {normalize_text(a) for a in partners["ambiguous"]}

    def add_state(term: str, code: str) -> None:
        lex.add(term, "state", code, ambiguous=normalize_text(term) in ambiguous)

    for lang in ("ar", "fr", "en"):
        for code, name in babel.Locale(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in excluded:
                add_state(name, code)
    for code, spec in partners["states"].items():
        for lang in ("ar", "fr", "en"):
            for name in spec.get(lang, []):
                add_state(name, code)
        demonyms = spec.get("demonyms", {})
        for base in demonyms.get("ar", []):
            for form in _arabic_nisba_forms(base):
                add_state(form, code)
        for base in demonyms.get("fr", []):
            for form in _french_demonym_forms(base):
                add_state(form, code)
        for base in demonyms.get("en", []):
            for form in (base, base + "s"):
                add_state(form, code)
        # "américano-marocain", "Franco-Moroccan": the first half of a
        # compound adjective whose second half is Morocco's
        for prefix in spec.get("prefixes", []):
            for moroccan in _MOROCCAN_COMPOUND_ENDS:
                add_state(f"{prefix}-{moroccan}", code)
                lex.add(f"{prefix}-{moroccan}", "morocco", "MA")
    for code, names in partners["capitals"].items():
        for name in names:
            lex.add(name, "capital", code)
    for code, names in partners["agencies"].items():
        for name in names:
            lex.add(name, "agency", code)
    for org in organisations().values():
        for name in org.names:
            lex.add(name, "org", org.code)
    for phrase in partners["ignore"]:
        lex.add(phrase, "ignore", "")

    signals = load_yaml("signals.yaml")
    for label, terms in signals["institutions"].items():
        for term in terms:
            lex.add(term, "institution", label)
    for label, terms in signals["generic_institutions"].items():
        for term in terms:
            lex.add(term, "generic", label)
    for term in signals["morocco"]:
        lex.add(term, "morocco", "MA")
    for term in signals["morocco_places"]:
        lex.add(term, "place", "MA")
    for term in signals["morocco_contextual"]:
        lex.add(term, "kingdom", "MA")
    for term in signals["unnamed_partners"]:
        lex.add(term, "foreign", "")
    for phrase in signals["not_security"]:
        lex.add(phrase, "ignore", "")
    for group, kind in (
        ("cooperation", "coop"),
        ("security", "sec"),
        ("security_cooperation", "seccoop"),
        ("negative", "neg"),
        ("context", "ctx"),
    ):
        for label, terms in signals[group].items():
            for term in terms:
                lex.add(term, kind, label)
    return lex
