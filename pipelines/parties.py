"""Evidence and party attribution: who acts in each sentence, and in what role.

For every security institution, state and organisation the vocabularies find
in a sentence, this module decides whose it is and what part it plays:

- a Moroccan institution, unless a foreign state qualifies it ("وزارة الداخلية
  الإسبانية") or the story is another state's that shares the name
  (Algeria's and Mauritania's police are also "المديرية العامة للأمن الوطني");
- Morocco as a party, or only as a place ("hashish from Morocco", "بالمغرب"),
  or a suspect's passport ("مواطن مغربي");
- a foreign state as a party (its own police or army, a counterpart, a list
  of participants), or as background: a passport, a route, a tournament
  host, a rival named in a sentence about a conflict, a venue.

Every lookup around a match is a bounded token window over matches sorted by
position (bisection), and sentences are bounded by pipelines.segment, so the
work is linear in the length of the text.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from pipelines.lexicon import MOROCCAN_COMPOUND_FOLDED, Match, VocabularyEntry, lexicon, load_yaml
from pipelines.organisations import organisations
from pipelines.segment import pieces
from pipelines.tuning import TUNING

__all__ = ["Mention", "Unit", "analyse", "partner_mentions", "seats_as_organisations", "signal_sets"]


class Mention(NamedTuple):
    code: str
    display: str
    unit: int
    kind: str  # state, capital, org or agency


@dataclass
class Unit:
    """Evidence found in one sentence (unit 0 is the title)."""

    coop: list[tuple[str, str]]
    sec: list[str]
    seccoop: list[str]
    institutions: list[tuple[str, str]]
    generic: list[tuple[str, str]]  # "interior minister": Moroccan only in a Moroccan story
    negative: list[tuple[str, str]]
    mentions: list[Mention]
    forum: list[str]  # subtype cues that are not security subject matter
    morocco: bool = False  # Morocco named as a party
    kingdom: bool = False  # "the Kingdom": Morocco only in a Moroccan story
    place: bool = False  # Morocco named only as a place: "from Morocco", "بالمغرب"
    venue: bool = False  # ... where the story happens: "بالرباط", "au Maroc", "in Morocco"
    paragraph: int = 0
    tokens: int = 0
    bare: bool = False  # a menu item or a headline line
    own: frozenset[str] = frozenset()  # states named with a security body of their own
    passport: bool = False  # Morocco named only as a suspect's nationality ("مواطن مغربي")
    foreign: tuple[str, ...] = ()  # foreign parties named only as a group ("عدة دول إفريقية")
    conflict: bool = False  # the sentence is about a conflict or a rivalry, not a partnership
    sport: bool = False  # a match or a team: the states named are opponents
    diplomacy: bool = False  # about diplomatic relations themselves (normalisation, sovereignty)
    agenda: bool = False  # security is one item of a diplomatic agenda (trade, tourism...)

    def security_subject(self, security_orgs: frozenset[str]) -> bool:
        """Whether the sentence is about security: a subject word, a Moroccan
        security institution, or a foreign body whose remit is security."""
        return bool(self.sec or self.institutions) or any(
            m.kind == "agency" or m.code in security_orgs for m in self.mentions
        )

    @property
    def moroccan(self) -> bool:
        """Morocco acts in this sentence: named as a party or through its institutions."""
        return (self.morocco and not self.passport) or bool(self.institutions)


class _Window:
    """Matches of one sentence, searchable by token window in logarithmic time."""

    def __init__(self, matches: list[Match]) -> None:
        self.matches = matches
        self.starts = [m.start for m in matches]
        self.ends = [m.end for m in matches]

    def near(self, idx: int, kinds: set[str], before: int, after: int,
             ctx: str | None = None, values: dict[str, str] | None = None) -> bool:
        """Whether a match of the given kinds lies within a token window of match idx.

        ``values`` restricts some kinds to one value: {"sec": "security"}.
        Matches do not overlap, so starts and ends are both sorted and the
        window is a contiguous slice found by bisection.
        """
        m = self.matches[idx]
        lo, hi = m.start - before, m.end + after
        first = bisect_right(self.ends, lo)
        last = bisect_left(self.starts, hi)
        for j in range(first, last):
            if j == idx:
                continue
            for e in self.matches[j].entries:
                if e.kind in kinds and (ctx is None or e.value == ctx) and (
                        values is None or values.get(e.kind, e.value) == e.value):
                    return True
        return False


def analyse(title: str, text: str, lang: str | None = None) -> list[Unit]:
    """Per-sentence evidence with every party attributed (unit 0 is the title)."""
    lex = lexicon()
    sets = signal_sets()
    forum = sets["forum_only"]
    units: list[Unit] = []
    named: set[str] = set()  # every state or capital named, whatever its role
    for u, (folded, cased, paragraph, bare) in enumerate(pieces(title, text, lang)):
        unit = Unit([], [], [], [], [], [], [], [], paragraph=paragraph, tokens=len(folded), bare=bare)
        matches = lex.scan(folded, cased)
        window = _Window(matches)
        unit.own = _own_services(window)
        values = {(e.kind, e.value) for m in matches for e in m.entries}
        named.update(v for k, v in values if k in ("state", "capital"))
        negated = ("ctx", "negation") in values
        tournament = ("sec", "event") in values
        unit.conflict = ("ctx", "conflict") in values
        unit.diplomacy = ("ctx", "diplomacy") in values
        unit.sport = ("ctx", "sport") in values or ("neg", "sport_result") in values
        background_end: int | None = None  # end of the last state read as passport or route
        moroccan_party = False
        for idx, m in enumerate(matches):
            for e in m.entries:
                if e.kind == "capital":
                    # "بين الرباط ومدريد", "Rabat et Paris": the capital stands for its state
                    if window.near(idx, {"morocco"}, 3, 3):
                        unit.mentions.append(Mention(e.value, e.display, u, "capital"))
                elif e.kind in ("state", "org", "agency"):
                    if e.kind == "org" and window.near(idx, {"ctx"}, 2, 0, "place"):
                        continue  # "son premier déplacement en dehors de l'Union européenne"
                    if e.kind == "state":
                        background = _background_state(window, idx, tournament, folded, cased)
                        # "ينحدرون من إسبانيا والأردن وسوريا", "la Turquie et les Émirats":
                        # the states listed after a background one share its role
                        listed = background_end is not None and m.start - background_end <= TUNING.list_gap
                        if background or listed:
                            background_end = m.end
                            continue
                        if not _valid_state(window, idx, e, negated):
                            continue
                    unit.mentions.append(Mention(e.value, e.display, u, e.kind))
                elif e.kind in ("institution", "generic"):
                    # "وزارة الداخلية الإسبانية", "Spain's interior ministry": a foreign institution
                    # ("المدير العام للأمن الوطني نظيره الإسباني" is Morocco's chief and his counterpart)
                    before = 2 if m.start > 1 and folded[m.start - 1] == "s" else 1
                    counterpart = window.near(idx, {"coop"}, 0, 1, None, {"coop": "counterpart"})
                    if window.near(idx, {"state"}, before, 2) and not counterpart:
                        continue
                    (unit.institutions if e.kind == "institution" else unit.generic).append(
                        (e.value, e.display))
                elif e.kind == "morocco":
                    if window.near(idx, {"ctx"}, 2, 0, "nationality"):
                        unit.morocco = unit.passport = True
                    elif (where := _as_place(window, idx, folded)):
                        unit.place = True
                        unit.venue = unit.venue or where == "venue"
                    else:
                        unit.morocco = True
                        moroccan_party = True
                elif e.kind == "place":
                    unit.place = True
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
        unit.agenda = any(label in sets["agenda"] for label, _ in unit.negative)
        units.append(unit)
    _attribute_shared_names(units, named, sets["shared_names"])
    # the court of cassation "بالرباط" is Morocco's; a cargo "from Morocco" gives no venue
    moroccan_story = any(u.morocco or u.venue or u.institutions for u in units)
    for unit in units:
        if moroccan_story:
            unit.institutions += unit.generic
            unit.morocco = unit.morocco or unit.kingdom
        unit.generic = []
    return units


def _attribute_shared_names(units: list[Unit], named: set[str],
                            shared: dict[str, frozenset[str]]) -> None:
    """Give a name Morocco shares with another state's institution to that state.

    "المديرية العامة للأمن الوطني" is also Algeria's and Mauritania's police. In
    a story that names one of those states and where Morocco takes part only
    through shared names (never named as a party, no institution of its own),
    the institution is that state's: an Algerian seizure of hashish "from
    Morocco" or a Mauritanian–Saudi agreement has no Moroccan side. An
    interior minister or a court of cassation is likewise Morocco's only in
    a story that is otherwise Moroccan.
    """
    if any(u.morocco and not u.passport for u in units):
        return
    own = {label for u in units for label, display in u.institutions
           if label not in shared and display not in shared}
    if own:
        return
    for unit in units:
        unit.institutions = [(label, display) for label, display in unit.institutions
                             if not named & (shared.get(label, frozenset()) | shared.get(display, frozenset()))]


def _as_place(window: _Window, idx: int, folded: list[str]) -> str | None:
    """"venue" or "origin" when Morocco is named as a place rather than a party.

    A place preposition right before the name, or the Arabic preposition ب
    fused to it, makes Morocco where something happened ("بالرباط", "in
    Morocco": the venue) or where something came from or went through
    ("من المغرب", "from Morocco": the origin); the party reading needs the
    name itself to act or be acted with.
    """
    m = window.matches[idx]
    first = folded[m.start]
    if first.startswith("بال") or first.startswith("بم"):
        return "venue"
    if window.near(idx, {"ctx"}, TUNING.place_before, 0, "venue_prep"):
        return "venue"
    if (window.near(idx, {"ctx"}, TUNING.place_before, 0, "origin_prep")
            or window.near(idx, {"ctx"}, TUNING.place_before, 0, "route")
            or _crime_route(window, idx)):
        return "origin"
    return None


_CRIMES = {"sec": "police_intel"}


def _crime_route(window: _Window, idx: int) -> bool:
    """"trafic de drogue entre le Maroc et l'Espagne": a route, unlike "coopération entre..."."""
    return (window.near(idx, {"ctx"}, 2, 0, "between")
            and (window.near(idx, {"sec"}, 6, 0, None, _CRIMES)
                 or window.near(idx, {"sec"}, 6, 0, None, {"sec": "migration_border"}))
            and not window.near(idx, {"coop", "seccoop"}, 6, 0))


def _own_services(window: _Window) -> frozenset[str]:
    """States named with a security body of their own.

    "الشرطة الإسبانية", "la police française", "Spain's interior minister":
    a state whose police, ministry or service acts in the story is a party
    to it, whatever the sentence says around them. Military adjectives
    ("العملية العسكرية الروسية") do not count: a war is not a partnership.
    """
    own = set()
    gap = TUNING.own_service_gap
    for idx, m in enumerate(window.matches):
        for e in m.entries:
            if e.kind == "state" and window.near(idx, _SERVICE_KINDS, gap, gap, None, _SERVICE_VALUES):
                own.add(e.value)
    return frozenset(own)


_SERVICE_KINDS = {"institution", "generic", "agency", "sec"}
_SERVICE_VALUES = {"sec": "security"}  # of the subject words, only police and security ones


def _background_state(window: _Window, idx: int, tournament: bool,
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
    end = window.matches[idx].end
    if end < len(folded) and folded[end] in MOROCCAN_COMPOUND_FOLDED:
        end += 1  # "a French-Moroccan national"
    return (
        window.near(idx, {"ctx"}, 2, 1, "nationality")
        or (end < len(folded) and folded[end] == "national" and cased[end].islower())
        or window.near(idx, {"ctx"}, 4, 0, "route")
        or window.near(idx, {"ctx"}, 1, 0, "border_of")
        or window.near(idx, {"ctx"}, 0, 1, "place_after")
        or (tournament and (window.near(idx, {"ctx"}, 4, TUNING.host_after, "host")
                            or window.near(idx, {"sec"}, 2, 0, "event")))
        or (window.near(idx, {"ctx"}, 2, 0, "between") and not _list_names_morocco(window.matches, idx))
    )


def _list_names_morocco(matches: list[Match], idx: int) -> bool:
    """Whether the list of places that starts at match idx names Morocco."""
    prev_end = matches[idx].end
    for other in matches[idx + 1:]:
        if other.start - prev_end > TUNING.list_gap:
            return False
        kinds = {e.kind for e in other.entries}
        if "morocco" in kinds:
            return True
        if not kinds & {"state", "capital"}:
            return False
        prev_end = other.end
    return False


def _valid_state(window: _Window, idx: int, entry: VocabularyEntry, negated: bool) -> bool:
    """Whether a state mention can name a partner rather than a team, venue, source or passport."""
    if negated:
        return False
    if entry.ambiguous and not window.near(idx, {"state"}, 2, 2):
        return False
    if window.near(idx, {"ctx"}, 3, 1, "sport"):
        return False
    if window.near(idx, {"ctx"}, 2, 2, "media"):
        return False
    if window.near(idx, {"ctx"}, 1, 1, "place"):
        return False
    if window.near(idx, {"ctx"}, 1, 0, "person"):
        return False
    return True


def partner_mentions(units: list[Unit]) -> list[Mention]:
    """The mentions that name a party to the story rather than its background.

    A state or body counts where its sentence carries cooperation, security
    cooperation or Moroccan evidence (a Moroccan suspect's passport is not
    such evidence), or is the title; where it is named with a security body
    of its own ("la police française"); where the sentence lists several
    states ("The US, Britain, Canada ... are participating"), unless the line
    is a bare menu item; where the sentence directly follows, in the same
    paragraph, one with such evidence ("... avec la France et l'Espagne");
    and, for organisations, wherever the sentence is about security. A state
    named in a sentence about a conflict or a rivalry, with no cooperation
    in it, is an adversary or a context, not a partner. States named only in
    passing (navigation links, a conflict zone, a background remark in a
    paragraph of its own) are dropped. An article with no such sentence keeps
    every mention, so a terse story still reports whom it named.
    """
    kept: list[Mention] = []
    previous: Unit | None = None
    previous_counts = False
    lead = TUNING.lead_units + (0 if units and units[0].tokens else 1)
    for i, u in enumerate(units):
        cooperating = bool(u.coop or u.seccoop)
        rival = u.conflict and not cooperating
        # "one of four Arab countries to normalise relations with Israel under
        # US-engineered accords": the diplomatic background of a later act
        background = u.diplomacy and i >= lead and not u.institutions and not u.seccoop
        direct = i == 0 or cooperating or (u.moroccan and not rival)
        listing = not u.bare and not rival and len(
            {m.code for m in u.mentions if m.kind == "state"}) >= TUNING.list_states
        continues = (previous_counts and previous is not None and previous.paragraph == u.paragraph
                     and not rival)
        counts = (direct or listing or continues) and not background
        for m in u.mentions:
            if u.sport and not u.security_subject(frozenset()):
                break  # "ينهزم وديا أمام نظيره الفرنسي": an opponent, not a counterpart
            if counts or m.code in u.own or m.kind == "agency" or (m.kind == "org" and u.sec):
                kept.append(m)
        previous, previous_counts = u, direct
    if not kept:
        return [m for u in units for m in u.mentions]
    return kept


def seats_as_organisations(mentions: list[Mention]) -> list[Mention]:
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
    """Capital as written in organisations.yaml -> code of the organisation seated there."""
    return {name: org.code for org in organisations().values() for name in org.seats}


@lru_cache(maxsize=1)
def signal_sets() -> dict:
    """Label and code sets that steer the rules rather than fill the lexicon."""
    signals = load_yaml("signals.yaml")
    orgs = organisations().values()
    return {
        "shared_names": {label: frozenset(codes) for label, codes in signals["shared_names"].items()},
        "relational": frozenset(signals["relational"]),
        "forum_only": frozenset(signals["forum_only"]),
        "agenda": frozenset(signals["agenda"]),
        "security_organisations": frozenset(o.code for o in orgs if o.security),
        "multilateral": frozenset(o.code for o in orgs if o.multilateral),
    }
