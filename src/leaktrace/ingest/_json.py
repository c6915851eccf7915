"""JSON (an array of records, or an object holding one) and JSON Lines, streamed record by record.

Exports from web back-ends and scraping tools come as `[{...}, ...]`, `{"data": [{...}]}` or one
object per line. The array is decoded one element at a time from a sliding text buffer, so a
multi-gigabyte export needs memory for one batch, not for the whole document. Nested values stay
as their JSON text: detection can still find an ID inside `{"证件": {"号码": "..."}}`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

from leaktrace.errors import InputError

from ._csv import check_cells
from ._model import Limits, MiB, Table
from ._sniff import decoder_name

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\r\n\ufeff"


def read_json(path: Path, shown: str, encoding: str, lines: bool, limits: Limits) -> list[Table]:
    """One table named after the file; columns are every key seen, in order of first sight.

    Finding every key needs one streaming pass at open time; records read later cannot then
    bring columns the table did not announce.
    """

    def records() -> Iterator[Any]:
        with path.open("r", encoding=decoder_name(encoding), newline="") as fh:
            yield from (_json_lines(fh, shown) if lines else _json_array(fh, shown))

    columns: dict[str, None] = {}
    for record in records():
        if isinstance(record, dict):
            columns.update(dict.fromkeys(map(str, record)))
        elif isinstance(record, list):
            columns.update(dict.fromkeys(f"column_{i + 1}" for i in range(len(record))))
        else:
            columns["value"] = None
    names = list(columns) or ["value"]

    def batches() -> Iterator[pl.DataFrame]:
        buffer: list[list[str | None]] = []
        seen = 0
        for record in records():
            buffer.append(_row(record, names))
            if len(buffer) >= limits.batch_rows:
                yield _frame(buffer, names, limits, shown, seen)
                seen += len(buffer)
                buffer = []
        if buffer:
            yield _frame(buffer, names, limits, shown, seen)

    return [Table(Path(shown.rsplit("!/", 1)[-1]).name, names, None, batches, shown)]


def _frame(
    rows: list[list[str | None]], names: list[str], limits: Limits, shown: str, seen: int
) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row")
    check_cells(frame, limits, shown, seen)
    return frame


def _row(record: Any, names: list[str]) -> list[str | None]:
    if isinstance(record, dict):
        by_name = {str(k): v for k, v in record.items()}
        return [json_cell(by_name.get(name)) for name in names]
    if isinstance(record, list):
        cells = [json_cell(v) for v in record[: len(names)]]
        return cells + [None] * (len(names) - len(cells))
    return [json_cell(record)] + [None] * (len(names) - 1)


def json_cell(value: Any) -> str | None:
    """JSON scalars as their JSON spelling, containers as compact JSON text, '' and null as None."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _json_lines(fh: IO[str], shown: str) -> Iterator[Any]:
    for number, line in enumerate(fh, start=1):
        text = line.strip(_WHITESPACE)
        if not text:
            continue
        try:
            yield json.loads(text)
        except ValueError as exc:
            raise InputError(
                f"第 {number} 行不是有效的 JSON invalid JSON on line {number}: {exc}", shown
            ) from exc


class _Buffer:
    """A window over a text stream that grows on demand while a value is being decoded."""

    def __init__(self, fh: IO[str], shown: str) -> None:
        self.fh = fh
        self.shown = shown
        self.text = ""
        self.pos = 0
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(MiB)
        self.eof = not chunk
        self.text = self.text[self.pos :] + chunk
        self.pos = 0
        return bool(chunk)

    def peek(self) -> str:
        """The next non-whitespace character, '' at the end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise InputError(
                f"JSON 格式错误 invalid JSON: expected {char!r}, found {found!r}", self.shown
            )
        self.pos += 1

    def value(self) -> Any:
        """Decode one complete value, reading more text while it is cut off by the window."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except ValueError as exc:
                if self.more():
                    continue
                raise InputError(
                    f"JSON 格式错误或不完整 invalid or truncated JSON: {exc}", self.shown
                ) from exc
            if end == len(self.text) and not self.eof and self.more():
                continue  # a number at the window edge may go on
            self.pos = end
            return value


def _json_array(fh: IO[str], shown: str) -> Iterator[Any]:
    """Elements of the top-level array, or of the first array value of a top-level object.

    A top-level object holding no array is itself the one record.
    """
    buf = _Buffer(fh, shown)
    first = buf.peek()
    if first == "{":
        buf.pos += 1
        fields: dict[str, Any] = {}
        while True:
            if buf.peek() == "}":
                yield fields
                return
            key = buf.value()
            buf.expect(":")
            if buf.peek() == "[":
                break
            fields[str(key)] = buf.value()
            if buf.peek() == ",":
                buf.pos += 1
    if buf.peek() != "[":
        record = buf.value()
        yield record
        return
    buf.pos += 1
    if buf.peek() == "]":
        return
    while True:
        yield buf.value()
        separator = buf.peek()
        if separator == ",":
            buf.pos += 1
        elif separator == "]":
            return
        else:
            raise InputError(
                f"JSON 格式错误 invalid JSON: expected ',' or ']', found {separator!r}", shown
            )
