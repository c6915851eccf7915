"""``leaktrace demo``: the whole of LeakTrace on a synthetic case, ending in the evidence report.

This is what ``make demo`` runs. It writes the story's case (``leaktrace.synth.demo``), then
scans, counts, traces, chains and assesses it by building the report, writes the report as HTML,
JSON and XLSX, and prints a short summary. Everything is synthetic; no real person's data.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from leaktrace.cli import app
from leaktrace.cli._common import console, user_errors
from leaktrace.cli.report import stage_progress
from leaktrace.errors import UsageError
from leaktrace.report import (
    FORMATS,
    Report,
    build_report,
    init_key,
    labels,
    load_key,
    write_report,
)

MARKER = ".leaktrace-demo"
"""Left in the output folder so a later run knows which folder it may replace."""
WRITES = (
    *("case.toml", "evidence", "sources", "holder", "truth.json", "reports", "examiner"),
    MARKER,
)
"""Everything the demo writes in its folder; a later run replaces these and nothing else."""
LEGACY = ("scan.json",)
"""What earlier versions of the demo wrote; removed from a demo folder too."""


@app.command("demo")
@user_errors
def demo_command(
    out: Path = typer.Option(
        Path("demo-out"), "--out", help="写入演示案件的文件夹 Folder to write the demo case into."
    ),
    seed: int = typer.Option(2017, "--seed", help="合成数据的随机种子 Seed of the synthetic data."),
) -> None:
    """演示 Generate the synthetic Jiande (建德) owner-list case and write its evidence report.

    写出 OUT/case.toml、OUT/evidence/（格式杂乱的查获名单）、
    OUT/holder/（物业公司带指纹的导出及其登记库）、OUT/truth.json，以及 OUT/reports/ 下的
    report.html、report.json 与 report.xlsx，各附由本次生成的演示检验人密钥（OUT/examiner/demo.key）
    签名的清单；并打印摘要。先前演示写出的 OUT 将被替换；拒绝其他非空文件夹。
    Writes OUT/case.toml, OUT/evidence/ (seized lists in messy formats), OUT/holder/ (a
    property company's fingerprinted exports and mark registry), OUT/truth.json, and
    OUT/reports/report.html, report.json and report.xlsx, each with its manifest signed by a
    demo examiner key made for the run (OUT/examiner/demo.key); prints a summary. An OUT written by
    an earlier demo is replaced; any other non-empty folder is refused.
    """
    # the generator (and Faker) load only when asked for, not with every other verb
    from leaktrace.synth.demo import write_demo_case

    started = time.perf_counter()
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=".demo-", dir=out.parent))
    try:
        with stage_progress(quiet=False) as (stage, rows):
            if stage:
                stage("生成合成案件 generating the synthetic case")
            demo = write_demo_case(build, seed=seed)
            (build / MARKER).write_text("leaktrace demo\n", encoding="utf-8")
            report = build_report(
                build,
                command=["leaktrace", *sys.argv[1:]],
                stage=stage,
                rows=rows,
                case_no="演示 DEMO-2017",
                unit="演示单位 demo unit",
                examiner="演示检验员 demo examiner",
            )
            key_path, _, _ = init_key(build / "examiner" / "demo.key")
            report.data["case"]["dir"] = str(out.resolve())
            report.data["produced"]["reproduce"] = f"leaktrace report {out} --format html"
            if stage:
                stage("写出报告 writing the reports")
            for fmt in FORMATS:
                write_report(
                    report, build / "reports" / f"report.{fmt}", fmt, key=load_key(key_path)
                )
        _replace(out, build)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    _summary(report, out, demo.leaker, time.perf_counter() - started)


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError("--out 须为文件夹 --out must be a folder", str(out))
    ours = (out / MARKER).exists() or (out / LEGACY[0]).exists()
    if out.is_dir() and any(out.iterdir()) and not ours:
        raise UsageError(
            "文件夹不是空的，也不是 `leaktrace demo` 写的，请另选 --out "
            "folder is not empty and was not written by `leaktrace demo`; choose another --out",
            str(out),
        )


def _replace(out: Path, build: Path) -> None:
    """Move the new demo into ``out``, replacing what an earlier demo wrote there, only that."""
    out.mkdir(parents=True, exist_ok=True)
    trash = Path(tempfile.mkdtemp(prefix=".demo-old-", dir=out.parent))
    try:
        for name in (*WRITES, *LEGACY):
            if (out / name).exists():
                (out / name).rename(trash / name)
        for name in WRITES:
            if (build / name).exists():
                (build / name).rename(out / name)
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def _summary(report: Report, out: Path, leaker: str, seconds: float) -> None:
    data, lab = report.data, labels("zh")
    console.print(f"\n[bold]LeakTrace 演示 demo[/]：{escape(data['case']['name'])}")
    summary = data["summary"]
    console.print(
        f"证据 {summary['files']} 个文件 files · 去重后 {summary['items_total']:,} 条 items · "
        f"当事人 {summary['parties']} parties"
    )
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for column in ("当事人 party", "角色 role", "法律身份", "条数 items", "认定 finding"):
        table.add_column(column, justify="right" if column.startswith("条数") else "left")
    style = {"none": "green", "serious": "yellow", "especially_serious": "bold red"}
    for p in data["parties"]:
        level = p["finding"]["level"]
        table.add_row(
            escape(p["name"]),
            lab[f"role.{p['role']}"],
            lab[f"legal.{p['legal_role']}"],
            f"{p['items_total']:,}",
            f"[{style[level]}]{lab[f'level.{level}']}[/]",
        )
    console.print(table)
    for t in data["traces"]:
        if t["accused"]:
            a = t["accused"][0]
            console.print(
                f"溯源 traced: {escape(t['evidence'])}\n  → 与 [bold]{escape(a['recipient'])}[/] "
                "的导出副本一致 matches the copy "
                f"(p ≤ 10^{a['log10_p_value']:.0f}；"
                f"误指认上限 bound {t['false_accusation_bound']:g})"
            )
        else:
            console.print(
                f"溯源 traced: {escape(t['evidence'])} → "
                "未发现一致的副本 matches no recipient's copy"
            )
    reports = out / "reports"
    console.print(
        f"\n[bold green]报告 report[/] → {reports / 'report.html'}\n"
        f"  用浏览器打开 open in a browser: {(reports / 'report.html').resolve().as_uri()}\n"
        f"  另有 also: {reports / 'report.json'}, {reports / 'report.xlsx'}\n"
        f"用时 took {seconds:.1f} s"
    )
    if leaker not in {a["recipient"] for t in data["traces"] for a in t["accused"]}:
        console.print(
            f"[yellow]注意 note:[/] 标记名单没有溯源到 {leaker} "
            f"the marked list was not traced to {leaker}"
        )
