"""Page furniture removal and sentence segmentation for the classifier.

Evidence is combined per sentence, so a sentence is the classifier's unit of
context. Real pages rarely cooperate: Arabic bodies use few full stops, and
a scraped page can be one 300 KB line. Every unit is therefore bounded
(``Tuning.max_unit_tokens``): a longer sentence is cut at its clause
punctuation, then into fixed windows, so that the work per unit is bounded
and classification time grows linearly with the text.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from pipelines.lexicon import load_yaml
from pipelines.normalize import normalize_text, tokens
from pipelines.tuning import TUNING

__all__ = ["Piece", "content", "pieces"]

# A full stop after a lone capital is an abbreviation ("U.S. officials"), not an end.
_SENTENCE_RE = re.compile(r"(?<=[.!?؟;])(?<![ .][A-Z]\.)\s+|\n+")
# Clause punctuation by language: Arabic writes its own comma and semicolon.
# Without a language both sets apply (a French page quoting Arabic names).
_CLAUSES = {"ar": "،؛,;", "fr": ",;:", "en": ",;:"}
_ALL_CLAUSES = "،؛,;:"
# "- 13:43 headline", "16:30Cryptocurrency market...": a latest-news ticker line
_TICKER_RE = re.compile(r"^\s*[-•·*]?\s*\d{1,2}[:h]\d{2}\s*\D")
_HEADLINE_GAP_RE = re.compile(r"[ \t\u00a0]{3,}")
_BULLETS = "-•·*–"
_END_PUNCT = ".!?؟;:،,"


class Piece(NamedTuple):
    folded: list[str]
    cased: list[str]
    paragraph: int  # the line of the content it comes from (0 for the title)
    bare: bool  # a short line with no sentence punctuation: a menu item or a headline


def content(text: str) -> str:
    """The article's own lines, without the page furniture that names other stories.

    Real pages carry tickers of the latest headlines, "read also" links and
    rows of related titles; their states and organisations are not the
    story's, yet any of them would otherwise count as a partner.
    """
    prefixes = _noise_prefixes()
    kept = []
    in_links = False  # inside the bulleted titles under a "Les plus lus" heading
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if in_links and stripped[0] in _BULLETS:
            continue
        in_links = False
        if _TICKER_RE.match(stripped) and len(stripped.split()) <= TUNING.ticker_words:
            continue
        folded = normalize_text(stripped[:TUNING.prefix_chars])
        if any(folded.startswith(p) and folded[len(p):len(p) + 1] in ("", " ", ":", "-", ".")
               for p in prefixes):
            in_links = True
            continue
        parts = _HEADLINE_GAP_RE.split(stripped)
        if len(parts) >= 3 and all(len(p.split()) <= TUNING.ticker_words for p in parts):
            continue  # a row of headlines separated by wide gaps
        kept.append(stripped)
    return "\n".join(kept)


def pieces(title: str, text: str, lang: str | None = None) -> list[Piece]:
    """The title, then the text's sentences, each at most ``max_unit_tokens`` long.

    ``lang`` chooses the clause punctuation used to cut an over-long
    sentence; the vocabularies themselves are trilingual.
    """
    out = [_piece(title or "", 0, False)]
    clauses = _CLAUSES.get(lang or "", _ALL_CLAUSES)
    for number, line in enumerate(content(text or "").split("\n"), start=1):
        bare = len(line.split()) <= TUNING.bare_words and not any(c in _END_PUNCT for c in line)
        for sentence in _SENTENCE_RE.split(line):
            if sentence.strip():
                out += [_piece(w, number, bare) for w in _bounded(sentence, clauses)]
    return out


def _piece(text: str, paragraph: int, bare: bool) -> Piece:
    cased = tokens(normalize_text(text, keep_case=True))
    return Piece([t.casefold() for t in cased], cased, paragraph, bare)


def _bounded(sentence: str, clauses: str) -> list[str]:
    """The sentence, or its clauses grouped up to the bound, or fixed windows of words.

    Counting whitespace words approximates the tokens closely enough for a
    bound; clauses are kept whole when they fit, so ordinary sentences stay
    single units and evidence is not split needlessly.
    """
    limit = TUNING.max_unit_tokens
    words = sentence.split()
    if len(words) <= limit:
        return [sentence]
    out: list[str] = []
    current: list[str] = []
    for word in words:
        current.append(word)
        if len(current) >= limit or (word[-1] in clauses and len(current) >= limit // 2):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return out


@lru_cache(maxsize=1)
def _noise_prefixes() -> tuple[str, ...]:
    """Normalised openings of lines that link to other stories ("Lire aussi")."""
    return tuple(normalize_text(p) for p in load_yaml("signals.yaml")["noise_lines"])
