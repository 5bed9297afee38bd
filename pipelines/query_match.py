"""Compile a watchlist query once, then match it against each stored article.

Matching runs on normalised tokens (:mod:`pipelines.normalize`), so hamza,
alef and ta marbuta spellings, tashkeel, French accents and case never
matter, and a word also matches with the Arabic proclitics و ف ب ك ل ال in
front of it: ``أمن`` finds بالأمن and ``إسبانيا`` finds وإسبانيا.  Each
article is indexed once (:class:`ArticleDoc`) and every watchlist's compiled
tree only looks words up in that index, so a hundred watchlists cost little
more than one.  A match returns the terms that made it, as written in the
article, for the alert message.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from pipelines.normalize import clitic_variants, normalize_text, tokens
from pipelines.query_entities import EntityKey, entity_heads, resolve
from pipelines.query_syntax import FIELDS, And, Entity, Near, Node, Not, Or, Phrase, QuerySyntaxError, Scoped, Word, parse

__all__ = ["ArticleDoc", "CompiledQuery", "compile_query", "QuerySyntaxError"]

_TITLE, _TEXT = 0, 1
_ALL_FIELDS = (_TITLE, _TEXT)
_FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}
MAX_TERMS = 12  # matched terms reported per alert


# A word as written: letters and digits with the marks, tatweel and invisible
# joiners that normalisation drops, so an alert quotes the article's own
# spelling (سبتة, not the folded سبته).
_RAW_WORD_RE = re.compile(r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u00ad\u200b-\u200f]+")


@lru_cache(maxsize=131072)  # the vocabulary of news is small and repeats
def _cased_parts(raw: str) -> tuple[str, ...]:
    return tuple(tokens(normalize_text(raw, keep_case=True)))


@lru_cache(maxsize=131072)
def _fold(token: str) -> str:
    return normalize_text(token)


def _is_arabic(word: str) -> bool:
    return "\u0621" <= word[:1] <= "\u064a"


class _Field:
    """One field's tokens, with a lookup from every proclitic reading to its positions."""

    def __init__(self, text: str) -> None:
        self.cased: list[str] = []  # normalised, case kept: acronyms (UN) are told from words (un) by it
        self.shown: list[str] = []  # as written in the article
        self.line_starts: list[int] = []
        for line in text.splitlines():
            begin = len(self.cased)
            for raw in _RAW_WORD_RE.findall(line):
                parts = _cased_parts(raw)
                self.cased.extend(parts)
                self.shown.extend((raw,) if len(parts) == 1 else parts)
            if len(self.cased) > begin:
                self.line_starts.append(begin)
        self.folded = [_fold(t) for t in self.cased]
        self.positions: dict[str, list[int]] = {}
        for i, token in enumerate(self.folded):
            self.positions.setdefault(token, []).append(i)
        self._variants: dict[str, list[int]] | None = None
        self._keys: dict[bool, list[str]] = {}  # sorted index keys, for prefixes (Arabic readings or not)
        self._entities: dict[EntityKey, list[tuple[int, int]]] | None = None
        self._shouted: dict[int, bool] = {}

    def starts(self, word: str, prefix: bool) -> list[int]:
        """Positions of the tokens that are ``word`` (or begin with it) once Arabic proclitics are set aside.

        Proclitics are Arabic letters, so a Latin word is looked up as it is;
        an Arabic one in an index of every proclitic reading, built on the
        first Arabic lookup.
        """
        arabic = _is_arabic(word)
        index = self._readings() if arabic else self.positions
        if not prefix:
            return index.get(word, [])
        keys = self._keys.get(arabic)
        if keys is None:
            keys = self._keys[arabic] = sorted(index)
        out: set[int] = set()
        for k in range(bisect_left(keys, word), len(keys)):
            if not keys[k].startswith(word):
                break
            out.update(index[keys[k]])
        return sorted(out)

    def _readings(self) -> dict[str, list[int]]:
        if self._variants is None:
            self._variants = {}
            for token, where in self.positions.items():
                for variant in clitic_variants(token):
                    self._variants.setdefault(variant, []).extend(where)
            for where in self._variants.values():
                where.sort()
        return self._variants

    def entity_spans(self, key: EntityKey) -> list[tuple[int, int]]:
        if self._entities is None:
            self._entities = self._find_entities()
        return self._entities.get(key, [])

    def _find_entities(self) -> dict[EntityKey, list[tuple[int, int]]]:
        """Every entity named in the field: one pass over its distinct words, like the classifier's scan.

        Proclitics are set aside on a phrase's first word only; acronyms need
        capitals outside a shouted line; a longer ignore phrase around a name
        ("Strait of Gibraltar") cancels it.
        """
        heads, folded, n = entity_heads(), self.folded, len(self.folded)
        found: dict[EntityKey, set[tuple[int, int]]] = {}
        ignored: list[tuple[int, int]] = []
        for token, where in self.positions.items():
            for variant in clitic_variants(token):
                for key, phrase, acronym in heads.get(variant, ()):
                    size = len(phrase)
                    for i in where:
                        if i + size > n or any(folded[i + k] != phrase[k] for k in range(1, size)):
                            continue
                        if key is None:
                            ignored.append((i, i + size))
                        elif not acronym or (all(t.isupper() for t in self.cased[i : i + size])
                                             and not self._line_shouted(i)):
                            found.setdefault(key, set()).add((i, i + size))
        return {
            key: sorted(s for s in spans if not any(a <= s[0] and s[1] <= b and b - a > s[1] - s[0] for a, b in ignored))
            for key, spans in found.items()
        }

    def _line_shouted(self, position: int) -> bool:
        """Whether the line holding ``position`` is written in capitals (no acronyms in a shouted headline)."""
        line = bisect_right(self.line_starts, position) - 1
        if line not in self._shouted:
            start = self.line_starts[line]
            end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.cased)
            words = [t for t in self.cased[start:end] if t.isalpha() and len(t) > 1 and t.lower() != t.upper()]
            self._shouted[line] = len(words) >= 4 and sum(t.isupper() for t in words) >= 0.8 * len(words)
        return self._shouted[line]

    def words(self, start: int, end: int) -> str:
        return " ".join(self.shown[start:end])


class ArticleDoc:
    """An article indexed for matching; build it once and match every watchlist against it."""

    def __init__(self, title: str | None, text: str | None) -> None:
        self.fields = (_Field(title or ""), _Field(text or ""))


# A place where something is named: (field, start, end, parts); parts are
# (label, field, start, end) and become text only for the alert of a match.
_Part = tuple[str | None, int, int, int]
_Span = tuple[int, int, int, tuple[_Part, ...]]


# -- positional atoms: where in the article something is named ----------------

class _Terms:
    def __init__(self, words: tuple[tuple[str, bool], ...], fields: tuple[int, ...]) -> None:
        self.words, self.fields = words, fields

    def spans(self, doc: ArticleDoc) -> list[_Span]:
        out: list[_Span] = []
        first, first_prefix = self.words[0]
        rest = self.words[1:]
        for f in self.fields:
            field = doc.fields[f]
            for start in field.starts(first, first_prefix):
                end = start + len(self.words)
                if not rest or (end <= len(field.folded) and all(
                    _token_matches(field.folded[start + k], word, prefix) for k, (word, prefix) in enumerate(rest, 1)
                )):
                    out.append((f, start, end, ((None, f, start, end),)))
        return out


def _token_matches(token: str, word: str, prefix: bool) -> bool:
    variants = clitic_variants(token)
    return any(v.startswith(word) for v in variants) if prefix else word in variants


class _Entity:
    def __init__(self, key: EntityKey, label: str, fields: tuple[int, ...]) -> None:
        self.key, self.label, self.fields = key, label, fields

    def spans(self, doc: ArticleDoc) -> list[_Span]:
        return [(f, s, e, ((self.label, f, s, e),)) for f in self.fields for s, e in doc.fields[f].entity_spans(self.key)]


class _AnyOf:
    def __init__(self, children: list[_Positional]) -> None:
        self.children = children

    def spans(self, doc: ArticleDoc) -> list[_Span]:
        return [span for child in self.children for span in child.spans(doc)]


class _Near:
    """Both sides in one field with at most ``distance`` words between them, in either order."""

    def __init__(self, left: _Positional, right: _Positional, distance: int) -> None:
        self.left, self.right, self.distance = left, right, distance

    def spans(self, doc: ArticleDoc) -> list[_Span]:
        lefts = self.left.spans(doc)
        if not lefts:
            return []
        out: list[_Span] = []
        for bf, bs, be, bparts in self.right.spans(doc):
            for af, as_, ae, aparts in lefts:
                if af == bf and (ae <= bs or be <= as_) and max(bs - ae, as_ - be) <= self.distance:
                    out.append((af, min(as_, bs), max(ae, be), aparts + bparts))
        return out


_Positional = _Terms | _Entity | _AnyOf | _Near


# -- boolean nodes ------------------------------------------------------------

class _Has:
    def __init__(self, atom: _Positional) -> None:
        self.atom = atom

    def test(self, doc: ArticleDoc, terms: list[_Part]) -> bool:
        spans = self.atom.spans(doc)
        for span in spans[:MAX_TERMS]:
            terms.extend(span[3])
        return bool(spans)


class _All:
    def __init__(self, children: list[_Boolean]) -> None:
        self.children = children

    def test(self, doc: ArticleDoc, terms: list[_Part]) -> bool:
        return all(child.test(doc, terms) for child in self.children)


class _Any:
    def __init__(self, children: list[_Boolean]) -> None:
        self.children = children

    def test(self, doc: ArticleDoc, terms: list[_Part]) -> bool:
        # every branch runs so the alert lists all the terms found
        return any([child.test(doc, terms) for child in self.children])


class _None:
    def __init__(self, child: _Boolean) -> None:
        self.child = child

    def test(self, doc: ArticleDoc, terms: list[_Part]) -> bool:
        return not self.child.test(doc, [])


_Boolean = _Has | _All | _Any | _None


# -- compilation ----------------------------------------------------------------

class CompiledQuery:
    """A parsed and resolved query; :meth:`match` is all a crawl calls per article."""

    def __init__(self, source: str, tree: Node, root: _Boolean) -> None:
        self.source, self.tree, self._root = source, tree, root

    def match(self, doc: ArticleDoc) -> list[str] | None:
        """The matched terms as written in the article (deduplicated, at most MAX_TERMS), or None."""
        parts: list[_Part] = []
        if not self._root.test(doc, parts):
            return None
        terms = [
            doc.fields[f].words(s, e) if label is None else f"{label} ({doc.fields[f].words(s, e)})"
            for label, f, s, e in dict.fromkeys(parts)
        ]
        return list(dict.fromkeys(terms))[:MAX_TERMS]


def compile_query(source: str) -> CompiledQuery:
    """Parse and resolve ``source``; raises :class:`QuerySyntaxError` naming position and expectation."""
    tree = parse(source)
    if not _can_match_positively(tree):
        raise QuerySyntaxError(1, "expected at least one word, phrase or entity outside NOT "
                                  "(a query that only excludes would match nearly every article)")
    return CompiledQuery(source, tree, _boolean(tree, _ALL_FIELDS))


def _can_match_positively(node: Node) -> bool:
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_can_match_positively(c) for c in node.children)
    if isinstance(node, Or):
        return all(_can_match_positively(c) for c in node.children)
    if isinstance(node, Scoped):
        return _can_match_positively(node.child)
    return True


def _boolean(node: Node, fields: tuple[int, ...]) -> _Boolean:
    if isinstance(node, And):
        return _All([_boolean(c, fields) for c in node.children])
    if isinstance(node, Or):
        if all(_is_positional(c) for c in node.children):
            return _Has(_positional(node, fields))
        return _Any([_boolean(c, fields) for c in node.children])
    if isinstance(node, Not):
        return _None(_boolean(node.child, fields))
    if isinstance(node, Scoped):
        return _boolean(node.child, (_FIELD_INDEX[node.field],))
    return _Has(_positional(node, fields))


def _is_positional(node: Node) -> bool:
    if isinstance(node, (Word, Phrase, Entity, Near)):
        return True
    if isinstance(node, Or):
        return all(_is_positional(c) for c in node.children)
    if isinstance(node, Scoped):
        return _is_positional(node.child)
    return False


def _positional(node: Node, fields: tuple[int, ...]) -> _Positional:
    if isinstance(node, Word):
        return _Terms(_normalised_words([node]), fields)
    if isinstance(node, Phrase):
        return _Terms(_normalised_words(list(node.words)), fields)
    if isinstance(node, Entity):
        key = resolve(node.kind, node.name)
        if key is None:
            if node.kind == "person":
                raise QuerySyntaxError(node.pos, f"expected an official's id from pipelines/data/officials.yaml, "
                                                 f"not @person:{node.name}")
            raise QuerySyntaxError(node.pos, f"expected a state code (@ES) or an organisation (@INTERPOL), "
                                             f"not @{node.name}")
        label = f"@person:{key[1]}" if key[0] == "person" else f"@{key[1]}"
        return _Entity(key, label, fields)
    if isinstance(node, Scoped):
        return _positional(node.child, (_FIELD_INDEX[node.field],))
    if isinstance(node, Or):
        return _AnyOf([_positional(c, fields) for c in node.children])
    if isinstance(node, Near):
        for side in (node.left, node.right):
            if not _is_positional(side):
                raise QuerySyntaxError(node.pos, f"expected a word, phrase, entity or OR-group on each side of "
                                                 f"NEAR/{node.distance}, not AND or NOT")
        return _Near(_positional(node.left, fields), _positional(node.right, fields), node.distance)
    raise QuerySyntaxError(getattr(node, "pos", 1), "expected a word, phrase or entity")


def _normalised_words(words: list[Word]) -> tuple[tuple[str, bool], ...]:
    out: list[tuple[str, bool]] = []
    for word in words:
        parts = tokens(normalize_text(word.text))
        if not parts:
            raise QuerySyntaxError(word.pos, f"expected letters or digits in {word.text!r}")
        if word.prefix and len(parts[-1]) < 2:
            raise QuerySyntaxError(word.pos, "expected at least two letters before * (secu*)")
        out.extend((part, False) for part in parts[:-1])
        out.append((parts[-1], word.prefix))
    return tuple(out)
