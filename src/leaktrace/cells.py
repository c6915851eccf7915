"""Cells LeakTrace writes into CSV, TSV and XLSX files: always text, never a formula.

Leaked lists carry whatever their sellers typed, and a cell such as ``=HYPERLINK("http://…",
"点击")`` or ``=WEBSERVICE("http://…?"&D2)`` becomes a live formula when a spreadsheet opens the
file: it can send other cells of the sheet to a stranger's server or start a program. Every file
LeakTrace writes for people to open (count exports, marked copies, the report workbook, masked
lists) takes its cells through this module:

* XLSX: every text cell is stored as a string (:func:`write_row` calls xlsxwriter's
  ``write_string``), so nothing is ever a formula and the value is kept exactly as it was.
* CSV and TSV: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a single quote in front (:func:`csv_cell`), as the OWASP "CSV Injection" page advises;
  spreadsheets then show it as text.

An honest value that starts with one of those characters (``+86 138 1234 5678``, ``-5``) is
written as ``'+86 138 1234 5678`` in CSV; :func:`restore_csv_cell` takes the quote off again (a
recipient's system does the same by removing one leading ``'`` when the next character is one
of the six). XLSX cells are never changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""The first characters that make a spreadsheet read a CSV cell as a formula (OWASP)."""

QUOTE = "'"
"""What goes in front of such a cell: spreadsheets show a cell that starts with it as text."""

_STARTS = "".join(FORMULA_STARTS).replace("-", r"\-").replace("\t", r"\t").replace("\r", r"\r")
_FORMULA_PATTERN = rf"^[{_STARTS}]"


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as a formula if it were a CSV cell."""
    return text.startswith(FORMULA_STARTS)


def csv_cell(text: str) -> str:
    """``text`` as it is safe to write into a CSV or TSV cell (a quote before a formula start)."""
    return QUOTE + text if text.startswith(FORMULA_STARTS) else text


def restore_csv_cell(text: str) -> str:
    """The value :func:`csv_cell` was given: one leading quote removed before a formula start."""
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def formula_like_expr(expr: pl.Expr) -> pl.Expr:
    """:func:`is_formula_like`, vectorised over a String expression (null stays null)."""
    return expr.str.contains(_FORMULA_PATTERN)


def csv_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with :func:`csv_cell` applied to every String column, vectorised."""
    return frame.with_columns(
        pl.when(formula_like_expr(pl.col(name)))
        .then(pl.lit(QUOTE) + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String
    )


def write_row(
    sheet: Any, row: int, values: Sequence[object], cell_format: Any = None, *, first_col: int = 0
) -> None:
    """Write ``values`` into an xlsxwriter worksheet: text as strings, never as formulas.

    Numbers and Booleans keep their type; ``None`` leaves the cell empty; anything else is
    written as its ``str()``. xlsxwriter's own ``write``/``write_row`` would turn a string that
    starts with ``=`` into a formula; this never does.
    """
    for offset, value in enumerate(values):
        col = first_col + offset
        if value is None:
            if cell_format is not None:
                sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, int | float):
            sheet.write_number(row, col, value, cell_format)
        else:
            sheet.write_string(row, col, str(value), cell_format)
