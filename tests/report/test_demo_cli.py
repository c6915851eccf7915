"""``leaktrace demo``: the case, the three reports and a short summary; safe re-runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from leaktrace.cli import app
from leaktrace.cli.demo import MARKER, WRITES, _replace


def test_demo_writes_the_case_and_three_reports(demo: Any) -> None:
    assert demo.exit_code == 0, demo.stdout
    for name in ("report.html", "report.json", "report.xlsx"):
        assert (demo.reports / name).stat().st_size > 10_000
    assert (demo.out / "case.toml").is_file()
    assert (demo.out / "holder" / "registry.db").is_file()
    assert (demo.out / "evidence" / "吴某" / "手机导出" / "嘉绿苑业主.xlsx").is_file()


def test_demo_summary_names_findings_the_leaker_and_the_report(demo: Any) -> None:
    out = demo.stdout
    assert "情节特别严重" in out and "情节严重" in out
    for party in ("陈某", "赵某", "刘某", "施某", "童某"):
        assert party in out
    assert "客服部-赵某" in out
    assert str(demo.reports / "report.html") in out


def test_demo_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("keep me", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "not written by `leaktrace demo`" in result.output
    assert (tmp_path / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_a_rerun_replaces_only_what_the_demo_writes(tmp_path: Path) -> None:
    out, build = tmp_path / "out", tmp_path / "build"
    for folder, tag in ((out, "old"), (build, "new")):
        (folder / "evidence").mkdir(parents=True)
        (folder / "evidence" / "a.csv").write_text(tag, encoding="utf-8")
        (folder / "case.toml").write_text(tag, encoding="utf-8")
        (folder / MARKER).write_text(tag, encoding="utf-8")
    (out / "evidence" / "stale.csv").write_text("old", encoding="utf-8")
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    _replace(out, build)
    assert (out / "case.toml").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in (out / "evidence").iterdir()) == ["a.csv"]
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert "notes.txt" not in WRITES
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".demo-old-")]
