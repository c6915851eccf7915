"""The product does not depend on the demo generator: no verb's package imports synth or Faker.

``cli`` included: the demo and synth verbs import the generator only when run. Each package is
imported in a fresh interpreter (this test process has loaded synth for other tests), and
``sys.modules`` is read afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PRODUCT = (
    "mark",
    "count",
    "trace",
    "chain",
    "detect",
    "normalize",
    "report",
    "engine",
    "law",
    "ingest",
    "scan",
    "cli",
)

_PROBE = """
import importlib, json, sys
importlib.import_module("leaktrace.{name}")
print(json.dumps(sorted(m for m in sys.modules
                        if m == "faker" or m.startswith(("faker.", "leaktrace.synth")))))
"""


@pytest.mark.parametrize("name", PRODUCT)
def test_product_package_imports_neither_synth_nor_faker(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE.format(name=name)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == []


def test_marking_a_list_with_honey_loads_neither_synth_nor_faker() -> None:
    """Honey names come from mark's own data: writing an export pulls in no generator."""
    probe = """
import json, sys, tempfile
from pathlib import Path
import polars as pl
from leaktrace.mark import Registry, mark_export
out = Path(tempfile.mkdtemp())
rows = [(f"{s}{g}", f"1381234{i:04d}", "金沙苑", f"{1 + i % 6}幢", f"{1 + i % 2}单元",
         f"{(1 + i % 9)}0{1 + i % 4}室") for i, (s, g) in enumerate(zip("赵钱孙李周吴郑王" * 25,
                                                                       "明华伟芳静丽强磊" * 25))]
frame = pl.DataFrame(rows, schema=["姓名", "手机号", "小区", "楼栋", "单元", "房号"], orient="row")
frame.write_csv(out / "owners.csv")
registry = Registry.create(str(out / "reg.db"))
# each export draws its honey records by its own code bits, so a small list's export can carry
# none (about one in six here): export to recipients until one carries some
for k in range(12):
    result = mark_export(out / "owners.csv", recipient=f"甲公司{k}", registry=registry,
                         out=out / f"a{k}.csv")
    if result.honey > 0:
        break
assert result.honey > 0, result
print(json.dumps(sorted(m for m in sys.modules
                        if m == "faker" or m.startswith(("faker.", "leaktrace.synth")))))
"""
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
