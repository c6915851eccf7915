"""``leaktrace.scan`` end to end on the generator's evidence folder, checked against its truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from leaktrace.scan import ScanResult, scan

_SCANS: dict[Path, ScanResult] = {}


def _scan(evidence_case: tuple[Path, dict[str, Any]]) -> tuple[ScanResult, dict[str, Any], Path]:
    """Scan the session's evidence folder once; the tests below read the same result."""
    root, truth = evidence_case
    evidence = root / truth["evidence_dir"]
    if evidence not in _SCANS:
        _SCANS[evidence] = scan([evidence])
    return _SCANS[evidence], truth, evidence


def _truth_tables(truth: dict[str, Any], evidence: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(str(evidence / f["path"]), t["name"]): t for f in truth["files"] for t in f["tables"]}


def test_scan_reads_every_file_the_generator_wrote(evidence_case):
    result, truth, evidence = _scan(evidence_case)
    assert result.errors == []
    assert {f.path for f in result.files} == {str(evidence / f["path"]) for f in truth["files"]}
    for file in result.files:
        assert len(file.sha256) == 64
        assert file.size > 0


def test_scan_column_types_match_truth(evidence_case):
    result, truth, evidence = _scan(evidence_case)
    expected = _truth_tables(truth, evidence)
    right = total = 0
    for file in result.files:
        for table in file.tables:
            columns = expected[(file.path, table.name)]["columns"]
            for column in table.columns:
                total += 1
                right += column.type == columns[column.name] or (
                    column.free_text and columns[column.name] is None
                )
    assert total > 50
    assert right / total >= 0.99


def test_scan_cell_counts_match_truth(evidence_case):
    """Valid, invalid and masked counts per column are exact, every row validated."""
    root, _ = evidence_case
    result, truth, evidence = _scan(evidence_case)
    expected = _truth_tables(truth, evidence)
    checked = 0
    for file in result.files:
        for table in file.tables:
            entry = expected[(file.path, table.name)]
            cells = pl.read_parquet(root / entry["cells"])
            assert table.rows == cells.height
            for column in table.columns:
                if column.type in {"cn_id", "mobile", "bank_card", "email"}:
                    counts = dict(cells.get_column(column.name).value_counts().iter_rows())
                    found = {"valid": column.valid, "invalid": column.invalid}
                    found["masked"] = column.masked
                    for status, n in found.items():
                        want = counts.get(status, 0)
                        assert abs(n - want) <= max(1, 0.01 * want), (
                            file.path,
                            column.name,
                            status,
                        )
                    checked += 1
    assert checked >= 15


def test_scan_finds_spans_in_chat_messages(evidence_case):
    root, _ = evidence_case
    result, truth, evidence = _scan(evidence_case)
    chats = [f for f in truth["files"] for t in f["tables"] if t.get("spans")]
    assert chats
    for entry in chats:
        file = next(f for f in result.files if f.path == str(evidence / entry["path"]))
        spans = pl.read_parquet(root / entry["tables"][0]["spans"])
        want = dict(spans.get_column("type").value_counts().iter_rows())
        # names come from the tagger, which shares no cue with the chat templates: 90% of them
        for type_id, share in (("mobile", 0.95), ("cn_id", 0.95), ("name", 0.9)):
            assert file.spans[type_id] >= share * want[type_id]
            assert file.spans[type_id] <= 1.05 * want[type_id]


def test_scan_samples_are_masked_unless_asked(evidence_case):
    result, _, _ = _scan(evidence_case)
    samples = [
        s
        for f in result.files
        for t in f.tables
        for c in t.columns
        if c.type == "mobile"
        for s in c.samples
    ]
    assert samples and all("****" in s for s in samples)


def test_scan_json_has_documented_shape(evidence_case):
    result, _, _ = _scan(evidence_case)
    payload = result.to_json()
    assert set(payload) == {"files", "errors"}
    file = payload["files"][0]
    assert {"path", "sha256", "format", "encoding", "tables", "spans"} <= set(file)
    table = file["tables"][0]
    assert {"name", "rows", "columns"} <= set(table)
    column = table["columns"][0]
    assert {"name", "type", "confidence", "valid", "invalid", "masked"} <= set(column)


def test_scan_lists_bad_files_and_goes_on(tmp_path, evidence_case):
    root, truth = evidence_case
    good = root / truth["evidence_dir"] / truth["files"][0]["path"]
    (tmp_path / good.name).write_bytes(good.read_bytes())
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    (tmp_path / "empty.csv").write_bytes(b"")
    result = scan([tmp_path])
    assert [f.path for f in result.files] == [str(tmp_path / good.name)]
    reasons = {Path(e.path).name: e.reason for e in result.errors}
    assert set(reasons) == {"broken.xlsx", "empty.csv"}
    assert all(reason and "\n" not in reason for reason in reasons.values())
