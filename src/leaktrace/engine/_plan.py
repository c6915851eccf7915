"""The driver's look at the inputs before Spark reads them: what each evidence file is, its
tables, their column profiles, and who reads which table.

Classification must be the local engine's: local classifies each table on the first
``SAMPLE_ROWS`` non-empty rows of its first batch, so the driver reads exactly that head (with
ingest for local files, ``limit`` for what only Spark can read) and the profiles travel to the
executors with the plan. No other rows come to the driver.

Who reads a table:

* a *unit* (one top-level local file, opened on an executor with :func:`leaktrace.ingest.walk`):
  archives, spreadsheets, SQL dumps, JSON, any encoding, small files;
* a *split* read by Spark itself, so one big table is spread over many tasks by byte range:
  large plain UTF-8 CSV/TSV files with the header on the first line, HDFS/S3/``file://`` URIs
  (CSV/TSV or Parquet), and Hive tables (``hive:db.table``).
"""

from __future__ import annotations

import tempfile
from collections.abc import Generator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import polars as pl

from leaktrace.detect import ColumnProfile, classify_columns
from leaktrace.engine._tasks import BLOCK, SplitPlan, TablePlan, UnitPlan, parse_lines
from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, Limits, Table, walk

# ingest's own sniffing, so a split is read with the delimiter ingest would use.
from leaktrace.ingest._csv import sniff_dialect
from leaktrace.ingest._parquet import as_text
from leaktrace.ingest._sniff import decode_sample, read_sample
from leaktrace.scan import SAMPLE_ROWS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

HIVE_PREFIX = "hive:"
SPLIT_BYTES = 128 << 20
"""Plain UTF-8 CSV files at least this large are read by Spark in byte ranges."""

_CSV_SEPARATORS = {",", "\t", "|", ";"}
_REMOTE_UNSUPPORTED = (
    "Spark 引擎读取远程文件时只支持首行为表头的 UTF-8 CSV/TSV 或 Parquet；"
    "请把此文件复制到本地文件夹，按本地引擎的方式读取 "
    "the Spark engine reads remote files as UTF-8 CSV/TSV with the header on the first line, "
    "or Parquet; copy this file to a local folder to read it like the local engine does"
)


def is_remote(path: str) -> bool:
    """A URI Spark reads (``hdfs://``, ``s3a://``, ``file://``…) or a Hive table."""
    return path.startswith(HIVE_PREFIX) or "://" in path


@dataclass
class TableInfo:
    """One table as the driver saw it: name, header row and profiles (None: no rows)."""

    name: str
    header_row: int | None
    profiles: tuple[ColumnProfile, ...] | None


@dataclass
class Entry:
    """One walk item, in the local engine's order: an evidence file, or a failure."""

    ordinal: int
    root: str
    failure: Failure | None = None
    path: str = ""
    sha256: str = ""
    size: int = 0
    format: str = ""
    encoding: str | None = None
    parent: str | None = None
    tables: list[TableInfo] = field(default_factory=list)
    source: int = -1
    """Index among the readable evidence files (count's source id)."""


@dataclass
class Split:
    """A table Spark reads itself, and how."""

    plan: SplitPlan
    frame: DataFrame


@dataclass
class Plan:
    entries: list[Entry]
    units: list[UnitPlan]
    splits: list[Split]

    @property
    def evidence(self) -> list[Entry]:
        return [e for e in self.entries if e.failure is None]


class Planner:
    """Builds a :class:`Plan` for some inputs; ``kind`` is count's declared dataset kind."""

    def __init__(
        self,
        spark: SparkSession,
        *,
        encoding: str | None = None,
        format: str | None = None,
        kind: str | None = None,
        split_bytes: int = SPLIT_BYTES,
    ) -> None:
        self.spark = spark
        self.encoding = encoding
        self.format = format
        self.kind = kind
        self.split_bytes = split_bytes
        self.plan = Plan([], [], [])
        self._sources = 0

    def add(self, given: str | Path) -> None:
        text = str(given)
        if text.startswith(HIVE_PREFIX):
            self._hive(text)
        elif "://" in text:
            self._remote(text)
        else:
            path = Path(text)
            tops = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
            for top in tops:
                self._local(top, text)

    # ---- local files: ingest on the driver for the head, then a unit or a split ----

    def _local(self, top: Path, root: str) -> None:
        tables: dict[tuple[int, int], TablePlan] = {}
        paths: dict[int, str] = {}
        sources: dict[int, int] = {}
        for index, item in enumerate(walk([top], encoding=self.encoding, format=self.format)):
            entry = self._entry(root, item)
            if isinstance(item, Failure):
                continue
            try:
                for t, table in enumerate(item.tables):
                    head = _head(table)
                    info = _info(table.name, table.header_row, head)
                    entry.tables.append(info)
                    if info.profiles is None:
                        continue
                    plan = TablePlan(entry.source, t, info.profiles, self.kind)
                    split = self._local_split(item, table, plan)
                    if split is not None:
                        self.plan.splits.append(split)
                    else:
                        tables[(index, t)] = plan
            except InputError as exc:
                entry.failure = Failure(exc.path or item.path, exc.reason)
                continue
            paths[index] = item.path
            sources[index] = entry.source
        if tables:
            self.plan.units.append(
                UnitPlan(str(top), tables, paths, sources, self.encoding, self.format)
            )

    def _entry(self, root: str, item: Evidence | Failure | None = None) -> Entry:
        """A new walk item; an evidence file gets the next source id."""
        entry = Entry(ordinal=len(self.plan.entries), root=root)
        self.plan.entries.append(entry)
        if isinstance(item, Failure):
            entry.failure = item
        elif isinstance(item, Evidence):
            entry.path, entry.sha256, entry.size = item.path, item.sha256, item.size
            entry.format, entry.encoding, entry.parent = item.format, item.encoding, item.parent
            self._number(entry)
        return entry

    def _number(self, entry: Entry) -> None:
        entry.source = self._sources
        self._sources += 1

    def _local_split(self, ev: Evidence, table: Table, plan: TablePlan) -> Split | None:
        """A Spark CSV read of a big plain UTF-8 file, when ingest would read it the same way."""
        if (
            ev.parent is not None
            or ev.format not in {"csv", "tsv"}
            or not _plain_utf8(ev.encoding, table.header_row)
            or ev.size < self.split_bytes
            or self.encoding is not None
            or self.format is not None
        ):
            return None
        path = Path(ev.path)
        dialect = sniff_dialect(decode_sample(read_sample(path, Limits().sniff_bytes), "utf-8"))
        if dialect.separator not in _CSV_SEPARATORS or not dialect.quoted:
            return None
        frame = self._lines(_hadoop_path(path))
        split = SplitPlan(
            plan,
            tuple(table.columns),
            ev.path,
            typed=False,
            separator=dialect.separator,
            header=table.header_row == 0,
        )
        return Split(split, frame)

    def _lines(self, uri: str) -> DataFrame:
        """A text file as Spark's lines (split on LF only, as Polars splits), by byte range."""
        from pyspark.sql import functions as F

        frame = self.spark.read.text(uri, lineSep="\n")
        return frame.select("value", F.input_file_block_start().alias(BLOCK))

    # ---- what only Spark can read: URIs and Hive tables ----

    def _hive(self, given: str) -> None:
        name = given[len(HIVE_PREFIX) :]
        entry = self._entry(given)
        entry.path, entry.format = given, "hive"
        try:
            frame = self.spark.table(name)
        except Exception as exc:
            entry.failure = Failure(given, f"表不存在 no such table: {_first_line(exc)}")
            return
        self._number(entry)
        columns = tuple(frame.columns)
        self._spark_table(entry, name, None, _positional(frame), columns, typed=True)

    def _remote(self, uri: str) -> None:
        files = self._list(uri)
        if files is None:
            self._entry(uri, Failure(uri, "文件或文件夹不存在 no such file or folder"))
            return
        for path, size in files:
            entry = self._entry(uri)
            entry.path, entry.size = path, size
            name = path.rsplit("/", 1)[-1]
            try:
                head = self._read_bytes(path, Limits().sniff_bytes)
                entry.sha256 = self._sha256(path)
                if head[:4] == b"PAR1" and self.format in (None, "parquet"):
                    entry.format = "parquet"
                    frame = self.spark.read.parquet(path)
                    columns, header_row, typed = tuple(frame.columns), None, True
                    frame = _positional(frame)
                else:
                    table, separator = self._remote_layout(name, head)
                    entry.format = "tsv" if separator == "\t" else "csv"
                    entry.encoding = "utf-8"
                    frame = self._lines(path)
                    columns, header_row, typed = tuple(table.columns), table.header_row, False
            except InputError as exc:
                entry.failure = Failure(path, exc.reason, entry.sha256 or None, size)
                continue
            self._number(entry)
            text = None if typed else separator
            self._spark_table(entry, name, header_row, frame, columns, typed=typed, separator=text)

    def _remote_layout(self, name: str, head: bytes) -> tuple[Table, str]:
        """Sniff a remote text file's first bytes with ingest, as if it were local."""
        with tempfile.TemporaryDirectory(prefix="leaktrace-head-") as tmp:
            local = Path(tmp) / name
            local.write_bytes(head)
            found = list(walk([local], encoding=self.encoding, format=self.format))
            item = found[0] if found else None
            if not isinstance(item, Evidence) or len(item.tables) != 1:
                raise InputError(_REMOTE_UNSUPPORTED)
            table = item.tables[0]
            dialect = sniff_dialect(decode_sample(head, item.encoding or "utf-8"))
            if (
                item.format not in {"csv", "tsv"}
                or not _plain_utf8(item.encoding, table.header_row)
                or dialect.separator not in _CSV_SEPARATORS
                or not dialect.quoted
            ):
                raise InputError(_REMOTE_UNSUPPORTED)
            assert dialect.separator is not None
            return Table(table.name, table.columns, table.header_row), dialect.separator

    def _spark_table(
        self,
        entry: Entry,
        name: str,
        header_row: int | None,
        frame: DataFrame,
        columns: tuple[str, ...],
        *,
        typed: bool,
        separator: str | None = None,
    ) -> None:
        from pyspark.sql import functions as F

        if BLOCK not in frame.columns:
            frame = frame.select("*", F.input_file_block_start().alias(BLOCK))
        split = SplitPlan(
            TablePlan(entry.source, 0, (), self.kind),
            columns,
            entry.path,
            typed,
            separator=separator,
            header=header_row == 0,
        )
        head = _spark_head(frame, split)
        info = _info(name, header_row, head)
        entry.tables.append(info)
        if info.profiles is None:
            return
        plan = TablePlan(entry.source, 0, info.profiles, self.kind)
        self.plan.splits.append(Split(replace(split, plan=plan), frame))

    # ---- Hadoop file system, through the JVM Spark already runs ----

    def _fs(self, path: str) -> tuple[Any, Any]:
        jvm = self.spark.sparkContext._jvm
        assert jvm is not None
        hpath = jvm.org.apache.hadoop.fs.Path(path)
        conf = self.spark.sparkContext._jsc.hadoopConfiguration()
        return hpath.getFileSystem(conf), hpath

    def _list(self, uri: str) -> list[tuple[str, int]] | None:
        """The files at a URI (a file, a folder listed recursively, or a glob), sorted."""
        fs, hpath = self._fs(uri)
        found = fs.globStatus(hpath)
        if not found:
            return None
        files: list[tuple[str, int]] = []
        for status in found:
            if status.isDirectory():
                listing = fs.listFiles(status.getPath(), True)
                while listing.hasNext():
                    f = listing.next()
                    files.append((f.getPath().toString(), int(f.getLen())))
            else:
                files.append((status.getPath().toString(), int(status.getLen())))
        # Spark's and Hadoop's bookkeeping files (_SUCCESS, .crc) are not evidence.
        return sorted(f for f in files if not f[0].rsplit("/", 1)[-1].startswith(("_", ".")))

    def _read_bytes(self, path: str, size: int) -> bytes:
        fs, hpath = self._fs(path)
        jvm = self.spark.sparkContext._jvm
        assert jvm is not None
        length = min(size, int(fs.getFileStatus(hpath).getLen()))
        stream = fs.open(hpath)
        try:
            return bytes(jvm.org.apache.commons.io.IOUtils.toByteArray(stream, length))
        finally:
            stream.close()

    def _sha256(self, path: str) -> str:
        """Hashed in the JVM as it streams, so the bytes never cross into Python."""
        fs, hpath = self._fs(path)
        jvm = self.spark.sparkContext._jvm
        assert jvm is not None
        stream = fs.open(hpath)
        try:
            return str(jvm.org.apache.commons.codec.digest.DigestUtils.sha256Hex(stream))
        finally:
            stream.close()


def _plain_utf8(encoding: str | None, header_row: int | None) -> bool:
    """Spark's CSV reader sees what ingest sees: UTF-8, the header (if any) on the first line.

    A byte-order mark is fine on a header line, which Spark skips whole.
    """
    if header_row not in (None, 0):
        return False
    return encoding in {"utf-8", "ascii"} or (encoding == "utf-8-sig" and header_row == 0)


def _hadoop_path(path: Path) -> str:
    """A local file as Spark's readers take it: a ``file:`` URI with glob characters escaped."""
    text = str(path.resolve())
    for char in "\\*?[]{}":
        text = text.replace(char, "\\" + char)
    return "file://" + text


def _positional(frame: DataFrame) -> DataFrame:
    """Columns renamed c0, c1, … so that no evidence header can upset Spark's name resolution."""
    return frame.toDF(*[f"c{i}" for i in range(len(frame.columns))])


def _head(table: Table) -> pl.DataFrame | None:
    """The local engine's classifier sample: the head of the table's first non-empty batch."""
    batches = cast(Generator[pl.DataFrame, None, None], table.batches())
    try:
        for batch in batches:
            if batch.height:
                return batch.head(SAMPLE_ROWS)
    finally:
        batches.close()  # so a transcoded temporary copy is removed at once
    return None


def _spark_head(frame: DataFrame, split: SplitPlan) -> pl.DataFrame | None:
    """The first SAMPLE_ROWS non-empty rows of a table Spark reads (a ``limit``, not a collect).

    Text is read from the file's first block only, so the lines come in order.
    """
    from pyspark.sql import functions as F

    if split.separator is not None:
        # Blank and all-empty lines are dropped after parsing: take a margin for them.
        lines = frame.where(F.col(BLOCK) == 0).select("value").limit(2 * SAMPLE_ROWS + 1)
        values = pl.DataFrame(pl.from_arrow(lines.toArrow())).get_column("value")
        head = parse_lines(values, split, skip_first=split.header)
    else:
        data = [c for c in frame.columns if c != BLOCK]
        lengths = [F.length(F.col(c).cast("string")) for c in data]
        longest = F.greatest(*lengths) if len(lengths) > 1 else lengths[0]
        arrow = frame.select(*data).where(longest > 0).limit(SAMPLE_ROWS).toArrow()
        head = pl.DataFrame(pl.from_arrow(arrow))
        head.columns = list(split.columns)
        head = as_text(head)
    head = head.filter(~pl.all_horizontal(pl.all().is_null())).head(SAMPLE_ROWS)
    return head if head.height else None


def _info(name: str, header_row: int | None, head: pl.DataFrame | None) -> TableInfo:
    if head is None:
        return TableInfo(name, header_row, None)
    return TableInfo(name, header_row, tuple(classify_columns(list(head.columns), head)))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
