"""``leaktrace scan``: what personal information is in these files, where, and how much is real."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from leaktrace.cli import app
from leaktrace.cli._common import (
    ENGINE_OPTION,
    JSON_OPTION,
    PATHS_ARGUMENT,
    SHOW_VALUES_OPTION,
    SPARK_MASTER_OPTION,
    console,
    emit_json,
    err_console,
    row_progress,
    user_errors,
)
from leaktrace.detect import CATALOGUE
from leaktrace.engine import get_engine, local_path
from leaktrace.errors import UsageError
from leaktrace.scan import FileResult, ScanResult, scan

FORMATS = ("csv", "tsv", "txt", "xlsx", "xls", "ods", "json", "jsonl", "parquet", "sql", "zip")


@app.command("scan")
@user_errors
def scan_command(
    paths: list[str] = PATHS_ARGUMENT,
    encoding: str | None = typer.Option(
        None,
        "--encoding",
        help="指定文本编码 Force a text encoding (e.g. gbk, utf-8, utf-16, big5).",
    ),
    format: str | None = typer.Option(
        None, "--format", help=f"指定文件格式 Force a format: {', '.join(FORMATS)}."
    ),
    as_json: bool = JSON_OPTION,
    show_values: bool = SHOW_VALUES_OPTION,
    engine: str = ENGINE_OPTION,
    spark_master: str | None = SPARK_MASTER_OPTION,
    spans: Path | None = typer.Option(
        None,
        "--spans",
        help=(
            "另将自由文本中发现的每处片段写入此 JSON Lines 文件（仅限本地引擎） Also write every "
            "span found in free text to this JSON Lines file: path, table, column, row (0-based "
            "data row), type, start/end (character offsets, end exclusive), status, value (masked "
            "unless --show-values). Local engine only."
        ),
        dir_okay=False,
    ),
) -> None:
    """扫描证据文件 Scan evidence files for Chinese personal information.

    对每个文件和工作表：哪些列含哪些类型，多少值有效、不真实（校验位、日期或号段不符）或已脱敏，
    以及自由文本提到什么。任一文件无法读取时退出码为 1，其余文件照常扫描。
    For every file and sheet: which columns hold which types, how many values are valid,
    invalid (fail their check digit, date or segment) or masked, and what free text mentions.
    Exit code 1 if any file could not be read; the others are still scanned.
    """
    if format is not None and format not in FORMATS:
        raise UsageError(
            f"--format 须为 {'、'.join(FORMATS)} 之一 "
            f"--format must be one of {', '.join(FORMATS)}, not {format!r}"
        )
    for path in paths:
        local = local_path(path)
        if local is not None and not local.exists():
            raise UsageError("文件或文件夹不存在 no such file or folder", path)
    if spans is not None and engine != "local":
        raise UsageError("--spans 只能用本机引擎 --spans needs --engine local")
    runner = get_engine(engine, master=spark_master)
    with row_progress("扫描 scanning", as_json) as progress:
        if spans is not None:
            result = scan(
                [Path(p) for p in paths],
                encoding=encoding,
                format=format,
                show_values=show_values,
                progress=progress,
                spans=spans,
            )
        else:
            result = runner.scan(
                paths, encoding=encoding, format=format, show_values=show_values, progress=progress
            )
    if as_json:
        emit_json(result.to_json())
    else:
        _print(result)
        if spans is not None:
            console.print(f"自由文本片段 free-text spans → {spans}")
    if result.errors:
        raise typer.Exit(1)


def type_label(type_id: str) -> str:
    """The type's Chinese label, e.g. ``手机号码``; the id where the type is unknown."""
    unit = CATALOGUE.get(type_id)
    return unit.label if unit else type_id


def _print(result: ScanResult) -> None:
    for file in result.files:
        _print_file(file)
    found = sum(1 for f in result.files for t in f.tables for c in t.columns if c.type or c.spans)
    console.print(
        f"[bold]共 {len(result.files)} 个文件 files[/], {found} 个含个人信息的列 columns with "
        f"personal information, {len(result.errors)} 个错误 errors"
    )
    for failure in result.errors:
        err_console.print(f"[red]✗ {escape(failure.path)}[/]: {escape(failure.reason)}")


def _print_file(file: FileResult) -> None:
    encoding = f" · {file.encoding}" if file.encoding else ""
    console.print(f"\n[bold cyan]{escape(file.path)}[/]")
    console.print(
        f"  [dim]{file.format}{encoding} · {file.size:,} B · SHA-256 {file.sha256[:16]}…[/]"
    )
    for table in file.tables:
        grid = Table(
            title=f"{escape(table.name)} · {table.rows:,} 行 rows",
            title_justify="left",
            show_edge=False,
            pad_edge=False,
        )
        grid.add_column("列 column", overflow="fold")
        grid.add_column("类型 type", overflow="fold")
        for heading in ("有效 valid", "不真实 invalid", "遮蔽 masked"):
            grid.add_column(heading, justify="right")
        grid.add_column("示例 samples", overflow="fold")
        free_text = [c for c in table.columns if c.free_text and c.spans]
        for column in table.columns:
            if column.type and not column.free_text:
                grid.add_row(
                    escape(column.name),
                    type_label(column.type),
                    f"{column.valid:,}",
                    f"{column.invalid:,}",
                    f"{column.masked:,}",
                    escape(" ".join(column.samples)),
                )
        if grid.row_count:
            console.print(grid)
        elif free_text:
            console.print(f"[italic]{grid.title}[/]")
        for column in free_text:
            spans = " · ".join(f"{type_label(t)} {n:,}" for t, n in column.spans.most_common())
            console.print(f"  [bold]{escape(column.name)}[/] (自由文本 free text): {spans}")
        if not grid.row_count and not free_text:
            console.print(
                f"  [dim]{escape(table.name)}: 未发现个人信息 no personal information found[/]"
            )
