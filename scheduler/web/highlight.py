"""Mark the classifier's evidence in an article's text.

The reasons name each term as written in the vocabularies ("partner: ES
(إسبانيا)", "cooperation: مذكرة تفاهم"); the text may spell it with another
hamza, a clitic or an accent, so each term becomes a pattern tolerant of
those variants. The result is a list of (text, kind) pieces and the
template escapes every piece: nothing from the article is ever markup.
"""

from __future__ import annotations

import re

_KINDS = {"institution": "actor", "partner": "partner", "cooperation": "coop", "negative": "negative",
          "unnamed partners": "partner"}
_VARIANTS = {
    "ا": "[اأإآٱ]", "أ": "[اأإآ]", "إ": "[اأإآ]", "آ": "[اأإآ]", "ي": "[يى]", "ى": "[يى]", "ة": "[ةه]", "ه": "[ةه]",
    "e": "[eéèêë]", "é": "[eéèêë]", "è": "[eéèêë]", "a": "[aàâä]", "i": "[iîï]", "o": "[oôö]", "u": "[uùûü]",
    "c": "[cç]",
}
_TATWEEL = "\u0640?"
MIN_TERM = 3


def evidence_terms(reasons: list[str]) -> list[tuple[str, str]]:
    """(term, kind) for every reason that names a term in the text."""
    terms = []
    for reason in reasons:
        prefix, _, rest = reason.partition(": ")
        kind = _KINDS.get(prefix)
        if kind is None or not rest:
            continue
        match = re.search(r"\(([^()]+)\)\s*$", rest)
        term = match.group(1) if match else rest
        if len(term.strip()) >= MIN_TERM:
            terms.append((term.strip(), kind))
    return terms


def _pattern(term: str) -> str:
    parts = []
    for char in term.casefold():
        if char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(_VARIANTS.get(char, re.escape(char)) + _TATWEEL)
    return "".join(parts)


def highlight(text: str, reasons: list[str]) -> list[tuple[str, str | None]]:
    """The text cut into pieces, evidence pieces tagged with their kind (longest terms win)."""
    terms = sorted(evidence_terms(reasons), key=lambda item: -len(item[0]))
    if not terms or not text:
        return [(text, None)]
    kinds = {}
    alternatives = []
    for index, (term, kind) in enumerate(terms):
        alternatives.append(f"(?P<t{index}>{_pattern(term)})")
        kinds[f"t{index}"] = kind
    regex = re.compile("|".join(alternatives), re.IGNORECASE)
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in regex.finditer(text):
        if match.start() > position:
            pieces.append((text[position:match.start()], None))
        pieces.append((match.group(0), kinds[match.lastgroup or ""]))
        position = match.end()
    if position < len(text):
        pieces.append((text[position:], None))
    return pieces
