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
from pipelines.query_entities import EntityKey, entity_head_words, entity_heads, resolve
from pipelines.query_syntax import FIELDS, And, Entity, Near, Node, Not, Or, Phrase, QuerySyntaxError, Scoped, Word, parse

__all__ = ["ArticleDoc", "CompiledQuery", "QueryBank", "compile_query", "QuerySyntaxError"]

_TITLE, _TEXT = 0, 1
_ALL_FIELDS = (_TITLE, _TEXT)
_FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}
MAX_TERMS = 12  # matched terms reported per alert


# A word as written: letters and digits with the marks, tatweel and invisible
# joiners that normalisation drops, so an alert quotes the article's own
# spelling (سبتة, not the folded سبته).
_RAW_WORD_RE = re.compile(r"[\w\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u00ad\u200b-\u200f]+")


@lru_cache(maxsize=131072)  # the vocabulary of news is small and repeats: fold each word once
def _word(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A word as written -> its normalised tokens with case kept, and folded (usually one of each)."""
    cased = tuple(tokens(normalize_text(raw, keep_case=True)))
    return cased, tuple(normalize_text(t) for t in cased)


def _is_arabic(word: str) -> bool:
    return "\u0621" <= word[:1] <= "\u064a"


class _Field:
    """One field's tokens, indexed by every reading of each (the token, and without Arabic proclitics)."""

    def __init__(self, text: str) -> None:
        self.folded: list[str] = []
        self.line_starts: list[int] = []
        self._raw: list[str] = []  # the words as written, for their case and for quoting them
        add = self.folded.append
        for line in text.splitlines():
            begin = len(self.folded)
            words = _RAW_WORD_RE.findall(line)
            self._raw += words
            for raw in words:
                folded = _word(raw)[1]
                if len(folded) == 1:  # the usual case, kept cheap: this loop runs for every word of every article
                    add(folded[0])
                else:
                    self.folded.extend(folded)
            if len(self.folded) > begin:
                self.line_starts.append(begin)
        positions: dict[str, list[int]] = {}
        for i, token in enumerate(self.folded):
            where = positions.get(token)
            if where is None:
                positions[token] = [i]
            else:
                where.append(i)
        # Proclitics are Arabic letters, so a Latin token's only reading is itself.
        self.readings: dict[str, list[int]] = {}
        for token, where in positions.items():
            for variant in clitic_variants(token) if _is_arabic(token) else (token,):
                known = self.readings.get(variant)
                self.readings[variant] = where if known is None else sorted(known + where)
        self._sorted: list[str] | None = None
        self._entities: dict[EntityKey, list[tuple[int, int]]] | None = None
        self._cased: list[str] | None = None
        self._shown: list[str] | None = None
        self._shouted: dict[int, bool] = {}

    def starts(self, word: str, prefix: bool) -> list[int]:
        """Positions of the tokens that are ``word`` (or begin with it) once Arabic proclitics are set aside."""
        if not prefix:
            return self.readings.get(word, [])
        if self._sorted is None:
            self._sorted = sorted(self.readings)
        keys, out = self._sorted, set()
        for k in range(bisect_left(keys, word), len(keys)):
            if not keys[k].startswith(word):
                break
            out.update(self.readings[keys[k]])
        return sorted(out)

    def entity_spans(self, key: EntityKey) -> list[tuple[int, int]]:
        if self._entities is None:
            self._entities = self._find_entities()
        return self._entities.get(key, [])

    def _find_entities(self) -> dict[EntityKey, list[tuple[int, int]]]:
        """Every entity named in the field, found from the words it shares with the vocabulary's first words.

        As in the classifier's scan, proclitics are set aside on a phrase's
        first word only; acronyms need capitals outside a shouted line; a
        longer ignore phrase around a name ("Strait of Gibraltar") cancels it.
        """
        heads, folded, n = entity_heads(), self.folded, len(self.folded)
        found: dict[EntityKey, set[tuple[int, int]]] = {}
        ignored: list[tuple[int, int]] = []
        for head in self.readings.keys() & heads.keys():
            for key, phrase, acronym in heads[head]:
                size = len(phrase)
                for i in self.readings[head]:
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
            end = self.line_starts[line + 1] if line + 1 < len(self.line_starts) else len(self.folded)
            words = [t for t in self.cased[start:end] if t.isalpha() and len(t) > 1 and t.lower() != t.upper()]
            self._shouted[line] = len(words) >= 4 and sum(t.isupper() for t in words) >= 0.8 * len(words)
        return self._shouted[line]

    @property
    def cased(self) -> list[str]:
        """Normalised tokens with their case: acronyms (UN) are told from words (un) by it."""
        return self._casing()[0]

    def words(self, start: int, end: int) -> str:
        """The words at [start, end) as the article writes them (سبتة, not the folded سبته)."""
        return " ".join(self._casing()[1][start:end])

    def _casing(self) -> tuple[list[str], list[str]]:
        """Cased and as-written tokens, built only for the articles that need them."""
        if self._cased is None or self._shown is None:
            self._cased, self._shown = [], []
            for raw in self._raw:
                cased = _word(raw)[0]
                self._cased += cased
                self._shown += (raw,) if len(cased) == 1 else cased
        return self._cased, self._shown


class ArticleDoc:
    """An article indexed for matching; build it once and match every watchlist against it."""

    def __init__(self, title: str | None, text: str | None) -> None:
        self.fields = (_Field(title or ""), _Field(text or ""))
        self.keys = self.fields[0].readings.keys() | self.fields[1].readings.keys()


# A place where something is named: (field, start, end, parts); parts are
# (label, field, start, end) and become text only for the alert of a match.
_Part = tuple[str | None, int, int, int]
_Span = tuple[int, int, int, tuple[_Part, ...]]


# -- positional atoms: where in the article something is named ----------------

class _Terms:
    def __init__(self, words: tuple[tuple[str, bool], ...], fields: tuple[int, ...]) -> None:
        self.words, self.fields = words, fields
        self.single = len(words) == 1

    def present(self, doc: ArticleDoc) -> bool:
        if self.single:
            word, prefix = self.words[0]
            return any(doc.fields[f].starts(word, prefix) for f in self.fields)
        return bool(self.spans(doc))

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

    def present(self, doc: ArticleDoc) -> bool:
        return any(doc.fields[f].entity_spans(self.key) for f in self.fields)

    def spans(self, doc: ArticleDoc) -> list[_Span]:
        return [(f, s, e, ((self.label, f, s, e),)) for f in self.fields for s, e in doc.fields[f].entity_spans(self.key)]


class _AnyOf:
    def __init__(self, children: list[_Positional]) -> None:
        self.children = children

    def present(self, doc: ArticleDoc) -> bool:
        return any(child.present(doc) for child in self.children)

    def spans(self, doc: ArticleDoc) -> list[_Span]:
        return [span for child in self.children for span in child.spans(doc)]


class _Near:
    """Both sides in one field with at most ``distance`` words between them, in either order."""

    def __init__(self, left: _Positional, right: _Positional, distance: int) -> None:
        self.left, self.right, self.distance = left, right, distance

    def present(self, doc: ArticleDoc) -> bool:
        return self.left.present(doc) and self.right.present(doc) and bool(self.spans(doc))

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
        # Most atoms are absent from most articles: look them up before building spans.
        if not self.atom.present(doc):
            return False
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
        self.clauses = _clauses(tree)

    def match(self, doc: ArticleDoc) -> list[str] | None:
        """The matched terms as written in the article (deduplicated, at most MAX_TERMS), or None."""
        if self.clauses:
            keys = doc.keys
            if any(clause.isdisjoint(keys) for clause in self.clauses):
                return None  # a word the query cannot do without is absent: most articles stop here
        return self.match_tree(doc)

    def match_tree(self, doc: ArticleDoc) -> list[str] | None:
        """:meth:`match` without the pre-check on necessary words (for callers that made it)."""
        parts: list[_Part] = []
        if not self._root.test(doc, parts):
            return None
        terms = [
            doc.fields[f].words(s, e) if label is None else f"{label} ({doc.fields[f].words(s, e)})"
            for label, f, s, e in dict.fromkeys(parts)
        ]
        return list(dict.fromkeys(terms))[:MAX_TERMS]


class QueryBank:
    """Many compiled queries matched against one article at once.

    Each query's necessary words (:func:`_clauses`) go into one inverted
    index, so an article costs one lookup per distinct word it contains,
    whatever the number of queries; only the queries whose every clause
    found a word walk their tree.
    """

    def __init__(self, queries: dict[str, CompiledQuery]) -> None:
        self.queries = queries
        self._needs = {name: len(query.clauses) for name, query in queries.items()}
        self._always = [name for name, count in self._needs.items() if count == 0]
        self._index: dict[str, list[tuple[str, int]]] = {}
        for name, query in queries.items():
            for number, clause in enumerate(query.clauses):
                for word in clause:
                    self._index.setdefault(word, []).append((name, number))

    def match(self, doc: ArticleDoc) -> dict[str, list[str]]:
        """Name -> matched terms of every query that matches, in the bank's order."""
        found: dict[str, set[int]] = {}
        index = self._index
        for key in doc.keys & index.keys():
            for name, number in index[key]:
                found.setdefault(name, set()).add(number)
        candidates = {name for name, clauses in found.items() if len(clauses) == self._needs[name]}
        candidates.update(self._always)
        out: dict[str, list[str]] = {}
        for name, query in self.queries.items():
            if name in candidates:
                terms = query.match_tree(doc)
                if terms is not None:
                    out[name] = terms
        return out


def compile_query(source: str) -> CompiledQuery:
    """Parse and resolve ``source``; raises :class:`QuerySyntaxError` naming position and expectation."""
    tree = parse(source)
    if not _can_match_positively(tree):
        raise QuerySyntaxError(1, "expected at least one word, phrase or entity outside NOT "
                                  "(a query that only excludes would match nearly every article)")
    return CompiledQuery(source, tree, _boolean(tree, _ALL_FIELDS))


def _clauses(node: Node) -> list[frozenset[str]]:
    """Necessary words: the query can only match an article holding one word of each set.

    A cheap pre-check (set operations in C) before the tree is walked; it
    may let through an article that then fails, never the other way round.
    Prefixes and negations require nothing; field scopes are ignored.
    """
    if isinstance(node, (Word, Phrase)):
        first = node if isinstance(node, Word) else node.words[0]
        if first.prefix:
            return []
        parts = tokens(normalize_text(first.text))
        return [frozenset(parts[:1])] if parts else []
    if isinstance(node, Entity):
        key = resolve(node.kind, node.name)
        return [entity_head_words(key)] if key else []
    if isinstance(node, Scoped):
        return _clauses(node.child)
    if isinstance(node, Near):
        return _clauses(node.left) + _clauses(node.right)
    if isinstance(node, And):
        return [clause for child in node.children for clause in _clauses(child)]
    if isinstance(node, Or):
        union: set[str] = set()
        for child in node.children:
            clauses = _clauses(child)
            if not clauses:
                return []
            union |= min(clauses, key=len)
        return [frozenset(union)]
    return []


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
