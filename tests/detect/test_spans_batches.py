"""Free-text spans of a table read in many batches: rows counted over the whole table.

``scan_table`` finds a batch's spans while the next batch is read and validated; the rows,
offsets and totals must come out as if the table were one batch. The oracle is where the
values were typed: a phone in every seventh row, at a known offset, and nothing elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path

from leaktrace.ingest import Limits, walk
from leaktrace.scan import SpanWriter, scan_table

NOTES = ("已付款", "老客户", "周末再送", "电话没人接", "要发票")


def _phone(i: int) -> str:
    return f"139{i:08d}"


def test_spans_of_many_batches_keep_their_table_rows(tmp_path: Path) -> None:
    rows = 2_503
    lines = ["编号,手机号,备注"]
    for i in range(rows):
        note = f"改号了，新号{_phone(i)}" if i % 7 == 3 else NOTES[i % len(NOTES)]
        lines.append(f"{i},{_phone(i)},{note}")
    source = tmp_path / "list.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (evidence,) = walk([source], limits=Limits(batch_rows=200))
    out = tmp_path / "spans.jsonl"
    with SpanWriter(out, show_values=True) as writer:
        result = scan_table(evidence.tables[0], spans=writer, label=str(source))
    assert result.rows == rows
    remark = next(c for c in result.columns if c.name == "备注")
    assert remark.free_text
    planted = [i for i in range(rows) if i % 7 == 3]
    assert remark.spans == {"mobile": len(planted)}
    spans = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(s["row"], s["start"], s["end"], s["value"]) for s in spans] == [
        (i, 6, 17, _phone(i)) for i in planted
    ]
    assert all(s["type"] == "mobile" and s["status"] == "valid" for s in spans)
