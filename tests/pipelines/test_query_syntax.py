"""The watchlist query grammar: precedence, operators, and one-line errors with positions."""
from __future__ import annotations

import pytest

from pipelines.query_syntax import Entity, Near, Not, Phrase, QuerySyntaxError, Scoped, Word, parse


def shape(node):
    """A compact, position-free picture of the tree."""
    if isinstance(node, Word):
        return node.text + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return '"' + " ".join(shape(w) for w in node.words) + '"'
    if isinstance(node, Entity):
        return f"@{node.name}" if node.kind == "code" else f"@person:{node.name}"
    if isinstance(node, Scoped):
        child = shape(node.child)
        return f"{node.field}:{child}" if isinstance(child, str) else (f"{node.field}:", child)
    if isinstance(node, Near):
        return (f"NEAR{node.distance}", shape(node.left), shape(node.right))
    if isinstance(node, Not):
        return ("NOT", shape(node.child))
    return (type(node).__name__.upper(), *[shape(c) for c in node.children])


@pytest.mark.parametrize("query, expected", [
    ("a OR b AND c", ("OR", "a", ("AND", "b", "c"))),
    ("a b", ("AND", "a", "b")),
    ("(a OR b) c", ("AND", ("OR", "a", "b"), "c")),
    ("a AND NOT b", ("AND", "a", ("NOT", "b"))),
    ("a NOT b", ("AND", "a", ("NOT", "b"))),
    ("NOT NOT a", ("NOT", ("NOT", "a"))),
    ("a NEAR/5 b OR c", ("OR", ("NEAR5", "a", "b"), "c")),
    ("a NEAR/2 b NEAR/3 c", ("NEAR3", ("NEAR2", "a", "b"), "c")),
    ('"guardia civil" sport*', ("AND", '"guardia civil"', "sport*")),
    ("«garde civile» “Guardia Civil”", ("AND", '"garde civile"', '"Guardia Civil"')),
    ("title:(a OR b)", ("title:", ("OR", "a", "b"))),
    ("title:سبتة text:\"باب سبتة\"", ("AND", "title:سبتة", 'text:"باب سبتة"')),
    ("@ES @person:hammouchi", ("AND", "@ES", "@person:hammouchi")),
    ("Ceuta or et and", ("AND", "Ceuta", "or", "et", "and")),  # operators are upper case only
])
def test_precedence_and_operators(query: str, expected: object) -> None:
    assert shape(parse(query)) == expected


@pytest.mark.parametrize("query, position, expected", [
    ("", 1, "expected a query"),
    ("(Ceuta OR Sebta", 16, "expected ')' to close the '(' at position 1"),
    ("Ceuta)", 6, "expected an operator or the end of the query"),
    ("Ceuta AND", 10, "expected a word"),
    ("Ceuta OR OR Sebta", 10, "expected a word"),
    ('"Guardia Civil', 1, "expected a closing quote"),
    ("a NEAR/ b", 8, "expected a distance of 1 or more words"),
    ("a NEAR/0 b", 8, "expected a distance"),
    ("@ b", 1, "expected a state or organisation code after @"),
    ("@person: b", 1, "expected an official's id"),
    ("source:hespress", 1, "expected a field title: or text:, not source:"),
    ("title: OR a", 8, "expected a word, phrase or '(' after title:"),
    ("se*cu*", 3, "expected * only once"),
    ("()", 2, "expected a query inside the parentheses"),
])
def test_errors_name_position_and_expectation(query: str, position: int, expected: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse(query)
    assert info.value.position == position
    assert str(info.value).startswith(f"position {position}: {expected}")
