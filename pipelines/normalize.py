"""Text normalisation shared by search and classification.

Arabic news text mixes spellings of the same word (hamza forms, alef maqsura,
ta marbuta, optional diacritics, tatweel stretching, Arabic-Indic digits) and
French text is typed with or without accents; a lookup or a search query must
match all of them. Everything here is deterministic and idempotent so that the
same function can build an index and normalise the queries run against it.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["normalize_text", "normalize_for_search", "clitic_variants", "tokens"]

# Letters whose variant spellings are interchangeable in practice. Hamza-carrier
# letters (أ إ آ ؤ ئ) decompose under NFKD into a base letter plus a combining
# hamza/madda that is then dropped, so only the letters without a canonical
# decomposition need an explicit mapping.
_CHAR_MAP = {
    "\u0671": "\u0627",  # ٱ alef wasla -> ا
    "\u0649": "\u064a",  # ى alef maqsura -> ي
    "\u0629": "\u0647",  # ة ta marbuta -> ه
    "\u0640": "",  # tatweel
    "\u06a9": "\u0643",  # Persian keheh -> ك
    "\u06cc": "\u064a",  # Farsi yeh -> ي
    "\u06c1": "\u0647",  # heh goal -> ه
    "\u060c": ",",  # Arabic comma
    "\u061b": ";",  # Arabic semicolon
    "\u061f": "?",  # Arabic question mark
    "\u066a": "%",  # Arabic percent
    "\u066b": ".",  # Arabic decimal separator
    "\u066c": ",",  # Arabic thousands separator
    "\u2019": "'",
    "\u2018": "'",
    "\u02bc": "'",
    "\u00ab": '"',
    "\u00bb": '"',
    "\u201c": '"',
    "\u201d": '"',
    # invisible formatting characters that split words for no visible reason
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u200e": "",
    "\u200f": "",
    "\ufeff": "",
    "\u00ad": "",
}
_CHAR_MAP.update({chr(0x202A + i): "" for i in range(5)})  # bidi embeddings
_CHAR_MAP.update({chr(0x2066 + i): "" for i in range(4)})  # bidi isolates
_CHAR_MAP.update({chr(0x0660 + i): str(i) for i in range(10)})  # Arabic-Indic digits
_CHAR_MAP.update({chr(0x06F0 + i): str(i) for i in range(10)})  # Persian digits
_TRANSLATE = str.maketrans(_CHAR_MAP)

_SPACE_RE = re.compile(r"\s+")
# Punctuation and symbols become spaces for search so that "l'Espagne",
# "(DGSN)" and "Interpol," index the same trigrams as the bare words.
_SEARCH_PUNCT_RE = re.compile(r"[^\w\s]+")
_WORD_RE = re.compile(r"\w+")


# Every combining mark (Arabic tashkeel, Latin accents once decomposed...)
# mapped to None: str.translate drops them in C, where a per-character Python
# filter cost more than everything else in the page pipeline.
_DROP_MARKS = {cp: None for cp in range(0x110000) if unicodedata.combining(chr(cp))}


def _strip_marks(text: str) -> str:
    return unicodedata.normalize("NFKD", text).translate(_DROP_MARKS)


def normalize_text(text: str, *, keep_case: bool = False) -> str:
    """Fold Arabic, French and English spelling variants to one canonical form.

    NFKD also unfolds Arabic presentation forms and ligatures, and the marks
    are stripped a second time after case folding because folding can itself
    produce decomposable characters; that keeps the function idempotent.
    ``keep_case`` leaves letter case alone for callers that must tell the
    acronym "UN" from the French article "un".
    """
    if not text:
        return ""
    folded = _strip_marks(text).translate(_TRANSLATE)
    if not keep_case:
        folded = _strip_marks(folded.casefold()).translate(_TRANSLATE)
    return _SPACE_RE.sub(" ", folded).strip()


def normalize_for_search(text: str) -> str:
    """Normalise text for the trigram full-text index and for search queries.

    Clitics are deliberately kept: a trigram index matches "بالشرطة" for the
    query "الشرطة" on its own, and stripping would merge distinct words.
    """
    return _SPACE_RE.sub(" ", _SEARCH_PUNCT_RE.sub(" ", normalize_text(text))).strip()


_CONJ = ("و", "ف")
_PREP = ("ب", "ك", "ل")
_ARTICLE = "ال"


@lru_cache(maxsize=65536)  # news vocabulary is small and every article repeats it
def clitic_variants(token: str) -> tuple[str, ...]:
    """Return the token and its readings without Arabic proclitics (و ف ب ك ل ال).

    Stripping is ambiguous ("فرنسا" is not ف + "رنسا", "وزير" is not و + "زير"),
    so rather than guess one stem this yields every candidate and lets a lookup
    against a known vocabulary decide; unknown stems simply find nothing. The
    preposition ل fused with the article (للامن) is restored to الامن.
    Candidates keep at least two letters.
    """
    out = [token]
    stems = [token]
    if len(token) > 3 and token[0] in _CONJ:
        stems.append(token[1:])
    for stem in list(stems):
        if stem.startswith("لل") and len(stem) > 4:
            stems.append(_ARTICLE + stem[2:])
        elif len(stem) > 3 and stem[0] in _PREP:
            stems.append(stem[1:])
    for stem in stems:
        if stem is not token:
            out.append(stem)
        if stem.startswith(_ARTICLE) and len(stem) > 3:
            out.append(stem[2:])
    return tuple(dict.fromkeys(out))


def tokens(text: str) -> list[str]:
    """Split normalised text into word tokens (letters, digits, underscore)."""
    return _WORD_RE.findall(text)
