"""``leaktrace mark``: write one recipient's fingerprinted export of a master list."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from leaktrace.cli import app
from leaktrace.cli._common import JSON_OPTION, console, emit_json, row_progress, user_errors
from leaktrace.errors import UsageError
from leaktrace.mark import Registry, mark_export

REGISTRY_OPTION = typer.Option(
    None,
    "--registry",
    help=(
        "登记库：SQLite 路径或数据库 URL；默认 $LEAKTRACE_REGISTRY 或 ./leaktrace-registry.db "
        "Registry: a SQLite path or a database URL (postgresql+psycopg://…). Default: "
        "$LEAKTRACE_REGISTRY or ./leaktrace-registry.db."
    ),
)
_KIND = {
    "building": "楼栋 building",
    "unit": "单元 unit",
    "room": "房号 room",
    "area": "面积 area",
    "date": "日期 date",
    "address": "地址 address",
}
"""What a person reads for each kind of column a mark varies (``--vary`` takes the English)."""

KEY_FILE_OPTION = typer.Option(
    None,
    "--key-file",
    help=(
        "密钥文件（权限 0600）；默认 $LEAKTRACE_MARK_KEY（十六进制）或 $LEAKTRACE_MARK_KEY_FILE，"
        "否则为 SQLite 登记库旁的 `<registry>.key` Secret key file (mode 0600). Default: "
        "$LEAKTRACE_MARK_KEY (hex) or $LEAKTRACE_MARK_KEY_FILE, else `<registry>.key` beside a "
        "SQLite registry."
    ),
)


@app.command("mark")
@user_errors
def mark_command(
    master: Path = typer.Argument(
        ...,
        help="据以导出的母版名单（CSV 或 XLSX） The master list (CSV or XLSX) to export from.",
    ),
    recipient: str = typer.Option(
        ..., "--recipient", help="本次导出的接收方 Who receives this export."
    ),
    out: Path = typer.Option(
        ...,
        "--out",
        help="导出文件的写入位置（不得已存在） Where to write the export (must not exist).",
    ),
    registry: str | None = REGISTRY_OPTION,
    key_file: Path | None = KEY_FILE_OPTION,
    init: bool = typer.Option(
        False,
        "--init",
        help=(
            "登记库（及其密钥文件）不存在时予以创建 Create the registry (and its key file) if it "
            "does not exist."
        ),
    ),
    trap_pool: Path | None = typer.Option(
        None,
        "--trap-pool",
        help=(
            "信息持有者掌控的手机号/邮箱，每行一个，供蜜罐记录使用；不提供则蜜罐记录不含手机号与邮"
            "箱 Phones/emails the holder controls, one a line, for honey records. Without it "
            "honey records carry no phone or email."
        ),
    ),
    vary: list[str] = typer.Option(
        [],
        "--vary",
        help=(
            "COLUMN=KIND，可变化的列（类型：building、unit、room、area、date、address），可重复；"
            "默认按表头建议，首次导出时固定 COLUMN=KIND, a column free to vary (kinds: building, "
            "unit, room, area, date, address). Repeatable. Default: proposed from the headers, "
            "fixed at first export."
        ),
    ),
    where: list[str] = typer.Option(
        [],
        "--where",
        help=(
            "COLUMN=VALUE：仅导出这些行（可重复） COLUMN=VALUE: export only these rows "
            "(repeatable)."
        ),
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """标记导出 Write a fingerprinted export of MASTER for one recipient.

    导出文件看似母版格式的普通导出，但与其他每个接收方的导出在带密钥的等价写法（幢/栋、室、
    面积末位、日期 ±1 天）及所含蜜罐记录（不存在的住户）上各不相同。文件发出前，
    分发情况即记入登记库。
    The export looks like an ordinary export in the master's format. It differs from every
    other recipient's in keyed equivalent spellings (幢/栋, 室, the area's last digit, a date
    ±1 day) and in which honey records (residents who do not exist) it contains. The
    distribution is recorded in the registry before the file is released.
    """
    reg = _open(registry, key_file, init)
    try:
        with row_progress("标记 marking", as_json) as progress:
            result = mark_export(
                master,
                recipient=recipient,
                registry=reg,
                out=out,
                vary=[_pair(v, "--vary") for v in vary] or None,
                where=[_pair(w, "--where") for w in where],
                trap_pool=trap_pool,
                progress=progress,
            )
    finally:
        reg.close()
    if as_json:
        emit_json(result.to_json())
        return
    console.print(
        f"已导出 wrote [bold]{escape(str(result.out))}[/]: {result.rows:,} 行 rows 给 for "
        f"[bold]{escape(result.recipient)}[/] (分发 distribution {result.distribution_id}, "
        f"蜜罐记录 honey records {result.honey})"
    )
    console.print(
        escape("标记列 marks: " + ", ".join(f"{c}={_KIND.get(k, k)}" for c, k in result.variants))
    )
    for note in result.notes:
        console.print(f"说明 note: {escape(note)}")


def _open(registry: str | None, key_file: Path | None, init: bool) -> Registry:
    if not init:
        return Registry.open(registry, key_file)
    from leaktrace.mark import RegistryError

    try:
        return Registry.open(registry, key_file)
    except RegistryError as exc:
        if "not found" not in exc.reason:
            raise
    return Registry.create(registry, key_file)


def _pair(text: str, option: str) -> tuple[str, str]:
    column, sep, value = text.partition("=")
    if not sep or not column.strip() or not value.strip():
        raise UsageError(f"{option} 须写成 列名=值 {option} takes COLUMN=VALUE, not {text!r}")
    return column.strip(), value.strip()
