"""Counting items per Art. 11 against the generator's ground truth."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from leaktrace.count import CountResult, count
from leaktrace.errors import UsageError
from leaktrace.law import Policy


@pytest.fixture(scope="module")
def counted(seized: Path, policy: Policy) -> CountResult:
    """Counted without linkage: the truth keys each record by its strongest identifier."""
    return count([seized / "evidence"], policy=policy, link="none")


@pytest.fixture(scope="module")
def linked(seized: Path, policy: Policy) -> CountResult:
    return count([seized / "evidence"], policy=policy)


def test_items_per_category_match_the_truth(counted: CountResult, truth: Any) -> None:
    assert counted.by_category() == dict(truth.items)


def test_untrue_masked_and_empty_rows_are_excluded_as_the_truth_says(
    counted: CountResult, truth: Any
) -> None:
    data = counted.to_json()
    assert data["records"] == {s: truth.records.get(s, 0) for s in data["records"]}
    assert data["records_read"] == sum(truth.records.values())
    assert data["excluded"]["invalid"] == truth.records["invalid"] > 0
    assert data["excluded"]["masked"] == truth.records["masked"] > 0


def test_duplicates_are_counted_once_across_files(counted: CountResult, truth: Any) -> None:
    data = counted.to_json()
    assert data["excluded"]["duplicate"] == truth.countable - sum(truth.items.values()) > 0


def test_bare_phone_items_are_flagged_and_counted_as_ordinary(
    counted: CountResult, truth: Any
) -> None:
    data = counted.to_json()
    assert data["bare_phone"] == truth.bare_phone
    assert data["items"]["ordinary"] >= data["bare_phone"]


def test_every_exclusion_has_a_reason(counted: CountResult) -> None:
    data = counted.to_json()
    by_status: dict[str, int] = {}
    for reason in data["reasons"]:
        assert reason["reason"]
        by_status[reason["status"]] = by_status.get(reason["status"], 0) + reason["records"]
    assert by_status.get("invalid", 0) == data["excluded"]["invalid"]
    assert by_status.get("masked", 0) == data["excluded"]["masked"]


def test_per_file_items_and_overlaps_match_the_truth(counted: CountResult, truth: Any) -> None:
    data = counted.to_json()
    root = str(Path(data["files"][0]["path"]).parent)
    per_file = {f["path"]: sum(f["items"].values()) for f in data["files"]}
    for path, items in truth.per_file.items():
        assert per_file[f"{root}/{path}"] == len(items), path
    overlaps = {(o["a"], o["b"]): o["items"] for o in data["overlaps"]}
    for a, b in [("名单.txt", "打包.zip!/名单.txt"), ("业主名单.csv", "金都花园业主名单.xlsx")]:
        shared = len(truth.per_file[a] & truth.per_file[b])
        pair = tuple(sorted((f"{root}/{a}", f"{root}/{b}")))
        assert overlaps.get(pair, 0) == shared > 0


def test_json_has_the_documented_shape(counted: CountResult, policy: Policy) -> None:
    data = counted.to_json()
    assert set(data["items"]) == {"sensitive", "important", "ordinary"}
    assert {"duplicate", "invalid", "masked"} <= set(data["excluded"])
    assert data["policy"] == {"name": policy.name, "sha256": policy.sha256}
    for key in ("by_category", "records_read", "bare_phone", "files", "overlaps"):
        assert key in data
    json.dumps(data, ensure_ascii=False)


def test_export_is_masked_unless_values_are_asked_for(seized: Path, tmp_path: Path) -> None:
    owners = seized / "evidence" / "业主名单.csv"
    masked = count([owners], export=tmp_path / "items.csv")
    table = pl.read_csv(tmp_path / "items.csv", infer_schema=False)
    assert table.height == sum(masked.items().values())
    mobiles = table.get_column("手机号 mobile").drop_nulls()
    assert mobiles.str.contains(r"^\d{3}\*{4}\d{4}$").all()
    shown = count([owners], export=tmp_path / "full.csv", show_values=True)
    full = pl.read_csv(tmp_path / "full.csv", infer_schema=False)
    assert full.height == table.height == sum(shown.items().values())
    assert full.get_column("手机号 mobile").drop_nulls().str.contains(r"^1\d{10}$").all()
    assert (tmp_path / "items.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_to_xlsx_holds_one_row_per_item(seized: Path, tmp_path: Path) -> None:
    result = count([seized / "evidence" / "客户资料.csv"], export=tmp_path / "items.xlsx")
    sheet = pl.read_excel(tmp_path / "items.xlsx")
    assert sheet.height == sum(result.items().values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["items.xlsx"]


def test_export_to_an_unknown_format_is_a_usage_error(seized: Path, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"\.csv or \.xlsx"):
        count([seized / "evidence" / "名单.txt"], export=tmp_path / "items.txt")
    assert list(tmp_path.iterdir()) == []


def test_content_key_never_counts_more_than_person_key(seized: Path) -> None:
    owners = [seized / "evidence" / "业主名单.csv", seized / "evidence" / "dump_mysql.sql"]
    by_person = count(owners)
    by_content = count(owners, key="content")
    assert sum(by_content.items().values()) >= sum(by_person.items().values())
    assert by_content.to_json()["key"] == "content"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``leaktrace count`` in its own process (the verb registers itself on import)."""
    code = "import leaktrace.cli.count, leaktrace.cli as c; c.main()"
    return subprocess.run(
        [sys.executable, "-c", code, "count", *args], capture_output=True, text=True, check=False
    )


def test_cli_count_json(seized: Path) -> None:
    result = _cli(str(seized / "evidence" / "名单.txt"), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["records_read"] > 0
    assert data["items"]["ordinary"] > 0


def test_cli_count_prints_tables_for_a_person(seized: Path) -> None:
    result = _cli(str(seized / "evidence" / "业主名单.csv"))
    assert result.returncode == 0, result.stderr
    assert "条数 items" in result.stdout
    assert "排除 excluded" in result.stdout


def test_cli_count_missing_path_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = _cli(str(tmp_path / "nope.csv"))
    assert result.returncode == 2
    assert "nope.csv" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_file_that_fails_part_way_counts_for_nothing(seized: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    lines = "".join(f"张三,138{i:08d}\n" for i in range(210_000))
    broken.write_bytes(("姓名,手机号\n" + lines).encode() + b"\xff\xfe\xfd\n")
    good = seized / "evidence" / "名单.txt"
    both = count([broken, good])
    alone = count([good])
    assert [e.path for e in both.errors] == [str(broken)]
    assert both.items() == alone.items()
    assert both.records_read == alone.records_read
    assert [f["path"] for f in both.to_json()["files"]] == [str(good)]


def test_a_failure_while_normalising_reaches_the_caller(
    seized: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaktrace.count import _count

    def broken(*args: Any, **kwargs: Any) -> pl.DataFrame:
        raise RuntimeError("normalising failed")

    monkeypatch.setattr(_count, "records", broken)
    with pytest.raises(RuntimeError, match="normalising failed"):
        count([seized / "evidence"])


def test_the_reading_thread_stops_with_its_caller() -> None:
    from leaktrace.count._count import _on_thread

    closed = []

    def events() -> Any:
        try:
            for i in range(1_000):
                yield str(i)
        finally:
            closed.append(True)

    stream = _on_thread(events())
    assert [next(stream) for _ in range(3)] == ["0", "1", "2"]
    stream.close()  # the caller stops early: the producer ends and closes its events
    assert closed == [True]

    def failing() -> Any:
        yield "a"
        raise ValueError("read failed")

    with pytest.raises(ValueError, match="read failed"):
        list(_on_thread(failing()))
