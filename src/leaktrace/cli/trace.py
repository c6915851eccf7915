"""``leaktrace trace``: who leaked this list? Accuse only with a stated false-accusation bound."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from leaktrace.cli import app
from leaktrace.cli._common import (
    JSON_OPTION,
    SHOW_VALUES_OPTION,
    console,
    emit_json,
    row_progress,
    user_errors,
)
from leaktrace.cli.mark import KEY_FILE_OPTION, REGISTRY_OPTION
from leaktrace.errors import InputError, UsageError
from leaktrace.mark import Registry
from leaktrace.trace import DEFAULT_EPSILON, DEFAULT_GUESS, Score, TraceResult, trace

_STATUS = {"incomplete": "未完成 incomplete"}
"""A distribution committed but never released (the export was interrupted)."""


@app.command("trace")
@user_errors
def trace_command(
    leaked: Path = typer.Argument(
        ..., help="泄露的名单，scan 可读的任一格式 The leaked list, in any format `scan` reads."
    ),
    registry: str | None = REGISTRY_OPTION,
    key_file: Path | None = KEY_FILE_OPTION,
    epsilon: float = typer.Option(
        DEFAULT_EPSILON,
        "--epsilon",
        help=(
            "冤枉任一无辜接收方的概率上限（整体错误率） Bound on the chance that anyone innocent "
            "is accused (family-wise)."
        ),
    ),
    guess: float = typer.Option(
        DEFAULT_GUESS,
        "--guess",
        help=(
            "过错模型：不经任何接收方而获得一条真实记录的概率 Guilt model: chance a real record "
            "could be obtained without any recipient."
        ),
    ),
    top: int = typer.Option(
        10, "--top", help="列出的排序候选数 How many ranked candidates to list."
    ),
    as_json: bool = JSON_OPTION,
    show_values: bool = SHOW_VALUES_OPTION,
) -> None:
    """溯源 Trace a leaked list back to the recipients whose exports it came from.

    仅当无辜接收方的标记吻合到此程度的概率低于 EPSILON /（接收方数）时才指认该接收方，
    故冤枉任一无辜者的概率至多为 EPSILON。无标记时，按谁收到过泄露记录为候选排序：这是排序，
    不是指认。
    Accuses a recipient only when the chance that an innocent recipient's marks agree this well
    is below EPSILON / (number of recipients), so the chance of accusing anyone innocent is at
    most EPSILON. Without marks, ranks candidates by who received the leaked records: a
    ranking, not an accusation.
    """
    if not 0 < epsilon < 1:
        raise UsageError("--epsilon 须在 0 与 1 之间 --epsilon must be between 0 and 1")
    if not 0 <= guess < 1:
        raise UsageError("--guess 须在 [0, 1) 之内 --guess must be in [0, 1)")
    if not leaked.is_file():
        raise InputError("文件不存在 no such file", str(leaked))
    reg = Registry.open(registry, key_file)
    try:
        with row_progress("溯源 tracing", as_json) as progress:
            result = trace(
                leaked,
                reg,
                epsilon=epsilon,
                guess=guess,
                top=top,
                show_values=show_values,
                progress=progress,
            )
    finally:
        reg.close()
    if as_json:
        emit_json(result.to_json())
    else:
        _print(result)


def _print(result: TraceResult) -> None:
    console.print(
        f"{escape(str(result.leaked))}: {result.leaked_rows:,} 行 rows, "
        f"匹配 matched {result.matched_rows:,} "
        f"(蜜罐记录 honey records {result.honey_rows}), 读出标记 marks read "
        f"{result.code_length:,}, 比对分发 distributions scored {result.recipients:,}"
    )
    if result.accused:
        console.print(
            "[bold red]该名单与下列接收方的副本一致 the list matches the copy given to[/] "
            f"(技术意见，误指认上限 technical opinion, false-accusation bound {result.epsilon:g}):"
        )
        console.print(_table(result.accused, evidence=True))
    else:
        console.print(
            f"[bold]未发现与任何副本一致 matches no recipient's copy[/] "
            f"(误指认上限 false-accusation bound {result.epsilon:g})."
        )
    if result.candidates and result.matched_rows:
        console.print(
            "候选人 candidates (按来源模型排序，[bold]不是认定[/] "
            "a source-model ranking, [bold]not an accusation[/]):"
        )
        console.print(_table(result.candidates, evidence=False))
    for note in result.notes:
        console.print(f"说明 note: {escape(note)}")


def _table(scores: list[Score], *, evidence: bool) -> Table:
    table = Table(show_edge=False)
    for name in (
        "接收方 recipient",
        "分发 dist.",
        "得分 score",
        "p ≤",
        "标记一致 marks agreed",
        "蜜罐 honey",
        "来源概率(模型) source prob. (model)",
    ):
        table.add_column(name)
    for s in scores:
        table.add_row(
            escape(s.recipient),
            str(s.distribution)
            + ("" if s.status == "released" else f" ({_STATUS.get(s.status, s.status)})"),
            f"{s.score:.1f}",
            f"{s.p_value:.1e}",
            f"{s.bits_agreed}/{s.bits_total}",
            str(s.honey_found),
            f"{s.guilt:.3f}",
        )
        if evidence:
            for e in s.evidence:
                shown = " ".join(e.values.values())
                kind = "蜜罐记录 honey record" if e.honey else "行 row"
                table.add_row(
                    "",
                    f"{kind} {e.row}",
                    "",
                    "",
                    f"{e.marks_agreed}/{e.marks_read}",
                    "",
                    escape(shown),
                )
    return table
