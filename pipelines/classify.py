"""Flag stories about security cooperation between Morocco and foreign partners.

The verdict is weighted evidence rather than a trained model: with a few
hundred labelled articles a model would learn the dev sets, whereas the
labelling rule itself is compositional — Morocco a party, a foreign state or
body a party, to a security act that is the main subject of the story.

The work is split along those lines:

- :mod:`pipelines.segment` removes page furniture and cuts the text into
  bounded sentences;
- :mod:`pipelines.parties` finds the evidence in each sentence and decides
  whose each institution, state and organisation is, and in what role;
- this module scores the parties and acts (weights in :mod:`pipelines.tuning`)
  and names the subtype. Every hit that moved the score is in ``reasons``.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from pipelines.lexicon import vocabulary_digest
from pipelines.parties import Mention, Unit, analyse, partner_mentions, seats_as_organisations, signal_sets
from pipelines.tuning import TUNING

__all__ = ["CLASSIFIER_VERSION", "DEFAULT_THRESHOLD", "SUBTYPES", "Verdict", "classify"]

# The code's version plus the vocabularies' hash (every file in pipelines/data,
# organisations.yaml included): `newsmon reprocess` re-classifies stored
# articles whenever either changes.
CLASSIFIER_VERSION = f"2.2.0+{vocabulary_digest()}"
DEFAULT_THRESHOLD = TUNING.threshold
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


@dataclass(frozen=True)
class Verdict:
    """Classifier output stored with each article (a contract other parts rely on: see README, "Python entry points")."""

    flagged: bool
    score: float
    subtype: str | None
    partners: list[str]
    reasons: list[str]


def classify(title: str, text: str, lang: str | None = None, *,
             threshold: float | None = None) -> Verdict:
    """Score one article and explain the score.

    ``lang`` (ar, fr, en) chooses the clause punctuation that cuts an
    over-long sentence; the vocabularies are trilingual and matched together,
    which also handles French articles quoting English statements, so a
    missing or wrong ``lang`` changes nothing else. Partners are reported
    even below the threshold, so a near miss still shows whom it named.
    """
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    units = analyse(title, text, lang)
    mentions = seats_as_organisations(partner_mentions(units))
    counts = Counter(m.code for m in mentions)
    partners = sorted(counts, key=lambda c: (-counts[c], _first(mentions, c)))
    evidence = _evidence(units, bool(partners))
    z, reasons = _score(units, mentions, partners, evidence)
    score = round(1.0 / (1.0 + math.exp(-z)), 4)
    flagged = score >= threshold
    return Verdict(
        flagged=flagged,
        score=score,
        subtype=_subtype(units) if flagged else None,
        partners=partners,
        reasons=reasons,
    )


@dataclass
class _Evidence:
    key_units: int = 0  # sentences where Moroccan and foreign parties share a security act
    strong_units: int = 0  # ... with both sides named in the sentence itself
    lead_key: bool = False  # one of them is in the title or the lead
    lead_foreign_act: bool = False  # the lead is about security and names a foreign party
    negatives: list[tuple[str, str]] | None = None
    lead_negatives: int = 0
    unnamed: list[str] | None = None  # groups of foreign parties tied to Morocco


def _lead(units: list[Unit], i: int) -> bool:
    """Title plus the first sentences; without a title the lead carries its weight."""
    return i < TUNING.lead_units + (0 if units[0].tokens else 1)


def _evidence(units: list[Unit], has_partners: bool) -> _Evidence:
    """Count the sentences in which a security act has a Moroccan and a foreign party."""
    sets = signal_sets()
    relational, security_orgs = sets["relational"], sets["security_organisations"]
    story_moroccan = any(u.moroccan for u in units)
    ev = _Evidence(negatives=[], unnamed=[])
    lead_security = lead_foreign = False
    for i, u in enumerate(units):
        agency = any(m.kind == "agency" for m in u.mentions)
        security = u.security_subject(security_orgs)
        coop = bool(u.coop or u.seccoop)
        moroccan = u.moroccan
        # "la DGSN, en collaboration avec la DGST": two Moroccan services
        # coordinating with each other relate to no foreign partner
        domestic = not u.mentions and len({label for label, _ in u.institutions}) >= 2
        # an arrest on a warrant or a notice a foreign state's judiciary issued
        # is judicial cooperation with that state, said or not
        issued = story_moroccan and bool(u.own) and "judicial_extradition" in u.sec
        coop = coop or issued
        relates = (any(label in relational for label, _ in u.coop) and not domestic) or bool(u.seccoop) or issued
        # A foreign security body named beside a Moroccan one, or working on an
        # event in Morocco, is cooperation even when the story never says so;
        # so is Morocco at a security organisation's conference or assembly.
        event = "event" in u.forum or "event_security" in u.sec
        gathering = "multilateral_org" in u.forum and any(m.code in security_orgs for m in u.mentions)
        paired = (agency and (bool(u.institutions) or (u.morocco and event))) or (gathering and moroccan)
        # "police from several African countries" is a foreign side too, unnamed
        foreign = bool(u.mentions or u.foreign)
        # "the two sides discussed security cooperation": the parties named
        # before, in a story that has both sides
        sides = relates and has_partners and (moroccan or story_moroccan)
        # "talks on trade, tourism and terrorism": security is one item of a
        # diplomatic agenda, unless a Moroccan security body is at the table
        agenda = u.agenda and not u.institutions and not u.seccoop
        if _lead(units, i):
            lead_security = lead_security or security
            lead_foreign = lead_foreign or foreign
        if (paired or (coop and security and (foreign or sides))) and not agenda:
            ev.key_units += 1
            ev.lead_key = ev.lead_key or _lead(units, i)
            if (foreign and moroccan) or u.seccoop:
                ev.strong_units += 1
            if moroccan and u.foreign:
                ev.unnamed += u.foreign
        elif not agency:
            ev.negatives += u.negative
            ev.lead_negatives += len(u.negative) if _lead(units, i) else 0
    ev.lead_foreign_act = lead_security and lead_foreign
    return ev


def _score(units: list[Unit], mentions: list[Mention], partners: list[str],
           ev: _Evidence) -> tuple[float, list[str]]:
    t = TUNING
    reasons: list[str] = []
    institutions = {label: display for u in units for label, display in u.institutions}
    has_morocco = any(u.moroccan for u in units)
    z = t.bias
    if institutions:
        z += t.w_institution
        reasons += [f"institution: {label} ({display})" for label, display in institutions.items()]
    if has_morocco:
        z += t.w_morocco
    if partners:
        z += t.w_partner
        seen: dict[str, str] = {}
        for m in mentions:
            seen.setdefault(m.code, m.display)
        reasons += [f"partner: {code} ({seen[code]})" for code in partners]
    z += t.w_key_unit * min(ev.key_units, t.max_key_units)
    z += t.w_strong_unit * min(ev.strong_units, t.max_strong_units)
    if any(u.seccoop for u in units):
        z += t.w_seccoop
    if ev.lead_key:
        z += t.w_lead
    z -= t.w_negative * (min(len(ev.negatives), t.max_negatives) + min(ev.lead_negatives, t.max_lead_negatives))

    coop_terms = list(dict.fromkeys(display for u in units for _, display in u.coop))
    reasons += [f"cooperation: {c}" for c in coop_terms[:5]]
    if ev.key_units:
        reasons.append(f"evidence: {ev.key_units} sentence(s) tie Moroccan and foreign parties to a security act")
    reasons += [f"negative: {label} ({display})" for label, display in dict(ev.negatives).items()]
    if ev.key_units and not ev.lead_key and ev.key_units < 2 and not ev.lead_foreign_act:
        # the act is neither in the title and lead nor in most of the text:
        # a domestic story that mentions a foreign warrant in passing
        z = min(z, t.off_lead_gate)
        reasons.append("cooperation only in passing, not the main subject")
    if not partners and ev.unnamed:
        reasons += [f"unnamed partners: {d}" for d in dict.fromkeys(ev.unnamed)]
    elif not partners:
        z = min(z, t.gate)
        reasons.append("no foreign partner named")
    if not has_morocco:
        z = min(z, t.gate)
        place = any(u.place or u.passport for u in units)
        reasons.append("Morocco named only as a place or a nationality" if place else "no Moroccan actor named")
    return z, reasons


def _first(mentions: list[Mention], code: str) -> int:
    return next(i for i, m in enumerate(mentions) if m.code == code)


# Cooperation cues that make a sentence about an organisation's own gathering.
_GATHERING = frozenset({"meeting", "participation", "delegation"})


def _subtype(units: list[Unit]) -> str:
    """The subtype with the most cue weight; explicit cooperation phrases and the lead count double.

    An organisation counts towards multilateral_org mostly where the sentence
    is about its meeting, session or delegation: Interpol executing a red
    notice or Europol helping a cybercrime case leaves the subtype to the
    topic, as the labelling rules read the story's subject, not its channel.
    """
    t = TUNING
    multilateral_orgs = signal_sets()["multilateral"]
    weight: Counter[str] = Counter()
    states = {m.code for u in units for m in u.mentions if m.kind != "org"}
    multilateral = len(states) >= 3 or any(m.code in multilateral_orgs for u in units for m in u.mentions)
    for i, u in enumerate(units):
        factor = 2.0 if _lead(units, i) else 1.0
        # "الدورة", "session": a training course or a bilateral committee's
        # sitting unless the story has a multilateral body or several states
        for s in u.sec + [f for f in u.forum if multilateral or f != "multilateral_org"]:
            weight[s] += factor
        for s in u.seccoop:
            weight[s] += 2.0 * factor
        if "security" in u.sec:
            weight["police_intel"] += t.generic_weight * factor  # once a sentence, however often said
        gathering = "multilateral_org" in u.forum or any(label in _GATHERING for label, _ in u.coop)
        orgs = sum(1 for m in u.mentions if m.code in multilateral_orgs)
        weight["multilateral_org"] += factor * orgs * (t.org_at_gathering if gathering else t.org_as_tool)
    del weight["security"]
    weight["event_security"] += weight.pop("event", 0.0)
    if not any(weight.values()):
        return "police_intel"
    return max(SUBTYPES, key=lambda s: (weight[s], -SUBTYPES.index(s)))
