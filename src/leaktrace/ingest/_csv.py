"""Delimited text (CSV, TSV, pipe- or whitespace-separated TXT) as String batches, fast.

Sniffing (delimiter, header, encoding) looks only at the first `Limits.sniff_bytes`; the bulk read
is Polars' streaming CSV reader with every column typed String, so nothing is inferred and memory is
bounded by the batch size. Polars reads UTF-8 only: other encodings are transcoded chunkwise to a
temporary UTF-8 file for the duration of one `batches()` call, which measured faster than decoding
in Python row by row and keeps the Polars path identical for every encoding.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from leaktrace.errors import InputError

from ._header import column_names, find_header, generic_names, table_width
from ._loose import loose_layout, read_loose
from ._model import Limits, MiB, Table
from ._sniff import decode_sample, decoder_name, read_sample

_DELIMITERS = ("\t", ",", "|", ";")
_LINE_SEPARATOR = "\x1f"
"""Separator used to read whole lines as one field: ASCII unit separator, absent from text."""
_SNIFF_LINES = 60


@dataclass(frozen=True)
class Dialect:
    """How a delimited text splits into fields; `separator` None means runs of whitespace."""

    format: str
    separator: str | None
    quoted: bool = True


def _sample_lines(text: str) -> list[str]:
    """Lines as Polars counts them (split on LF only, so `skip_lines` agrees with our count)."""
    lines = text.split("\n")
    if text.endswith("\n") or len(lines) > 2:
        lines = lines[:-1]  # the empty tail after the last LF, or a line the sample cut short
    return [line.removesuffix("\r") for line in lines[:_SNIFF_LINES]]


def sniff_dialect(text: str) -> Dialect:
    """Choose the delimiter that splits the sample's lines into the most consistent field count.

    Title and blank lines above the header are ignored by using the modal count. Tab wins ties,
    then comma, pipe, semicolon. When no delimiter gives two or more fields consistently, fields
    are runs of whitespace (the usual shape of a `.txt` list), or the file is one column.
    """
    lines = [ln for ln in _sample_lines(text) if ln.strip()]
    best: tuple[float, int, str] | None = None
    for rank, sep in enumerate(_DELIMITERS):
        counts = [len(row) for row in csv.reader(lines, delimiter=sep)]
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (freq / len(counts), -rank, sep)
        if best is None or score > best:
            best = score
    if best is not None and best[0] >= 0.5:
        sep = best[2]
        return Dialect("tsv" if sep == "\t" else "csv", sep)
    split = [len(ln.split()) for ln in lines]
    if split and Counter(split).most_common(1)[0][0] >= 2:
        return Dialect("txt", None, quoted=False)
    return Dialect("txt", _LINE_SEPARATOR, quoted=False)


@dataclass(frozen=True)
class _Layout:
    columns: list[str]
    header_row: int | None
    skip_lines: int


def _layout(text: str, dialect: Dialect, limits: Limits) -> _Layout:
    """Columns, header line and number of lines before the data, from the decoded sample."""
    lines = _sample_lines(text)
    rows: list[list[str]] = []
    ends: list[int] = []  # physical line count consumed after each row
    if dialect.separator is None:
        for index, line in enumerate(lines):
            rows.append(line.split())
            ends.append(index + 1)
    elif dialect.separator == _LINE_SEPARATOR:
        # one column, the whole line, even when it holds the separator byte itself (\x1f)
        rows = [[line] for line in lines]
        ends = list(range(1, len(lines) + 1))
    else:
        reader = csv.reader(
            lines,
            delimiter=dialect.separator,
            quoting=csv.QUOTE_MINIMAL if dialect.quoted else csv.QUOTE_NONE,
        )
        for row in reader:
            rows.append(row)
            ends.append(reader.line_num)
    header = find_header(rows, limits.header_scan_rows)
    if header is None:
        width = max((len(r) for r in rows), default=1)
        if dialect.separator is None:
            width = table_width(rows) or width
        return _Layout(generic_names(width), None, 0)
    width = len(rows[header])
    if dialect.separator is not None:
        width = max(table_width(rows[header:]), width)
    header_line = ends[header - 1] if header else 0
    return _Layout(column_names(rows[header], width), header_line, ends[header])


def read_delimited(
    path: Path, shown: str, encoding: str, dialect: Dialect, limits: Limits
) -> list[Table]:
    """One table named after the file, with its header found and its batches streamed."""
    sample = read_sample(path, limits.sniff_bytes)
    text = decode_sample(sample, encoding)
    if (loose := loose_layout(text, dialect.separator)) is not None:
        return read_loose(path, shown, encoding, loose, limits)
    layout = _layout(text, dialect, limits)

    def batches() -> Iterator[pl.DataFrame]:
        with utf8_source(path, encoding, shown) as source:
            yielded = False
            try:
                for batch in _scan(source, dialect, layout, limits, shown):
                    yielded = True
                    yield batch
            except pl.exceptions.ComputeError as exc:
                if "utf-8" in str(exc):
                    reason = (
                        "采样部分之后有非 UTF-8 字节，请指定编码 "
                        "bytes that are not UTF-8 after the sampled part; force the encoding"
                    )
                    raise InputError(reason, shown) from exc
                if yielded or not dialect.quoted:
                    raise InputError(_malformed(exc), shown) from exc
                # A stray quote (5", "VIP客户) is common in messy lists: read quotes as text.
                unquoted = Dialect(dialect.format, dialect.separator, quoted=False)
                yield from _scan(source, unquoted, layout, limits, shown)

    name = shown.rsplit("!/", 1)[-1].replace("\\", "/").rsplit("/", 1)[-1]
    return [Table(name, layout.columns, layout.header_row, batches, shown)]


def _scan(
    source: Path, dialect: Dialect, layout: _Layout, limits: Limits, shown: str
) -> Iterator[pl.DataFrame]:
    columns = layout.columns
    whitespace = dialect.separator is None
    line_mode = whitespace or dialect.separator == _LINE_SEPARATOR
    schema = {"line": pl.String} if line_mode else dict.fromkeys(columns, pl.String)
    frame = pl.scan_csv(
        source,
        has_header=False,
        separator=_LINE_SEPARATOR if line_mode else (dialect.separator or ","),
        quote_char='"' if dialect.quoted else None,
        skip_lines=layout.skip_lines,
        schema=schema,
        infer_schema=False,
        null_values=[""],
        truncate_ragged_lines=True,
        # a first line with more fields than the header (an address typed with a comma, or a
        # whole-line read with the unit separator in it): Polars would take them for more
        # columns than the schema's and fail, where later such lines are cut; cut it too
        extra_columns="ignore",
        encoding="utf8",
        glob=False,  # a path is a name: `list[12].csv` is that file, not list1.csv and list2.csv
    )
    seen = 0
    for batch in frame.collect_batches(chunk_size=limits.batch_rows):
        if whitespace:
            batch = _split_whitespace(batch, columns)
        elif line_mode:
            batch = batch.rename({"line": columns[0]})
        batch = batch.filter(~pl.all_horizontal(pl.all().is_null()))
        check_cells(batch, limits, shown, seen + layout.skip_lines)
        for start in range(0, batch.height, limits.batch_rows):
            yield batch.slice(start, limits.batch_rows)
        seen += batch.height


def _malformed(exc: Exception) -> str:
    if "escaped" in str(exc):
        return (
            "无法按分隔文本解析：引号字段未闭合 "
            "cannot parse as delimited text: a quoted field is not closed"
        )
    return "无法按分隔文本解析：CSV 格式错误 cannot parse as delimited text: malformed CSV"


def _split_whitespace(batch: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """Split lines on runs of whitespace; extra fields stay joined in the last column.

    Addresses in these lists rarely contain spaces, and when a line has more fields than the
    header the overflow is most likely a remark that belongs together.
    """
    first, *rest = [r"(\S+)"] * (len(columns) - 1) + [r"(.+?)"]
    pattern = rf"^\s*(?:{first})?" + "".join(rf"(?:\s+{g})?" for g in rest) + r"\s*$"
    fields = pl.col("line").str.extract_groups(pattern).struct.rename_fields(columns)
    out = batch.select(fields).unnest("line")
    return out.with_columns(
        pl.when(pl.col(c).str.len_bytes() > 0).then(pl.col(c)).otherwise(None).alias(c)
        for c in columns
    )


def check_cells(batch: pl.DataFrame, limits: Limits, shown: str, rows_before: int) -> None:
    """Refuse a batch holding a cell above the limit, naming the (approximate) row."""
    if batch.height == 0 or batch.width == 0:
        return
    sizes = batch.select(pl.all().str.len_bytes().max()).row(0)
    for column, size in zip(batch.columns, sizes, strict=True):
        if size is not None and size > limits.max_cell_bytes:
            index = batch[column].str.len_bytes().arg_max() or 0
            raise InputError(cell_too_large(limits, rows_before + index + 1), shown)


def cell_too_large(limits: Limits, row: int) -> str:
    """The one wording used for the cell limit everywhere."""
    mb = limits.max_cell_bytes / MiB
    limit = f"{mb:g} MB" if mb >= 1 else f"{limits.max_cell_bytes} bytes"
    return f"第 {row} 行有单元格超过 {limit} cell larger than {limit} at row {row}"


@contextmanager
def utf8_source(path: Path, encoding: str, shown: str) -> Iterator[Path]:
    """The file itself when it is UTF-8, else a temporary UTF-8 copy removed afterwards."""
    if encoding in {"utf-8", "utf-8-sig", "ascii"}:
        yield path
        return
    handle, name = tempfile.mkstemp(prefix="leaktrace-", suffix=".utf8")
    try:
        with os.fdopen(handle, "wb") as out:
            transcode(path, out, encoding, shown)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def transcode(path: Path, out: io.BufferedIOBase | io.RawIOBase, encoding: str, shown: str) -> None:
    """Decode `path` chunk by chunk and write UTF-8, failing with the byte offset of bad input."""
    decoder = codecs.getincrementaldecoder(decoder_name(encoding))(errors="strict")
    offset = 0
    with path.open("rb") as src:
        while True:
            chunk = src.read(4 * MiB)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"无法按 {encoding} 解码（约第 {offset + exc.start} 字节）"
                    f"cannot decode as {encoding} near byte {offset + exc.start}",
                    shown,
                ) from exc
            out.write(text.encode("utf-8"))
            if not chunk:
                break
            offset += len(chunk)
