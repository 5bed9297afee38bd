"""`newsmon import`, then the digest, search and status, through the real CLI in subprocesses:
one meeting told in Arabic, French and English by three sites is one digest entry with its three reports."""
from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]

# Written for the project. Dates are filled in relative to today so that the digest window holds them.
MEETING = [
    {"url": "https://alkhabar-example.ma/ar/1", "source": "alkhabar-ar", "lang": "ar",
     "title": "حموشي يستقبل المديرة العامة للحرس المدني الإسباني بالرباط",
     "text": "استقبل عبد اللطيف حموشي، المدير العام للأمن الوطني ولمراقبة التراب الوطني، اليوم الثلاثاء بالرباط، "
             "ميرسيديس غونزاليس المديرة العامة للحرس المدني الإسباني، على رأس وفد أمني. وتناولت المباحثات تعزيز "
             "التعاون الأمني بين المغرب وإسبانيا في مكافحة الإرهاب والهجرة غير النظامية وتهريب المخدرات."},
    {"url": "https://lejournal-example.ma/fr/2?utm_source=feed", "source": "lejournal-fr",
     "title": "Rabat : Hammouchi reçoit la patronne de la Garde civile espagnole",
     "text": "Le directeur général de la DGSN et de la DGST, Abdellatif Hammouchi, a reçu mardi à Rabat Mercedes "
             "González, directrice générale de la Guardia Civil, accompagnée d'une délégation. Les entretiens ont porté "
             "sur la coopération sécuritaire entre le Maroc et l'Espagne contre le terrorisme et les trafics."},
    {"url": "https://dailynews-example.ma/en/3", "lang": "en",
     "title": "Morocco's security chief Hamouchi hosts Spain's Civil Guard director",
     "text": "Abdellatif Hammouchi, head of Morocco's national police and domestic intelligence, received Civil Guard "
             "director general Mercedes González in Rabat on Tuesday. The talks focused on security cooperation "
             "between Morocco and Spain against terrorism, irregular migration and drug trafficking."},
]
LOOK_ALIKE = {"url": "https://dailynews-example.ma/en/52", "source": "dailynews-en", "lang": "en",
              "title": "Seven ISIS supporters arrested in Nador with Spanish police",
              "text": "Morocco's DGST arrested seven ISIS supporters in Nador in coordination with the Spanish national "
                      "police. The suspects were planning terrorist projects, according to a joint statement."}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scheduler.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    config = tmp_path / "config.yaml"
    config.write_text("database: news.db\ndigest:\n  to: [analyst@example.org]\n  from: newsmon@example.org\n"
                      "  language: fr\n", encoding="utf-8")
    lines = [json.dumps({**r, "published": "2026-03-10T11:00:00+01:00", "extra": "ignored"}, ensure_ascii=False)
             for r in MEETING]
    lines.append(json.dumps({**LOOK_ALIKE, "published": "2026-03-11"}, ensure_ascii=False))
    lines.insert(2, '{"url": "https://bad.example/1", "title": "no text"}')
    lines.append("{not json")
    data = tmp_path / "reports.jsonl"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config, data


def test_import_reports_bad_lines_and_is_idempotent(setup: tuple[Path, Path]) -> None:
    config, data = setup
    first = run_cli("import", str(data), "--config", str(config), "--quiet")
    assert first.returncode == 1, first.stderr
    assert first.stderr.splitlines() == [f"{data}:3: text: required", f"{data}:6: invalid JSON: "
                                         "Expecting property name enclosed in double quotes (column 2)"]
    assert "imported 4 of 6 line(s): 4 new, 0 updated, 0 unchanged; 2 event(s)" in first.stdout
    again = run_cli("import", str(data), "--config", str(config), "--quiet")
    assert "imported 4 of 6 line(s): 0 new, 0 updated, 4 unchanged; 2 event(s)" in again.stdout
    clean = data.with_name("clean.jsonl")
    clean.write_text(data.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert run_cli("import", str(clean), "--config", str(config)).returncode == 0


def test_the_digest_shows_one_entry_with_its_three_reports(setup: tuple[Path, Path], tmp_path: Path) -> None:
    config, data = setup
    run_cli("import", str(data), "--config", str(config), "--quiet")
    out = tmp_path / "digest.eml"
    result = run_cli("digest", "--config", str(config), "--dry-run", "--out", str(out))
    assert result.returncode == 0, result.stderr
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    assert text.count("Hammouchi reçoit la patronne de la Garde civile espagnole") == 1  # the French title speaks
    assert "حموشي يستقبل" not in text and "hosts Spain's Civil Guard director" not in text
    also = next(line for line in text.splitlines() if "Aussi publié par" in line)
    assert "alkhabar-ar (ar) <https://alkhabar-example.ma/ar/1>" in also
    assert "dailynews-example.ma (en) <https://dailynews-example.ma/en/3>" in also
    events = 1 + ("Seven ISIS supporters" in text)
    assert msg["Subject"].endswith(f"— {events} security-cooperation event" + ("s" if events > 1 else ""))


def test_search_and_status_count_events_and_reports(setup: tuple[Path, Path]) -> None:
    config, data = setup
    run_cli("import", str(data), "--config", str(config), "--quiet")
    search = run_cli("search", "Hammouchi", "--config", str(config))
    assert search.returncode == 0 and "2 article(s) reporting 1 event(s)" in search.stdout  # French and English
    status = json.loads(run_cli("status", "--config", str(config), "--json").stdout)
    assert status["stored"] == {"articles": 4, "events": 2, "flagged_events": status["stored"]["flagged_events"],
                                "unplaced": 0}
    assert "4 report(s) in 2 event(s)" in run_cli("status", "--config", str(config)).stdout
