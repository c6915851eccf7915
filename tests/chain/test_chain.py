"""``chain``: per-party Art. 11 counts against the story's truth, inferred transfers, paths,
issues for the investigator, and bad input as one line naming the row."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import xlsxwriter
from tests.chain.conftest import as_counted
from tests.conftest import CLEAN
from typer.testing import CliRunner

from leaktrace.chain import ChainResult, chain
from leaktrace.cli import app
from leaktrace.errors import FactsError
from leaktrace.law import Policy
from leaktrace.synth import noisy, residents

runner = CliRunner()
COUNTS = ("obtained", "sold", "provided", "kept", "items")


@pytest.fixture(scope="module")
def story_chain(story: tuple[Path, dict[str, Any]], story_policy: Policy) -> ChainResult:
    root, _ = story
    return chain(root, policy=story_policy)


def _parties(result: ChainResult) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in result.to_json()["parties"]}


def test_every_partys_counts_match_the_truth(
    story: tuple[Path, dict[str, Any]], story_chain: ChainResult
) -> None:
    _, truth = story
    got = _parties(story_chain)
    for expected in map(as_counted, truth["parties"]):
        party = got[expected["name"]]
        assert {k: party[k] for k in COUNTS} == {k: expected[k] for k in COUNTS}, party["name"]
        assert party["by_category"] == expected["by_category"]
        assert party["gains_yuan"] == expected["gains_yuan"]


def test_roles_in_the_trade_and_in_law(
    story: tuple[Path, dict[str, Any]], story_chain: ChainResult
) -> None:
    _, truth = story
    got = _parties(story_chain)
    for expected in truth["parties"]:
        assert got[expected["name"]]["role"] == expected["role"], expected["name"]
        assert got[expected["name"]]["legal_role"] == expected["legal_role"]


def test_the_salesperson_sold_to_three_buyers_and_each_counts(story_chain: ChainResult) -> None:
    seller = _parties(story_chain)["陈某"]
    assert len(seller["to"]) == 3
    assert seller["items"]["important"] == sum(seller["to"].values())  # nothing kept
    assert seller["gains_yuan"] == 21_000
    assert seller["finding"]["level"] == "especially_serious"  # insider, ≥ 2,500 important
    assert seller["finding"]["facts"]["illegal_gains_yuan"] == 21_000


def test_one_finding_per_party(story_chain: ChainResult) -> None:
    levels = {p["name"]: p["finding"]["level"] for p in story_chain.to_json()["parties"]}
    assert len(levels) == 9
    assert levels["赵某"] == "serious"  # insider: 1,497 ≥ 250 but < 2,500


def test_transfers_declared_and_inferred_match_the_truth(
    story: tuple[Path, dict[str, Any]], story_chain: ChainResult
) -> None:
    _, truth = story
    got = {(t["seller"], t["buyer"]): t for t in story_chain.to_json()["transfers"]}
    assert len(got) == len(truth["transfers"])
    for expected in truth["transfers"]:
        t = got[(expected["seller"], expected["buyer"])]
        for key in ("date", "items", "price_yuan", "channel", "evidence", "inferred", "type"):
            assert t[key] == expected[key], (key, t)
    inferred = got[("刘某", "吴某")]
    assert inferred["containment"] >= 0.8
    assert inferred["counted"] is False
    assert any(
        i["kind"] == "inferred" and "吴某" in i["parties"] for i in story_chain.to_json()["issues"]
    )


def test_count_inferred_adds_the_inferred_sale(
    story: tuple[Path, dict[str, Any]], story_policy: Policy
) -> None:
    root, truth = story
    result = chain(root, count_inferred=True, policy=story_policy)
    reseller = _parties(result)["刘某"]
    expected = truth["with_inferred"]["刘某"]
    assert {k: reseller[k] for k in COUNTS} == {k: expected[k] for k in COUNTS}


def test_paths_run_from_sources_to_buyers_with_dates_in_order(story_chain: ChainResult) -> None:
    data = story_chain.to_json()
    roles = {p["name"]: p["role"] for p in data["parties"]}
    paths = [tuple(p["parties"]) for p in data["paths"]]
    assert ("陈某", "刘某", "周某") in paths
    assert ("赵某", "孙某", "童某") in paths
    for path in data["paths"]:
        assert roles[path["parties"][0]] == "source"
        assert roles[path["parties"][-1]] == "buyer"
        dates = [d for d in path["dates"] if d is not None]
        assert dates == sorted(dates)


def test_graphml_and_json_are_written_together(story_chain: ChainResult, tmp_path: Path) -> None:
    written = story_chain.write(tmp_path / "out")
    names = {p.name for p in written}
    assert {"chain.json", "chain.graphml"} <= names
    graph = nx.read_graphml(tmp_path / "out" / "chain.graphml")
    assert graph.nodes["陈某"]["role"] == "source"
    assert graph.number_of_edges() == len(story_chain.transfers)
    saved = json.loads((tmp_path / "out" / "chain.json").read_text(encoding="utf-8"))
    assert saved == json.loads(json.dumps(story_chain.to_json(), ensure_ascii=False))
    assert not [p for p in (tmp_path / "out").iterdir() if p.name.startswith(".")]


# --- small cases -------------------------------------------------------------------------------


def _list(root: Path, name: str, start: int, n: int) -> str:
    people = residents(start + n, seed=31)[start:]
    frame = noisy(people, {"姓名": "name", "手机": "mobile", "房号": "room"}, 31, rates=CLEAN).frame
    path = root / "evidence" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.write_csv(path)
    return f"evidence/{name}"


def _case(root: Path, transfers: str, *, extra: str = "") -> Path:
    a = _list(root, "a.csv", 0, 60)
    b = _list(root, "b.csv", 100, 60)
    head = (
        f'[[parties]]\nname = "甲"\nrole = "insider"\nobtained = ["{a}"]\n\n'
        '[[parties]]\nname = "乙"\nrole = "outsider"\n\n'
        f'[[parties]]\nname = "丙"\nrole = "outsider"\nobtained = ["{b}"]\n\n'
    )
    (root / "case.toml").write_text(extra + head + transfers, encoding="utf-8")
    return root


def _sale(seller: str, buyer: str, date: str | None, evidence: str = "evidence/a.csv") -> str:
    when = f"date = {date}\n" if date else ""
    return (
        f'[[transfers]]\nseller = "{seller}"\nbuyer = "{buyer}"\nevidence = ["{evidence}"]\n'
        f"price_yuan = 100\n{when}\n"
    )


def test_a_cycle_of_sales_is_an_issue_not_a_crash(tmp_path: Path) -> None:
    case = _case(
        tmp_path,
        _sale("甲", "乙", "2018-01-01")
        + _sale("乙", "丙", "2018-01-02")
        + _sale("丙", "甲", "2018-01-03", "evidence/b.csv"),
    )
    result = chain(case).to_json()
    [cycle] = [i for i in result["issues"] if i["kind"] == "cycle"]
    assert set(cycle["parties"]) == {"甲", "乙", "丙"}
    assert "sales form a cycle" in cycle["message"]


def test_a_sale_before_the_seller_obtained_anything_is_an_issue(tmp_path: Path) -> None:
    case = _case(tmp_path, _sale("甲", "乙", "2018-03-01") + _sale("乙", "丙", "2018-02-01"))
    result = chain(case).to_json()
    [late] = [i for i in result["issues"] if i["kind"] == "date_order"]
    assert late["parties"] == ["乙", "丙"]
    assert "2018-02-01" in late["message"] and "2018-03-01" in late["message"]
    assert "row" not in late["message"] and "transfers[1]" in late["message"]
    # no path runs backwards in time: 甲 → 乙 ends there, 乙 → 丙 is earlier
    assert ["甲", "乙", "丙"] not in [p["parties"] for p in result["paths"]]


def test_an_undated_sale_is_an_issue(tmp_path: Path) -> None:
    result = chain(_case(tmp_path, _sale("甲", "乙", None))).to_json()
    assert [i["kind"] for i in result["issues"]] == ["unknown_date"]


def _xlsx(path: Path, rows: list[list[str]]) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()


HEADER = ["卖方", "买方", "日期", "证据", "金额", "渠道"]


def test_transfers_from_a_table_count_like_declared_ones(tmp_path: Path) -> None:
    _xlsx(
        tmp_path / "transfers.xlsx",
        [
            HEADER,
            ["甲", "乙", "2018/3/1", "evidence/a.csv", "8,000元", "微信"],
            ["", "", "", "", "", ""],
            ["乙", "丙", "2018年3月5日", "evidence/a.csv", "¥3000", "U盘"],
        ],
    )
    case = _case(tmp_path, "", extra='transfers_file = "transfers.xlsx"\n\n')
    data = chain(case).to_json()
    got = [
        (t["seller"], t["buyer"], t["date"], t["price_yuan"], t["channel"])
        for t in data["transfers"]
    ]
    assert got == [
        ("甲", "乙", "2018-03-01", 8000, "微信"),
        ("乙", "丙", "2018-03-05", 3000, "U盘"),
    ]
    parties = {p["name"]: p for p in data["parties"]}
    assert parties["甲"]["gains_yuan"] == 8000
    assert parties["乙"]["role"] == "reseller"
    assert parties["乙"]["items"]["important"] == 60  # obtained then sold: once
    assert data["issues"] == []


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            ["周某", "乙", "2018-03-01", "evidence/a.csv", "100", ""],
            "row 2, seller: '周某' 不是本案当事人 is not",
        ),
        (
            ["甲", "乙", "2018-03-01", "evidence/x.csv", "100", ""],
            "row 2, evidence[0]: 证据文件不存在 no such",
        ),
        (
            ["甲", "乙", "2018-03-01", "evidence/a.csv", "三千", ""],
            "row 2, price_yuan: '三千' 不是数字 is not a number",
        ),
        (
            ["甲", "乙", "2018-13-01", "evidence/a.csv", "100", ""],
            "row 2, date: '2018-13-01' 不是日期 is not a date",
        ),
    ],
)
def test_a_bad_transfer_row_is_one_line_naming_the_row(
    tmp_path: Path, row: list[str], reason: str
) -> None:
    _xlsx(tmp_path / "transfers.xlsx", [HEADER, row])
    case = _case(tmp_path, "", extra='transfers_file = "transfers.xlsx"\n\n')
    with pytest.raises(FactsError) as caught:
        chain(case)
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "transfers.xlsx"))
    assert reason in message and "\n" not in message


def test_chain_cli_json_has_the_documented_shape(tmp_path: Path) -> None:
    case = _case(tmp_path, _sale("甲", "乙", "2018-03-01"))
    result = runner.invoke(app, ["chain", str(case), "--json", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) >= {"case", "policy", "parties", "transfers", "paths", "issues"}
    party = payload["parties"][0]
    assert set(party) >= {
        "name",
        "role",
        "legal_role",
        "obtained",
        "sold",
        "provided",
        "items",
        "by_category",
        "gains_yuan",
        "finding",
    }
    assert set(payload["transfers"][0]) >= {
        "seller",
        "buyer",
        "date",
        "items",
        "price_yuan",
        "channel",
        "evidence",
        "inferred",
        "containment",
    }
    assert (tmp_path / "out" / "chain.graphml").is_file()
    assert dt.date.fromisoformat(payload["transfers"][0]["date"]) == dt.date(2018, 3, 1)


def test_chain_cli_human_output_and_bad_case(tmp_path: Path) -> None:
    case = _case(tmp_path / "ok", _sale("甲", "乙", "2018-03-01"))
    result = runner.invoke(app, ["chain", str(case)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "源头 source" in result.stdout and "甲" in result.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "case.toml").write_text('[[parties]]\nname = "甲"\nrole = "thief"\n', "utf-8")
    failed = runner.invoke(app, ["chain", str(bad)])
    assert failed.exit_code == 1
    assert "case.toml" in failed.output and "Traceback" not in failed.output


def test_a_missing_transfers_table_names_the_field(tmp_path: Path) -> None:
    case = _case(tmp_path, "", extra='transfers_file = "nope.xlsx"\n\n')
    with pytest.raises(
        FactsError, match=r"field transfers_file: 交易表不存在 no such transfers file 'nope.xlsx'"
    ):
        chain(case)


def test_trace_requests_are_read_and_checked(tmp_path: Path) -> None:
    from leaktrace.count import load_case

    (tmp_path / "reg.db").write_bytes(b"")
    trace = (
        '[[traces]]\nevidence = "evidence/a.csv"\nregistry = "reg.db"\n\n'
        '[[traces]]\nevidence = "evidence/b.csv"\nregistry = "postgresql://h/db"\n\n'
    )
    case = load_case(_case(tmp_path, "", extra=trace))
    assert [(t.evidence, t.registry, t.key_file) for t in case.traces] == [
        ("evidence/a.csv", "reg.db", None),
        ("evidence/b.csv", "postgresql://h/db", None),
    ]
    missing = trace.replace("reg.db", "other.db")
    with pytest.raises(
        FactsError, match=r"field traces\[0\]\.registry: 标记登记库不存在 no such registry"
    ):
        load_case(_case(tmp_path, "", extra=missing))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_a_bad_row_after_a_blank_one_is_named_as_the_spreadsheet_shows_it(
    tmp_path: Path, suffix: str
) -> None:
    rows = [
        HEADER,
        ["甲", "乙", "2018-03-01", "evidence/a.csv", "100", ""],
        ["", "", "", "", "", ""],
    ]
    rows.append(["甲", "丙", "2018-03-02", "evidence/a.csv", "abc", ""])
    table = tmp_path / f"transfers{suffix}"
    if suffix == ".xlsx":
        _xlsx(table, rows)
    else:
        table.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="gbk")
    case = _case(tmp_path, "", extra=f'transfers_file = "{table.name}"\n\n')
    with pytest.raises(FactsError, match=r"row 4, price_yuan: 'abc' 不是数字 is not a number"):
        chain(case)


def test_an_output_folder_that_is_a_file_is_a_usage_error(tmp_path: Path) -> None:
    case = _case(tmp_path / "case", _sale("甲", "乙", "2018-03-01"))
    (tmp_path / "out").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["chain", str(case), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "the output folder is a file" in result.output
