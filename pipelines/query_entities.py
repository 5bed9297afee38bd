"""Entity atoms of the query language: ``@ES``, ``@INTERPOL``, ``@person:hammouchi``.

An analyst names a state by its CLDR code and gets every spelling the
classifier knows in Arabic, French and English (names, definite forms,
demonyms in all genders and numbers, compounds such as "hispano-marocain"),
and an organisation or an official by its id.  States and organisations are
read from the classifier's compiled vocabulary (:func:`pipelines.lexicon.lexicon`)
so both always agree; officials come from ``pipelines/data/officials.yaml``.
The spellings are the classifier's compiled phrases, found in one pass over
an article's distinct words (whatever the number of entities the
watchlists name), with the classifier's rules:
acronyms (UN, EU) match only capitals and not in a line written wholly in
capitals, and longer phrases that merely contain a name ("Latin America",
"Strait of Gibraltar") name nothing.
"""
from __future__ import annotations

from functools import lru_cache

from pipelines.lexicon import Lexicon, lexicon, load_yaml

__all__ = ["EntityKey", "EntityPhrase", "entity_codes", "entity_head_words", "entity_heads", "resolve"]

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


EntityPhrase = tuple[EntityKey | None, tuple[str, ...], bool]  # key (None: an ignore phrase), tokens, acronym


@lru_cache(maxsize=1)
def entity_heads() -> dict[str, tuple[EntityPhrase, ...]]:
    """Every entity spelling and ignore phrase, keyed by its first folded token.

    An article is matched against all of them in one pass over its distinct
    words, however many entities the watchlists name.
    """
    heads: dict[str, dict[EntityPhrase, None]] = {}
    for lex, kinds in ((lexicon(), _KINDS), (person_lexicon(), ("person",))):
        for phrase, entries in lex.phrases.items():
            for entry in entries:
                if entry.kind in kinds and not entry.ambiguous:
                    heads.setdefault(phrase[0], {})[((entry.kind, entry.value), phrase, entry.acronym)] = None
                elif entry.kind == "ignore":
                    heads.setdefault(phrase[0], {})[(None, phrase, False)] = None
    return {head: tuple(phrases) for head, phrases in heads.items()}


@lru_cache(maxsize=1024)
def entity_head_words(key: EntityKey) -> frozenset[str]:
    """The first words of an entity's spellings: an article without any of them cannot name it."""
    return frozenset(head for head, phrases in entity_heads().items() if any(p[0] == key for p in phrases))
