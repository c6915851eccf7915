"""The JSON and XLSX reports carry the same numbers; values are masked unless asked for."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.report import sheet_names

TIERS = ("sensitive", "important", "ordinary")


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def _sheet(path: Path, name: str) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_xlsx_has_one_sheet_per_table(demo: Any) -> None:
    book = CalamineWorkbook.from_path(str(demo.reports / "report.xlsx"))
    assert book.sheet_names == list(sheet_names("zh").values())


def test_xlsx_parties_carry_the_json_numbers(demo: Any) -> None:
    data = demo.json()
    rows = _sheet(demo.reports / "report.xlsx", "当事人")
    assert rows[0][:3] == ["当事人", "角色", "法律身份"]
    body = rows[1:]
    assert [r[0] for r in body] == [p["name"] for p in data["parties"]]
    for row, party in zip(body, data["parties"], strict=True):
        assert [int(v) for v in row[3:10]] == [
            *[party["items"][t] for t in TIERS],
            party["obtained"],
            party["sold"],
            party["provided"],
            party["kept"],
        ]
        assert row[10].endswith(f"= {party['items_total']:,}")
        assert float(row[11]) == float(party["gains_yuan"])


def test_xlsx_manifest_file_counts_overlaps_and_transfers_match_the_json(demo: Any) -> None:
    data, path = demo.json(), demo.reports / "report.xlsx"
    manifest = _sheet(path, "证据清单")[1:]
    assert [(r[1], r[6], int(r[4])) for r in manifest] == [
        (m["path"], m["sha256"], m["size"]) for m in data["manifest"]["files"]
    ]
    files = _sheet(path, "逐文件计数")[1:]
    assert [(r[0], int(r[1]), [int(v) for v in r[-3:]]) for r in files] == [
        (f["path"], f["records_read"], [f["items"][t] for t in TIERS])
        for f in data["counting"]["files"]
    ]
    overlaps = _sheet(path, "文件重合")[1:]
    assert [(r[0], r[1], int(r[2])) for r in overlaps] == [
        (o["a"], o["b"], o["items"]) for o in data["counting"]["overlaps"]
    ]
    exclusions = _sheet(path, "排除原因")[1:]
    assert sum(int(r[3]) for r in exclusions) == sum(
        x["records"] for f in data["counting"]["files"] for x in f["reasons"]
    )
    transfers = _sheet(path, "交易")[1:]
    assert [(r[0], r[1], int(r[3])) for r in transfers] == [
        (t["seller"], t["buyer"], t["items"]) for t in data["chain"]["transfers"]
    ]
    traces = _sheet(path, "溯源")[1:]
    assert traces[0][1] == "客服部-赵某" and traces[0][2] is True


def test_each_partys_items_add_up_as_art_11_says(demo: Any) -> None:
    for party in demo.json()["parties"]:
        per_buyer = sum(party["to"].values())
        # an insider's items are what they passed on: what they held is not added (Art. 5 ¶1(8))
        assert per_buyer + party["kept"] - party["held"] == party["items_total"], party["name"]
        assert party["items_total"] == sum(c["items"] for c in party["categories"])


def test_json_report_names_policy_version_and_how_to_reproduce(demo: Any) -> None:
    data = demo.json()
    assert data["schema"] == "leaktrace.report/1"
    assert data["policy"]["name"] == "leaktrace-default-2017"
    assert re.fullmatch(r"[0-9a-f]{64}", data["policy"]["sha256"])
    assert data["produced"]["leaktrace_version"]
    assert data["produced"]["reproduce"].startswith("leaktrace report ")
    assert data["produced"]["show_values"] is False
    assert data["summary"]["accused"] == ["客服部-赵某"]


def test_values_are_masked_by_default(demo: Any, personal_values: dict[str, set[str]]) -> None:
    for name in ("report.html", "report.json"):
        text = (demo.reports / name).read_text(encoding="utf-8")
        assert not [m for m in personal_values["mobile"] if m in text], name
        assert not [i for i in personal_values["cn_id"] if i in text], name
        assert not [n for n in personal_values["name"] if n in text], name


def test_show_values_prints_them_in_full(
    demo: Any, personal_values: dict[str, set[str]], tmp_path: Path
) -> None:
    out = tmp_path / "shown.html"
    result = _invoke("report", str(demo.out), "--show-values", "--out", str(out))
    assert result.exit_code == 0, result.stdout
    text = out.read_text(encoding="utf-8")
    assert [n for n in personal_values["name"] if n in text]
    assert "--show-values" in text
    assert out.stat().st_mode & 0o077 == 0


def test_english_report(demo: Any, tmp_path: Path, browser_page: Any) -> None:
    out = tmp_path / "en.html"
    result = _invoke("report", str(demo.out), "--lang", "en", "--out", str(out))
    assert result.exit_code == 0, result.stdout
    browser_page.goto(out.as_uri())
    assert browser_page.evaluate("document.documentElement.lang") == "en"
    assert browser_page.inner_text("h1").startswith("Evidence report")
    assert browser_page.inner_text("#summary h2") == "1. Findings per party"
    assert "especially serious" in browser_page.inner_text("#party-table")


def test_json_format_writes_the_default_path_atomically(demo: Any, tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(demo.out, case, ignore=shutil.ignore_patterns("reports"))
    result = _invoke("report", str(case), "--format", "json")
    assert result.exit_code == 0, result.stdout
    target = case / "reports" / "report.json"
    assert str(target) in result.stdout
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["summary"]["items_total"] == sum(data["counting"]["items"].values())
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("setup", "args", "code", "message"),
    [
        ("missing", [], 1, "no such case folder"),
        ("empty", [], 1, "no case.toml"),
        ("broken", [], 1, "not valid TOML"),
        ("empty", ["--format", "pdf"], 2, "--format must be one of"),
        ("empty", ["--lang", "fr"], 2, "--lang must be one of"),
    ],
)
def test_bad_input_is_one_line(
    tmp_path: Path, setup: str, args: list[str], code: int, message: str
) -> None:
    case = tmp_path / "case"
    if setup != "missing":
        case.mkdir()
    if setup == "broken":
        (case / "case.toml").write_text("name = \n", encoding="utf-8")
    result = CliRunner().invoke(app, ["report", str(case), *args], env={"COLUMNS": "300"})
    assert result.exit_code == code
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
