"""Masked copies of XLSX workbooks: every sheet, every cell in its place, merged titles kept.

Cells are read with python-calamine (as ``ingest`` reads them) and written with xlsxwriter:
text with ``write_string`` (so nothing ever becomes a formula), numbers, Booleans and dates with
their own type. A masked value is always text. Merged ranges are merged again; what a value-only
reader cannot see (fonts, fills, column widths, formulas, pictures, charts) is not carried over,
and a formula's cached value is written as a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

import polars as pl
import xlsxwriter
from python_calamine import CalamineWorkbook, SheetTypeEnum

from leaktrace.errors import InputError
from leaktrace.ingest import DownFill, Evidence, Table, render_cell, sheet_rows
from leaktrace.redact._byvalue import ValueMap
from leaktrace.redact._cells import Disagree, Masker, _out_cell
from leaktrace.redact._delimited import _masked_rows

Row = tuple[str | None, ...]


def write_xlsx(evidence: Evidence, source: Path, out: IO[bytes], masker: Masker) -> int:
    """Write the masked copy of one workbook to ``out``; returns the data rows written."""
    return _write(evidence, source, out, masker, None)


def write_xlsx_by_value(evidence: Evidence, source: Path, out: IO[bytes], masker: Masker) -> int:
    """The copy when a sheet's rows cannot be paired with ingest's: every replaced value is
    replaced in every cell where it occurs (``_byvalue``)."""
    values = ValueMap(evidence.tables, masker, into="sheet")
    _write(evidence, source, out, masker, values)
    return values.rows


def _write(
    evidence: Evidence, source: Path, out: IO[bytes], masker: Masker, values: ValueMap | None
) -> int:
    try:
        book = CalamineWorkbook.from_path(str(source))
    except Exception as exc:
        raise InputError(f"无法读取工作簿 unreadable workbook: {exc}", evidence.path) from None
    tables = {t.name: t for t in evidence.tables}
    # constant_memory: each row is flushed to a temporary file once the next begins, so a
    # million-row sheet does not sit in memory; rows are therefore written strictly in order
    workbook = xlsxwriter.Workbook(
        out, {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
    )
    formats = _Formats(workbook)
    rows = 0
    for meta in book.sheets_metadata:
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        sheet = workbook.add_worksheet(meta.name)
        source_sheet = book.get_sheet_by_name(meta.name)
        table = tables.get(meta.name)
        if table is None and _has_cells(source_sheet):
            raise InputError(
                f"工作表 {meta.name!r} 有扫描读不成表格的单元格，未写副本 "
                f"sheet {meta.name!r} holds cells scan does not read as a table "
                "(data after many empty rows?); no copy written",
                evidence.path,
            )
        if values is not None:
            _copy_sheet_by_value(source_sheet, sheet, values, formats)
            continue
        rows += _copy_sheet(
            f"{evidence.path}: sheet {meta.name!r}", source_sheet, sheet, table, masker, formats
        )
    workbook.close()
    return rows


class _Formats:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        self.time = workbook.add_format({"num_format": "hh:mm:ss"})
        self.duration = workbook.add_format({"num_format": "[h]:mm:ss"})


def _copy_sheet(
    where: str, source: Any, sheet: Any, table: Table | None, masker: Masker, formats: _Formats
) -> int:
    start_col = (source.start or (0, 0))[1]
    merges = sorted(source.merged_cell_ranges or [])
    # columns ingest adds (a sheet's building from its name) are no cells of the sheet
    width = len(table.columns) - table.derived if table is not None else 0
    header = None if table is None else table.header_row  # rows are the sheet's rows
    pairs: Iterator[tuple[Row, Row]] = (
        ((seen[:width], masked[:width]) for seen, masked in _masked_rows(table, masker))
        if table
        else iter(())
    )
    pending = next(pairs, None)
    written = 0
    down = DownFill(
        source.merged_cell_ranges or [],
        0 if header is None else header + 1,
        start_col,
        [] if table is None else table.columns,
    )
    for index, row in sheet_rows(source):
        cells = [render_cell(v) if type(v) is not str else (v or None) for v in row[:width]]
        masked: Row | None = None
        in_data = table is not None and (header is None or index > header)
        filled: list[int] = []
        if in_data and any(c is not None for c in cells) and pending is not None:
            filled = down.fill(index, cells, width)  # as ingest reads merged cells
            cells += [None] * (width - len(cells))
            if tuple(cells) == pending[0]:
                masked = pending[1]
                pending = next(pairs, None)
                written += 1
            elif written or header is None or index != header + 1:
                raise Disagree(f"{where}: {_disagree(written)}")
            # else: the sub-labels under a merged header label, which ingest takes as header
        while merges and merges[0][0][0] <= index:
            (r0, c0), (r1, c1) = merges.pop(0)
            sheet.merge_range(r0, c0, r1, c1, "")  # its value is written with the row below
        if masked is not None and len(row) > width:
            masked += tuple(masker.stray([render_cell(v) for v in row[width:]]))
        for col, value in enumerate(row):
            new = masked[col] if masked is not None and col not in filled else None
            if new is not None and new != (cells[col] if col < width else render_cell(value)):
                value = new
            _write_cell(sheet, index, start_col + col, value, formats)
    if pending is not None:
        raise Disagree(f"{where}: {_disagree(written)}")
    for (r0, c0), (r1, c1) in merges:
        sheet.merge_range(r0, c0, r1, c1, "")
    return written


def _copy_sheet_by_value(source: Any, sheet: Any, values: ValueMap, formats: _Formats) -> None:
    start_col = (source.start or (0, 0))[1]
    merges = sorted(source.merged_cell_ranges or [])
    rows = sheet_rows(source)  # with the sheet's row numbers
    while chunk := list(islice(rows, 4096)):
        texts = [v for _, row in chunk for v in row if isinstance(v, str) and v]
        replaced = iter(values.apply(pl.Series(texts, dtype=pl.String)).to_list())
        for index, row in chunk:
            while merges and merges[0][0][0] <= index:
                (r0, c0), (r1, c1) = merges.pop(0)
                sheet.merge_range(r0, c0, r1, c1, "")
            for col, value in enumerate(row):
                if isinstance(value, str) and value:
                    value = next(replaced)
                elif value is not None and value != "":
                    value = values.whole.get(render_cell(value) or "", value)
                _write_cell(sheet, index, start_col + col, value, formats)
    for (r0, c0), (r1, c1) in merges:
        sheet.merge_range(r0, c0, r1, c1, "")


def _has_cells(sheet: Any) -> bool:
    return any(render_cell(v) is not None for row in sheet.iter_rows() for v in row)


def _disagree(row: int) -> str:
    return f"无法保持版式：第 {row} 行数据 cannot keep the layout at data row {row}"


def _write_cell(sheet: Any, row: int, col: int, value: Any, formats: _Formats) -> None:
    if value is None or value == "":
        return
    if isinstance(value, str):
        sheet.write_string(row, col, _out_cell(value, into="sheet"))
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, dt.datetime):
        plain = value.time() == dt.time(0)
        sheet.write_datetime(row, col, value, formats.date if plain else formats.datetime)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, formats.date)
    elif isinstance(value, dt.time):
        sheet.write_datetime(row, col, value, formats.time)
    elif isinstance(value, dt.timedelta):
        sheet.write_datetime(row, col, value, formats.duration)
    else:
        sheet.write_string(row, col, _out_cell(str(value), into="sheet"))
