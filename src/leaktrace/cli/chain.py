"""``leaktrace chain``: who sold what to whom, and each party's count and finding."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from leaktrace.chain import THRESHOLD, ChainResult, chain
from leaktrace.cli import app
from leaktrace.cli._common import JSON_OPTION, console, emit_json, row_progress, user_errors
from leaktrace.errors import UsageError
from leaktrace.law import load_policy

_ROLE = {
    "source": "源头 source",
    "reseller": "倒卖者 reseller",
    "buyer": "买家 buyer",
    "other": "其他 other",
}
_LEGAL = {
    "insider": "内部人员 insider",
    "outsider": "一般 outsider",
    "lawful_business_buyer": "经营购买 business buyer",
}
_LEVEL = {
    "none": "[green]未达标准 none[/]",
    "serious": "[yellow]情节严重 serious[/]",
    "especially_serious": "[bold red]情节特别严重 especially serious[/]",
}
_TYPE = {"sold": "出售 sold", "provided": "提供 provided"}
_ISSUE = {
    "cycle": "交易成环 cycle",
    "date_order": "日期顺序 date order",
    "unknown_date": "日期不详 no date",
    "inferred": "推断交易 inferred",
    "external_party": "案外买方 outside the case",
}


@app.command("chain")
@user_errors
def chain_command(
    case_dir: Path = typer.Argument(
        ..., help="案件文件夹（含 case.toml 与证据） Case folder with case.toml and the evidence."
    ),
    out: Path | None = typer.Option(
        None,
        "--out",
        help=(
            "将 chain.json、chain.graphml（Gephi、i2）与 chain.html 写入此文件夹 Write "
            "chain.json, chain.graphml (Gephi, i2) and chain.html to this folder."
        ),
    ),
    threshold: float = typer.Option(
        THRESHOLD,
        "--threshold",
        help=(
            "另一方持有某方未解释名单的比例不低于此值时，推断存在转移（0 至 1） Infer a transfer "
            "when another party holds at least this share of a party's unexplained list (0 to 1)."
        ),
    ),
    count_inferred: bool = typer.Option(
        False,
        "--count-inferred",
        help=(
            "将推断的转移计入卖方条数（默认仅作线索） Count inferred transfers in the sellers' "
            "items (by default they are leads only)."
        ),
    ),
    policy: Path | None = typer.Option(
        None,
        "--policy",
        help=(
            "策略文件（TOML），代替内置默认策略 Policy file (TOML) to use instead of the built-in "
            "default."
        ),
    ),
    lang: str = typer.Option(
        "zh", "--lang", help="chain.html 的语言：zh 或 en Language of chain.html: zh or en."
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """交易链 Trace the trade chain of a case: sources, resellers, buyers, counts, findings.

    读取各方及申报的转移（case.toml 及其 transfers 表）与从每方查获的名单；
    根据名单重合推断未申报的转移；依《解释》第十一条计算每方条数并逐方评估。
    循环与日期顺序错误作为问题报告。
    Reads the parties and declared transfers (case.toml and its transfers table) and the lists
    seized from each party; infers undeclared transfers from list overlap; counts each party's
    items per Art. 11 and assesses each. Cycles and dates out of order are reported as issues.
    """
    if not case_dir.is_dir():
        raise UsageError("案件文件夹不存在 no such case folder", str(case_dir))
    if policy is not None and not policy.is_file():
        raise UsageError("文件不存在 no such file", str(policy))
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError("输出位置是一个文件，不是文件夹 the output folder is a file", str(out))
    if not 0 < threshold <= 1:
        raise UsageError(
            f"--threshold 须大于 0 且不超过 1 --threshold must be above 0 and at most 1, "
            f"not {threshold}"
        )
    if lang not in ("zh", "en"):
        raise UsageError(f"--lang 须为 zh 或 en --lang must be zh or en, not {lang!r}")
    with row_progress("交易链 chain", as_json) as progress:
        result = chain(
            case_dir,
            policy=load_policy(policy),
            threshold=threshold,
            count_inferred=count_inferred,
            progress=progress,
        )
    written = result.write(out, lang=lang) if out is not None else []
    if as_json:
        emit_json(result.to_json())
        return
    _print(result)
    for path in written:
        console.print(f"已写入 wrote {escape(str(path))}")


def _print(result: ChainResult) -> None:
    data = result.to_json()
    console.print(
        f"[bold]{escape(data['case'] or '案件 case')}[/] · 政策 policy {data['policy']['name']} · "
        f"SHA-256 {data['policy']['sha256'][:16]}…"
    )
    parties = Table(
        title="当事人 parties (条数按《解释》第十一条 items per Art. 11)",
        title_justify="left",
        show_edge=False,
    )
    parties.add_column("当事人 party", overflow="fold")
    parties.add_column("角色 role", overflow="fold")
    for heading in ("获取 obtained", "出售 sold", "提供 provided", "认定条数 items"):
        parties.add_column(heading, justify="right", no_wrap=True)
    parties.add_column("违法所得 gains", justify="right", no_wrap=True)
    parties.add_column("认定 finding", overflow="fold")
    for p in data["parties"]:
        items = p["items"]
        tiers = " / ".join(f"{items[t]:,}" for t in ("sensitive", "important", "ordinary"))
        parties.add_row(
            escape(p["name"]),
            f"{_ROLE.get(p['role'], p['role'])}\n{_LEGAL.get(p['legal_role'], p['legal_role'])}",
            f"{p['obtained']:,}",
            f"{p['sold']:,}",
            f"{p['provided']:,}",
            tiers,
            f"{p['gains_yuan']:,}",
            _LEVEL[p["finding"]["level"]],
        )
    console.print(parties)
    console.print(
        "[dim]认定条数 items: 50档 / 500档 / 5000档 (sensitive / important / ordinary)[/]"
    )
    transfers = Table(title="交易 transfers", title_justify="left", show_edge=False)
    for heading in ("卖方 seller", "买方 buyer", "日期 date", "类型 type"):
        transfers.add_column(heading, overflow="fold")
    transfers.add_column("条数 items", justify="right", no_wrap=True)
    transfers.add_column("价格 price", justify="right", no_wrap=True)
    transfers.add_column("渠道 channel", overflow="fold")
    transfers.add_column("来源 basis", overflow="fold")
    for t in data["transfers"]:
        basis = (
            f"推定 inferred {t['containment']:.1%}"
            + ("" if t["counted"] else "（未计入 not counted）")
            if t["inferred"]
            else "申报 declared"
        )
        transfers.add_row(
            escape(t["seller"]),
            escape(t["buyer"]),
            t["date"] or "",
            _TYPE.get(t["type"], t["type"]),
            f"{t['items']:,}",
            f"{t['price_yuan']:,}" if t["price_yuan"] is not None else "",
            escape(t["channel"] or ""),
            basis,
        )
    console.print(transfers)
    if data["paths"]:
        console.print("[bold]链条 paths (源头 → 买家 source → buyer)[/]")
        for path in data["paths"]:
            steps = [escape(path["parties"][0])]
            for name, date in zip(path["parties"][1:], path["dates"], strict=True):
                steps.append(f"—{date or '?'}→ {escape(name)}")
            console.print("  " + " ".join(steps))
    if data["issues"]:
        console.print("[bold yellow]需核实 issues[/]")
        for issue in data["issues"]:
            kind = _ISSUE.get(issue["kind"], issue["kind"])
            console.print(f"  • {escape('[' + kind + ']')} {escape(issue['message'])}")
