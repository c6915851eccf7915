"""The demo, run once per session through the CLI: its case folder and its three reports."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.report import KEY_ENV, init_key
from leaktrace.synth import leak


@dataclass
class Demo:
    out: Path
    stdout: str
    exit_code: int

    @property
    def reports(self) -> Path:
        return self.out / "reports"

    def json(self) -> dict[str, Any]:
        return json.loads((self.reports / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session", autouse=True)
def examiner_key(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """An examiner key for the session's `leaktrace report` runs ($LEAKTRACE_EXAMINER_KEY)."""
    path = tmp_path_factory.mktemp("examiner") / "examiner.key"
    init_key(path)
    old = os.environ.get(KEY_ENV)
    os.environ[KEY_ENV] = str(path)
    yield path
    if old is None:
        os.environ.pop(KEY_ENV, None)
    else:
        os.environ[KEY_ENV] = old


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """``leaktrace demo --out DIR`` (seed 2017): the story case, fingerprinted, and its reports."""
    out = tmp_path_factory.mktemp("demo") / "demo-out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)], env={"COLUMNS": "200"})
    return Demo(out, result.stdout, result.exit_code)


@pytest.fixture(scope="session")
def personal_values(demo: Demo) -> dict[str, set[str]]:
    """Every full mobile number and name of the people the demo's lists are about."""
    frames = [
        leak.read_export(demo.out / "sources" / "开发商客户库.csv"),
        leak.read_export(demo.out / "sources" / "物业业主登记表.xlsx"),
    ]
    mobiles: set[str] = set()
    names: set[str] = set()
    ids: set[str] = set()
    for frame in frames:
        for column in frame.columns:
            values = frame.get_column(column).drop_nulls().to_list()
            if column in ("手机号", "联系电话"):
                mobiles.update(values)
            elif column in ("客户姓名", "业主姓名"):
                names.update(v for v in values if len(v) >= 3)
            elif column == "身份证号":
                ids.update(values)
    assert mobiles and names and ids
    return {"mobile": mobiles, "name": names, "cn_id": ids}
