"""Every message a person reads is Chinese first, English (if any) beside it.

Three nets, so a new English-only message cannot slip through:
- every user-facing string table (labels, statuses, roles, reasons, pydantic's error types) is
  walked, value by value, and must cover every code it can be asked for;
- the source is read (``ast``) for the literal reasons handed to our errors, to ``Failure`` and
  to ``notes``, so an English-only ``raise InputError("...")`` fails here the day it is written;
- the command line's error paths are run (bad file, encrypted file, empty file, bad flag values,
  bad registry and key, bad facts and case.toml) and the one error line is read back.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leaktrace.cli import app

SRC = Path(__file__).resolve().parents[1] / "src" / "leaktrace"
CJK = re.compile(r"[\u3400-\u9fff]")
ENGLISH = re.compile(r"[A-Za-z]{2,}(?:[ ,;:'-]+[A-Za-z]{2,}){2,}")
"""Three English words in a row: where a sentence in English begins."""

runner = CliRunner()
WIDE = {"COLUMNS": "400"}
"""A wide terminal, so that Rich does not wrap the error line the tests read back."""


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese character."""
    return CJK.search(text) is not None


def chinese_first(text: str) -> bool:
    """Chinese, and before any English sentence (identifiers and option names may come first)."""
    cjk = CJK.search(text)
    english = ENGLISH.search(text)
    return cjk is not None and (english is None or cjk.start() < english.start())


def test_the_helpers_tell_chinese_first_from_english_only() -> None:
    assert chinese_first("空文件 empty file")
    assert chinese_first("zip 内文件解压后超过上限 zip member expands beyond the limits")
    assert chinese_first("--epsilon 须在 0 与 1 之间 --epsilon must be between 0 and 1")
    assert not chinese_first("empty file")
    assert not chinese_first("registry not found (create it with 创建)")
    assert has_cjk("不真实") and not has_cjk("invalid")


# --- string tables ---------------------------------------------------------------------------


def _strings(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """Every string in a (nested) table, with where it sits."""
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, f"{where}[{i}]")


def _tables() -> dict[str, Any]:
    from leaktrace import cli
    from leaktrace.chain import _chain
    from leaktrace.chain.view import _TEXT
    from leaktrace.cli import assess as cli_assess
    from leaktrace.cli import chain as cli_chain
    from leaktrace.cli import count as cli_count
    from leaktrace.cli import mark as cli_mark
    from leaktrace.cli import match as cli_match
    from leaktrace.cli import report as cli_report
    from leaktrace.cli import trace as cli_trace
    from leaktrace.count import STATUS_TEXT, UNIDENTIFIED
    from leaktrace.count._export import _HEADINGS
    from leaktrace.detect import CATALOGUE
    from leaktrace.engine import _plan, _spark
    from leaktrace.law._finding import LEVEL_TEXT
    from leaktrace.law._messages import REASONS
    from leaktrace.normalize import _reasons
    from leaktrace.report._labels import labels
    from leaktrace.report._xlsx import sheet_names

    language_neutral = {"lang", "html_lang", "colon", "sha256"}
    chain_view = {k: v for k, v in _TEXT["zh"].items() if k not in language_neutral}
    report = {k: v for k, v in labels("zh").items() if k not in language_neutral}
    return {
        "report labels": report,
        "report sheets": sheet_names("zh"),
        "chain view": chain_view,
        "chain roles": _chain._ROLE_TEXT,
        "pydantic reasons": REASONS,
        "levels": LEVEL_TEXT,
        "record statuses": STATUS_TEXT,
        "unidentified": UNIDENTIFIED,
        "export headings": _HEADINGS,
        "untrue reasons": {
            name: getattr(_reasons, name) for name in dir(_reasons) if name.isupper()
        },
        "type labels": {t: unit.label for t, unit in CATALOGUE.items()},
        "spark errors": [_spark.NO_PYSPARK, _spark.NO_JAVA, _plan._REMOTE_UNSUPPORTED],
        "cli usage errors": cli._USAGE_ERRORS,
        "cli chain": [cli_chain._ROLE, cli_chain._LEGAL, cli_chain._LEVEL, cli_chain._TYPE],
        "cli chain issues": cli_chain._ISSUE,
        "cli assess": [cli_assess._ROLE, cli_assess._TIER, cli_assess._ROUTE],
        "cli count tiers": cli_count._TIER_TEXT,
        "cli match keys": cli_match._FIELD_TEXT,
        "cli mark kinds": cli_mark._KIND,
        "cli trace statuses": cli_trace._STATUS,
        "cli report stages": cli_report.STAGES,
    }


def test_every_user_facing_string_table_is_chinese_first() -> None:
    english_only = [
        f"{where}: {text!r}"
        for name, table in _tables().items()
        for where, text in _strings(table, name)
        if not chinese_first(text)
    ]
    assert english_only == []


def test_the_tables_name_every_code_they_can_be_asked_for() -> None:
    from leaktrace.chain.view import _TEXT, PARTY_ROLES, ROLES
    from leaktrace.cli import chain as cli_chain
    from leaktrace.cli import mark as cli_mark
    from leaktrace.count import STATUS_TEXT
    from leaktrace.count._count import _RECORD_STATUSES
    from leaktrace.law._finding import LEVELS
    from leaktrace.mark.variants import KINDS
    from leaktrace.report._build import EXCLUSIONS
    from leaktrace.report._labels import labels

    zh = labels("zh")
    # parties' roles are printed everywhere; 案外人 (`outside`) is only a node of the chain view
    assert set(PARTY_ROLES) <= set(cli_chain._ROLE) and set(ROLES) <= set(_TEXT["zh"]["role"])
    assert all(f"role.{role}" in zh for role in PARTY_ROLES)
    assert all(f"level.{level}" in zh for level in LEVELS) and set(LEVELS) <= set(cli_chain._LEVEL)
    assert set(_RECORD_STATUSES) | set(EXCLUSIONS) <= set(STATUS_TEXT)
    assert all(f"ex.{status}" in zh for status in EXCLUSIONS)
    assert set(cli_chain._ISSUE) == set(_TEXT["zh"]["issue_kind"]) == set(_TEXT["en"]["issue_kind"])
    assert set(KINDS) <= set(cli_mark._KIND)


# --- reasons in the source -------------------------------------------------------------------

ERRORS = {
    "LeakTraceError",
    "InputError",
    "UsageError",
    "PolicyError",
    "FactsError",
    "RegistryError",
    "MarkKeyError",
}
REASON_FUNCTIONS = {
    "_refusal",
    "_workbook_error",
    "cell_too_large",
    "_malformed",
    "describe_exception",
    "_dangling_reference",
}
"""Functions whose returned text becomes an error's or a failure's reason."""


def _literal(node: ast.expr) -> str | None:
    """The text of a string literal, an f-string (``{}`` for each value) or a sum of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal(node.left), _literal(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.GeneratorExp):
        return _literal(node.elt)
    return None


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _reasons(tree: ast.AST) -> Iterator[tuple[int, ast.expr]]:
    """Every expression that becomes text a person reads, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = _name(node.func)
            if called in ERRORS and node.args:
                yield node.lineno, node.args[0]
            elif called == "Failure" and len(node.args) >= 2:
                yield node.lineno, node.args[1]
            elif (
                called in ("append", "extend")
                and isinstance(node.func, ast.Attribute)
                and _name(node.func.value) == "notes"
                and node.args
            ):
                yield node.lineno, node.args[0]
        elif isinstance(node, ast.FunctionDef) and node.name in REASON_FUNCTIONS:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return) and inner.value is not None:
                    yield inner.lineno, inner.value


def test_every_literal_reason_in_the_source_is_chinese_first() -> None:
    english_only = []
    seen = 0
    for path in sorted(SRC.rglob("*.py")):
        if "synth" in path.relative_to(SRC).parts:
            continue  # the demo generator's own checks are for developers
        for line, node in _reasons(ast.parse(path.read_text(encoding="utf-8"))):
            text = _literal(node)
            if text is None:
                continue  # a value computed elsewhere: checked where it is made
            seen += 1
            if not chinese_first(text):
                english_only.append(f"{path.relative_to(SRC)}:{line}: {text!r}")
    assert english_only == []
    assert seen > 150  # the walk really finds the raise sites


# --- the command line's error paths ----------------------------------------------------------


def _reason(output: str) -> str:
    """The reason on the one error line (``错误 error: PATH: REASON`` or ``✗ PATH: REASON``)."""
    for line in output.splitlines():
        for marker in ("错误 error:", "✗ "):
            if marker in line:
                text = line.split(marker, 1)[1].strip()
                path = re.match(r"^\S*[/\\]\S*: ", text)  # a path or a database URL
                return text[path.end() :] if path else text
    raise AssertionError(f"no error line in {output!r}")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small bad inputs typed by hand, a real registry with its key, and a wrong key."""
    from leaktrace.mark import Registry

    root = tmp_path_factory.mktemp("zh")
    out = {"root": root}
    (root / "empty.csv").write_bytes(b"")
    out["empty"] = root / "empty.csv"
    (root / "broken.zip").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    out["zip"] = root / "broken.zip"
    (root / "owners.csv").write_text(
        "姓名,手机号,小区,楼栋,单元,房号\n张伟,13812345678,绿城花园,3幢,2单元,1201\n"
        "李娜,13987654321,绿城花园,5幢,1单元,402\n",
        encoding="utf-8",
    )
    out["owners"] = root / "owners.csv"
    Registry.create(str(root / "reg.db")).close()
    out["registry"] = root / "reg.db"
    wrong = root / "wrong.key"
    wrong.write_text("ab" * 32 + "\n", encoding="ascii")
    wrong.chmod(0o600)
    out["wrong_key"] = wrong
    (root / "not-registry.db").write_bytes(b"")
    out["not_registry"] = root / "not-registry.db"
    for name, facts in {
        "role": {"role": "boss"},
        "gains": {"role": "outsider", "illegal_gains_yuan": "很多"},
        "count": {"role": "outsider", "items": {"ordinary": 1.5}},
        "unknown": {"role": "outsider", "gains": 5},
    }.items():
        (root / f"{name}.json").write_text(json.dumps(facts, ensure_ascii=False), "utf-8")
        out[f"facts_{name}"] = root / f"{name}.json"
    (root / "notjson.json").write_text("{role: outsider", encoding="utf-8")
    out["facts_notjson"] = root / "notjson.json"
    case = root / "case"
    case.mkdir()
    (case / "case.toml").write_text(
        '[[parties]]\nname = "王某"\nrole = 3\nobtained = []\n', encoding="utf-8"
    )
    out["case"] = case
    return out


CASES: list[tuple[str, list[str], str]] = [
    ("missing file", ["scan", "{root}/nope.csv"], "不存在"),
    ("empty file", ["scan", "{empty}"], "空文件"),
    ("corrupt zip", ["scan", "{zip}"], "损坏"),
    ("bad --key", ["count", "{owners}", "--key", "bogus"], "须为"),
    ("bad --format", ["scan", "{owners}", "--format", "doc"], "须为"),
    ("bad --epsilon", ["trace", "{owners}", "--epsilon", "2"], "须在"),
    ("unknown option", ["count", "{owners}", "--nope"], "没有这个选项"),
    ("not a number", ["trace", "{owners}", "--top", "abc"], "参数值无效"),
    ("missing option", ["mark", "{owners}"], "缺少参数"),
    ("unknown verb", ["nosuch"], "没有这个命令"),
    ("no registry", ["trace", "{owners}", "--registry", "{root}/none.db"], "标记登记库不存在"),
    ("not a registry", ["trace", "{owners}", "--registry", "{not_registry}"], "标记登记库"),
    (
        "wrong key",
        ["trace", "{owners}", "--registry", "{registry}", "--key-file", "{wrong_key}"],
        "密钥与此标记登记库不符",
    ),
    (
        "mark without a registry",
        [
            "mark",
            "{owners}",
            "--recipient",
            "A",
            "--out",
            "{root}/o.csv",
            "--registry",
            "{root}/none.db",
        ],
        "标记登记库不存在",
    ),
    ("facts: literal", ["assess", "--facts", "{facts_role}"], "应为以下之一"),
    ("facts: our validator", ["assess", "--facts", "{facts_gains}"], "须为金额数字"),
    ("facts: pydantic type", ["assess", "--facts", "{facts_count}"], "须为整数条数"),
    ("facts: unknown field", ["assess", "--facts", "{facts_unknown}"], "未知字段"),
    ("facts: not JSON", ["assess", "--facts", "{facts_notjson}"], "不是有效的 JSON"),
    ("case.toml: wrong type", ["assess", "--case", "{case}"], "应为"),
    ("chain --lang", ["chain", "{case}", "--lang", "fr"], "须为 zh 或 en"),
    ("report --lang", ["report", "{case}", "--lang", "fr"], "须为"),
]


@pytest.mark.parametrize(("args", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_an_error_a_user_can_cause_is_one_line_chinese_first(
    files: dict[str, Path], args: list[str], words: str
) -> None:
    result = runner.invoke(app, [a.format(**files) for a in args], env=WIDE)
    assert result.exit_code != 0
    reason = _reason(result.output)
    assert words in reason
    assert chinese_first(reason), reason
    assert "Traceback" not in result.output


def test_an_encrypted_workbook_is_reported_as_password_protected_in_chinese(
    tmp_path: Path,
) -> None:
    pytest.importorskip("msoffcrypto")
    import xlsxwriter
    from msoffcrypto.format.ooxml import OOXMLFile

    plain, locked = tmp_path / "plain.xlsx", tmp_path / "locked.xlsx"
    with xlsxwriter.Workbook(plain) as book:
        book.add_worksheet("名单").write_row(0, 0, ["姓名", "手机"])
    with plain.open("rb") as src, locked.open("wb") as out:
        OOXMLFile(src).encrypt("secret", out)
    result = runner.invoke(app, ["scan", str(locked)], env=WIDE)
    assert result.exit_code == 1
    assert _reason(result.output).startswith("有密码保护")


# --- views in the reader's language ----------------------------------------------------------


def _chain_with_issue() -> dict[str, Any]:
    from leaktrace.law import load_policy

    policy = load_policy()
    return {
        "case": "业主信息案",
        "policy": {"name": policy.name, "sha256": policy.sha256},
        "parties": [],
        "transfers": [],
        "paths": [],
        "issues": [
            {
                "kind": "cycle",
                "message": "交易成环：甲 → 乙 → 甲。 The sales form a cycle: 甲 → 乙 → 甲.",
                "message_zh": "交易成环：甲 → 乙 → 甲。",
                "message_en": "The sales form a cycle: 甲 → 乙 → 甲.",
                "parties": ["甲", "乙"],
            }
        ],
    }


def test_the_chain_view_is_chinese_by_default_and_english_on_request() -> None:
    from leaktrace.chain.view import render_html, render_svg

    chain = _chain_with_issue()
    zh = render_html(chain)
    assert '<html lang="zh-CN">' in zh
    assert "交易成环：甲 → 乙 → 甲。" in zh and "The sales form a cycle" not in zh
    en = render_html(chain, lang="en")
    assert '<html lang="en">' in en
    assert "The sales form a cycle" in en and "交易成环：" not in en
    assert 'xml:lang="zh-CN"' in render_svg(chain)
    assert 'xml:lang="en"' in render_svg(chain, lang="en")


def test_a_chain_issue_keeps_its_chinese_and_english_apart() -> None:
    from leaktrace.chain import Issue

    issue = Issue("cycle", "交易成环：甲 → 乙 → 甲。", "The sales form a cycle.", ["甲", "乙"])
    data = issue.to_json()
    assert data["message"] == "交易成环：甲 → 乙 → 甲。 The sales form a cycle."
    assert (data["message_zh"], data["message_en"]) == (
        "交易成环：甲 → 乙 → 甲。",
        "The sales form a cycle.",
    )


# --- progress for mark and trace -------------------------------------------------------------


def test_mark_and_trace_tell_their_progress_the_rows_read_and_each_step(tmp_path: Path) -> None:
    from leaktrace.mark import Registry, mark_export
    from leaktrace.synth.leak import owners, write_table
    from leaktrace.trace import trace

    master = write_table(owners(300, seed=5), tmp_path / "owners.csv")
    registry = Registry.create(str(tmp_path / "reg.db"))
    told: list[tuple[str, int]] = []
    result = mark_export(
        master,
        recipient="物业-张三",
        registry=registry,
        out=tmp_path / "export.csv",
        progress=lambda label, rows: told.append((label, rows)),
    )
    assert sum(rows for _, rows in told) == 300
    steps = [label for label, rows in told if rows == 0]
    assert steps == [
        "登记母本 registering the master",
        "登记分发 recording the distribution",
        "写出标记副本 writing the marked export",
    ]
    assert all(chinese_first(label) for label, _ in told)

    told.clear()
    found = trace(
        tmp_path / "export.csv",
        registry,
        progress=lambda label, rows: told.append((label, rows)),
    )
    registry.close()
    assert sum(rows for _, rows in told) == found.leaked_rows == result.rows
    assert [label for label, rows in told if rows == 0] == [
        "匹配母本 matching owners.csv",
        "比对 1 份分发 scoring 1 distribution(s)",
    ]


# --- --help ----------------------------------------------------------------------------------

TYPER_OWN_HELP = "Show this message and exit."
"""Typer's text for ``--help`` itself, the one help text we do not write."""


def _commands(command: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every command under ``command`` (itself first), by its full name, groups walked down."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}")


def test_every_help_text_of_every_command_is_chinese_first() -> None:
    import typer.main

    commands = dict(_commands(typer.main.get_command(app), "leaktrace"))
    # the walk reaches the sub-commands of the groups, not only the verbs
    assert {"leaktrace scan", "leaktrace key init", "leaktrace user add"} <= set(commands)
    assert "leaktrace audit-log verify" in commands
    english_only = []
    for path, command in commands.items():
        paragraphs = [p for p in (command.help or "").split("\n\n") if p.strip()]
        if not paragraphs:
            english_only.append(f"{path}: no help")
        english_only += [f"{path}: {p!r}" for p in paragraphs if not chinese_first(p)]
        for param in command.params:
            text = getattr(param, "help", None) or ""
            if text == TYPER_OWN_HELP:
                continue
            if not chinese_first(text):
                english_only.append(f"{path} {param.name}: {text!r}")
    assert not english_only, "\n".join(english_only)


def test_the_help_screen_shows_chinese_before_english() -> None:
    result = runner.invoke(app, ["count", "--help"], env=WIDE)
    assert result.exit_code == 0
    assert "策略文件（TOML），代替内置默认策略 Policy file (TOML)" in result.stdout
    assert "按类别与档次、按文件列出去重后的条数" in result.stdout
