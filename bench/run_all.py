"""Run every benchmark with its default (issue-sized) inputs and print their JSON lines.

    .venv/bin/python bench/run_all.py            # all of them; the full set takes about an hour
    .venv/bin/python bench/run_all.py scan count # only these

Each benchmark is a script of its own under ``bench/`` and can be run alone with its own options
(see its docstring). Inputs are generated once into ``bench/out/`` (git-ignored).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHES = ("synth", "ingest", "scan", "ner", "presidio", "count", "splink", "trace")


def main(names: list[str]) -> int:
    status = 0
    for name in names or BENCHES:
        script = HERE / f"bench_{name}.py"
        print(f'{{"bench": "{name}"}}', flush=True)
        status |= subprocess.run([sys.executable, str(script)], check=False).returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
