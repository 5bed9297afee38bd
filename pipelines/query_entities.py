"""Entity atoms of the query language: ``@ES``, ``@INTERPOL``, ``@person:hammouchi``.

An analyst names a state by its CLDR code and gets every spelling the
classifier knows in Arabic, French and English (names, definite forms,
demonyms in all genders and numbers, compounds such as "hispano-marocain"),
and an organisation or an official by its id.  States and organisations are
read from the classifier's compiled vocabulary (:func:`pipelines.lexicon.lexicon`)
so both always agree; officials come from ``pipelines/data/officials.yaml``.
The spellings are the classifier's compiled phrases, looked up in each
article's word index (a few dozen lookups per entity rather than a scan of
every word against the whole vocabulary), with the classifier's rules:
acronyms (UN, EU) match only capitals and not in a line written wholly in
capitals, and longer phrases that merely contain a name ("Latin America",
"Strait of Gibraltar") name nothing.
"""
from __future__ import annotations

from functools import lru_cache

from pipelines.lexicon import Lexicon, lexicon, load_yaml

__all__ = ["EntityKey", "EntityPhrase", "entity_codes", "entity_phrases", "ignore_phrases", "resolve"]

EntityKey = tuple[str, str]  # ("state", "ES"), ("org", "INTERPOL"), ("person", "hammouchi")
_KINDS = ("state", "org")


@lru_cache(maxsize=1)
def entity_codes() -> dict[str, EntityKey]:
    """Upper-case code -> key for every state and organisation in the classifier's vocabulary.

    Ambiguous state names ("مالي" is also "financial") are left to the
    classifier's list logic and do not make a match here.
    """
    codes: dict[str, EntityKey] = {}
    for entries in lexicon().phrases.values():
        for entry in entries:
            if entry.kind in _KINDS:
                codes.setdefault(entry.value.upper(), (entry.kind, entry.value))
    return codes


@lru_cache(maxsize=1)
def person_lexicon() -> Lexicon:
    """Officials' names in the three languages, compiled like the classifier's vocabulary."""
    lex = Lexicon()
    for official in load_yaml("officials.yaml").get("officials") or []:
        for names in (official.get("names") or {}).values():
            for name in names or []:
                lex.add(str(name), "person", str(official["id"]))
    return lex


def person_ids() -> frozenset[str]:
    return frozenset(e.value for entries in person_lexicon().phrases.values() for e in entries)


def resolve(kind: str, name: str) -> EntityKey | None:
    """The key of ``@name`` (kind "code") or ``@person:name``; None when unknown."""
    if kind == "person":
        ident = name.lower()
        return ("person", ident) if ident in person_ids() else None
    return entity_codes().get(name.upper())


EntityPhrase = tuple[tuple[str, ...], bool]  # folded tokens, written as an acronym (UN: capitals only)


@lru_cache(maxsize=1)
def _catalogue() -> tuple[dict[EntityKey, tuple[EntityPhrase, ...]], tuple[tuple[str, ...], ...]]:
    by_key: dict[EntityKey, dict[EntityPhrase, None]] = {}
    ignore: list[tuple[str, ...]] = []
    for lex, kinds in ((lexicon(), _KINDS), (person_lexicon(), ("person",))):
        for phrase, entries in lex.phrases.items():
            for entry in entries:
                if entry.kind in kinds and not entry.ambiguous:
                    by_key.setdefault((entry.kind, entry.value), {})[(phrase, entry.acronym)] = None
                elif entry.kind == "ignore":
                    ignore.append(phrase)
    return {key: tuple(phrases) for key, phrases in by_key.items()}, tuple(ignore)


def entity_phrases(key: EntityKey) -> tuple[EntityPhrase, ...]:
    """Every spelling of an entity, as the classifier's vocabulary compiles it."""
    return _catalogue()[0].get(key, ())


def ignore_phrases() -> tuple[tuple[str, ...], ...]:
    """Phrases that contain a name but designate nothing ("Latin America", "Strait of Gibraltar")."""
    return _catalogue()[1]
