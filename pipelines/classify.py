"""Flag stories about security cooperation between Morocco and foreign partners.

The verdict is weighted evidence rather than a trained model: with a few dozen
labelled articles a model would learn the dev set, whereas the labelling rule
itself is compositional — a Moroccan security actor, a foreign state or body,
and a cooperation act on a security subject, as the main subject of the
story. Each of those is looked up in analyst-editable vocabularies
(``pipelines/data``), combined per sentence, and every hit that moved the
score is reported in ``reasons``.

The vocabularies are compiled and matched in :mod:`pipelines.lexicon`; this
module reads the matches sentence by sentence and scores them.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from pipelines.lexicon import MOROCCAN_COMPOUND_FOLDED, Entry, Match, lexicon, load_yaml, vocabulary_digest
from pipelines.normalize import normalize_text, tokens

__all__ = ["CLASSIFIER_VERSION", "DEFAULT_THRESHOLD", "SUBTYPES", "Verdict", "classify"]

# The code's version plus the vocabularies' hash: `newsmon reprocess` re-classifies
# stored articles whenever either changes.
CLASSIFIER_VERSION = f"1.6.0+{vocabulary_digest()}"
DEFAULT_THRESHOLD = 0.5
SUBTYPES = (
    "police_intel",
    "counter_terrorism",
    "defence",
    "judicial_extradition",
    "migration_border",
    "cyber",
    "event_security",
    "multilateral_org",
)

_SENTENCE_RE = re.compile(r"(?<=[.!?؟;])\s+|\n+")


@dataclass(frozen=True)
class Verdict:
    """Classifier output stored with each article (a contract other parts rely on: see README, "Python entry points")."""

    flagged: bool
    score: float
    subtype: str | None
    partners: list[str]
    reasons: list[str]


class _Mention(NamedTuple):
    code: str
    display: str
    unit: int
    kind: str  # state, capital, org or agency


@dataclass
class _Unit:
    """Evidence found in one sentence (unit 0 is the title)."""

    coop: list[tuple[str, str]]
    sec: list[str]
    seccoop: list[str]
    institutions: list[tuple[str, str]]
    generic: list[tuple[str, str]]  # "interior minister": Moroccan only in a Moroccan story
    negative: list[tuple[str, str]]
    mentions: list[_Mention]
    forum: list[str]  # subtype cues that are not security subject matter
    morocco: bool = False
    kingdom: bool = False  # "the Kingdom": Morocco only in a Moroccan story
    paragraph: int = 0
    bare: bool = False  # a menu item or a headline line (see _units)
    own: frozenset[str] = frozenset()  # states named with a security body of their own
    passport: bool = False  # Morocco named only as a suspect's nationality ("مواطن مغربي")
    foreign: tuple[str, ...] = ()  # foreign parties named only as a group ("عدة دول إفريقية")

    def security_subject(self, security_orgs: frozenset[str]) -> bool:
        """Whether the sentence is about security: a subject word, a Moroccan
        security institution, or a foreign body whose remit is security."""
        return bool(self.sec or self.institutions) or any(
            m.kind == "agency" or m.code in security_orgs for m in self.mentions
        )


# Weights of the evidence, in logit units; see _score.
_BIAS = -4.0
_W_INSTITUTION = 1.2
_W_MOROCCO = 0.6
_W_PARTNER = 1.5
_W_KEY_UNIT = 0.8
_W_STRONG_UNIT = 0.6
_W_SECCOOP = 1.0
_W_LEAD = 1.0
_W_NEGATIVE = 0.6
_GATE = -1.5  # ceiling when the foreign or the Moroccan side is missing
_LEAD_UNITS = 3  # title plus the first two sentences


# "- 13:43 headline", "16:30Cryptocurrency market...": a latest-news ticker line
_TICKER_RE = re.compile(r"^\s*[-•·*]?\s*\d{1,2}[:h]\d{2}\s*\D")
_HEADLINE_GAP_RE = re.compile(r"[ \t\u00a0]{3,}")
_BULLETS = "-•·*–"
_TICKER_WORDS = 20  # longer than a headline: a body line that starts with a time
_PREFIX_CHARS = 60  # enough to hold the longest "read also" opening


def _content(text: str) -> str:
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
        if _TICKER_RE.match(stripped) and len(stripped.split()) <= _TICKER_WORDS:
            continue
        folded = normalize_text(stripped[:_PREFIX_CHARS])
        if any(folded.startswith(p) and folded[len(p):len(p) + 1] in ("", " ", ":", "-", ".")
               for p in prefixes):
            in_links = True
            continue
        parts = _HEADLINE_GAP_RE.split(stripped)
        if len(parts) >= 3 and all(len(p.split()) <= _TICKER_WORDS for p in parts):
            continue  # a row of headlines separated by wide gaps
        kept.append(stripped)
    return "\n".join(kept)


class _Piece(NamedTuple):
    folded: list[str]
    cased: list[str]
    paragraph: int  # the line of the content it comes from (0 for the title)
    bare: bool  # a short line with no sentence punctuation: a menu item or a headline


_BARE_WORDS = 12  # a line this short without a full stop reads as a menu item or a headline
_END_PUNCT = ".!?؟;:،,"


def _units(title: str, text: str) -> list[_Piece]:
    out = []
    cased = tokens(normalize_text(title or "", keep_case=True))
    out.append(_Piece([t.casefold() for t in cased], cased, 0, False))
    for number, line in enumerate(_content(text or "").split("\n"), start=1):
        bare = len(line.split()) <= _BARE_WORDS and not any(c in _END_PUNCT for c in line)
        for piece in _SENTENCE_RE.split(line):
            if not piece.strip():
                continue
            cased = tokens(normalize_text(piece, keep_case=True))
            out.append(_Piece([t.casefold() for t in cased], cased, number, bare))
    return out


def _near(matches: list[Match], idx: int, kinds: set[str], before: int, after: int,
          ctx: str | None = None, values: dict[str, str] | None = None) -> bool:
    """Whether a match of the given kinds lies within a token window of match idx.

    ``values`` restricts some kinds to one value: {"sec": "security"}.
    """
    m = matches[idx]
    lo, hi = m.start - before, m.end + after
    for j, other in enumerate(matches):
        if j == idx or other.end <= lo or other.start >= hi:
            continue
        for e in other.entries:
            if e.kind in kinds and (ctx is None or e.value == ctx) and (
                    values is None or values.get(e.kind, e.value) == e.value):
                return True
    return False


def _analyse(title: str, text: str) -> list[_Unit]:
    lex = lexicon()
    forum = _signal_sets()["forum_only"]
    units: list[_Unit] = []
    named: set[str] = set()  # every state or capital named, whatever its role
    for u, (folded, cased, paragraph, bare) in enumerate(_units(title, text)):
        unit = _Unit([], [], [], [], [], [], [], [], paragraph=paragraph, bare=bare)
        matches = lex.scan(folded, cased)
        unit.own = _own_services(matches)
        named.update(e.value for m in matches for e in m.entries if e.kind in ("state", "capital"))
        negated = any(e.kind == "ctx" and e.value == "negation" for m in matches for e in m.entries)
        tournament = any(e.kind == "sec" and e.value == "event" for m in matches for e in m.entries)
        background_end: int | None = None  # end of the last state read as passport or route
        moroccan_party = False
        for idx, m in enumerate(matches):
            for e in m.entries:
                if e.kind == "capital":
                    # "بين الرباط ومدريد", "Rabat et Paris": the capital stands for its state
                    if _near(matches, idx, {"morocco"}, 3, 3):
                        unit.mentions.append(_Mention(e.value, e.display, u, "capital"))
                elif e.kind in ("state", "org", "agency"):
                    if e.kind == "state":
                        background = _background_state(matches, idx, tournament, folded, cased)
                        # "ينحدرون من إسبانيا والأردن وسوريا", "la Turquie et les Émirats":
                        # the states listed after a background one share its role
                        listed = background_end is not None and m.start - background_end <= _LIST_GAP
                        if background or listed:
                            background_end = m.end
                            continue
                        if not _valid_state(matches, idx, e, negated):
                            continue
                    unit.mentions.append(_Mention(e.value, e.display, u, e.kind))
                elif e.kind in ("institution", "generic"):
                    # "وزارة الداخلية الإسبانية", "Spain's interior ministry": a foreign institution
                    before = 2 if m.start > 1 and folded[m.start - 1] == "s" else 1
                    if _near(matches, idx, {"state"}, before, 2):
                        continue
                    (unit.institutions if e.kind == "institution" else unit.generic).append(
                        (e.value, e.display))
                elif e.kind == "morocco":
                    unit.morocco = True
                    if _near(matches, idx, {"ctx"}, 2, 0, "nationality"):
                        unit.passport = True
                    else:
                        moroccan_party = True
                elif e.kind == "kingdom":
                    unit.kingdom = True
                elif e.kind == "foreign" and not negated:
                    unit.foreign += (e.display,)
                elif e.kind == "coop":
                    unit.coop.append((e.value, e.display))
                elif e.kind == "sec":
                    (unit.forum if e.value in forum else unit.sec).append(e.value)
                elif e.kind == "seccoop":
                    unit.seccoop.append(e.value)
                    unit.sec.append(e.value)
                elif e.kind == "neg":
                    unit.negative.append((e.value, e.display))
        unit.passport = unit.passport and not moroccan_party
        units.append(unit)
    # An interior minister or a court of cassation is Morocco's only in a story
    # that is otherwise Moroccan; a Qatari–Emirati agreement signed by "the
    # interior minister" must not gain a Moroccan side from the title alone.
    if not any(u.morocco for u in units):
        # "le directeur général de la sûreté nationale ... à Alger": Algeria's DGSN
        shared = _signal_sets()["shared_names"]
        for unit in units:
            unit.institutions = [(label, display) for label, display in unit.institutions
                                 if not named & shared.get(label, frozenset())]
    moroccan_story = any(u.morocco or u.institutions for u in units)
    for unit in units:
        if moroccan_story:
            unit.institutions += unit.generic
            unit.morocco = unit.morocco or unit.kingdom
        unit.generic = []
    return units


_OWN_SERVICE_GAP = 2  # tokens between a state and its service: "la police fédérale belge"


def _own_services(matches: list[Match]) -> frozenset[str]:
    """States named with a security body of their own.

    "الشرطة الإسبانية", "la police française", "Spain's interior minister":
    a state whose police, ministry or service acts in the story is a party
    to it, whatever the sentence says around them. Military adjectives
    ("العملية العسكرية الروسية") do not count: a war is not a partnership.
    """
    own = set()
    for idx, m in enumerate(matches):
        for e in m.entries:
            if e.kind == "state" and _near(matches, idx, _SERVICE_KINDS, _OWN_SERVICE_GAP,
                                           _OWN_SERVICE_GAP, None, _SERVICE_VALUES):
                own.add(e.value)
    return frozenset(own)


_SERVICE_KINDS = {"institution", "generic", "agency", "sec"}
_SERVICE_VALUES = {"sec": "security"}  # of the subject words, only police and security ones


_HOST_AFTER = 3  # "Ireland will co-host UEFA EURO 2028": the host verb after the state
_LIST_GAP = 2  # tokens between two states of one list: "و", "et les", ", and"


def _background_state(matches: list[Match], idx: int, tournament: bool,
                      folded: list[str], cased: list[str]) -> bool:
    """Whether a state is a passport, an origin, a route or a tournament host, not a partner.

    "ressortissant turc", "d'origine irakienne", "a French national", "قادما من
    تركيا", "immatriculé en Espagne", "heading to Italy", "the World Cup
    co-hosted by Spain", "كأس العالم بروسيا": the country is background to a
    story that may well have a real partner elsewhere. Hosts count only beside
    a tournament, since the states hosting a joint exercise (African Lion,
    Flintlock) take part in it. So does a list of states after "between" that
    leaves Morocco out ("trafficking between Belgium, France and the
    Netherlands"): cooperation between Morocco and others always names Morocco.
    """
    end = matches[idx].end
    if end < len(folded) and folded[end] in MOROCCAN_COMPOUND_FOLDED:
        end += 1  # "a French-Moroccan national"
    return (
        _near(matches, idx, {"ctx"}, 2, 1, "nationality")
        or (end < len(folded) and folded[end] == "national" and cased[end].islower())
        or _near(matches, idx, {"ctx"}, 4, 0, "route")
        or (tournament and (_near(matches, idx, {"ctx"}, 4, _HOST_AFTER, "host")
                            or _near(matches, idx, {"sec"}, 2, 0, "event")))
        or (_near(matches, idx, {"ctx"}, 2, 0, "between") and not _list_names_morocco(matches, idx))
    )


def _list_names_morocco(matches: list[Match], idx: int) -> bool:
    """Whether the list of places that starts at match idx names Morocco."""
    prev_end = matches[idx].end
    for other in matches[idx + 1:]:
        if other.start - prev_end > _LIST_GAP:
            return False
        kinds = {e.kind for e in other.entries}
        if "morocco" in kinds:
            return True
        if not kinds & {"state", "capital"}:
            return False
        prev_end = other.end
    return False


def _valid_state(matches: list[Match], idx: int, entry: Entry, negated: bool) -> bool:
    """Whether a state mention can name a partner rather than a team, venue, source or passport."""
    if negated:
        return False
    if entry.ambiguous and not (_near(matches, idx, {"state"}, 2, 2)):
        return False
    if _near(matches, idx, {"ctx"}, 3, 1, "sport"):
        return False
    if _near(matches, idx, {"ctx"}, 2, 2, "media"):
        return False
    if _near(matches, idx, {"ctx"}, 1, 1, "place"):
        return False
    if _near(matches, idx, {"ctx"}, 1, 0, "person"):
        return False
    return True


_LIST_STATES = 3  # distinct states in one sentence that make it a list of participants


def _partner_mentions(units: list[_Unit]) -> list[_Mention]:
    """The mentions that name a party to the story rather than its background.

    A state or body counts where its sentence carries cooperation, security
    cooperation or Moroccan evidence (a Moroccan suspect's passport is not
    such evidence), or is the title; where it is named with a security body
    of its own ("la police française"); where the sentence lists several
    states ("The US, Britain, Canada ... are participating"), unless the line
    is a bare menu item; where the sentence directly follows, in the same
    paragraph, one with such evidence ("... avec la France et l'Espagne");
    and, for organisations, wherever the sentence is about security. States
    named only in passing (navigation links, a conflict zone, a background
    remark in a paragraph of its own) are dropped. An article with no such
    sentence keeps every mention, so a terse story still reports whom it named.
    """
    kept: list[_Mention] = []
    previous: _Unit | None = None
    previous_counts = False
    for i, u in enumerate(units):
        moroccan = (u.morocco and not u.passport) or bool(u.institutions)
        direct = i == 0 or bool(u.coop or u.seccoop) or moroccan
        listing = not u.bare and len({m.code for m in u.mentions if m.kind == "state"}) >= _LIST_STATES
        continues = previous_counts and previous is not None and previous.paragraph == u.paragraph
        counts = direct or listing or continues
        for m in u.mentions:
            if counts or m.code in u.own or m.kind == "agency" or (m.kind == "org" and u.sec):
                kept.append(m)
        previous, previous_counts = u, direct
    if not kept:
        return [m for u in units for m in u.mentions]
    return kept


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def classify(title: str, text: str, lang: str | None = None, *,
             threshold: float | None = None) -> Verdict:
    """Score one article and explain the score.

    ``lang`` is accepted for the pipeline contract but not needed: the
    vocabularies are trilingual and matched together, which also handles
    French articles quoting English statements. Partners are reported even
    below the threshold, so a near miss still shows whom it named.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    units = _analyse(title, text)
    reasons: list[str] = []

    mentions = _seats_as_organisations(_partner_mentions(units))
    partner_counts = Counter(m.code for m in mentions)
    partners = sorted(partner_counts, key=lambda c: (-partner_counts[c], _first(mentions, c)))
    institutions = {label: display for u in units for label, display in u.institutions}
    has_morocco = any(u.morocco for u in units) or bool(institutions)

    relational = _signal_sets()["relational"]
    security_orgs = _signal_sets()["security_organisations"]
    key_units = strong_units = 0
    lead_key = False
    negatives: list[tuple[str, str]] = []
    lead_negatives = 0
    unnamed: list[str] = []  # groups of foreign parties in sentences that tie them to Morocco
    for i, u in enumerate(units):
        agency = any(m.kind == "agency" for m in u.mentions)
        security = u.security_subject(security_orgs)
        coop = bool(u.coop or u.seccoop)
        moroccan = u.morocco or bool(u.institutions)
        # "la DGSN, en collaboration avec la DGST": two Moroccan services
        # coordinating with each other relate to no foreign partner
        domestic = not u.mentions and len({label for label, _ in u.institutions}) >= 2
        relates = (any(label in relational for label, _ in u.coop) and not domestic) or bool(u.seccoop)
        # A foreign security body named beside a Moroccan one, or working on an
        # event in Morocco, is cooperation even when the story never says so;
        # so is Morocco at a security organisation's conference or assembly.
        event = "event" in u.forum or "event_security" in u.sec
        gathering = "multilateral_org" in u.forum and any(m.code in security_orgs for m in u.mentions)
        paired = (agency and (bool(u.institutions) or (u.morocco and event))) or (gathering and moroccan)
        # "police from several African countries" is a foreign side too, unnamed
        foreign = bool(u.mentions or u.foreign)
        if paired or (coop and security and (foreign or (moroccan and relates and partners))):
            key_units += 1
            lead_key = lead_key or i < _LEAD_UNITS
            if (foreign and moroccan) or u.seccoop:
                strong_units += 1
            if moroccan and u.foreign:
                unnamed += u.foreign
        elif not agency:
            negatives += u.negative
            lead_negatives += len(u.negative) if i < _LEAD_UNITS else 0
    seccoop = [s for u in units for s in u.seccoop]

    z = _BIAS
    if institutions:
        z += _W_INSTITUTION
        reasons += [f"institution: {label} ({display})" for label, display in institutions.items()]
    if has_morocco:
        z += _W_MOROCCO
    if partners:
        z += _W_PARTNER
        seen = {}
        for m in mentions:
            seen.setdefault(m.code, m.display)
        reasons += [f"partner: {code} ({seen[code]})" for code in partners]
    z += _W_KEY_UNIT * min(key_units, 4) + _W_STRONG_UNIT * min(strong_units, 3)
    if seccoop:
        z += _W_SECCOOP
    if lead_key:
        z += _W_LEAD
    z -= _W_NEGATIVE * (min(len(negatives), 3) + min(lead_negatives, 2))

    coop_terms = list(dict.fromkeys(display for u in units for _, display in u.coop))
    reasons += [f"cooperation: {c}" for c in coop_terms[:5]]
    if key_units:
        reasons.append(f"evidence: {key_units} sentence(s) tie cooperation to security")
    reasons += [f"negative: {label} ({display})" for label, display in dict(negatives).items()]
    if not partners and unnamed:
        reasons += [f"unnamed partners: {d}" for d in dict.fromkeys(unnamed)]
    elif not partners:
        z = min(z, _GATE)
        reasons.append("no foreign partner named")
    if not has_morocco:
        z = min(z, _GATE)
        reasons.append("no Moroccan actor named")

    score = round(_sigmoid(z), 4)
    flagged = score >= threshold
    return Verdict(
        flagged=flagged,
        score=score,
        subtype=_subtype(units) if flagged else None,
        partners=partners,
        reasons=reasons,
    )


@lru_cache(maxsize=1)
def _noise_prefixes() -> tuple[str, ...]:
    """Normalised openings of lines that link to other stories ("Lire aussi")."""
    return tuple(normalize_text(p) for p in load_yaml("signals.yaml")["noise_lines"])


@lru_cache(maxsize=1)
def _signal_sets() -> dict[str, frozenset[str] | dict[str, frozenset[str]]]:
    """Label and code sets that steer the rules rather than fill the lexicon."""
    signals = load_yaml("signals.yaml")
    return {
        "shared_names": {label: frozenset(codes) for label, codes in signals["shared_names"].items()},
        "relational": frozenset(signals["relational"]),
        "forum_only": frozenset(signals["forum_only"]),
        "security_organisations": frozenset(load_yaml("partners.yaml")["security_organisations"]),
    }


def _seats_as_organisations(mentions: list[_Mention]) -> list[_Mention]:
    """"Rabat and Brussels" is Morocco and the EU when the story names the EU.

    A capital that also hosts an organisation stands for the organisation
    in a story that names it, and for its state otherwise.
    """
    named = {m.code for m in mentions if m.kind == "org"}
    seats = _seats()
    return [
        m._replace(code=seats[m.display], kind="org")
        if m.kind == "capital" and seats.get(m.display) in named else m
        for m in mentions
    ]


@lru_cache(maxsize=1)
def _seats() -> dict[str, str]:
    """Capital as written in partners.yaml -> code of the organisation seated there."""
    return {name: org for org, names in load_yaml("partners.yaml")["seats"].items() for name in names}


def _first(mentions: list[_Mention], code: str) -> int:
    return next(i for i, m in enumerate(mentions) if m.code == code)


# Organisations whose meetings make a story multilateral rather than bilateral.
_MULTILATERAL = {"INTERPOL", "EUROPOL", "AFRIPOL", "AIMC", "NAUSS", "UN",
                 "AU", "NATO", "LAS", "GCTF", "OSCE", "FRONTEX", "AMERIPOL", "CEPOL"}
# Cooperation cues that make a sentence about an organisation's own gathering.
_GATHERING = frozenset({"meeting", "participation", "delegation"})
# "security", "police", "التعاون الأمني" are in every positive story: they
# decide the subtype only when no topic (terrorism, extradition...) is named.
_GENERIC_WEIGHT = 0.25
_ORG_AT_GATHERING = 1.5
_ORG_AS_TOOL = 0.5


def _subtype(units: list[_Unit]) -> str:
    """The subtype with the most cue weight; explicit cooperation phrases and the lead count double.

    An organisation counts towards multilateral_org mostly where the sentence
    is about its meeting, session or delegation: Interpol executing a red
    notice or Europol helping a cybercrime case leaves the subtype to the
    topic, as the labelling rules read the story's subject, not its channel.
    """
    weight: Counter[str] = Counter()
    states = {m.code for u in units for m in u.mentions if m.kind != "org"}
    multilateral = len(states) >= 3 or any(m.code in _MULTILATERAL for u in units for m in u.mentions)
    for i, u in enumerate(units):
        factor = 2.0 if i < _LEAD_UNITS else 1.0
        # "الدورة", "session": a training course or a bilateral committee's
        # sitting unless the story has a multilateral body or several states
        for s in u.sec + [f for f in u.forum if multilateral or f != "multilateral_org"]:
            weight[s] += factor
        for s in u.seccoop:
            weight[s] += 2.0 * factor
        if "security" in u.sec:
            weight["police_intel"] += _GENERIC_WEIGHT * factor  # once a sentence, however often said
        gathering = "multilateral_org" in u.forum or any(label in _GATHERING for label, _ in u.coop)
        orgs = sum(1 for m in u.mentions if m.code in _MULTILATERAL)
        weight["multilateral_org"] += factor * orgs * (_ORG_AT_GATHERING if gathering else _ORG_AS_TOOL)
    del weight["security"]
    weight["event_security"] += weight.pop("event", 0.0)
    if not any(weight.values()):
        return "police_intel"
    return max(SUBTYPES, key=lambda s: (weight[s], -SUBTYPES.index(s)))
