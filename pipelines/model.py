"""The learned verdict: a logistic regression over the rules' evidence and the wording of the lead.

``newsmon learn`` (:mod:`pipelines.learn`) fits it with scikit-learn and
stores its weights as JSON in the ``models`` table; scoring here is plain
Python over those weights, so a crawl scores new articles without loading
scikit-learn, and every weight that moved a verdict can be named in its
reasons. The features are the same function in both places
(:func:`features`, :func:`char_ngrams`), so training and scoring agree.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import Any

from pipelines.normalize import normalize_for_search

LEAD_CHARS = 400  # title plus the opening: where a story says what it is about
NGRAM_RANGE = (3, 5)
REASON_KINDS = ("institution", "partner", "cooperation", "negative", "unnamed partners")
SHOWN_FEATURES = 4  # learned contributions listed in an article's reasons


def char_ngrams(doc: str) -> list[str]:
    """Character n-grams inside word boundaries (scikit-learn's ``char_wb``), over the folded text."""
    grams = []
    low, high = NGRAM_RANGE
    for word in doc.split():
        padded = f" {word} "
        for n in range(low, high + 1):
            if len(padded) < n:
                break
            grams.extend(padded[i:i + n] for i in range(len(padded) - n + 1))
    return grams


def lead_document(title: str, text: str) -> str:
    return normalize_for_search(f"{title}\n{text[:LEAD_CHARS]}")


def dense_features(score: float, reasons: list[str]) -> dict[str, float]:
    """The rules' evidence as numbers: their score (as a logit) and how much of each kind of reason they found."""
    clipped = min(max(score, 1e-4), 1 - 1e-4)
    values = {"rules score": max(-6.0, min(6.0, math.log(clipped / (1 - clipped)))) / 3}
    counts = Counter(reason.split(":", 1)[0] for reason in reasons)
    for kind in REASON_KINDS:
        values[f"rules {kind}"] = min(counts.get(kind, 0), 3) / 3
    evidence = next((r for r in reasons if r.startswith("evidence: ")), None)
    values["rules evidence"] = min(int(evidence.split()[1]), 4) / 4 if evidence else 0.0
    values["rules no partner"] = float("no foreign partner named" in reasons)
    values["rules no Moroccan actor"] = float("no Moroccan actor named" in reasons)
    return values


@dataclass(frozen=True)
class LearnedModel:
    id: int
    intercept: float
    dense: dict[str, float]  # feature name -> weight
    idf: dict[str, float]  # n-gram -> inverse document frequency
    ngram_weights: dict[str, float]  # n-gram -> weight

    @classmethod
    def from_json(cls, model_id: int, text: str) -> LearnedModel:
        data = json.loads(text)
        return cls(model_id, data["intercept"], data["dense"], data["idf"], data["ngram_weights"])

    def to_json(self) -> str:
        return json.dumps({"intercept": self.intercept, "dense": self.dense, "idf": self.idf,
                           "ngram_weights": self.ngram_weights}, ensure_ascii=False)

    def contributions(self, title: str, text: str, score: float, reasons: list[str]) -> dict[str, float]:
        """Each feature's weight times its value (n-grams as «gram»); their sum plus the intercept is the logit."""
        out = {name: self.dense.get(name, 0.0) * value for name, value in dense_features(score, reasons).items()}
        counts = Counter(g for g in char_ngrams(lead_document(title, text)) if g in self.idf)
        tfidf = {g: (1 + math.log(c)) * self.idf[g] for g, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in tfidf.values())) or 1.0
        for gram, value in tfidf.items():
            out[f"«{gram.strip()}»"] = out.get(f"«{gram.strip()}»", 0.0) + self.ngram_weights[gram] * value / norm
        return out

    def score(self, title: str, text: str, score: float, reasons: list[str]) -> tuple[float, list[str]]:
        """Probability of security cooperation and the learned features that moved it most."""
        parts = self.contributions(title, text, score, reasons)
        z = self.intercept + sum(parts.values())
        probability = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
        towards = 1 if probability >= 0.5 else -1
        moved = sorted((item for item in parts.items() if item[1] * towards > 0), key=lambda item: -abs(item[1]))
        reasons_out = [f"learned: {name} {value:+.2f}" for name, value in moved[:SHOWN_FEATURES]]
        return round(probability, 4), [f"learned model #{self.id}: p={probability:.2f}", *reasons_out]


_CACHE: dict[int, LearnedModel] = {}


def active_model(conn: sqlite3.Connection) -> LearnedModel | None:
    """The model in use, if cross-validation said it beats the rules (parsed once per process)."""
    row = conn.execute("SELECT id FROM models WHERE active = 1 ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    if row[0] not in _CACHE:
        (text,) = conn.execute("SELECT model FROM models WHERE id = ?", [row[0]]).fetchone()
        _CACHE.clear()
        _CACHE[row[0]] = LearnedModel.from_json(row[0], text)
    return _CACHE[row[0]]


def model_summary(conn: sqlite3.Connection) -> dict[str, Any] | None:
    """The latest model's record (active or not), for status pages."""
    row = conn.execute("SELECT id, created_at, trained_on, cv_f1_rules, cv_f1_learned, active FROM models "
                       "ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    keys = ("id", "created_at", "trained_on", "cv_f1_rules", "cv_f1_learned", "active")
    return dict(zip(keys, row))
