"""One Spark session (local[2], two shuffle partitions) for every engine test.

Without Java or pyspark the Spark tests are skipped, unless ``LEAKTRACE_REQUIRE_SPARK=1``
(set by ``.ci/run``), which makes them fail.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.synth import write_evidence_folder


def _missing() -> str | None:
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'leaktrace[spark]')"
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        return "no Java on this machine (java on PATH or JAVA_HOME)"
    return None


@pytest.fixture(scope="session")
def spark_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A Spark engine whose every table of a plain UTF-8 CSV file is read by Spark's CSV
    reader in byte ranges (``split_bytes=0``), so both ways in are exercised on small data."""
    reason = _missing()
    if reason is not None:
        if os.environ.get("LEAKTRACE_REQUIRE_SPARK") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    from leaktrace.engine import SparkEngine

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    engine = SparkEngine(
        "local[2]",
        conf={
            "spark.sql.shuffle.partitions": "2",
            "spark.sql.warehouse.dir": str(warehouse),
            # Small files still split in several byte ranges.
            "spark.sql.files.maxPartitionBytes": str(64 * 1024),
        },
        split_bytes=0,
    )
    try:
        yield engine
    finally:
        engine.close()


@pytest.fixture(scope="session")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small seized folder: CSV (GBK and UTF-8), XLSX, XLS, TXT, JSON, SQL dumps, a zip."""
    root = tmp_path_factory.mktemp("engine_evidence")
    write_evidence_folder(root, seed=11, rows=300)
    return root / "evidence"
