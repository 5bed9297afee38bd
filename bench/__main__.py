"""Run every benchmark script in this folder, each in a fresh process.

A fresh process per benchmark keeps one's caches and warm-up from flattering
another's figures; each script prints its own lines of results.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    scripts = sorted(here.glob("bench_*.py"))
    only = set(sys.argv[1:])
    failures = 0
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        if only and name not in only:
            continue
        print(f"== {name} ==", flush=True)
        result = subprocess.run([sys.executable, str(script)], cwd=here.parent)
        failures += result.returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
