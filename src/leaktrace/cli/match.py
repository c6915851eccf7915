"""``leaktrace match``: which database did each seized list come from?"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from leaktrace.chain import MATCH_KEYS, MatchResult
from leaktrace.cli import app
from leaktrace.cli._common import (
    ENGINE_OPTION,
    JSON_OPTION,
    SPARK_MASTER_OPTION,
    console,
    emit_json,
    row_progress,
    user_errors,
)
from leaktrace.cli.count import _shortener
from leaktrace.engine import get_engine, local_path
from leaktrace.errors import UsageError

_FIELD_TEXT = {
    "cn_id": "身份证号 cn_id",
    "mobile": "手机号 mobile",
    "passport": "护照 passport",
    "bank_card": "银行卡 bank_card",
    "email": "邮箱 email",
    "qq": "QQ 号 qq",
    "wechat": "微信 wechat",
    "landline": "固话 landline",
    "name_place": "姓名+房号 name_place",
    "content": "整条记录 content",
}


@app.command("match")
@user_errors
def match_command(
    seized: list[str] = typer.Argument(
        ...,
        help=(
            "查获的名单：文件或文件夹（每个文件为一份名单；打开压缩包）；使用 --engine spark 时也"
            "可为 URI 与 hive: 表 Seized lists: files or folders (every file is one list; "
            "archives opened); with --engine spark also URIs and hive: tables."
        ),
    ),
    sources: list[str] = typer.Option(
        [],
        "--sources",
        help=(
            "候选来源（开发商客户库、业主名册）：文件或文件夹；可重复此选项。其他查获名单也作为候"
            "选 Candidate sources (a developer's customer base, an owner register): files or "
            "folders; repeat the option for several. The other seized lists are candidates too."
        ),
    ),
    key: str = typer.Option(
        "person",
        "--key",
        help=(
            "person：比对身份标识及姓名 + 房号；content：仅比对完全相同的记录 'person': compare "
            "identifiers and name + room; 'content': identical records only."
        ),
    ),
    min_containment: float = typer.Option(
        0.1,
        "--min",
        help=(
            "略去所含某份查获名单比例低于此值的候选（0 至 1） Leave out candidates holding less "
            "than this share of a seized list (0 to 1)."
        ),
    ),
    top: int = typer.Option(
        5, "--top", help="每份查获名单列出的候选数 Candidates listed per seized list."
    ),
    as_json: bool = JSON_OPTION,
    engine: str = ENGINE_OPTION,
    spark_master: str | None = SPARK_MASTER_OPTION,
) -> None:
    """来源比对 Which source did each seized list come from?

    按规范化记录的包含关系两两比较名单：查获名单在候选中所占比例，及反向比例。
    对每份查获名单列出最佳候选，及匹配的记录、所在小区与时间跨度。
    Compares every list with every other by containment of normalised records: the share of
    the seized list found in the candidate, and the reverse. Shows, per seized list, the best
    candidates with the records matched, the estates (小区) they are in and the dates they span.
    """
    if key not in MATCH_KEYS:
        raise UsageError(
            f"--key 须为 {' 或 '.join(MATCH_KEYS)} "
            f"--key must be one of {', '.join(MATCH_KEYS)}, not {key!r}"
        )
    if not 0 <= min_containment <= 1:
        raise UsageError(
            f"--min 须在 0 与 1 之间 --min must be between 0 and 1, not {min_containment}"
        )
    if top < 1:
        raise UsageError(f"--top 至少为 1 --top must be at least 1, not {top}")
    for path in (*seized, *sources):
        local = local_path(path)
        if local is not None and not local.exists():
            raise UsageError("文件或文件夹不存在 no such file or folder", path)
    runner = get_engine(engine, master=spark_master)
    with row_progress("比对 matching", as_json) as progress:
        result = runner.match(
            seized,
            sources,
            key="person" if key == "person" else "content",
            min_containment=min_containment,
            top=top,
            progress=progress,
        )
    if as_json:
        emit_json(result.to_json())
    else:
        _print(result)


def _print(result: MatchResult) -> None:
    data = result.to_json()
    short = _shortener([item["path"] for item in data["lists"]])
    for m in data["matches"]:
        best = m["best_source"] or m["best"]
        head = f"\n[bold]{escape(short(m['seized']))}[/]"
        if best is None:
            console.print(f"{head}: 未找到来源 no candidate holds ≥ {result.min_containment:.0%}")
            continue
        console.print(f"{head} → 最可能来源 most likely from [bold]{escape(short(best))}[/]")
        table = Table(show_edge=False, title_justify="left")
        table.add_column("候选来源 candidate", overflow="fold", ratio=2)
        table.add_column("依据 key", no_wrap=True)
        table.add_column("匹配 matched", justify="right", no_wrap=True)
        table.add_column("被包含 in source", justify="right", no_wrap=True)
        table.add_column("反向 reverse", justify="right", no_wrap=True)
        table.add_column("小区 estates", overflow="fold", ratio=2)
        table.add_column("时间 span", overflow="fold", ratio=1)
        for c in m["candidates"]:
            span = c["span"]["seized"] or c["span"]["source"]
            table.add_row(
                escape(("[源] " if c["role"] == "source" else "") + short(c["source"])),
                _FIELD_TEXT.get(c["field"], c["field"]),
                f"{c['matched']:,}",
                f"{c['containment']:.1%}",
                f"{c['reverse']:.1%}",
                escape(" ".join(f"{e['name']} {e['items']:,}" for e in c["communities"])),
                f"{span[0]} – {span[1]}" if span else "",
            )
        console.print(table)
        if len(m["cover"]) > 1:
            parts = " + ".join(f"{short(c['source'])} {c['adds']:.1%}" for c in m["cover"])
            console.print(escape(f"合并自 merged from: {parts} = {m['cover'][-1]['covered']:.1%}"))
    seconds = data["seconds"]
    console.print(
        f"\n{len(data['lists'])} 个名单 lists, {data['pairs_compared']:,} 对 pairs compared · "
        f"读入 read {seconds['read']:.1f} s · 比对 compare {seconds['compare']:.2f} s"
    )
