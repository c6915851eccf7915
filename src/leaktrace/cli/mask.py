"""``leaktrace mask``: masked (脱敏) or pseudonymised copies of evidence files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import typer

from leaktrace.cli import app
from leaktrace.cli._common import (
    JSON_OPTION,
    console,
    emit_json,
    row_progress,
    user_errors,
)
from leaktrace.detect import CATALOGUE
from leaktrace.errors import UsageError
from leaktrace.redact import KEY_ENV, MaskResult, load_key, redact

PATHS_ARGUMENT = typer.Argument(
    ...,
    help=(
        "要复制的文件或文件夹（递归遍历文件夹；拒绝压缩包） Files or folders to copy (folders "
        "recursively; archives are refused)."
    ),
)


@app.command("mask")
@user_errors
def mask_command(
    paths: list[str] = PATHS_ARGUMENT,
    out: Path = typer.Option(
        ...,
        "--out",
        help=(
            "副本所在文件夹（不存在则创建；不得为输入文件夹） Folder for the copies (created if "
            "missing; never an input folder)."
        ),
    ),
    pseudonym: bool = typer.Option(
        False,
        "--pseudonym",
        help=(
            "以带密钥的假名代替个人信息（同值得同一假名，仍可关联），而非 `138****5678` 式的脱敏 "
            "Replace values with keyed pseudonyms (the same value gives the same pseudonym, so "
            "joins still work) instead of masks such as `138****5678`."
        ),
    ),
    key_file: Path | None = typer.Option(
        None,
        "--key-file",
        help=f"配合 --pseudonym：密钥文件（不存在则创建，权限 0600）；否则用 ${KEY_ENV} "
        f"With --pseudonym: the key file (created, mode 0600, if missing); else ${KEY_ENV}.",
        dir_okay=False,
    ),
    force: bool = typer.Option(
        False, "--force", help="替换已存在的副本 Replace copies that already exist."
    ),
    encoding: str | None = typer.Option(
        None,
        "--encoding",
        help=(
            "指定输入文件的文本编码（如 gbk、utf-8） Force the inputs' text encoding (e.g. gbk, "
            "utf-8)."
        ),
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """脱敏 Write masked copies of files: every personal value found is replaced in place.

    每个 CSV、TSV、TXT、XLSX、JSON 或 JSON Lines 文件按相同的行、列、工作表、标题行与编码复制到
    --out；个人信息列中及自由文本内的值替换为脱敏值（`138****5678`、张**），使用 --pseudonym
    时替换为带密钥的假名。拒绝其他格式与压缩包。任一文件无法复制时退出码为 1。
    Each CSV, TSV, TXT, XLSX, JSON or JSON Lines file is copied into --out with the same rows,
    columns, sheets, title rows and encoding; values in personal-information columns and inside
    free text become masks (`138****5678`, 张**) or, with --pseudonym, keyed pseudonyms. Other
    formats and archives are refused. Exit code 1 if any file could not be copied.
    """
    if key_file is not None and not pseudonym:
        raise UsageError("--key-file 只与 --pseudonym 同用 --key-file goes with --pseudonym")
    key = load_key(key_file) if pseudonym else None
    with row_progress("脱敏 masking", as_json) as progress:
        result = redact(paths, out, key=key, force=force, encoding=encoding, progress=progress)
    if as_json:
        emit_json(result.to_json())
    else:
        _print(result)
    if result.errors:
        raise typer.Exit(1)


def _counts(masked: Counter[str]) -> str:
    parts = []
    for type_id, n in masked.most_common():
        unit = CATALOGUE.get(type_id)
        parts.append(f"{unit.label if unit else type_id} {type_id} {n:,}")
    return " · ".join(parts) if parts else "未发现个人信息 nothing found"


def _print(result: MaskResult) -> None:
    how = "假名 pseudonyms" if result.mode == "pseudonym" else "遮蔽 masks"
    for file in result.files:
        console.print(f"[green]✓[/] {file.path} → [bold]{file.out}[/] · {file.rows:,} 行 rows")
        console.print(f"  {_counts(file.masked)}")
        for note in file.notes:
            console.print(f"  [yellow]{note}[/]")
    total = sum(result.masked.values())
    console.print(
        f"[bold]共 {len(result.files)} 个文件 files, 替换 {total:,} 个值 values replaced ({how})[/]"
    )
    if result.masked:
        console.print(f"  {_counts(result.masked)}")
    for failure in result.errors:
        console.print(f"[red]✗ {failure.path}[/]: {failure.reason}")
