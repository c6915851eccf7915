"""``leaktrace.redact``: masked copies keep each format's shape and leave no identifier in clear."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from python_calamine import CalamineWorkbook
from tests.redact.samples import CARD, ID_1, NAMES, OWNERS_GBK, PLANTED, TSV, TXT

from leaktrace.redact import redact
from leaktrace.scan import scan


def _text_of(path: Path) -> str:
    """Everything a reader of the copy can see, as text."""
    if path.suffix == ".xlsx":
        book = CalamineWorkbook.from_path(str(path))
        return "\n".join(
            str(cell)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
            for cell in row
        )
    if path.name == "owners.csv":
        return path.read_bytes().decode("gbk")
    return path.read_text(encoding="utf-8")


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {n: book.get_sheet_by_name(n).to_python() for n in book.sheet_names}


def test_every_format_is_copied_and_no_planted_value_survives(evidence, tmp_path):
    result = redact([evidence], tmp_path / "out")
    assert result.errors == []
    written = {Path(f.out).name for f in result.files}
    assert written == {
        "owners.csv",
        "contacts.tsv",
        "numbers.txt",
        "list.json",
        "list.jsonl",
        "book.xlsx",
    }
    for file in result.files:
        text = _text_of(Path(file.out))
        compact = re.sub(r"[\s\-]", "", text)
        for value in PLANTED:
            assert value not in compact, (file.out, value)
        for name in NAMES:
            assert name not in text, (file.out, name)


def test_a_rescan_of_the_copies_finds_no_valid_identifier(evidence, tmp_path):
    redact([evidence], tmp_path / "out")
    spans = tmp_path / "spans.jsonl"
    result = scan([tmp_path / "out"], spans=spans)
    assert result.errors == []
    found = [
        (f.path, c.name, c.type, c.valid)
        for f in result.files
        for t in f.tables
        for c in t.columns
        if c.type and c.valid
    ]
    assert found == []
    statuses = [
        json.loads(line)["status"] for line in spans.read_text(encoding="utf-8").splitlines()
    ]
    assert "valid" not in statuses


def test_gbk_csv_keeps_title_blank_line_line_ends_and_untouched_cells(evidence, tmp_path):
    redact([evidence / "owners.csv"], tmp_path / "out")
    copy = (tmp_path / "out" / "owners.csv").read_bytes().decode("gbk")
    before, after = OWNERS_GBK.split("\r\n"), copy.split("\r\n")
    assert len(after) == len(before)
    assert after[0] == before[0]  # the title row
    assert after[1] == before[1]  # the header
    assert after[4] == "" and after[-1] == ""
    rows_before = list(csv.reader(io.StringIO(OWNERS_GBK.replace("\r\n", "\n"))))
    rows_after = list(csv.reader(io.StringIO(copy.replace("\r\n", "\n"))))
    assert [len(r) for r in rows_after] == [len(r) for r in rows_before]
    assert rows_after[2][:3] == ["张*", "138****5678", "330106********0028"]
    assert rows_after[2][4] == "老客户"
    assert rows_after[3][1] == "139****4321"  # typed with hyphens, masked whole
    # free text: only the spans change, and the field stays quoted as it was
    assert rows_after[5][4] == f"已联系，电话 139****5670，卡号{CARD[:6]}*********{CARD[-4:]}"
    assert after[5].endswith('"')


def test_tsv_and_txt_keep_their_lines_and_their_other_columns(evidence, tmp_path):
    redact([evidence / "contacts.tsv", evidence / "numbers.txt"], tmp_path / "out")
    tsv = (tmp_path / "out" / "contacts.tsv").read_text(encoding="utf-8").split("\n")
    assert [line.count("\t") for line in tsv] == [line.count("\t") for line in TSV.split("\n")]
    assert tsv[0] == TSV.split("\n")[0]
    assert [line.split("\t")[3] for line in tsv[1:3]] == ["杭州市", "宁波市"]
    assert tsv[1].split("\t")[:3] == ["张*", "138****5678", "z***@example.com"]
    txt = (tmp_path / "out" / "numbers.txt").read_text(encoding="utf-8")
    assert txt == "138****5678\n139****4321\n\n150****5678\n"
    assert len(txt.split("\n")) == len(TXT.split("\n"))


def test_xlsx_keeps_both_sheets_the_merged_title_and_the_numbers(evidence, tmp_path):
    redact([evidence / "book.xlsx"], tmp_path / "out")
    before, after = _sheets(evidence / "book.xlsx"), _sheets(tmp_path / "out" / "book.xlsx")
    assert list(after) == list(before) == ["业主", "备注"]
    for name in before:
        assert [len(r) for r in after[name]] == [len(r) for r in before[name]]
    owners = after["业主"]
    assert owners[0][0] == "2023年业主名单" and owners[1] == ["姓名", "手机", "身份证号", "金额"]
    assert owners[2] == ["张*", "138****5678", "330106********0028", 12.5]
    assert owners[3][1] == "139****4321"  # a phone stored as a number comes back as masked text
    assert owners[3][3] == before["业主"][3][3]
    book = CalamineWorkbook.from_path(str(tmp_path / "out" / "book.xlsx"))
    assert book.get_sheet_by_name("业主").merged_cell_ranges == [((0, 0), (0, 3))]
    notes = after["备注"]
    assert notes[1] == ["A-1", "客户说他的手机是150****5678，明天再联系"]
    assert notes[2] == before["备注"][2]


def test_json_keeps_records_keys_and_untouched_values(evidence, tmp_path):
    redact([evidence / "list.json", evidence / "list.jsonl"], tmp_path / "out")
    document = json.loads((tmp_path / "out" / "list.json").read_text(encoding="utf-8"))
    source = json.loads((evidence / "list.json").read_text(encoding="utf-8"))
    assert [list(r) for r in document] == [list(r) for r in source]
    assert (
        document[0]["手机"] == "138****5678"
        and document[0]["身份证"] == ID_1[:6] + "********" + ID_1[-4:]
    )
    assert document[0]["备注"] == "老客户" and document[0]["积分"] == 3
    assert document[1]["手机"] == "139****4321"
    assert document[1]["备注"] == "联系电话150****5678"
    text = (tmp_path / "out" / "list.json").read_text(encoding="utf-8")
    assert text.startswith('[\n  {\n    "姓名": ') and text.endswith("]\n")
    lines = (tmp_path / "out" / "list.jsonl").read_text(encoding="utf-8").splitlines()
    assert [list(json.loads(line)) for line in lines] == [list(r) for r in source]


def test_values_already_masked_in_the_evidence_are_left_alone(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("姓名,手机\n张*,138****5678\n李娜,13987654321\n", encoding="utf-8")
    result = redact([source], tmp_path / "out")
    assert (tmp_path / "out" / "in.csv").read_text(encoding="utf-8") == (
        "姓名,手机\n张*,138****5678\n李*,139****4321\n"
    )
    assert dict(result.files[0].masked) == {"name": 1, "mobile": 1}
