"""build_report on a small case: relative paths, archives, no traces, language."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from tests.conftest import CLEAN

from leaktrace.errors import FactsError
from leaktrace.report import build_report, render_html
from leaktrace.synth import noisy, residents

CASE = """
name = "小案"

[[parties]]
name = "王某"
role = "insider"
obtained = ["evidence/owners.csv"]
[parties.facts]
illegal_gains_yuan = 3000

[[transfers]]
seller = "王某"
buyer = "李某"
evidence = ["evidence/owners.csv"]
price_yuan = 3000
"""


@pytest.fixture(scope="module")
def small_case(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small")
    (root / "evidence").mkdir()
    owners = noisy(
        residents(300, seed=5), {"业主": "name", "手机": "mobile", "房号": "room"}, 5, rates=CLEAN
    )
    owners.frame.write_csv(root / "evidence" / "owners.csv")
    with zipfile.ZipFile(root / "evidence" / "copy.zip", "w") as zf:
        zf.writestr("inner/owners.csv", owners.frame.head(100).write_csv())
    (root / "case.toml").write_text(CASE, encoding="utf-8")
    return root


def test_paths_are_relative_to_the_case_and_archive_members_keep_their_part(
    small_case: Path,
) -> None:
    data = build_report(small_case).to_json()
    paths = [f["path"] for f in data["manifest"]["files"]]
    assert paths == [
        "evidence/copy.zip",
        "evidence/copy.zip!/inner/owners.csv",
        "evidence/owners.csv",
    ]
    member = data["manifest"]["files"][1]
    assert member["parent"] == "evidence/copy.zip"
    assert {c["type"] for c in member["contains"]} == {"name", "mobile", "room"}
    assert data["counting"]["overlaps"] == [
        {"a": "evidence/copy.zip!/inner/owners.csv", "b": "evidence/owners.csv", "items": 100}
    ]


def test_a_case_without_traces_says_so_and_counts_per_party(small_case: Path) -> None:
    report = build_report(small_case, lang="en")
    data = report.to_json()
    assert data["traces"] == [] and data["summary"]["accused"] == []
    wang = data["parties"][0]
    assert wang["name"] == "王某" and wang["items_total"] == 300
    html = render_html(report)
    assert "The case names no evidence to trace" in html
    assert '<html lang="en">' in html


def test_a_broken_case_is_a_facts_error(tmp_path: Path) -> None:
    (tmp_path / "case.toml").write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(FactsError, match="parties"):
        build_report(tmp_path)


def test_an_unknown_language_is_refused_before_any_work(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lang"):
        build_report(tmp_path, lang="fr")
