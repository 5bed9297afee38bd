"""``newsmon learn``: fit the learned verdict on analysts' feedback, and use it only if it beats the rules.

The rules stay the base: the model sees their score and the kinds of
evidence they found, plus character n-grams of the title and lead, so a few
dozen verdicts can correct the rules' systematic mistakes without having to
relearn what a security-cooperation story is. Whether it helps is decided on
the feedback alone, by cross-validation: F1 of the model's out-of-fold
predictions against F1 of the rules on the same articles. A model that does
not win is stored (for the record) but not used.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass

from pipelines.model import LearnedModel, active_model, dense_features, lead_document
from pipelines.dbtime import to_db, utc_now
from pipelines.store import write_transaction
from pipelines.verdicts import corrections, settle

MIN_EXAMPLES = 10
MIN_PER_CLASS = 3
FOLDS = 5
C_GRID = (0.3, 1.0, 3.0, 10.0)
SEED = 13


class LearnError(ValueError):
    """Not enough feedback to learn from; one line for the user."""


@dataclass(frozen=True)
class Example:
    title: str
    text: str
    score: float
    reasons: list[str]
    rule_flagged: int
    label: int


@dataclass(frozen=True)
class LearnResult:
    model_id: int
    examples: int
    cv_f1_rules: float
    cv_f1_learned: float
    active: bool
    changed: int  # articles whose shown verdict changed


def examples(conn: sqlite3.Connection) -> list[Example]:
    """Every article with an analyst's verdict, with the rules' view of it."""
    ids = [row[0] for row in conn.execute("SELECT DISTINCT article_id FROM feedback ORDER BY article_id")]
    fixes = corrections(conn, ids)
    out = []
    for article_id in ids:
        verdict = fixes[article_id].verdict
        if verdict is None:
            continue
        title, text, score, reasons, rule_flagged = conn.execute(
            "SELECT title, text, score, reasons, COALESCE(rule_flagged, flagged) FROM articles WHERE id = ?",
            [article_id]).fetchone()
        out.append(Example(title or "", text or "", float(score or 0), json.loads(reasons or "[]"),
                           int(rule_flagged), int(verdict == "relevant")))
    return out


def f1(gold: list[int], predicted: list[int]) -> float:
    tp = sum(g and p for g, p in zip(gold, predicted))
    fp = sum(p and not g for g, p in zip(gold, predicted))
    fn = sum(g and not p for g, p in zip(gold, predicted))
    return round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0


def _matrix(items: list[Example], vectorizer, *, fit: bool):  # type: ignore[no-untyped-def]
    from scipy.sparse import csr_matrix, hstack

    docs = [lead_document(e.title, e.text) for e in items]
    words = vectorizer.fit_transform(docs) if fit else vectorizer.transform(docs)
    dense = [list(dense_features(e.score, e.reasons).values()) for e in items]
    return hstack([csr_matrix(dense), words]).tocsr()


def fit(items: list[Example], c: float, model_id: int = 0) -> LearnedModel:
    """Logistic regression over the rules' evidence and the lead's n-grams, as plain weights."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from pipelines.model import char_ngrams

    vectorizer = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, min_df=2)
    matrix = _matrix(items, vectorizer, fit=True)
    classifier = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
    classifier.fit(matrix, [e.label for e in items])
    names = list(dense_features(0.5, []))
    weights = classifier.coef_[0]
    vocabulary = vectorizer.vocabulary_
    return LearnedModel(
        id=model_id, intercept=float(classifier.intercept_[0]),
        dense={name: float(weights[i]) for i, name in enumerate(names)},
        idf={gram: float(vectorizer.idf_[j]) for gram, j in vocabulary.items()},
        ngram_weights={gram: float(weights[len(names) + j]) for gram, j in vocabulary.items()},
    )


def _predict(model: LearnedModel, items: list[Example]) -> list[int]:
    return [int(model.score(e.title, e.text, e.score, e.reasons)[0] >= 0.5) for e in items]


def _folds(items: list[Example], k: int) -> list[list[int]]:
    """Stratified folds: each label's indices dealt round-robin after a seeded shuffle."""
    import random

    rng = random.Random(SEED)
    folds: list[list[int]] = [[] for _ in range(k)]
    position = 0
    for label in (0, 1):
        indices = [i for i, e in enumerate(items) if e.label == label]
        rng.shuffle(indices)
        for i in indices:
            folds[position % k].append(i)
            position += 1
    return folds


def _choose_c(items: list[Example]) -> float:
    """The regularisation that predicts best across inner folds of these examples."""
    k = min(3, min(sum(e.label for e in items), sum(1 - e.label for e in items)))
    if k < 2:
        return 1.0
    folds = _folds(items, k)
    best, best_f1 = 1.0, -1.0
    for c in C_GRID:
        gold, predicted = [], []
        for fold in folds:
            held = set(fold)
            train = [e for i, e in enumerate(items) if i not in held]
            test = [items[i] for i in fold]
            predicted += _predict(fit(train, c), test)
            gold += [e.label for e in test]
        score = f1(gold, predicted)
        if score > best_f1:
            best, best_f1 = c, score
    return best


def cross_validate(items: list[Example]) -> tuple[float, float]:
    """F1 of the rules and of the model on out-of-fold predictions over the same examples."""
    gold, learned, rules = [], [], []
    for fold in _folds(items, FOLDS):
        held = set(fold)
        train = [e for i, e in enumerate(items) if i not in held]
        test = [items[i] for i in fold]
        learned += _predict(fit(train, _choose_c(train)), test)
        rules += [e.rule_flagged for e in test]
        gold += [e.label for e in test]
    return f1(gold, rules), f1(gold, learned)


def learn(conn: sqlite3.Connection, *, progress: Callable[[str], None] | None = None) -> LearnResult:
    """Train, cross-validate, store the model, and settle every article's shown verdict."""
    items = examples(conn)
    positives = sum(e.label for e in items)
    if len(items) < MIN_EXAMPLES or min(positives, len(items) - positives) < MIN_PER_CLASS:
        raise LearnError(f"not enough feedback to learn from: {len(items)} verdict(s), {positives} relevant "
                         f"(need {MIN_EXAMPLES}, with at least {MIN_PER_CLASS} of each)")
    if progress:
        progress(f"learn: cross-validating on {len(items)} verdicts ({positives} relevant)")
    cv_rules, cv_learned = cross_validate(items)
    model = fit(items, _choose_c(items))
    active = cv_learned > cv_rules
    with write_transaction(conn):
        conn.execute("UPDATE models SET active = 0 WHERE active = 1")
        from pipelines.classify import CLASSIFIER_VERSION

        cursor = conn.execute(
            "INSERT INTO models (created_at, trained_on, cv_f1_rules, cv_f1_learned, active, classifier_version, "
            "model) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [to_db(utc_now()), len(items), cv_rules, cv_learned, int(active),
             CLASSIFIER_VERSION, model.to_json()])
        model_id = cursor.lastrowid
        if progress:
            progress("learn: re-scoring stored articles")
        ids = [row[0] for row in conn.execute("SELECT id FROM articles")]
        changed = settle(conn, ids, model=active_model(conn))
    return LearnResult(model_id, len(items), cv_rules, cv_learned, active, changed)
