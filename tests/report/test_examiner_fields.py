"""The report as the document examiners file: case number, unit, examiner, numbered evidence
items, Beijing time, page numbers in print, and the trace result worded as a technical opinion."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pypdf
import pytest
from typer.testing import CliRunner

from leaktrace.cli import app

runner = CliRunner()

CSV = "姓名,手机\n张三,13800000001\n李四,13800000002\n".encode()


def _invoke(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "300"})


FIELDS = ["--case-no", "建公网（2017）88号", "--unit", "建德市公安局网安大队"]
FIELDS += ["--examiner", "张警官"]


@pytest.fixture(scope="module")
def fielded(demo: Any, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The demo case reported (HTML and JSON) with the examiner's fields given as options."""
    out = tmp_path_factory.mktemp("fielded") / "r.html"
    for target, fmt in ((out, "html"), (out.with_suffix(".json"), "json")):
        result = _invoke("report", str(demo.out), "--out", str(target), "--format", fmt, *FIELDS)
        assert result.exit_code == 0, result.output
    return out, json.loads(out.with_suffix(".json").read_text("utf-8"))


def test_the_first_page_names_case_number_unit_and_examiner(fielded, browser_page) -> None:
    out, _ = fielded
    browser_page.goto(out.as_uri())
    text = browser_page.inner_text("#examiner")
    assert "案件编号" in text and "建公网（2017）88号" in text
    assert "办案单位" in text and "建德市公安局网安大队" in text
    assert "检验人" in text and "张警官" in text


def test_the_report_table_of_case_toml_gives_the_fields(demo: Any, tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(demo.out, case, ignore=shutil.ignore_patterns("reports"))
    with (case / "case.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[report]\ncase_no = "杭公网（2026）123号"\n')
        fh.write('unit = "杭州网警"\nexaminer = "王五"\n')
    out = tmp_path / "r.json"
    result = _invoke("report", str(case), "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text("utf-8"))
    want = {"case_no": "杭公网（2026）123号", "unit": "杭州网警", "examiner": "王五"}
    assert data["examiner"] == want
    manifest = json.loads((tmp_path / "r.json.manifest.json").read_text("utf-8"))
    assert manifest["manifest"]["examiner"]["examiner"] == "王五"


def test_an_unknown_field_in_the_report_table_is_one_line(demo: Any, tmp_path: Path) -> None:
    case = tmp_path / "case"
    shutil.copytree(demo.out, case, ignore=shutil.ignore_patterns("reports"))
    with (case / "case.toml").open("a", encoding="utf-8") as fh:
        fh.write('\n[report]\nexaminr = "王五"\n')
    result = _invoke("report", str(case), "--format", "json", "--out", str(tmp_path / "r.json"))
    assert result.exit_code == 1
    assert "examinr" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_evidence_items_are_numbered_and_archive_members_under_their_archive(
    case_dir: Path, tmp_path: Path
) -> None:
    case = tmp_path / "case"
    shutil.copytree(case_dir, case)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("a.csv", CSV)
        zf.writestr("b.csv", CSV)
    (case / "evidence" / "z_pack.zip").write_bytes(buffer.getvalue())
    out = tmp_path / "r.json"
    result = _invoke("report", str(case), "--format", "json", "--out", str(out))
    assert result.exit_code == 0, result.output
    files = json.loads(out.read_text("utf-8"))["manifest"]["files"]
    numbers = {f["path"]: f["item"] for f in files}
    assert numbers == {
        "evidence/owners.csv": "1",
        "evidence/z_pack.zip": "2",
        "evidence/z_pack.zip!/a.csv": "2-1",
        "evidence/z_pack.zip!/b.csv": "2-2",
    }


def test_times_are_beijing_time_and_say_so(fielded) -> None:
    out, data = fielded
    produced = dt.datetime.fromisoformat(data["produced"]["at"])
    assert produced.utcoffset() == dt.timedelta(hours=8)
    html = out.read_text("utf-8")
    shown = re.findall(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(UTC\+8\)", html)
    assert len(shown) >= 2  # on the cover and in the method section
    assert "生成时间（北京时间，UTC+8）" in html
    assert "（UTC）" not in html


def test_the_trace_result_is_a_technical_opinion_not_a_finding_of_guilt(fielded) -> None:
    out, data = fielded
    html = out.read_text("utf-8")
    bound = f"{data['traces'][0]['false_accusation_bound']:g}"
    assert f"该名单与向 客服部-赵某 提供的副本一致，误指认上限 {bound}" in html
    for wording in ("认定泄露者", "过失", "归责概率", "Guilt probability"):
        assert wording not in html, wording
    assert "技术意见" in html


def test_every_printed_page_carries_its_number(fielded, browser_page, tmp_path: Path) -> None:
    out, _ = fielded
    browser_page.goto(out.as_uri())
    pdf = pypdf.PdfReader(io.BytesIO(browser_page.pdf(format="A4")))
    total = len(pdf.pages)
    assert total > 3
    for number, page in enumerate(pdf.pages, start=1):
        # the PDF's font maps 页 to the look-alike radical ⻚ (U+2EDA) when text is extracted
        text = re.sub(r"\s+", "", page.extract_text()).replace("\u2eda", "页")
        assert f"第{number}页共{total}页" in text, (number, text[-80:])


def test_english_pages_say_page_n_of_m(demo: Any, tmp_path: Path, browser_page) -> None:
    out = tmp_path / "en.html"
    assert _invoke("report", str(demo.out), "--lang", "en", "--out", str(out)).exit_code == 0
    browser_page.goto(out.as_uri())
    pdf = pypdf.PdfReader(io.BytesIO(browser_page.pdf(format="A4")))
    total = len(pdf.pages)
    last = re.sub(r"\s+", " ", pdf.pages[-1].extract_text())
    assert f"Page {total} of {total}" in last
