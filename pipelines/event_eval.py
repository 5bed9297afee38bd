"""Pairwise precision, recall and F1 of an event grouping against labelled events.

Every pair of reports counts once: a true pair is two reports of the same
labelled event; a predicted pair is two reports placed in the same event.
Pairs are also broken down by language pair (ar-fr, en-en...), since telling
the same event across languages is the point.  Pure functions: the caller
imports the reports (``bench/events_quality.py``) and passes both groupings.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Hashable, Mapping


@dataclass
class PairCounts:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0

    @property
    def precision(self) -> float:
        predicted = self.true_positive + self.false_positive
        return self.true_positive / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positive + self.false_negative
        return self.true_positive / actual if actual else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
                "true_pairs": self.true_positive + self.false_negative,
                "predicted_pairs": self.true_positive + self.false_positive}


@dataclass
class PairwiseReport:
    overall: PairCounts = field(default_factory=PairCounts)
    by_languages: dict[str, PairCounts] = field(default_factory=lambda: defaultdict(PairCounts))
    false_pairs: list[tuple[Hashable, Hashable]] = field(default_factory=list)
    missed_pairs: list[tuple[Hashable, Hashable]] = field(default_factory=list)


def pairwise(gold: Mapping[Hashable, Hashable], predicted: Mapping[Hashable, Hashable],
             langs: Mapping[Hashable, str] | None = None) -> PairwiseReport:
    """Compare two groupings of the same reports (report id -> group label)."""
    report = PairwiseReport()
    ids = sorted(gold, key=str)
    for a, b in combinations(ids, 2):
        same_gold = gold[a] == gold[b]
        same_pred = predicted.get(a) is not None and predicted.get(a) == predicted.get(b)
        if not same_gold and not same_pred:
            continue
        pair = "-".join(sorted((langs[a], langs[b]))) if langs else "all"
        for counts in (report.overall, report.by_languages[pair]):
            if same_gold and same_pred:
                counts.true_positive += 1
            elif same_pred:
                counts.false_positive += 1
            else:
                counts.false_negative += 1
        if same_pred and not same_gold:
            report.false_pairs.append((a, b))
        elif same_gold and not same_pred:
            report.missed_pairs.append((a, b))
    return report
