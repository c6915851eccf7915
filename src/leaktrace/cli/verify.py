"""``leaktrace verify``: check a report's signed manifest and re-hash what it lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.markup import escape

from leaktrace.cli import app
from leaktrace.cli._common import JSON_OPTION, console, emit_json, user_errors
from leaktrace.report import BEIJING, Verification, manifests_of, verify


@app.command("verify")
@user_errors
def verify_command(
    target: Path = typer.Argument(
        ...,
        help=(
            "报告、其 REPORT.manifest.json 或存放它们的文件夹 A report, its REPORT.manifest.json, "
            "or the folder holding them."
        ),
    ),
    case_dir: Path | None = typer.Option(
        None,
        "--case",
        help=(
            "证据所在位置（若不在生成报告之处） Where the evidence is, if not where the report "
            "was made."
        ),
    ),
    key: Path | None = typer.Option(
        None,
        "--key",
        help=(
            "检验人公钥（examiner.pub）：要求须由其签名 The examiner's public key (examiner.pub): "
            "insist it signed."
        ),
    ),
    as_json: bool = JSON_OPTION,
) -> None:
    """验证 Verify a signed report: signature, every output file, every evidence file.

    校验通过时退出码为 0，并说明由哪把密钥（指纹、检验人）于何时签名；否则退出码为 1，
    并指出何处改变：报告的某个字节、缺失或被改动的证据文件、错误的签名。
    Exits 0 and says which key signed it (fingerprint, examiner) and when; exits 1 naming
    what changed: a byte of the report, a missing or altered evidence file, a wrong signature.
    """
    results = [verify(m, case_dir=case_dir, public_key=key) for m in manifests_of(target)]
    if as_json:
        emit_json({"ok": all(r.ok for r in results), "manifests": [r.to_json() for r in results]})
    else:
        for result in results:
            _print(result)
    if not all(r.ok for r in results):
        raise typer.Exit(1)


def _print(r: Verification) -> None:
    who = r.examiner.get("examiner") or "未填写 not given"
    when = (
        dt.datetime.fromisoformat(r.signed_at).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")
        if r.signed_at
        else "?"
    )
    head = f"{escape(str(r.manifest))}: "
    if r.ok:
        console.print(
            f"{head}[bold green]验证通过 verified[/] — 签名密钥 key {r.fingerprint} "
            f"(检验人 examiner {escape(who)}), 签名于 signed {when} 北京时间 (UTC+8); "
            f"{r.outputs} 个报告文件 report files, {r.evidence} 个检材文件 evidence files "
            "未改动 unchanged"
        )
        return
    console.print(f"{head}[bold red]验证失败 verification failed[/]")
    for problem in r.problems:
        console.print(f"  ✗ {escape(problem)}")
    if r.signature_ok:
        console.print(
            f"  签名密钥 key {r.fingerprint} (检验人 examiner {escape(who)}), 签名于 signed {when}"
        )
