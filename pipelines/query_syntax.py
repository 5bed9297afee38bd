"""The watchlist query language: tokenizer and parser, query text -> syntax tree.

Analysts write the boolean/proximity queries their commercial tools taught
them (Meltwater, Talkwalker), so the grammar follows those conventions::

    query   := or
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          juxtaposition is AND
    unary   := "NOT" unary | near
    near    := scoped ("NEAR/" n scoped)*
    scoped  := [field ":"] primary              field: title | text
    primary := "(" or ")" | '"' words '"' | word | word* | @CODE | @person:ID

Operators are upper case, so the French "or" and "et" stay words.  Every
mistake is a :class:`QuerySyntaxError` carrying the 1-based character
position and what was expected there, which the configuration loader turns
into ``config.yaml:LINE: watchlists[2].query: position N: expected ...``.
This module knows nothing about normalisation or entities; the compiler in
:mod:`pipelines.query_match` gives the tree its meaning.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

__all__ = [
    "FIELDS", "QuerySyntaxError", "Word", "Phrase", "Entity", "Scoped", "Near", "And", "Or", "Not", "Node", "parse",
]

FIELDS = ("title", "text")
OPEN_QUOTES = {'"': '"', "\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c"}
_CLOSE_QUOTES = set(OPEN_QUOTES.values()) | {'"'}
_SPECIAL = set("()") | set(OPEN_QUOTES) | _CLOSE_QUOTES
_NEAR_RE = re.compile(r"NEAR/(\d*)")
_FIELD_RE = re.compile(r"([a-z]+):")  # a lower-case ASCII name and a colon: a field scope
_ENTITY_RE = re.compile(r"@(person:)?([^\s()\"\u201c\u201d\u00ab\u00bb\u201e]*)")


class QuerySyntaxError(ValueError):
    """A malformed query: ``position`` is 1-based, ``message`` starts with what was expected."""

    def __init__(self, position: int, message: str) -> None:
        super().__init__(f"position {position}: {message}")
        self.position = position
        self.message = message


@dataclass(frozen=True)
class Word:
    text: str  # as written, a trailing * removed
    prefix: bool
    pos: int


@dataclass(frozen=True)
class Phrase:
    words: tuple[Word, ...]
    pos: int


@dataclass(frozen=True)
class Entity:
    kind: str  # "code" (a state or organisation) or "person"
    name: str
    pos: int


@dataclass(frozen=True)
class Scoped:
    field: str
    child: Node
    pos: int


@dataclass(frozen=True)
class Near:
    left: Node
    right: Node
    distance: int
    pos: int


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]
    pos: int


@dataclass(frozen=True)
class Not:
    child: Node
    pos: int


Node = Union[Word, Phrase, Entity, Scoped, Near, And, Or, Not]


@dataclass(frozen=True)
class _Token:
    kind: str  # word, phrase, entity, field, and, or, not, near, lparen, rparen, end
    text: str
    pos: int  # 1-based
    value: object = None


def _tokenize(query: str) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
            continue
        pos = i + 1
        if ch == "(":
            out.append(_Token("lparen", ch, pos))
            i += 1
        elif ch == ")":
            out.append(_Token("rparen", ch, pos))
            i += 1
        elif ch in OPEN_QUOTES:
            close = query.find(OPEN_QUOTES[ch], i + 1)
            if close < 0 and OPEN_QUOTES[ch] != '"':
                close = query.find('"', i + 1)
            if close < 0:
                raise QuerySyntaxError(pos, "expected a closing quote for the phrase opened here")
            out.append(_Token("phrase", query[i + 1 : close], pos))
            i = close + 1
        elif ch in _CLOSE_QUOTES:
            raise QuerySyntaxError(pos, "expected an opening quote before this closing one")
        elif ch == "@":
            match = _ENTITY_RE.match(query, i)
            assert match is not None
            if not match.group(2):
                what = "an official's id after @person:" if match.group(1) else "a state or organisation code after @"
                raise QuerySyntaxError(pos, f"expected {what}")
            out.append(_Token("entity", match.group(0), pos, ("person" if match.group(1) else "code", match.group(2))))
            i = match.end()
        elif field := _FIELD_RE.match(query, i):
            name = field.group(1)
            if name not in FIELDS:
                raise QuerySyntaxError(pos, f"expected a field {' or '.join(f + ':' for f in FIELDS)}, not {name}:")
            out.append(_Token("field", field.group(0), pos, name))
            i = field.end()
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in _SPECIAL:
                j += 1
            text = query[i:j]
            near = _NEAR_RE.fullmatch(text)
            if text in ("AND", "OR", "NOT"):
                out.append(_Token(text.lower(), text, pos))
            elif near:
                if not near.group(1) or int(near.group(1)) < 1:
                    raise QuerySyntaxError(pos + 5, "expected a distance of 1 or more words after NEAR/ (NEAR/5)")
                out.append(_Token("near", text, pos, int(near.group(1))))
            else:
                out.append(_Token("word", text, pos))
            i = j
    out.append(_Token("end", "", n + 1))
    return out


def _word(text: str, pos: int) -> Word:
    stars = len(text) - len(text.rstrip("*"))
    if stars > 1 or "*" in text.rstrip("*"):
        raise QuerySyntaxError(pos + text.index("*"), "expected * only once, at the end of a word (secur*)")
    return Word(text.rstrip("*"), bool(stars), pos)


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _tokenize(query)
        self.i = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise QuerySyntaxError(1, "expected a query, not an empty string")
        node = self.or_()
        if self.tok.kind == "rparen":
            raise QuerySyntaxError(self.tok.pos, "expected an operator or the end of the query, not an unmatched ')'")
        if self.tok.kind != "end":
            raise QuerySyntaxError(self.tok.pos, f"expected an operator or the end of the query, not {self.tok.text!r}")
        return node

    def or_(self) -> Node:
        first = self.tok.pos
        children = [self.and_()]
        while self.tok.kind == "or":
            self.take()
            children.append(self.and_())
        return children[0] if len(children) == 1 else Or(tuple(children), first)

    def and_(self) -> Node:
        first = self.tok.pos
        children = [self.unary()]
        while self.tok.kind in ("and", "not", "word", "phrase", "entity", "field", "lparen"):
            if self.tok.kind == "and":
                self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children), first)

    def unary(self) -> Node:
        if self.tok.kind == "not":
            pos = self.take().pos
            return Not(self.unary(), pos)
        return self.near()

    def near(self) -> Node:
        node = self.scoped()
        while self.tok.kind == "near":
            token = self.take()
            node = Near(node, self.scoped(), int(token.value), token.pos)  # type: ignore[arg-type]
        return node

    def scoped(self) -> Node:
        if self.tok.kind == "field":
            token = self.take()
            if self.tok.kind in ("field", "end", "rparen", "and", "or", "near", "not"):
                raise QuerySyntaxError(self.tok.pos, f"expected a word, phrase or '(' after {token.text}")
            return Scoped(str(token.value), self.primary(), token.pos)
        return self.primary()

    def primary(self) -> Node:
        token = self.tok
        if token.kind == "lparen":
            self.take()
            if self.tok.kind == "rparen":
                raise QuerySyntaxError(self.tok.pos, "expected a query inside the parentheses")
            node = self.or_()
            if self.tok.kind != "rparen":
                raise QuerySyntaxError(self.tok.pos, f"expected ')' to close the '(' at position {token.pos}")
            self.take()
            return node
        if token.kind == "word":
            self.take()
            return _word(token.text, token.pos)
        if token.kind == "phrase":
            self.take()
            words, offset = [], token.pos + 1
            for match in re.finditer(r"\S+", token.text):
                words.append(_word(match.group(0), offset + match.start()))
            if not words:
                raise QuerySyntaxError(token.pos, "expected words inside the quotes")
            return Phrase(tuple(words), token.pos)
        if token.kind == "entity":
            self.take()
            kind, name = token.value  # type: ignore[misc]
            return Entity(kind, name, token.pos)
        where = "the end of the query" if token.kind == "end" else repr(token.text)
        raise QuerySyntaxError(token.pos, f"expected a word, a \"phrase\", an @entity or '(', not {where}")


def parse(query: str) -> Node:
    """Parse a query into its syntax tree; raises :class:`QuerySyntaxError`."""
    return _Parser(query).parse()
