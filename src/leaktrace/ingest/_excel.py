"""XLSX, XLS and ODS workbooks through python-calamine: every non-empty sheet is one table.

Cells come out as the text the evidence shows, not as the number calamine parsed, because that is
what a detective sees and what detection must judge: a phone stored as a number is `13812345678`,
not `13812345678.0`; an 18-digit ID typed into Excel as a number was already cut to 15 significant
digits when it was saved, and Excel shows it in General format as `3.30182E+17` - so we render it
exactly so, rather than inventing digits that are not in the file. Dates become ISO text.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

from leaktrace.errors import InputError

from ._csv import cell_too_large
from ._header import column_names, find_header, generic_names, table_width
from ._loose import loose_table
from ._model import NOT_FAILURES, Limits, Table

_GENERAL_MAX_INTEGER = 10**11
"""Excel's General format shows integers up to 11 digits in full, larger ones in E notation."""

Cell = str | None
MergedRange = tuple[tuple[int, int], tuple[int, int]]


def render_cell(value: Any) -> Cell:
    """The text of one cell as Excel's General format would display it; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return render_number(float(value)) if abs(value) >= _GENERAL_MAX_INTEGER else str(value)
    if isinstance(value, float):
        return render_number(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def render_number(value: float) -> str:
    """Integral values below 10^11 in full; larger ones as `3.30182E+17`; others to 15 digits."""
    if value.is_integer() and -_GENERAL_MAX_INTEGER < value < _GENERAL_MAX_INTEGER:
        return str(int(value))
    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if value.is_integer():
        if abs(value) < _GENERAL_MAX_INTEGER:
            return str(int(value))
        mantissa, exponent = f"{value:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        sign = exponent[0]
        return f"{mantissa}E{sign}{int(exponent[1:]):02d}"
    return f"{value:.15g}"


def read_workbook(path: Path, shown: str, limits: Limits) -> list[Table]:
    """A table per sheet that holds at least one cell, in workbook order."""
    _probe_apart(path, shown)
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except NOT_FAILURES:
        raise
    except BaseException as exc:  # calamine's errors, and a panic in its Rust code
        raise InputError(_workbook_error(exc), shown) from exc
    tables = []
    worksheets = [
        meta.name for meta in workbook.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet
    ]
    for name in worksheets:
        try:
            sheet = workbook.get_sheet_by_name(name)
        except NOT_FAILURES:
            raise
        except BaseException as exc:  # calamine's errors, and a panic in its Rust code
            raise InputError(f"工作表 sheet {name!r}: {_workbook_error(exc)}", shown) from exc
        if not sheet.height or not sheet.width:
            continue
        table = _sheet_table(path, shown, name, sheet, limits)
        if table is not None:
            tables.append(loose_table(table, limits, shown))
    return tables


_PROBE_MEMORY = 8 << 30
"""Address space the probe may use: calamine holds a sheet as a dense grid of about 32 bytes a
cell, so this is some 250 million cells (1,048,576 rows of 240 columns), more than any real
list."""
_PROBE = (
    "import resource, sys\n"
    "resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[2]), int(sys.argv[2])))\n"
    "from python_calamine import CalamineWorkbook\n"
    "book = CalamineWorkbook.from_path(sys.argv[1])\n"
    "for name in book.sheet_names:\n"
    "    book.get_sheet_by_name(name)\n"
)


def _probe_apart(path: Path, shown: str) -> None:
    """Open a workbook in a child process with bounded memory before opening it here.

    calamine holds each sheet as a dense grid from its first to its last cell, so a 6 KB .xlsx
    with cells at A1 and XFD1048576 asks for 550 GB, and a corrupt .xls can ask for 8 GB (both
    found by fuzzing); a failed allocation in Rust aborts the whole process, or the system kills
    it first. The child dies instead, and the file is refused in one line. Parsing is
    deterministic, so a file the child opens is safe to open here. It costs one more parse of
    the workbook. A panic in the child is reported from there (opening the file here would print
    Rust's panic message on stderr); any other error is left for the real open to report.
    """
    try:
        child = subprocess.run(
            [sys.executable, "-c", _PROBE, str(path), str(_PROBE_MEMORY)],
            capture_output=True,
            timeout=600,
            env={**os.environ, "RUST_BACKTRACE": "0"},
        )
    except subprocess.TimeoutExpired:
        reason = "工作簿损坏：10 分钟内未能打开 corrupt workbook: not opened in 10 minutes"
        raise InputError(reason, shown) from None
    last = child.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    if last[0].startswith("pyo3_runtime.PanicException: "):
        detail = last[0].removeprefix("pyo3_runtime.PanicException: ")[:200]
        raise InputError(f"工作簿损坏或不完整 corrupt or truncated workbook ({detail})", shown)
    if child.returncode < 0 or b"memory allocation" in child.stderr:
        raise InputError(
            "工作簿损坏或恶意构造：打开所需内存超过任何真实名单 corrupt or hostile workbook: "
            "opening it needs more memory than any real list "
            f"(over {_PROBE_MEMORY >> 30} GB; a cell far beyond the data makes a huge sheet)",
            shown,
        )


def _workbook_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "password" in text.lower() or "encrypt" in text.lower():
        return "有密码保护 password-protected"
    return f"工作簿损坏或不完整 corrupt or truncated workbook ({text[:200]})"


def sheet_rows(sheet: CalamineSheet) -> Iterator[tuple[int, list[Any]]]:
    """Each row calamine yields, with its 0-based row number in the sheet.

    python-calamine 0.9 yields a sheet's rows from the sheet's first row, padding the rows above
    the first used cell with empty cells (its columns start at the first used column, though).
    Should a version start at the first used row instead, that row is not empty, while a padded
    first row is: the first row tells which, so row numbers stay those of the sheet either way.
    """
    start_row = (sheet.start or (0, 0))[0]
    rows = sheet.iter_rows()
    first = next(rows, None)
    if first is None:
        return
    base = start_row if start_row and not _blank(first) else 0
    yield base, first
    yield from enumerate(rows, base + 1)


def _blank(row: Sequence[Any]) -> bool:
    return all(v is None or v == "" for v in row)


def _sheet_table(
    path: Path, shown: str, name: str, sheet: CalamineSheet, limits: Limits
) -> Table | None:
    # The head is the first non-empty rows wherever the table starts: a workbook may hold its
    # table far down, under notes, a logo or hundreds of empty rows. Empty rows are passed over
    # (they cost one look each), and only filled ones count towards the rows searched for the
    # header, so the work is bounded by the sheet's rows and the memory by the head's.
    positions: list[int] = []
    head_rows: list[list[Cell]] = []
    for index, row in sheet_rows(sheet):
        if _blank(row):
            continue
        positions.append(index)
        head_rows.append([render_cell(v) for v in row])
        if len(head_rows) >= limits.header_scan_rows + 30:
            break
    if not head_rows:
        return None
    start_col = (sheet.start or (0, 0))[1]
    merged = _head_merges(sheet.merged_cell_ranges or [], positions, start_col)
    header = find_header(_fill_merged(head_rows, merged), limits.header_scan_rows)
    if header is None:
        columns = generic_names(max(table_width(head_rows), max(map(len, head_rows))))
        data_start = 0
        header_row = None
    else:
        below = header + 1 < len(positions) and positions[header + 1] == positions[header] + 1
        cells, two_rows = _header_cells(head_rows, header, merged, below=below)
        columns = column_names(cells, table_width(head_rows[header:]))
        header_row = positions[header]
        data_start = header_row + (2 if two_rows else 1)

    def batches() -> Iterator[pl.DataFrame]:
        try:
            book = CalamineWorkbook.from_path(str(path))
            rows = sheet_rows(book.get_sheet_by_name(name))
        except NOT_FAILURES:
            raise
        except BaseException as exc:  # calamine's errors, and a panic in its Rust code
            raise InputError(f"工作表 sheet {name!r}: {_workbook_error(exc)}", shown) from exc
        down = DownFill(sheet.merged_cell_ranges or [], data_start, start_col, columns)
        read = _row_batches(rows, data_start, columns, limits, shown, down)
        if building is None:
            yield from read
            return
        for batch in read:
            yield batch.with_columns(pl.lit(building, pl.String).alias(SHEET_BUILDING))

    building = sheet_building(name, columns) if header_row is not None else None
    if building is None:
        return Table(name, columns, header_row, batches, shown)
    return Table(name, [*columns, SHEET_BUILDING], header_row, batches, shown, derived=1)


SHEET_BUILDING = "楼栋（工作表名）"
"""The column a sheet named after its building (3幢, 2号楼) gives its rows."""
_SHEET_NAMED = re.compile(
    r"^\s*([0-9]{1,3}|[A-Z]|[一二三四五六七八九十]{1,3})\s*[#号]?\s*(幢|栋|号楼|楼|座)\s*$"
)
_BUILDING_HEADER = re.compile(r"楼栋|楼号|栋号|幢号|楼幢|^栋$|^幢$|^楼$|building", re.IGNORECASE)
_ROOM_HEADER = re.compile(r"单元|房号|房间|室号|户号|门牌|^室$|room", re.IGNORECASE)
_DIGITS = dict(zip("一二三四五六七八九", range(1, 10), strict=True))


def sheet_building(name: str, columns: list[str]) -> str | None:
    """The building a sheet's name says (``3幢``, ``2号楼`` → ``2幢``, ``十二栋`` → ``12幢``), when
    the sheet lists homes by unit or room and has no building column: a register kept one sheet
    a building. None otherwise."""
    m = _SHEET_NAMED.match(name.upper())
    if m is None or any(_BUILDING_HEADER.search(c) for c in columns):
        return None
    if not any(_ROOM_HEADER.search(c) for c in columns):
        return None
    number = m[1]
    if number[0] in "一二三四五六七八九十":
        tens, _, ones = number.rpartition("十")
        if "十" not in number:
            value = _DIGITS.get(number) if len(number) == 1 else None
        else:
            value = (_DIGITS.get(tens, 0) if tens else 1) * 10 + (
                _DIGITS.get(ones, 0) if ones else 0
            )
        if not value:
            return None
        number = str(value)
    return f"{number}{'座' if m[2] == '座' else '幢'}"


_PLACE_HEADER = re.compile(
    r"楼|栋|幢|单元|座|小区|花园|苑|地址|住址|楼盘|项目|片区|区域|building|unit|address|estate",
    re.IGNORECASE,
)
"""Headers of the place columns whose merged cells are filled down (:class:`DownFill`)."""


class DownFill:
    """The data's place cells merged down one column (楼栋 3幢 over the ten rows of its homes):
    each gives its value to every row it covers, as a reader sees it.

    Only columns whose header names a place part (:data:`_PLACE_HEADER`) are filled: a phone
    merged over a family's rows is the family's phone, and filled in it would link the family
    into one person. Rows are given in order (:meth:`fill`), in the coordinates of
    ``sheet_rows``.
    """

    def __init__(
        self, merged: list[MergedRange], data_start: int, start_col: int, columns: list[str]
    ) -> None:
        places = {i for i, c in enumerate(columns) if _PLACE_HEADER.search(c)}
        self.starts: dict[int, list[tuple[int, int]]] = {}
        for (r0, c0), (r1, c1) in merged:
            if r0 >= data_start and r1 > r0 and c0 == c1 and c0 - start_col in places:
                self.starts.setdefault(r0, []).append((c0 - start_col, r1))
        self.active: list[tuple[int, int, Cell]] = []  # (column, last row, value)

    def fill(self, index: int, cells: list[Cell], width: int) -> list[int]:
        """Fill row ``index``'s ``cells`` (a data row, not empty) in place; the columns filled."""
        if not self.starts:
            return []
        self.active = [a for a in self.active if a[1] >= index]
        filled = []
        for col, _, value in self.active:
            if col < width:
                cells.extend([None] * (col + 1 - len(cells)))
                if cells[col] is None:
                    cells[col] = value
                    filled.append(col)
        for col, last in self.starts.get(index, ()):
            if col < len(cells) and cells[col] is not None:
                self.active.append((col, last, cells[col]))
        return filled


def _head_merges(
    merged: list[MergedRange], positions: list[int], start_col: int
) -> list[MergedRange]:
    """Merged ranges in the head's coordinates: its filled rows, its first column 0.

    A range whose first row (the one holding its value) is not among the head's rows is left out.
    """
    out: list[MergedRange] = []
    for (r0, c0), (r1, c1) in merged:
        first = bisect_left(positions, r0)
        if first == len(positions) or positions[first] != r0:
            continue
        last = bisect_right(positions, r1) - 1
        out.append(((first, c0 - start_col), (last, c1 - start_col)))
    return out


def _fill_merged(rows: list[list[Cell]], merged: list[MergedRange]) -> list[list[Cell]]:
    """Copy each merged range's value into every cell it covers.

    A header label merged across two columns then counts for both, while a title merged across
    the whole sheet becomes a row of identical cells, which is not label-like (not distinct).
    """
    filled = [list(row) for row in rows]
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(filled[r]) - 1) + 1):
                filled[r][c] = value
    return filled


def _header_cells(
    rows: list[list[Cell]], header: int, merged: list[MergedRange], *, below: bool
) -> tuple[list[Cell], bool]:
    """Header labels with merged cells filled in, and whether the header takes two rows.

    A label merged across several columns names each of them. When such a group label has
    sub-labels in the row right below (`below`: the next head row is the sheet's next row;
    联系方式 over 手机 and 固话), the sub-labels name their columns and the data starts one row
    later.
    """
    cells = list(rows[header])
    spans = [m for m in merged if m[0][0] <= header <= m[1][0]]
    grouped: list[tuple[int, int]] = []
    for (r0, c0), (_, c1) in spans:
        value = rows[r0][c0] if r0 < len(rows) and c0 < len(rows[r0]) else None
        for col in range(c0, min(c1, len(cells) - 1) + 1):
            cells[col] = value
        if c1 > c0 and r0 == header:
            grouped.append((c0, c1))
    under = rows[header + 1] if below else []
    if grouped and all(
        any(c < len(under) and under[c] for c in range(c0, c1 + 1)) for c0, c1 in grouped
    ):
        for c0, c1 in grouped:
            for col in range(c0, c1 + 1):
                if col < len(under) and under[col]:
                    cells[col] = under[col]
        return cells, True
    return cells, False


def _row_batches(
    rows: Iterator[tuple[int, list[Any]]],
    data_start: int,
    columns: list[str],
    limits: Limits,
    shown: str,
    down: DownFill | None = None,
) -> Iterator[pl.DataFrame]:
    """The data rows in batches, cells merged down filled in (:class:`DownFill`)."""
    width = len(columns)
    buffer: list[list[Cell]] = []
    schema = dict.fromkeys(columns, pl.String)
    for index, row in rows:
        if index < data_start:
            continue
        cells = [(v or None) if type(v) is str else render_cell(v) for v in row[:width]]
        if not any(c is not None for c in cells):
            continue
        if down is not None:
            down.fill(index, cells, width)
        for cell in cells:
            too_large = cell is not None and len(cell) * 4 > limits.max_cell_bytes
            if too_large and cell is not None and len(cell.encode()) > limits.max_cell_bytes:
                raise InputError(cell_too_large(limits, index + 1), shown)
        cells.extend([None] * (width - len(cells)))
        buffer.append(cells)
        if len(buffer) >= limits.batch_rows:
            yield pl.DataFrame(buffer, schema=schema, orient="row")
            buffer = []
    if buffer:
        yield pl.DataFrame(buffer, schema=schema, orient="row")
