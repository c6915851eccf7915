"""What runs on a Spark executor: the local engine's batch functions, fed Arrow batches.

Every function here takes a String batch (as ingest yields it) and returns small Arrow rows:
scan's per-column status counts, spans and samples; count's status summary, countable records
and item rows ``(cat, key, source, bare)``. They call :func:`leaktrace.normalize.records`,
:func:`leaktrace.count.item_rows`, :class:`leaktrace.count.Categoriser`,
:func:`leaktrace.detect.column_status` and :func:`leaktrace.detect.find_spans`, never copies of
them, so a row is judged exactly as the local engine judges it.

Two ways in: a *unit* is one top-level evidence file that the executor opens with
:func:`leaktrace.ingest.walk` (archives, spreadsheets, SQL dumps, any encoding); a *split* is a
slice of a table that Spark's own CSV or Parquet reader (or a Hive table) hands over.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
import pyarrow as pa

from leaktrace.count import UNIDENTIFIED, Categoriser, KeyRule, item_rows
from leaktrace.count._count import NO_CATEGORY, recovered_cells
from leaktrace.count._count import _categories_of as categories_of
from leaktrace.detect import CATALOGUE, ColumnProfile, column_status, find_spans
from leaktrace.errors import InputError
from leaktrace.ingest import Evidence, Failure, Limits, walk

# ingest's own text rendering and cell limit, so Spark-read rows look exactly like ingest's.
from leaktrace.ingest._csv import check_cells
from leaktrace.ingest._parquet import as_text
from leaktrace.normalize import LINK_FIELDS, LinkRules, link_keys, records
from leaktrace.normalize._link import ID as LINK_ID

BLOCK = "__leaktrace_block"
"""Column Spark adds to a split: the byte offset of the file block its rows come from."""

# Row kinds of the task output (one narrow schema per verb, tagged by kind).
ROWS, COUNTS, SPAN, SAMPLE, ERROR = 0, 1, 2, 3, 4
ITEM, STATUS, COUNTABLE = 0, 1, 2
RECOVERED = 3
"""A file's cells read back from spreadsheet numbers (the type in ``status``)."""

SCAN_DDL = (
    "kind byte, source int, tbl int, col int, a long, b long, c long, "
    "label string, path string, o1 long, o2 long"
)
SCAN_ARROW = pa.schema(
    [
        ("kind", pa.int8()),
        ("source", pa.int32()),
        ("tbl", pa.int32()),
        ("col", pa.int32()),
        ("a", pa.int64()),
        ("b", pa.int64()),
        ("c", pa.int64()),
        ("label", pa.string()),
        ("path", pa.string()),
        ("o1", pa.int64()),
        ("o2", pa.int64()),
    ]
)

COUNT_DDL = (
    "kind byte, source int, cat short, key long, bare boolean, "
    "status string, reason string, types long, n long, path string"
)
COUNT_DDL_COLUMNS = (
    "kind",
    "source",
    "cat",
    "key",
    "bare",
    "status",
    "reason",
    "types",
    "n",
    "path",
)
COUNT_ARROW = pa.schema(
    [
        ("kind", pa.int8()),
        ("source", pa.int32()),
        ("cat", pa.int16()),
        ("key", pa.int64()),
        ("bare", pa.bool_()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("types", pa.int64()),
        ("n", pa.int64()),
        ("path", pa.string()),
    ]
)

CAT, SOURCE, PAIR, SHARED = 10, 11, 12, 13
"""Tags of the figures made from grouped items (the small rows keep their kind, below 10)."""

FIGURES_DDL = (
    "tag int, a long, b long, status string, reason string, types long, path string, n long"
)
FIGURES_ARROW = pa.schema(
    [
        ("tag", pa.int32()),
        ("a", pa.int64()),
        ("b", pa.int64()),
        ("status", pa.string()),
        ("reason", pa.string()),
        ("types", pa.int64()),
        ("path", pa.string()),
        ("n", pa.int64()),
    ]
)

SAMPLES = 2
"""Valid samples kept per column per batch (scan shows the first two of the table)."""


@dataclass(frozen=True)
class TablePlan:
    """One table: where its rows go (source id, table index) and its driver-made profiles."""

    source: int
    table: int
    profiles: tuple[ColumnProfile, ...]
    kind: str | None = None


@dataclass(frozen=True)
class UnitPlan:
    """One top-level evidence file for an executor to open with ingest.

    ``tables`` maps (index in the file's walk, table index) to the plan of each table read
    here; ``paths`` the evidence path expected at each walk index, so a file changed between
    the driver's look and the executor's read is an error, not a silent mix-up.
    """

    top: str
    tables: dict[tuple[int, int], TablePlan]
    paths: dict[int, str]
    sources: dict[int, int]
    encoding: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class SplitPlan:
    """A table Spark reads itself: how to turn its Arrow rows into ingest-like String batches."""

    plan: TablePlan
    columns: tuple[str, ...]
    path: str
    typed: bool
    """Columns may be typed (Parquet, Hive): render them as ingest renders Parquet."""
    separator: str | None = None
    """Set for delimited text: Spark hands over lines, which Polars parses as ingest does."""
    header: bool = False
    """The file's first line is its header (skipped)."""


@dataclass(frozen=True)
class CountJob:
    """What a count task needs besides the rows."""

    categoriser: Categoriser
    key: KeyRule
    parts: bool


@dataclass
class _Order:
    """Where rows are in their table, so scan's samples are the first valid values."""

    block: int = 0
    seen: int = field(default=0)
    started: bool = False


Work = Callable[[pl.DataFrame, TablePlan, int, int], list[pa.RecordBatch]]
"""(batch, table plan, offset of the batch's first row, ordinal of the batch) -> output."""


def run_units(
    batches: Iterator[pa.RecordBatch],
    units: Sequence[UnitPlan],
    work: Work,
    error: Callable[[int, str, str], pa.RecordBatch],
) -> Iterator[pa.RecordBatch]:
    """Open every unit named in ``batches`` (column ``unit``) and run ``work`` on its batches."""
    for batch in batches:
        for unit_id in batch.column("unit").to_pylist():
            yield from _run_unit(units[unit_id], work, error)


def _run_unit(
    unit: UnitPlan, work: Work, error: Callable[[int, str, str], pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    for index, ev in enumerate(walk([unit.top], encoding=unit.encoding, format=unit.format)):
        if index not in unit.sources or isinstance(ev, Failure):
            continue
        source = unit.sources[index]
        if ev.path != unit.paths[index]:
            yield error(source, ev.path, "the file changed while it was being read")
            continue
        try:
            yield from _run_evidence(ev, index, unit, work)
        except InputError as exc:
            yield error(source, exc.path or ev.path, exc.reason)


def _run_evidence(ev: Evidence, index: int, unit: UnitPlan, work: Work) -> Iterator[pa.RecordBatch]:
    for t, table in enumerate(ev.tables):
        plan = unit.tables.get((index, t))
        if plan is None:
            continue
        offset = 0
        for ordinal, batch in enumerate(b for b in table.batches() if b.height):
            yield from work(batch, plan, offset, ordinal)
            offset += batch.height


def run_split(
    batches: Iterator[pa.RecordBatch],
    split: SplitPlan,
    work: Work,
    error: Callable[[int, str, str], pa.RecordBatch],
) -> Iterator[pa.RecordBatch]:
    """Run ``work`` on the rows Spark read for one table (a slice of it per task)."""
    order = _Order()
    limits = Limits()
    for arrow in batches:
        frame = pl.DataFrame(pl.from_arrow(arrow))
        if not frame.height:
            continue
        block = int(frame.get_column(BLOCK)[0])
        first = block != order.block or not order.started
        if first:
            order = _Order(block=block, started=True)
        frame = frame.drop(BLOCK)
        if split.separator is not None:
            header = split.header and block == 0 and first
            frame = parse_lines(frame.get_column("value"), split, skip_first=header)
        else:
            frame.columns = list(split.columns)
            frame = as_text(frame) if split.typed else frame
        frame = frame.filter(~pl.all_horizontal(pl.all().is_null()))
        try:
            check_cells(frame, limits, split.path, order.seen)
        except InputError as exc:
            yield error(split.plan.source, exc.path or split.path, exc.reason)
            return
        if frame.height:
            # Rows are numbered within their block: only their order matters (samples).
            yield from work(frame, split.plan, order.seen, order.block)
            order.seen += frame.height


def parse_lines(lines: pl.Series, split: SplitPlan, *, skip_first: bool) -> pl.DataFrame:
    """Lines of delimited text as ingest's String batch: Polars' CSV parser, ingest's options."""
    if skip_first:
        lines = lines.slice(1)
    schema = dict.fromkeys(split.columns, pl.String)
    if not lines.len():
        return pl.DataFrame(schema=schema)
    text = lines.str.join("\n").item()
    return pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        has_header=False,
        separator=split.separator or ",",
        quote_char='"',
        schema=schema,
        infer_schema=False,
        null_values=[""],
        truncate_ragged_lines=True,
    )


# ---- scan ---------------------------------------------------------------------------------


def scan_work(
    batch: pl.DataFrame, plan: TablePlan, offset: int, ordinal: int
) -> list[pa.RecordBatch]:
    """Status counts per typed column, spans per free-text column, the first valid samples.

    ``o1``/``o2`` order the samples: (batch ordinal or block, row) for ingest units and splits.
    """
    rows: list[tuple[object, ...]] = [(ROWS, plan.source, plan.table, -1, batch.height)]
    for col, profile in enumerate(plan.profiles):
        if profile.name not in batch.columns:
            continue
        series = batch.get_column(profile.name)
        if profile.free_text:
            spans = find_spans(series)
            if spans.height:
                for span_type, n in spans.get_column("type").value_counts().iter_rows():
                    rows.append((SPAN, plan.source, plan.table, col, n, 0, 0, span_type))
            continue
        if profile.type is None:
            continue
        status = column_status(series, profile.type)
        counts = dict(status.value_counts().iter_rows())
        rows.append(
            (
                COUNTS,
                plan.source,
                plan.table,
                col,
                counts.get("valid", 0),
                counts.get("invalid", 0),
                counts.get("masked", 0),
            )
        )
        where = (status == "valid").arg_true().head(SAMPLES)
        if where.len():
            canonical = CATALOGUE[profile.type].normalise(series.gather(where))
            for row, value in zip(where.to_list(), canonical.to_list(), strict=True):
                order = (ordinal, offset + row)
                rows.append((SAMPLE, plan.source, plan.table, col, 0, 0, 0, value, None, *order))
    return [_batch(rows, SCAN_ARROW)]


def scan_error(source: int, path: str, reason: str) -> pa.RecordBatch:
    return _batch([(ERROR, source, -1, -1, 0, 0, 0, reason, path)], SCAN_ARROW)


# ---- count --------------------------------------------------------------------------------


def count_work(job: CountJob) -> Work:
    """The count task: records, their statuses (as the local run sums them) and item rows."""

    def work(batch: pl.DataFrame, plan: TablePlan, offset: int, _: int) -> list[pa.RecordBatch]:
        recs = records(batch, plan.profiles, offset=offset, parts=job.parts)
        cats = job.categoriser.table(recs.get_column("types"), plan.kind)
        rows = item_rows(recs, cats, plan.source, key=job.key)
        countable = rows.group_by("cat").len()
        items = rows.unique().select(
            pl.lit(ITEM, pl.Int8).alias("kind"),
            pl.col("source").cast(pl.Int32),
            pl.col("cat").cast(pl.Int16),
            # Spark has no unsigned types: the key's 64 bits are kept as a signed long.
            pl.col("key").reinterpret(signed=True).alias("key"),
            pl.col("bare"),
        )
        small = _small_rows(batch, plan, recs, cats, countable)
        return [_frame_batch(items, COUNT_ARROW), _batch(small, COUNT_ARROW)]

    return work


def _small_rows(
    batch: pl.DataFrame,
    plan: TablePlan,
    recs: pl.DataFrame,
    cats: pl.DataFrame,
    countable: pl.DataFrame,
) -> list[tuple[object, ...]]:
    """A batch's status, countable-per-category and read-back rows (count's small rows)."""
    small: list[tuple[object, ...]] = [
        (STATUS, plan.source, None, None, None, st, reason, types, n)
        for st, reason, types, n in _statuses(recs, cats).iter_rows()
    ]
    small += [
        (COUNTABLE, plan.source, cat, None, None, None, None, None, n)
        for cat, n in countable.iter_rows()
    ]
    small += [
        (RECOVERED, plan.source, None, None, None, type_id, None, None, n)
        for type_id, n in recovered_cells(batch, plan.profiles).items()
    ]
    return small


# ---- count with person linkage ------------------------------------------------------------

RECORD = 5
"""Row kind of one countable record with its link keys (counting with linkage)."""


@dataclass(frozen=True)
class LinkJob:
    """What a linked count task needs besides the rows."""

    categoriser: Categoriser
    rules: LinkRules

    @property
    def keys(self) -> list[str]:
        """The link key columns (:func:`leaktrace.normalize.link_keys`), as named in Spark."""
        return [f"k_{c}" for c in link_columns(self.rules)]

    @property
    def texts(self) -> list[str]:
        """Identifiers whose canonical text a record with an ID number carries (``t_`` columns:
        a shared value's masked example)."""
        return [k for k in self.rules.identifiers if k != LINK_ID]

    def schema(self) -> pa.Schema:
        """Count's row schema plus where the record is, its link keys and texts."""
        return pa.schema(
            [
                *COUNT_ARROW,
                ("tbl", pa.int32()),
                ("o1", pa.int64()),
                ("o2", pa.int64()),
                *((k, pa.int64()) for k in self.keys),
                *((f"t_{k}", pa.string()) for k in self.texts),
            ]
        )

    def ddl(self) -> str:
        return ", ".join(
            [
                COUNT_DDL,
                "tbl int, o1 long, o2 long",
                *(f"{k} long" for k in self.keys),
                *(f"t_{k} string" for k in self.texts),
            ]
        )


def link_columns(rules: LinkRules) -> list[str]:
    """The columns :func:`leaktrace.normalize.link_keys` gives (the ``Linker``'s columns)."""
    return [*rules.kinds, "_name", *(("_estate",) if rules.name_place else ())]


def link_work(job: LinkJob) -> Work:
    """The linked count task: the small rows of :func:`count_work`, and each countable record
    with its category, person key (for the figure before linkage), link keys and its place in
    its table ``(source, tbl, o1, o2)``, which orders records as the local engine reads them.

    Every named record's place is split in ``records`` (``places=True``), as in the local
    count, so the link keys are the local engine's.
    """
    rules = job.rules
    needed = {"types", "status", "reason", "person_key", "row", *rules.identifiers, *LINK_FIELDS}
    schema = job.schema()

    def work(
        batch: pl.DataFrame, plan: TablePlan, offset: int, ordinal: int
    ) -> list[pa.RecordBatch]:
        recs = records(
            batch,
            plan.profiles,
            offset=offset,
            parts=False,
            columns=needed,
            places=rules.name_place,
        )
        cats = job.categoriser.table(recs.get_column("types"), plan.kind)
        cat, bare = categories_of(recs, cats)
        countable = (recs.get_column("status") == "valid") & (cat != NO_CATEGORY)
        sub = recs.filter(countable)
        keys = link_keys(sub, rules)
        has_id = sub.get_column(LINK_ID).is_not_null()
        rows_out = pl.DataFrame(
            [
                pl.repeat(RECORD, sub.height, dtype=pl.Int8, eager=True).alias("kind"),
                pl.repeat(plan.source, sub.height, dtype=pl.Int32, eager=True).alias("source"),
                cat.filter(countable).cast(pl.Int16).alias("cat"),
                sub.get_column("person_key").reinterpret(signed=True).alias("key"),
                bare.filter(countable).alias("bare"),
                pl.repeat(plan.table, sub.height, dtype=pl.Int32, eager=True).alias("tbl"),
                pl.repeat(ordinal, sub.height, dtype=pl.Int64, eager=True).alias("o1"),
                sub.get_column("row").cast(pl.Int64).alias("o2"),
                *(
                    keys.get_column(c).reinterpret(signed=True).alias(k)
                    for c, k in zip(link_columns(rules), job.keys, strict=True)
                ),
                *(
                    (
                        sub.get_column(k).zip_with(
                            has_id, pl.repeat(None, sub.height, dtype=pl.String, eager=True)
                        )
                        if k in sub.columns
                        else pl.repeat(None, sub.height, dtype=pl.String, eager=True)
                    ).alias(f"t_{k}")
                    for k in job.texts
                ),
            ]
        )
        per_cat = cat.filter(countable).value_counts(name="len")
        small = _small_rows(batch, plan, recs, cats, per_cat)
        return [_frame_batch(rows_out, schema), _batch(small, schema)]

    return work


def link_error(job: LinkJob) -> Callable[[int, str, str], pa.RecordBatch]:
    schema = job.schema()

    def error(source: int, path: str, reason: str) -> pa.RecordBatch:
        return _batch([(ERROR, source, None, None, None, None, reason, None, None, path)], schema)

    return error


def _statuses(recs: pl.DataFrame, cats: pl.DataFrame) -> pl.DataFrame:
    """(status, reason, types, n): valid records of no policy category are ``unidentified``."""
    unidentified = cats.filter(pl.col("cat") == NO_CATEGORY).get_column("types").to_list()
    lost = (pl.col("status") == "valid") & pl.col("types").is_in(unidentified)
    return (
        recs.select(
            pl.when(lost).then(pl.lit("unidentified")).otherwise(pl.col("status")).alias("status"),
            pl.when(lost).then(pl.lit(UNIDENTIFIED)).otherwise(pl.col("reason")).alias("reason"),
            pl.col("types").cast(pl.Int64),
        )
        .group_by("status", "reason", "types")
        .len()
    )


def count_error(source: int, path: str, reason: str) -> pa.RecordBatch:
    return _batch([(ERROR, source, None, None, None, None, reason, None, None, path)], COUNT_ARROW)


def words(sources: int) -> int:
    """Longs needed for one bit per source."""
    return max(1, -(-sources // 64))


def item_figures(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """Counts from a batch of grouped items and small rows (see ``_spark._aggregate``).

    An item row holds its category, whether it is bare, and its files as bits of ``w0``, ``w1``,
    …; it adds one to its category (bare or not), to each of its files and to each pair of its
    files. Small rows pass through, tagged with their kind.
    """
    for arrow in batches:
        frame = pl.DataFrame(pl.from_arrow(arrow))
        small = frame.filter(pl.col("kind") != ITEM).select(
            pl.col("kind").cast(pl.Int32).alias("tag"),
            pl.col("owner").cast(pl.Int64).alias("a"),
            pl.col("cat").cast(pl.Int64).alias("b"),
            "status",
            "reason",
            "types",
            "path",
            pl.col("n").cast(pl.Int64),
        )
        items = frame.filter(pl.col("kind") == ITEM)
        yield _frame_batch(small, FIGURES_ARROW)
        if items.height:
            yield _frame_batch(_item_figures(items), FIGURES_ARROW)


def _item_figures(items: pl.DataFrame) -> pl.DataFrame:
    per_cat = items.group_by(
        pl.col("cat").cast(pl.Int64).alias("a"), pl.col("bare").cast(pl.Int64).alias("b")
    ).agg(pl.len().cast(pl.Int64).alias("n"))
    held = _sources(items)
    per_source = held.group_by(pl.col("source").alias("a"), pl.col("cat").alias("b")).agg(
        pl.len().cast(pl.Int64).alias("n")
    )
    shared = held.filter(pl.len().over("item") > 1)
    in_more = shared.group_by(pl.col("source").alias("a")).agg(
        pl.lit(0, pl.Int64).alias("b"), pl.len().cast(pl.Int64).alias("n")
    )
    pairs = (
        shared.join(shared, on="item", suffix="_b")
        .filter(pl.col("source") < pl.col("source_b"))
        .group_by(pl.col("source").alias("a"), pl.col("source_b").alias("b"))
        .agg(pl.len().cast(pl.Int64).alias("n"))
    )
    return pl.concat(
        [
            f.with_columns(pl.lit(tag, pl.Int32).alias("tag"))
            for tag, f in ((CAT, per_cat), (SOURCE, per_source), (PAIR, pairs), (SHARED, in_more))
        ]
    ).select("tag", "a", "b", "n")


def _sources(items: pl.DataFrame) -> pl.DataFrame:
    """(item, cat, source) for every file bit set in an item's words."""
    cats = items.get_column("cat").cast(pl.Int64).to_numpy()
    words = sum(1 for c in items.columns if c.startswith("w") and c[1:].isdigit())
    parts = []
    for w, column in enumerate(f"w{i}" for i in range(words)):
        bits = items.get_column(column).fill_null(0).to_numpy().astype(np.int64).view(np.uint8)
        matrix = np.unpackbits(bits.reshape(-1, 8), axis=1, bitorder="little")
        rows, positions = np.nonzero(matrix)
        parts.append(
            pl.DataFrame(
                {"item": rows.astype(np.int64), "cat": cats[rows], "source": positions + 64 * w},
                schema={"item": pl.Int64, "cat": pl.Int64, "source": pl.Int64},
            )
        )
    return pl.concat(parts)


# ---- Arrow --------------------------------------------------------------------------------


def _batch(rows: list[tuple[object, ...]], schema: pa.Schema) -> pa.RecordBatch:
    width = len(schema)
    padded = [(*r, *([None] * (width - len(r)))) for r in rows]
    columns = list(zip(*padded, strict=True)) if padded else [()] * width
    arrays = [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _frame_batch(frame: pl.DataFrame, schema: pa.Schema) -> pa.RecordBatch:
    """A Polars frame holding some of ``schema``'s columns, the rest null."""
    table = frame.to_arrow()
    arrays = [
        table.column(f.name).cast(f.type).combine_chunks()
        if f.name in frame.columns
        else pa.nulls(frame.height, f.type)
        for f in schema
    ]
    return pa.RecordBatch.from_arrays(arrays, schema=schema)
