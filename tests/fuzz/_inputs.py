"""Strategies for fuzzing: well-formed seeds of each format, random bytes, and mutations."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import xlsxwriter
import xlwt
from hypothesis import strategies as st

CELL = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
) | st.sampled_from(
    ["张三", "13800000001", "110101199003074514", "浙江省杭州市西湖区文三路100号", "=1+1",
     "", " ", "\"", "'", ",", "\t", "\r\n", "\x00", "NULL", "\\N", "6222020200112233445"]
)  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: st.SearchStrategy[bytes]) -> bytes:
    """A seed with a few random edits: bit flips, inserted or deleted runs, cuts, repeats."""
    data = bytearray(draw(seeds))
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat", "byte"]))
        at = draw(st.integers(0, len(data))) if data else 0
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 16))]
        elif op == "truncate":
            del data[at:]
        elif op == "repeat":
            data[at:at] = data[at : at + draw(st.integers(1, 64))]
        elif op == "byte" and data:
            at = min(at, len(data) - 1)
            data[at] = draw(st.sampled_from([0, 0x22, 0x2C, 0x0A, 0x0D, 0x5C, 0x27, 0xFF, 0x80]))
    return bytes(data)


def rows(min_cols: int = 1) -> st.SearchStrategy[list[list[str]]]:
    return st.integers(min_cols, 6).flatmap(
        lambda n: st.lists(st.lists(CELL, min_size=n, max_size=n), min_size=0, max_size=12)
    )


@st.composite
def delimited(draw: st.DrawFn) -> bytes:
    """Delimited text of random cells, delimiter, quoting, line ends and encoding."""
    table = draw(rows())
    sep = draw(st.sampled_from([",", "\t", "|", ";", " ", "  "]))
    quote = draw(st.booleans())
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))

    def cell(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if quote else c

    header = [
        draw(st.sampled_from(["姓名", "手机", "身份证号", "地址", "备注", ""]))
        for _ in (table[0] if table else [0])
    ]
    title = draw(st.sampled_from(["", "某小区业主名单\n", "\n\n"]))
    text = title + end.join(sep.join(cell(c) for c in r) for r in [header, *table]) + end
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16"]))
    return text.encode(encoding, errors="replace")


def _xlsx(table: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    book.set_properties({"created": dt.datetime(2020, 1, 1)})  # same bytes every time
    sheet = book.add_worksheet()
    for r, row in enumerate(table):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


def _xls(table: list[list[str]]) -> bytes:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("s")
    for r, row in enumerate(table[:60000]):
        for c, value in enumerate(row[:256]):
            sheet.write(r, c, value[:32767])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _printable(table: list[list[str]]) -> list[list[str]]:
    """Cells xlwt can store (no surrogates, no NUL)."""
    return [[c.replace("\x00", "") for c in r] for r in table]


xlsx_files = rows().map(_xlsx)
xls_files = rows().map(_printable).map(_xls)

JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | CELL,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(CELL, inner, max_size=5),
    max_leaves=30,
)


@st.composite
def json_files(draw: st.DrawFn) -> bytes:
    value = draw(st.lists(st.dictionaries(CELL, JSON_VALUE, max_size=6), max_size=8) | JSON_VALUE)
    if draw(st.booleans()) and isinstance(value, list):
        return "\n".join(json.dumps(v, ensure_ascii=False) for v in value).encode()
    return json.dumps(value, ensure_ascii=False).encode()


def _sql_literal(value: str | None) -> str:
    if value is None:
        return "NULL"
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def sql_files(draw: st.DrawFn) -> bytes:
    """A MySQL-style dump: CREATE TABLE and INSERTs, with random names, values and noise."""
    n = draw(st.integers(1, 5))
    names = [f"`c{i}`" for i in range(n)]
    parts = [f"CREATE TABLE `t` ({', '.join(f'{c} varchar(64)' for c in names)});"]
    for _ in range(draw(st.integers(0, 4))):
        values = draw(st.lists(st.lists(CELL | st.none(), min_size=n, max_size=n), max_size=5))
        if values:
            tuples = ",".join("(" + ",".join(_sql_literal(v) for v in row) + ")" for row in values)
            parts.append(f"INSERT INTO `t` VALUES {tuples};")
    parts += draw(
        st.lists(st.sampled_from(["-- note", "/* c */", "LOCK TABLES `t` WRITE;", ";"]), max_size=3)
    )
    return "\n".join(parts).encode()


@st.composite
def zip_files(draw: st.DrawFn) -> bytes:
    """Archives with random member names (traversal, odd characters) and member contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(
        buffer, "w", draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    ) as zf:
        for _ in range(draw(st.integers(0, 4))):
            name = draw(
                st.sampled_from(
                    [
                        "a.csv",
                        "../x.csv",
                        "/abs.csv",
                        "d/[1]*.csv",
                        "名单.xlsx",
                        "n.zip",
                        "x.json",
                        "y.sql",
                        "__MACOSX/._a.csv",
                    ]
                )
                | st.text(min_size=1, max_size=20).filter(lambda s: "\x00" not in s)
            )
            content = draw(
                st.one_of(
                    delimited(), xlsx_files, json_files(), sql_files(), st.binary(max_size=200)
                )
            )
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            zf.writestr(info, content, compress_type=zf.compression)
    return buffer.getvalue()
