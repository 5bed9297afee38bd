"""The package layout holds: imports point one way, scheduler → crawler → pipelines.

``pipelines/`` is pure functions over plain data, so it imports neither of the
others; the crawler uses pipelines but knows nothing of the daemon, the digest
or the command line.  Read from the source (every import statement, including
those inside functions and under ``TYPE_CHECKING``), not from what happens to
be loaded.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"pipelines": {"crawler", "scheduler"}, "crawler": {"scheduler"}, "scheduler": set()}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


MODULES = sorted(p for package in FORBIDDEN for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_one_way(path: Path) -> None:
    package = path.relative_to(ROOT).parts[0]
    wrong = imported_packages(path) & FORBIDDEN[package]
    assert not wrong, f"{path.relative_to(ROOT)} imports {', '.join(sorted(wrong))}: imports must point scheduler → crawler → pipelines"


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from crawler.config import Config\n    import scheduler.cli\n", encoding="utf-8")
    assert imported_packages(module) >= {"crawler", "scheduler"}
