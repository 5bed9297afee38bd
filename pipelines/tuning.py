"""Every tuning constant of the classifier, in one typed place.

Weights are logit units added to a bias (see pipelines.classify.score);
windows are counted in tokens. Changing a value changes verdicts, so bump
CLASSIFIER_VERSION with it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    # segmentation (pipelines.segment)
    max_unit_tokens: int = 80  # a sentence longer than this is cut at clauses, then hard
    bare_words: int = 12  # a line this short without punctuation is a menu item or a headline
    ticker_words: int = 20  # longer than a headline: a body line that starts with a time
    prefix_chars: int = 60  # enough to hold the longest "read also" opening
    lead_units: int = 3  # title plus the first two sentences (or three without a title)

    # party attribution (pipelines.parties)
    own_service_gap: int = 2  # tokens between a state and its service: "la police fédérale belge"
    host_after: int = 3  # "Ireland will co-host UEFA EURO 2028": the host verb after the state
    list_gap: int = 2  # tokens between two states of one list: "و", "et les", ", and"
    list_states: int = 3  # distinct states in one sentence that make it a list of participants
    place_before: int = 2  # "من المغرب", "depuis le Maroc", "from Morocco": a place, not a party

    # scoring (pipelines.classify)
    bias: float = -4.0
    w_institution: float = 1.2
    w_morocco: float = 0.6
    w_partner: float = 1.5
    w_key_unit: float = 0.8
    w_strong_unit: float = 0.6
    w_seccoop: float = 1.0
    w_lead: float = 1.0
    w_negative: float = 0.6
    w_background_act: float = 1.2  # the main act is a foreign state's own (see classify)
    gate: float = -1.5  # ceiling when the foreign or the Moroccan side is missing
    off_lead_gate: float = -0.3  # ceiling when the cooperation is neither in the lead nor most of the text
    max_key_units: int = 4
    max_strong_units: int = 3
    max_negatives: int = 3
    max_lead_negatives: int = 2
    threshold: float = 0.5

    # subtype (pipelines.classify)
    generic_weight: float = 0.25  # "security" decides the subtype only when no topic is named
    org_at_gathering: float = 1.5
    org_as_tool: float = 0.5


TUNING = Tuning()
