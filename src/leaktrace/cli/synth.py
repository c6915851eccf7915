"""``leaktrace synth``: write a synthetic seized-evidence folder, or one very large CSV.

Everything it writes is made up from a seed; no real person's data is involved. The printout
still names files, tables, types and counts only, never values, as every printer must.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from leaktrace.cli import app
from leaktrace.cli._common import JSON_OPTION, console, emit_json, user_errors
from leaktrace.errors import UsageError


@app.command("synth")
@user_errors
def synth_command(
    out_dir: Path | None = typer.Argument(
        None,
        help=(
            "写入的文件夹：OUT_DIR/evidence/、OUT_DIR/truth/ 与 OUT_DIR/truth.json Folder to "
            "write into: OUT_DIR/evidence/, OUT_DIR/truth/ and OUT_DIR/truth.json."
        ),
    ),
    seed: int = typer.Option(
        7,
        "--seed",
        help="随机种子；同一种子写出相同的字节 Seed; the same seed writes the same bytes.",
    ),
    rows: int | None = typer.Option(
        None,
        "--rows",
        help=(
            "最大名单的行数（默认 2000），或 --large-csv 文件的行数（此时必填） Rows of the "
            "largest list (default 2000), or of the --large-csv file (required)."
        ),
    ),
    large_csv: Path | None = typer.Option(
        None,
        "--large-csv",
        help=(
            "不写文件夹，改为将 --rows 行写入此单个大型 UTF-8 CSV 文件（内存有界） Instead of a "
            "folder, write one big UTF-8 CSV of --rows rows to this file (columns 姓名 手机号 身份"
            "证号 地址 房号 银行卡号 邮箱 金额), in bounded memory."
        ),
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """生成合成数据 Write synthetic leaked lists with their ground truth.

    不带 --large-csv 时：在 OUT_DIR/evidence/ 下生成模拟查获笔记本电脑的文件夹（GBK 与 UTF-8 CSV、
    带标题行的 XLSX/XLS、TXT、JSON、JSONL、MySQL 与 PostgreSQL 转储、嵌套 zip、聊天记录导出），
    并生成 truth.json，写明每列的真实类型及每个单元格的状态。使用 --large-csv FILE --rows N 时：
    生成一个用于吞吐量基准测试的大型 CSV。
    Without --large-csv: a seized-laptop folder (GBK and UTF-8 CSV, XLSX/XLS with title rows,
    TXT, JSON, JSONL, MySQL and PostgreSQL dumps, a nested zip, a chat export) under
    OUT_DIR/evidence/, and truth.json saying the true type of every column and the status of
    every cell. With --large-csv FILE --rows N: one large CSV for throughput benchmarks.
    """
    # the generator (and Faker) load only when asked for, not with every other verb
    from leaktrace.synth import LARGE_CSV_TYPES, write_evidence_folder, write_large_csv

    started = time.perf_counter()
    if large_csv is not None:
        if out_dir is not None:
            raise UsageError(
                "OUT_DIR 与 --large-csv FILE 只能给一个 "
                "give either OUT_DIR or --large-csv FILE, not both"
            )
        if rows is None or rows < 0:
            raise UsageError(
                "--large-csv 需要 --rows N（N >= 0）--large-csv needs --rows N (N >= 0)"
            )
        path = write_large_csv(large_csv, rows, seed)
        payload: dict[str, Any] = {
            "path": str(path),
            "rows": rows,
            "seed": seed,
            "bytes": path.stat().st_size,
            "columns": LARGE_CSV_TYPES,
            "seconds": round(time.perf_counter() - started, 2),
        }
        if as_json:
            emit_json(payload)
        else:
            console.print(
                f"[bold green]已生成 generated[/] {path}: {rows:,} 行 rows, "
                f"{payload['bytes'] / 1e6:,.1f} MB in {payload['seconds']} s"
            )
        return
    if out_dir is None:
        raise UsageError(
            "请给出 OUT_DIR（或 --large-csv FILE --rows N）"
            "give OUT_DIR (or --large-csv FILE --rows N)"
        )
    if rows is not None and rows < 10:
        raise UsageError("--rows 至少为 10 --rows must be at least 10")
    truth_path = write_evidence_folder(out_dir, seed, rows=rows if rows is not None else 2000)
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    summary = _summary(truth, out_dir, truth_path, time.perf_counter() - started)
    if as_json:
        emit_json(summary)
    else:
        _print(summary)


def _summary(
    truth: dict[str, Any], out_dir: Path, truth_path: Path, seconds: float
) -> dict[str, Any]:
    files = []
    for f in truth["files"]:
        files.append(
            {
                "path": f["path"],
                "format": f["format"],
                "encoding": f["encoding"],
                "tables": [
                    {
                        "name": t["name"],
                        "rows": t["rows"],
                        "types": sorted({v for v in t["columns"].values() if v}),
                        "free_text": t["free_text"],
                        "status_counts": t["status_counts"],
                    }
                    for t in f["tables"]
                ],
            }
        )
    return {
        "evidence": str(out_dir / truth["evidence_dir"]),
        "truth": str(truth_path),
        "seed": truth["seed"],
        "rows": truth["rows"],
        "files": files,
        "seconds": round(seconds, 2),
    }


def _print(summary: dict[str, Any]) -> None:
    table = Table(title="合成证据 synthetic evidence", title_justify="left")
    table.add_column("文件 file")
    table.add_column("表 table")
    table.add_column("行 rows", justify="right")
    table.add_column("类型 types")
    for f in summary["files"]:
        if not f["tables"]:
            table.add_row(f["path"], "", "", f["format"])
        for t in f["tables"]:
            types = ", ".join(t["types"] + [f"{c} (text)" for c in t["free_text"]])
            table.add_row(f["path"], t["name"], f"{t['rows']:,}", types)
    console.print(table)
    console.print(
        f"[bold green]已生成 generated[/] {len(summary['files'])} 个文件 files → "
        f"{summary['evidence']}\n真值 truth → {summary['truth']} ({summary['seconds']} s)"
    )
