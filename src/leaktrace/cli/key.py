"""``leaktrace key init``: create the examiner's signing key for reports."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from leaktrace.cli import app
from leaktrace.cli._common import console, emit_json, user_errors
from leaktrace.report import KEY_ENV, init_key

key_app = typer.Typer(
    help="签名密钥 The examiner's Ed25519 key that signs reports.", no_args_is_help=True
)
app.add_typer(key_app, name="key")


@key_app.command("init")
@user_errors
def init_command(
    path: Path | None = typer.Option(
        None,
        "--key",
        help=f"私钥存放位置（默认 ${KEY_ENV}，否则 ~/.config/leaktrace/examiner.key） "
        f"Where to put the private key (default ${KEY_ENV}, else "
        "~/.config/leaktrace/examiner.key).",
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="在标准输出打印机器可读的 JSON Print machine-readable JSON on stdout.",
    ),
) -> None:
    """生成密钥 Create the examiner's Ed25519 signing key (never overwrites one).

    私钥仅本人可读（0600）；公钥置于其旁（examiner.pub）。将公钥或其指纹交给将核验你报告的人：
    `leaktrace verify --key examiner.pub` 会要求由它签名。
    The private key is written readable by you alone (0600); the public key goes beside it
    (examiner.pub). Give the public key, or its fingerprint, to whoever will verify your
    reports: `leaktrace verify --key examiner.pub` insists on it.
    """
    private, public, fp = init_key(path)
    if as_json:
        emit_json({"private_key": str(private), "public_key": str(public), "fingerprint": fp})
        return
    console.print(f"私钥 private key → {escape(str(private))} (0600: 仅本人可读 only you)")
    console.print(f"公钥 public key → {escape(str(public))}")
    console.print(f"指纹 fingerprint: {fp}")
