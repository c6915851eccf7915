"""Every file the synthetic evidence folder writes is read as its truth says it should be."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaktrace.ingest import Evidence, walk

synth = pytest.importorskip("leaktrace.synth")


@pytest.mark.parametrize("seed", [7, 11])
def test_synthetic_evidence_folder_matches_truth(tmp_path: Path, seed: int) -> None:
    truth = json.loads(synth.write_evidence_folder(tmp_path, seed, rows=300).read_text("utf-8"))
    folder = tmp_path / truth["evidence_dir"]
    found = {r.path[len(str(folder)) + 1 :]: r for r in walk([folder])}
    assert set(found) == {f["path"] for f in truth["files"]}
    for expected in truth["files"]:
        evidence = found[expected["path"]]
        assert isinstance(evidence, Evidence), evidence
        assert (evidence.format, evidence.encoding) == (expected["format"], expected["encoding"])
        assert evidence.notes == []
        tables = {t.name: t for t in evidence.tables}
        assert list(tables) == [t["name"] for t in expected["tables"]], expected["path"]
        for table in expected["tables"]:
            got = tables[table["name"]]
            assert got.columns == list(table["columns"]), (expected["path"], table["name"])
            assert got.header_row == table["header_row"], (expected["path"], table["name"])
            assert sum(b.height for b in got.batches()) == table["rows"]
