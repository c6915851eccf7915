"""``leaktrace report``: the evidence report of a case folder, as HTML, JSON or XLSX."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from leaktrace.cli import app
from leaktrace.cli._common import (
    JSON_OPTION,
    SHOW_VALUES_OPTION,
    console,
    emit_json,
    err_console,
    user_errors,
)
from leaktrace.errors import InputError, UsageError
from leaktrace.law import load_policy
from leaktrace.report import (
    FORMATS,
    KEY_ENV,
    LANGS,
    Format,
    build_report,
    load_key,
    manifest_path,
    refuse_foreign_files,
    write_report,
)

STAGES = {
    "scan": "扫描证据 scanning evidence",
    "count": "计算条数 counting items (Art. 11)",
    "trace": "溯源 tracing marked lists",
    "chain": "交易链条 building the trade chain",
    "assess": "认定 assessing each party",
}


@app.command("report")
@user_errors
def report_command(
    case_dir: Path = typer.Argument(
        ...,
        help="案件文件夹（含 case.toml 与 evidence/） Case folder with case.toml and evidence/.",
    ),
    fmt: str = typer.Option(
        "html",
        "--format",
        help="报告格式：html（默认）、json 或 xlsx html (default), json or xlsx.",
    ),
    lang: str = typer.Option("zh", "--lang", help="报告语言：zh（默认）或 en zh (default) or en."),
    out: Path | None = typer.Option(
        None,
        "--out",
        help=(
            "报告的写入位置（默认 CASE_DIR/reports/report.FORMAT） Where to write the report "
            "(default CASE_DIR/reports/report.FORMAT)."
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
    case_no: str | None = typer.Option(
        None,
        "--case-no",
        help=(
            "案件编号，默认取 case.toml 的 [report] case_no "
            "Case number (案件编号); default: [report] case_no in case.toml."
        ),
    ),
    unit: str | None = typer.Option(
        None,
        "--unit",
        help=(
            "办案单位，默认取 case.toml 的 [report] unit "
            "Handling unit (办案单位); default: [report] unit in case.toml."
        ),
    ),
    examiner: str | None = typer.Option(
        None,
        "--examiner",
        help=(
            "检验人，默认取 case.toml 的 [report] examiner "
            "Examiner(s) (检验人); default: [report] examiner in case.toml."
        ),
    ),
    key: Path | None = typer.Option(
        None,
        "--key",
        help=f"检验人签名密钥（默认 ${KEY_ENV}，否则 ~/.config/leaktrace/examiner.key；"
        "用 leaktrace key init 创建） "
        f"The examiner's signing key (default ${KEY_ENV}, else ~/.config/leaktrace/"
        "examiner.key; create it with `leaktrace key init`).",
    ),
    unsigned: bool = typer.Option(
        False,
        "--unsigned",
        help=(
            "写出不带签名的清单（verify 将不通过） Write the manifest without a signature (verify "
            "will fail)."
        ),
    ),
    show_values: bool = SHOW_VALUES_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """报告 Write the evidence report of a case: findings, manifest, counts, tracing, chain.

    扫描并计数案件证据，溯源 case.toml 中 [[traces]] 列出的名单，构建交易链并逐方评估，
    然后写出一份报告（默认为 HTML，自包含，可按 A4 打印）并打印其路径。除非使用 --show-values，
    个人信息均脱敏。报告旁附清单（REPORT.manifest.json）：
    列出写出的每个文件与读取的每个证据文件及其 SHA-256，以检验人密钥签名；`leaktrace verify`
    对其校验。已存在的文件仅当由先前的报告写出时才会被替换。
    Scans and counts the case's evidence, traces the lists case.toml names under [[traces]],
    builds the trade chain and assesses every party, then writes one report (HTML by
    default, self-contained, prints to A4) and prints its path. Personal values are masked
    unless --show-values. Beside the report goes its manifest (REPORT.manifest.json): every
    file written and every evidence file read, with SHA-256, signed with the examiner's key;
    `leaktrace verify` checks it. Files already there are replaced only if an earlier report
    wrote them.
    """
    if fmt not in FORMATS:
        raise UsageError(
            f"--format 须为 {'、'.join(FORMATS)} 之一 "
            f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}"
        )
    if lang not in LANGS:
        raise UsageError(
            f"--lang 须为 {' 或 '.join(LANGS)} "
            f"--lang must be one of {', '.join(LANGS)}, not {lang!r}"
        )
    if not case_dir.is_dir():
        raise InputError("案件文件夹不存在 no such case folder", str(case_dir))
    if policy is not None and not policy.is_file():
        raise UsageError("文件不存在 no such file", str(policy))
    target = out if out is not None else case_dir / "reports" / f"report.{fmt}"
    refuse_foreign_files(target, _format(fmt))
    signing_key = None if unsigned else load_key(key)
    with stage_progress(quiet=as_json) as (stage, rows):
        report = build_report(
            case_dir,
            lang=lang,
            show_values=show_values,
            policy=load_policy(policy),
            command=["leaktrace", *sys.argv[1:]],
            stage=stage,
            rows=rows,
            case_no=case_no,
            unit=unit,
            examiner=examiner,
        )
    written = write_report(report, target, _format(fmt), key=signing_key)
    manifest = manifest_path(written)
    if as_json:
        emit_json(
            {
                "report": str(written),
                "manifest": str(manifest),
                "signed": signing_key is not None,
                "format": fmt,
                "summary": report.data["summary"],
            }
        )
    else:
        console.print(f"报告 report → {escape(str(written))}")
        state = "签名清单 signed manifest" if signing_key else "未签名清单 unsigned manifest"
        console.print(f"{state} → {escape(str(manifest))}")


def _format(fmt: str) -> Format:
    return next(f for f in FORMATS if f == fmt)


@contextmanager
def stage_progress(
    quiet: bool,
) -> Iterator[tuple[Callable[[str], None] | None, Callable[[str, int], None] | None]]:
    """A transient progress display on stderr: the current step, rows read, elapsed time.

    Yields (stage, rows) callbacks for ``build_report``, or Nones when quiet or stderr is not
    a terminal, so pipes stay clean.
    """
    if quiet or not err_console.is_terminal:
        yield None, None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}[/]"),
        BarColumn(bar_width=None),
        TextColumn("{task.fields[rows]:,} 行 rows"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None, rows=0)

        def stage(name: str) -> None:
            bar.update(task, description=STAGES.get(name, name))

        def rows(_label: str, n: int) -> None:
            bar.update(task, rows=bar.tasks[0].fields["rows"] + n)

        yield stage, rows
