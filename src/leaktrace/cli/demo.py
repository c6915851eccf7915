"""``leaktrace demo``: generate a synthetic seized-evidence folder and scan it.

This is what ``make demo`` runs. Everything it writes is synthetic, made by ``leaktrace.synth``
from a fixed seed, so the output is the same on every machine.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer

from leaktrace.cli import app
from leaktrace.cli._common import console, user_errors
from leaktrace.cli.scan import _print
from leaktrace.scan import scan
from leaktrace.synth import write_evidence_folder


@app.command("demo")
@user_errors
def demo_command(
    out: Path = typer.Option(Path("demo-out"), "--out", help="Folder to write the demo case into."),
    seed: int = typer.Option(2017, "--seed", help="Seed of the synthetic data."),
    rows: int = typer.Option(2000, "--rows", help="Residents per generated list."),
) -> None:
    """演示 Generate a synthetic seized-evidence folder and scan it.

    Writes OUT/evidence/ (messy lists as investigators receive them), OUT/truth.json (what the
    generator put there), and OUT/scan.json (what the scan found), then prints the scan.
    """
    started = time.perf_counter()
    console.print(f"[bold]生成合成证据 generating synthetic evidence[/] → {out}/evidence")
    write_evidence_folder(out, seed=seed, rows=rows)
    result = scan([out / "evidence"])
    (out / "scan.json").write_text(
        json.dumps(result.to_json(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    _print(result)
    console.print(
        f"\n[bold green]完成 done[/] in {time.perf_counter() - started:.1f} s · "
        f"扫描结果 scan result: {out / 'scan.json'}"
    )
