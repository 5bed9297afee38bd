"""Measure the classifier against a labelled JSON Lines file.

Partner F1 is micro-averaged over the articles whose gold label is 1: partner
lists of negatives are empty by definition, and counting predictions on them
would mix flagging errors (already in precision) into partner quality.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from pipelines.classify import classify

__all__ = ["LabelsError", "evaluate_file", "format_report"]


class LabelsError(ValueError):
    """A labelled file that cannot be read; the message names the line."""


def _load(path: str | Path) -> list[dict]:
    records = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelsError(f"{path}: cannot read labels: {exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelsError(f"{path}:{number}: invalid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise LabelsError(f"{path}:{number}: expected a JSON object")
        if record.get("label") not in (0, 1) or isinstance(record.get("label"), bool):
            raise LabelsError(f"{path}:{number}: 'label' must be 0 or 1")
        if not isinstance(record.get("text"), str):
            raise LabelsError(f"{path}:{number}: 'text' must be a string")
        if not isinstance(record.get("title", ""), (str, type(None))):
            raise LabelsError(f"{path}:{number}: 'title' must be a string")
        gold_partners = record.get("partners", [])
        if not isinstance(gold_partners, list) or not all(isinstance(p, str) for p in gold_partners):
            raise LabelsError(f"{path}:{number}: 'partners' must be a list of strings")
        records.append(record)
    if not records:
        raise LabelsError(f"{path}: no labelled articles")
    return records


class _Tally:
    def __init__(self) -> None:
        self.n = self.tp = self.fp = self.fn = 0
        self.ptp = self.pfp = self.pfn = 0

    def add(self, gold: int, flagged: bool, gold_partners: set[str], partners: set[str]) -> None:
        self.n += 1
        self.tp += gold and flagged
        self.fp += (not gold) and flagged
        self.fn += gold and not flagged
        if gold:
            self.ptp += len(gold_partners & partners)
            self.pfp += len(partners - gold_partners)
            self.pfn += len(gold_partners - partners)

    def result(self) -> dict:
        precision, recall, f1 = _prf(self.tp, self.fp, self.fn)
        return {
            "n": self.n,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "partners_f1": _prf(self.ptp, self.pfp, self.pfn)[2],
        }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1; an empty denominator scores 1.0 (nothing to get wrong)."""
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return round(precision, 4), round(recall, 4), round(f1, 4)


def evaluate_file(path: str | Path, *, threshold: float | None = None) -> dict:
    """Classify every labelled article and score flags and partners, overall and per language."""
    overall = _Tally()
    by_lang: dict[str, _Tally] = defaultdict(_Tally)
    for record in _load(path):
        verdict = classify(record.get("title") or "", record["text"], record.get("lang"),
                           threshold=threshold)
        args = (record["label"], verdict.flagged, set(record.get("partners", [])),
                set(verdict.partners))
        overall.add(*args)
        by_lang[record.get("lang") or "?"].add(*args)
    result = overall.result()
    result["by_lang"] = {lang: by_lang[lang].result() for lang in sorted(by_lang)}
    return result


def format_report(result: dict) -> str:
    """A fixed-width table: one row per language, then the overall row."""
    header = f"{'lang':<8}{'n':>5}{'precision':>11}{'recall':>8}{'f1':>8}{'partners_f1':>13}"
    rows = [header, "-" * len(header)]
    for name, r in [*result.get("by_lang", {}).items(), ("all", result)]:
        rows.append(f"{name:<8}{r['n']:>5}{r['precision']:>11.3f}{r['recall']:>8.3f}"
                    f"{r['f1']:>8.3f}{r['partners_f1']:>13.3f}")
    return "\n".join(rows)
