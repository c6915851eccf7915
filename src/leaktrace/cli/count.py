"""``leaktrace count``: how many items (条) of personal information, per Art. 11, in these files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import cast

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
from leaktrace.count import (
    KEY_RULES,
    LINK_RULES,
    STATUS_TEXT,
    TOP_PAIRS,
    CountResult,
    KeyRule,
    LinkRule,
    linkage_lines,
)
from leaktrace.engine import get_engine, local_path
from leaktrace.errors import UsageError
from leaktrace.law import load_policy

_TIER_TEXT = {
    "sensitive": "敏感 sensitive (50)",
    "important": "重要 important (500)",
    "ordinary": "普通 ordinary (5,000)",
}


@app.command("count")
@user_errors
def count_command(
    paths: list[str] = PATHS_ARGUMENT,
    policy: Path | None = typer.Option(
        None,
        "--policy",
        help=(
            "策略文件（TOML），代替内置默认策略 Policy file (TOML) to use instead of the built-in "
            "default."
        ),
    ),
    kind: str | None = typer.Option(
        None,
        "--kind",
        help=(
            "声明每个文件的数据集类型（如 hotel_checkin、home_owner_list） Declare the dataset "
            "kind of every file (e.g. hotel_checkin, home_owner_list)."
        ),
    ),
    key: str = typer.Option(
        "person",
        "--key",
        help=(
            "去重方式：person（同一类别内同一人）或 content（内容完全相同） Duplicates: 'person' "
            "(same person within a category) or 'content' (identical)."
        ),
    ),
    link: str | None = typer.Option(
        None,
        "--link",
        help=(
            "同一人记录的归并方式：person（每人计一条，取最高档次）、category（每人每类别计一条）"
            "或 none（不归并）；默认取策略 [linkage] 的 count（person） Records of one person: "
            "'person' (one item per person, at its highest tier), 'category' (one per person and "
            "category) or 'none' (no linkage). Default: the policy's [linkage] count (person)."
        ),
    ),
    export: Path | None = typer.Option(
        None,
        "--export",
        help=(
            "将去重后的条目清单写入 FILE（.csv 或 .xlsx） Write the deduplicated item list to "
            "FILE (.csv or .xlsx)."
        ),
    ),
    overlaps_out: Path | None = typer.Option(
        None,
        "--overlaps-out",
        help=f"将每对有共同条目的文件写入 FILE（.csv）；输出中显示共同条目最多的 {TOP_PAIRS} 对 "
        "Write every pair of files sharing items to FILE (.csv); the output shows the "
        f"{TOP_PAIRS} pairs sharing most.",
    ),
    as_json: bool = JSON_OPTION,
    show_values: bool = SHOW_VALUES_OPTION,
    engine: str = ENGINE_OPTION,
    spark_master: str | None = SPARK_MASTER_OPTION,
) -> None:
    """计数 Count items of personal information per Art. 11 of 法释〔2017〕10号.

    按类别与档次、按文件列出去重后的条数，文件之间的重合，以及排除了什么、为何排除（重复、不真实、
    已脱敏的行）。单独的手机号按普通条目计数并加以标记。任一文件无法读取时退出码为 1。
    Prints distinct items per category and tier, per file, the overlaps between files, and
    what was excluded and why (duplicates, untrue rows, masked rows). Bare phone numbers are
    counted as ordinary items and flagged. Exit code 1 if any file could not be read.
    """
    if key not in KEY_RULES:
        raise UsageError(
            f"--key 须为 {' 或 '.join(KEY_RULES)} "
            f"--key must be one of {', '.join(KEY_RULES)}, not {key!r}"
        )
    if link is not None and link not in LINK_RULES:
        raise UsageError(
            f"--link 须为 {'、'.join(LINK_RULES)} 之一 "
            f"--link must be one of {', '.join(LINK_RULES)}, not {link!r}"
        )
    if overlaps_out is not None and not overlaps_out.parent.is_dir():
        raise UsageError("--overlaps-out 的文件夹不存在 no such folder", str(overlaps_out.parent))
    if policy is not None and not policy.is_file():
        raise UsageError("文件不存在 no such file", str(policy))
    for path in paths:
        local = local_path(path)
        if local is not None and not local.exists():
            raise UsageError("文件或文件夹不存在 no such file or folder", path)
    rule: KeyRule = "person" if key == "person" else "content"
    runner = get_engine(engine, master=spark_master)
    with row_progress("计数 counting", as_json) as progress:
        result = runner.count(
            paths,
            policy=load_policy(policy),
            kind=kind,
            key=rule,
            export=export,
            show_values=show_values,
            progress=progress,
            link=cast(LinkRule | None, link),
        )
    if overlaps_out is not None:
        result.write_overlaps(overlaps_out)
    if as_json:
        emit_json(result.to_json())
    else:
        _print(result)
    if result.errors:
        raise typer.Exit(1)


def _print(result: CountResult) -> None:
    data = result.to_json()
    console.print(
        f"[bold]政策 policy[/] {data['policy']['name']} · SHA-256 {data['policy']['sha256'][:16]}…"
        f" · 去重口径 duplicates by {data['key']}"
    )
    tiers = Table(title="条数 items (Art. 11)", title_justify="left", show_edge=False)
    tiers.add_column("类别 category", overflow="fold", ratio=1)
    tiers.add_column("档 tier", no_wrap=True)
    tiers.add_column("条 items", justify="right", no_wrap=True)
    for cat, row in data["by_category"].items():
        tiers.add_row(f"{row['label']} ({cat})", _TIER_TEXT[row["tier"]], f"{row['items']:,}")
    for tier, n in data["items"].items():
        tiers.add_row("[bold]合计 total[/]", _TIER_TEXT[tier], f"[bold]{n:,}[/]")
    console.print(tiers)
    if data["linkage"] is not None:
        both, *conflicts = linkage_lines(data)
        console.print(f"[bold]{both}[/]")
        for line in conflicts:
            console.print(f"[yellow]{line}[/]")
    if data["bare_phone"]:
        console.print(
            f"[yellow]其中仅有电话号码 of which bare phone numbers: {data['bare_phone']:,}[/] "
            "(计入普通信息并单独标记；裁判对其能否识别特定自然人有分歧 counted as ordinary, "
            "flagged: courts split on them)"
        )
    ex = data["excluded"]
    console.print(
        f"读入 records read {data['records_read']:,}; 排除 excluded: 重复 duplicate "
        f"{ex['duplicate']:,}, 不真实 invalid {ex['invalid']:,}, 遮蔽 masked {ex['masked']:,}, "
        f"不能识别 unidentified {ex['unidentified']:,}, 空行 empty {ex['empty']:,}"
    )
    if data["reasons"]:
        reasons = Table(title="排除原因 why excluded", title_justify="left", show_edge=False)
        reasons.add_column("状态 status", no_wrap=True)
        reasons.add_column("原因 reason", overflow="fold", ratio=1)
        reasons.add_column("行 records", justify="right", no_wrap=True)
        for r in data["reasons"]:
            status = STATUS_TEXT.get(r["status"], r["status"])
            reasons.add_row(status, escape(r["reason"]), f"{r['records']:,}")
        console.print(reasons)
    if data["recovered"]:
        console.print(_recovered_line(data["recovered"]))
    short = _shortener([f["path"] for f in data["files"]])
    files = Table(
        title="每个文件 per file: 读入 read · 有效 valid · 不真实 invalid · 遮蔽 masked · "
        "重复 duplicates · 条数 items (50 / 500 / 5000 tiers) · 他处也有 shared with other files",
        title_justify="left",
        show_edge=False,
    )
    files.add_column("文件 file", overflow="fold", min_width=12, ratio=1)
    for heading in (
        "读入",
        "有效",
        "不真实",
        "遮蔽",
        "重复",
        "50档",
        "500档",
        "5000档",
        "他处也有",
    ):
        files.add_column(heading, justify="right", no_wrap=True)
    listed = [f for f in data["files"] if f["tables"]]  # an archive: its members are listed
    for f in listed[:_FILES_SHOWN]:
        files.add_row(
            escape(short(f["path"])),
            f"{f['records_read']:,}",
            f"{f['records']['valid']:,}",
            f"{f['records']['invalid']:,}",
            f"{f['records']['masked']:,}",
            f"{f['duplicate_within_file']:,}",
            *(f"{f['items'][t]:,}" for t in ("sensitive", "important", "ordinary")),
            f"{f['shared']:,}",
        )
    console.print(files)
    if len(listed) > _FILES_SHOWN:
        console.print(
            f"另有 {len(listed) - _FILES_SHOWN:,} 个文件未列出，见 --json "
            f"({len(listed) - _FILES_SHOWN:,} more files: see --json)"
        )
    if data["overlaps"]:
        title = "文件间重合 overlaps"
        if data["overlap_pairs"] > len(data["overlaps"]):
            title += (
                f"：共有条目最多的 {len(data['overlaps'])} 对，共 {data['overlap_pairs']:,} 对"
                f" (the {len(data['overlaps'])} of {data['overlap_pairs']:,} pairs sharing most;"
                " every pair: --overlaps-out FILE.csv)"
            )
        overlaps = Table(title=title, title_justify="left", show_edge=False)
        overlaps.add_column("文件 A", overflow="fold", ratio=1)
        overlaps.add_column("文件 B", overflow="fold", ratio=1)
        overlaps.add_column("共有条数 shared items", justify="right", no_wrap=True)
        for o in data["overlaps"]:
            overlaps.add_row(escape(short(o["a"])), escape(short(o["b"])), f"{o['items']:,}")
        console.print(overlaps)
    if data["export"]:
        console.print(f"已导出 exported: {escape(str(data['export']))}")
    for e in data["errors"]:
        err_console.print(f"[red]✗ {escape(e['path'])}[/]: {escape(e['reason'])}")


_FILES_SHOWN = 500
"""Files the per-file table lists (a phone's worth of exports is thousands)."""

_RECOVERED_LABEL = {"mobile": "手机号 mobiles", "cn_id": "身份证号 IDs"}


def _recovered_line(recovered: dict[str, int]) -> str:
    """The note on numbers read back from a spreadsheet's float or scientific form."""
    parts = ", ".join(f"{_RECOVERED_LABEL.get(t, t)} {n:,}" for t, n in recovered.items())
    return (
        f"表格软件改写的数字已恢复 read back from spreadsheet numbers, every digit intact "
        f"(13606661234.0, 1.8667778888E+10): {parts}"
    )


def _shortener(paths: list[str]) -> Callable[[str], str]:
    """Paths shown relative to the folder they all share (the JSON keeps them in full)."""
    outer = [p.split("!/", 1)[0] for p in paths]
    if len(outer) < 2:
        root = os.path.dirname(outer[0]) if outer else ""
    else:
        root = os.path.commonpath(outer)
        if root in outer:
            root = os.path.dirname(root)
    if not root:
        return lambda p: p
    return lambda p: os.path.relpath(p, root) if not p.startswith("!") else p
