"""``scan --spans``: one JSON line per free-text span, located by table data row and offsets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from leaktrace.cli import app

runner = CliRunner()

SENTENCES = [
    "客户说他的手机是13812345678，明天再联系",
    "今天天气不错",
    "身份证号 330106198503120028 已登记",
    "邮箱 zhang.san@example.com 收到，另一个号码 139-8765-4321",
]
PLANTED = {
    0: ["13812345678"],
    2: ["330106198503120028"],
    3: ["zhang.san@example.com", "139-8765-4321"],
}
"""Sentence index -> the values typed into it (what the spans must find, where they are)."""


def _spans(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _expected(sentences: list[str]) -> set[tuple[int, int, int]]:
    return {
        (row, sentences[row].index(value), sentences[row].index(value) + len(value))
        for row, values in PLANTED.items()
        for value in values
    }


def test_one_column_of_sentences_comes_back_with_the_sentence_index(tmp_path):
    source = tmp_path / "chat.csv"
    # blank lines between sentences are not data rows: ingest skips them, so do the indices
    source.write_text("内容\n" + "\n\n".join(SENTENCES) + "\n\n", encoding="utf-8")
    out = tmp_path / "spans.jsonl"
    result = runner.invoke(app, ["scan", str(source), "--spans", str(out), "--show-values"])
    assert result.exit_code == 0, result.output
    spans = _spans(out)
    assert {(s["row"], s["start"], s["end"]) for s in spans} == _expected(SENTENCES)
    for span in spans:
        assert set(span) == {
            "path", "table", "column", "row", "type", "start", "end", "status", "value",
        }  # fmt: skip
        assert span["path"] == str(source) and span["column"] == "内容"
        row, start, end = span["row"], span["start"], span["end"]
        assert isinstance(row, int) and isinstance(start, int) and isinstance(end, int)
        assert SENTENCES[row][start:end] == span["value"]
    assert {s["type"] for s in spans} == {"mobile", "cn_id", "email"}


def test_title_rows_and_blank_lines_ingest_skips_are_not_counted_as_rows(tmp_path):
    source = tmp_path / "chat.csv"
    lines = ["聊天记录导出,2024-05-01", "", "编号,内容"]
    lines += [f"{i + 1},{text}" for i, text in enumerate(SENTENCES)]
    lines.insert(5, "")  # a blank line inside the data
    source.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    out = tmp_path / "spans.jsonl"
    result = runner.invoke(app, ["scan", str(source), "--spans", str(out), "--show-values"])
    assert result.exit_code == 0, result.output
    spans = _spans(out)
    assert {(s["row"], s["start"], s["end"]) for s in spans} == _expected(SENTENCES)
    assert all(SENTENCES[s["row"]][s["start"] : s["end"]] == s["value"] for s in spans)


def test_values_are_masked_unless_show_values(tmp_path):
    source = tmp_path / "chat.csv"
    source.write_text("内容\n" + "\n".join(SENTENCES) + "\n", encoding="utf-8")
    out = tmp_path / "spans.jsonl"
    assert runner.invoke(app, ["scan", str(source), "--spans", str(out)]).exit_code == 0
    spans = _spans(out)
    by_start = {(s["row"], s["start"]): s["value"] for s in spans}
    assert by_start[(0, SENTENCES[0].index("138"))] == "138****5678"
    assert "13812345678" not in out.read_text(encoding="utf-8")


def test_an_unwritable_spans_path_is_one_line_and_nothing_is_written(tmp_path):
    source = tmp_path / "chat.csv"
    source.write_text("内容\n" + "\n".join(SENTENCES) + "\n", encoding="utf-8")
    target = tmp_path / "no-such-folder" / "spans.jsonl"
    result = runner.invoke(app, ["scan", str(source), "--spans", str(target)])
    assert result.exit_code == 1
    assert str(target) in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not target.parent.exists()


def test_a_spans_path_that_is_an_input_is_refused_and_the_input_kept(tmp_path):
    source = tmp_path / "chat.csv"
    source.write_text("内容\n" + "\n".join(SENTENCES) + "\n", encoding="utf-8")
    before = source.read_bytes()
    result = runner.invoke(app, ["scan", str(source), "--spans", str(source)])
    assert result.exit_code == 2
    assert source.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_spans_file_inside_the_scanned_folder_is_not_scanned_itself(tmp_path):
    folder = tmp_path / "chats"
    folder.mkdir()
    (folder / "chat.csv").write_text("内容\n" + "\n".join(SENTENCES) + "\n", encoding="utf-8")
    out = folder / "spans.jsonl"
    for _ in range(2):  # the second run finds the first run's file in the folder
        result = runner.invoke(app, ["scan", str(folder), "--spans", str(out), "--json"])
        assert result.exit_code == 0, result.output
        payload = json.loads(result.stdout)
        assert [f["path"] for f in payload["files"]] == [str(folder / "chat.csv")]
        assert len(_spans(out)) == 4
    assert sorted(p.name for p in folder.iterdir()) == ["chat.csv", "spans.jsonl"]


def test_spans_need_the_local_engine(tmp_path):
    source = tmp_path / "chat.csv"
    source.write_text("内容\n" + "\n".join(SENTENCES) + "\n", encoding="utf-8")
    result = runner.invoke(
        app, ["scan", str(source), "--spans", str(tmp_path / "s.jsonl"), "--engine", "spark"]
    )
    assert result.exit_code == 2 and "--spans needs --engine local" in result.output


def test_rows_of_a_sheet_under_a_title_count_from_the_first_data_row(tmp_path):
    import xlsxwriter

    source = tmp_path / "chat.xlsx"
    book = xlsxwriter.Workbook(str(source))
    sheet = book.add_worksheet("聊天")
    sheet.merge_range(0, 0, 0, 1, "聊天记录导出 2024-05-01")
    sheet.write_row(2, 0, ["编号", "内容"])
    for i, text in enumerate(SENTENCES):
        sheet.write_row(3 + i, 0, [f"A-{i + 1}", text])
    book.close()
    out = tmp_path / "spans.jsonl"
    result = runner.invoke(app, ["scan", str(source), "--spans", str(out), "--show-values"])
    assert result.exit_code == 0, result.output
    spans = _spans(out)
    assert {s["table"] for s in spans} == {"聊天"}
    assert {(s["row"], s["start"], s["end"]) for s in spans} == _expected(SENTENCES)


TITLES = ["金都花园业主群聊天记录（2024年5月）", "导出时间：2024-05-01 导出人：王强"]


def _one_column(path: Path, lines: list[str]) -> None:
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        for row, line in enumerate(lines, 1):
            book.active.cell(row=row, column=1, value=line or None)
        book.save(path)
    elif path.suffix == ".txt":
        path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    else:
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("suffix", [".csv", ".txt", ".xlsx"])
@pytest.mark.parametrize(
    "titles",
    [[], TITLES[:1], TITLES, ["聊天记录"], [TITLES[0], ""]],
    ids=["no-title", "one-title", "two-titles", "title-is-a-header-word", "title-blank"],
)
def test_one_column_under_title_lines_gives_the_sentence_index(tmp_path, suffix, titles):
    # the title lines above 内容 are as wide as it in one column: they were taken for the header
    # and 内容 for data row 0, so every row was one too high (or the title, with digits, left
    # no header at all and the column unscanned)
    source = tmp_path / f"chat{suffix}"
    _one_column(source, [*titles, "内容", *SENTENCES])
    out = tmp_path / "spans.jsonl"
    result = runner.invoke(app, ["scan", str(source), "--spans", str(out), "--show-values"])
    assert result.exit_code == 0, result.output
    spans = _spans(out)
    assert {s["column"] for s in spans} == {"内容"}
    assert {(s["row"], s["start"], s["end"]) for s in spans} == _expected(SENTENCES)
    assert all(SENTENCES[s["row"]][s["start"] : s["end"]] == s["value"] for s in spans)
