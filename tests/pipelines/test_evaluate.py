from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipelines.evaluate import LabelsError, evaluate_file, format_report

LABELS = Path(__file__).parents[1] / "data" / "labels_small.jsonl"


def test_metrics_on_small_file() -> None:
    result = evaluate_file(LABELS)
    assert result["n"] == 5
    assert (result["precision"], result["recall"], result["f1"]) == (1.0, 1.0, 1.0)
    # Gold partners of the positives: ES, BE, INTERPOL; predicted ES, BE. The
    # partner predicted on a negative (DE in the tourism story) is not counted.
    assert result["partners_f1"] == 0.8
    assert set(result["by_lang"]) == {"ar", "en", "fr"}
    assert result["by_lang"]["fr"]["n"] == 2
    assert result["by_lang"]["fr"]["partners_f1"] == pytest.approx(0.6667)
    json.dumps(result)  # what `newsmon evaluate --json` prints


def test_threshold_changes_the_flags() -> None:
    result = evaluate_file(LABELS, threshold=0.999)
    assert result["recall"] == 0.0 and result["f1"] == 0.0
    assert result["precision"] == 1.0  # nothing flagged, nothing wrong


def test_report_is_a_table() -> None:
    report = format_report(evaluate_file(LABELS))
    lines = report.splitlines()
    assert lines[0].split() == ["lang", "n", "precision", "recall", "f1", "partners_f1"]
    assert lines[-1].split()[:2] == ["all", "5"]
    assert [line.split()[0] for line in lines[2:-1]] == ["ar", "en", "fr"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"text": "a", "label": 1}\n{not json}\n', ":2: invalid JSON"),
        ('{"text": "a", "label": 2}\n', ":1: 'label' must be 0 or 1"),
        ('{"text": "a", "label": true}\n', ":1: 'label' must be 0 or 1"),
        ('{"label": 0}\n', ":1: 'text' must be a string"),
        ('{"text": "a", "label": 1, "partners": "ES"}\n', ":1: 'partners' must be a list"),
        ('[1, 2]\n', ":1: expected a JSON object"),
        ("\n\n", "no labelled articles"),
    ],
)
def test_bad_file_names_the_line(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelsError) as info:
        evaluate_file(path)
    message = str(info.value)
    assert fragment in message and "\n" not in message
    assert isinstance(info.value, ValueError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LabelsError, match="cannot read labels"):
        evaluate_file(tmp_path / "absent.jsonl")
