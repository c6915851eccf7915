"""``leaktrace assess``: is this suspect's conduct 情节严重 or 情节特别严重, and on what grounds."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from leaktrace.cli import app
from leaktrace.cli._common import JSON_OPTION, console, emit_json, user_errors
from leaktrace.count import assess_case
from leaktrace.errors import UsageError
from leaktrace.law import Finding, Policy, assess, load_facts, load_policy

_STYLE = {"none": "green", "serious": "yellow", "especially_serious": "bold red"}
_ROUTE = {"art5": "《解释》第五条", "art6": "《解释》第六条（为合法经营活动购买、收受）"}
_ROLE = {
    "insider": "内部人员 insider",
    "outsider": "一般主体 outsider",
    "lawful_business_buyer": "为合法经营购买 lawful business buyer",
}
_TIER = {"sensitive": "敏感 50档", "important": "重要 500档", "ordinary": "普通 5000档"}


@app.command("assess")
@user_errors
def assess_command(
    facts: Path | None = typer.Option(
        None,
        "--facts",
        help=(
            "事实文件（JSON 或 TOML）：角色、条数、违法所得、日期、标记 Facts file (JSON or "
            "TOML): role, item counts, gains, dates, flags."
        ),
    ),
    case: Path | None = typer.Option(
        None,
        "--case",
        help=(
            "案件文件夹（含 case.toml）：依《解释》第十一条从各方证据文件计算条数，再逐方评估 "
            "Case folder with case.toml: count each party's items per Art. 11 from its evidence "
            "files, then assess every party."
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
    as_json: bool = JSON_OPTION,
) -> None:
    """认定情节 Assess a suspect's facts against Criminal Law Art. 253-1 and 法释〔2017〕10号.

    列出情节等级（情节严重 / 情节特别严重 / 未达情节严重标准）及满足的每项情形，
    附条文原文与计算过程；另列量刑与罚金幅度、每项未达标准的检验及差距，以及所用策略及其 SHA-256。
    事实文件格式见 docs/assess.md；使用 --case 时，
    对案件文件夹中的每一方各出一项认定（docs/count.md）。
    Prints the level (情节严重 / 情节特别严重 / 未达情节严重标准) and every ground met,
    with the provision's official text and the arithmetic.
    Also: the sentence and fine ranges, notes on each test that fell short and by how much,
    and the policy used with its SHA-256. The facts format is in docs/assess.md; with
    --case, one finding per party of the case folder (docs/count.md).
    """
    if (facts is None) == (case is None):
        raise UsageError(
            "请给出 --facts FILE 或 --case DIR 中的一个 "
            "give exactly one of --facts FILE or --case DIR"
        )
    for path in (facts, policy):
        if path is not None and not path.is_file():
            raise UsageError("文件不存在 no such file", str(path))
    if case is not None:
        if not case.is_dir():
            raise UsageError("案件文件夹不存在 no such case folder", str(case))
        _assess_case(case, load_policy(policy), as_json)
        return
    assert facts is not None
    finding = assess(load_facts(facts), load_policy(policy))
    if as_json:
        emit_json(finding.to_json())
    else:
        console.print(render(finding))


def _assess_case(case_dir: Path, policy: Policy, as_json: bool) -> None:
    """Count every party's items per Art. 11 and print one finding per party."""
    result = assess_case(case_dir, policy)
    if as_json:
        emit_json(result.to_json())
        return
    for party in result.parties:
        items = party.counts.items(policy)
        console.print(
            f"\n[bold]{escape(party.party)}[/] ({_ROLE.get(party.role, party.role)}) · "
            + " · ".join(f"{_TIER.get(tier, tier)} {n:,}" for tier, n in dict(items).items())
        )
        console.print(render(party.finding))


def render(finding: Finding) -> Panel:
    """The finding as a Rich panel: level, grounds, penalties, notes, policy."""
    parts: list[Table | Text] = [
        Text.assemble(("适用 route: ", "bold"), _ROUTE[finding.route]),
    ]
    if finding.grounds:
        grounds = Table(show_lines=True, expand=True, title="依据 grounds", title_justify="left")
        grounds.add_column("条款 provision", ratio=2, min_width=16, overflow="fold")
        grounds.add_column("条文 text", ratio=3, overflow="fold")
        grounds.add_column("计算 arithmetic", ratio=4, overflow="fold")
        for ground in finding.grounds:
            grounds.add_row(escape(ground.provision), escape(ground.text), escape(ground.why))
        parts.append(grounds)
    else:
        parts.append(Text("依据 grounds: 无 none", style="bold"))
    sentence = finding.sentence
    line = f"{sentence.text}（{sentence.gloss}）"
    if sentence.insider_rule:
        line += f"；{sentence.insider_rule}"
    parts.append(Text.assemble(("刑罚 sentence: ", "bold"), f"{sentence.provision}：{line}"))
    parts.append(
        Text.assemble(("罚金 fine: ", "bold"), f"{finding.fine.provision}：{finding.fine.why}")
    )
    if finding.notes:
        parts.append(Text("说明 notes:", style="bold"))
        parts.extend(Text(f"• {note}") for note in finding.notes)
    policy = finding.policy
    parts.append(
        Text(f"政策 policy: {policy.name}  sha256 {policy.sha256}  ({policy.path})", style="dim")
    )
    title = Text(f"认定 finding: {finding.level_text}", style=_STYLE[finding.level])
    return Panel(Group(*parts), title=title, title_align="left", border_style=_STYLE[finding.level])
