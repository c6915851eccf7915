"""The Spark engine gives the local engine's results: same scan JSON, same count JSON."""

from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.engine import get_engine
from leaktrace.engine._spark import NO_PYSPARK
from leaktrace.errors import UsageError
from leaktrace.ingest import walk

runner = CliRunner()


@pytest.fixture(scope="module")
def seized(evidence: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic folder plus a file no reader can open, so errors must line up too."""
    root = tmp_path_factory.mktemp("seized") / "evidence"
    shutil.copytree(evidence, root)
    (root / "损坏.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    return root


def test_scan_json_is_the_local_engines(spark_engine: Any, seized: Path) -> None:
    local = get_engine().scan([seized]).to_json()
    spark = spark_engine.scan([seized]).to_json()
    assert spark == local
    assert any(f["format"] == "zip" for f in spark["files"])
    assert [e["path"] for e in spark["errors"]] == [str(seized / "损坏.xlsx")]


def test_count_json_is_the_local_engines(spark_engine: Any, seized: Path) -> None:
    local = get_engine().count([seized], link="none").to_json()
    spark = spark_engine.count([seized], link="none").to_json()
    assert spark == local
    assert spark["overlaps"] and spark["excluded"]["duplicate"] > 0
    assert spark["excluded"]["invalid"] > 0


def test_count_by_content_gives_the_local_figures(spark_engine: Any, seized: Path) -> None:
    csvs = [p for p in sorted(seized.glob("*.csv"))]
    local = get_engine().count(csvs, key="content").to_json()
    assert spark_engine.count(csvs, key="content").to_json() == local


def test_a_hive_table_and_a_parquet_uri_count_like_the_same_rows_read_locally(
    spark_engine: Any, seized: Path, tmp_path: Path
) -> None:
    table = next(e for e in walk([seized / "客户资料.csv"]) if not hasattr(e, "reason"))
    rows = pl.concat(list(table.tables[0].batches()))  # type: ignore[union-attr]
    parquet = tmp_path / "客户资料.parquet"
    rows.write_parquet(parquet)
    spark = spark_engine.spark
    spark.read.parquet(str(parquet)).write.mode("overwrite").saveAsTable("seized_customers")

    local = get_engine().count([parquet], link="none").to_json()
    by_uri = spark_engine.count([f"file://{parquet}"], link="none").to_json()
    by_table = spark_engine.count(["hive:seized_customers"], link="none").to_json()
    for result in (by_uri, by_table):
        assert _figures(result) == _figures(local)
    assert by_table["files"][0]["path"] == "hive:seized_customers"
    assert by_table["files"][0]["format"] == "hive"
    assert by_uri["files"][0]["sha256"] == local["files"][0]["sha256"]

    columns = get_engine().scan([parquet]).to_json()["files"][0]["tables"][0]["columns"]
    scanned = spark_engine.scan(["hive:seized_customers"]).to_json()
    assert scanned["files"][0]["tables"][0]["columns"] == columns


def test_a_missing_table_is_an_error_line_not_a_crash(spark_engine: Any) -> None:
    result = spark_engine.scan(["hive:no_such_table"]).to_json()
    assert result["files"] == []
    assert result["errors"][0]["path"] == "hive:no_such_table"
    assert result["errors"][0]["reason"].startswith("表不存在 no such table")


def test_cli_count_engine_spark_prints_the_local_json(spark_engine: Any, seized: Path) -> None:
    csv = str(seized / "客户资料.csv")
    local = runner.invoke(app, ["count", csv, "--json", "--link", "none"])
    spark = runner.invoke(app, ["count", csv, "--json", "--link", "none", "--engine", "spark"])
    assert local.exit_code == 0 and spark.exit_code == 0, spark.output
    assert json.loads(spark.stdout) == json.loads(local.stdout)


def test_spark_master_without_the_spark_engine_is_a_usage_error(seized: Path) -> None:
    result = runner.invoke(app, ["scan", str(seized), "--spark-master", "local[2]"])
    assert result.exit_code == 2


def test_the_local_engine_refuses_uris_and_tables() -> None:
    with pytest.raises(UsageError, match="need --engine spark"):
        get_engine().count(["hdfs://namenode/case/"])
    with pytest.raises(UsageError, match="need --engine spark"):
        get_engine().scan(["hive:case.owners"])


def test_without_pyspark_the_spark_engine_is_one_line_naming_the_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(UsageError) as raised:
        get_engine("spark")
    assert str(raised.value) == NO_PYSPARK
    assert str(raised.value).startswith("Spark 引擎需要 pyspark")
    (tmp_path / "a.csv").write_text("姓名,手机\n张三,13812345678\n", encoding="utf-8")
    result = runner.invoke(app, ["count", str(tmp_path / "a.csv"), "--engine", "spark"])
    assert result.exit_code == 2
    assert "pip install 'leaktrace[spark]'" in result.output


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    """Everything but the file list, whose paths and hashes name where the rows were read."""
    return {k: v for k, v in result.items() if k != "files"} | {
        "file_figures": [
            {k: v for k, v in f.items() if k not in ("path", "sha256", "size", "format", "tables")}
            for f in result["files"]
        ]
    }


def test_a_file_failing_part_way_is_an_error_and_counts_nothing(
    spark_engine: Any, seized: Path, tmp_path: Path
) -> None:
    rows = ["姓名,手机号"] + [f"张三{i},138{i:08d}" for i in range(20_000)]
    data = "\n".join(rows).encode()
    cut = len(data) * 2 // 3  # well past the part ingest samples to choose the encoding
    with zipfile.ZipFile(tmp_path / "打包.zip", "w") as archive:
        archive.writestr("名单.csv", data[:cut] + b"\xff\xfe" + data[cut:])
    shutil.copy(seized / "客户资料.csv", tmp_path / "客户资料.csv")

    local = get_engine().count([tmp_path], link="none").to_json()
    spark = spark_engine.count([tmp_path], link="none").to_json()
    assert spark == local
    assert [e["path"] for e in spark["errors"]] == [f"{tmp_path / '打包.zip'}!/名单.csv"]
    alone = get_engine().count([tmp_path / "客户资料.csv"], link="none").to_json()
    assert spark["records_read"] == alone["records_read"] > 0
    assert spark["items"] == alone["items"]
