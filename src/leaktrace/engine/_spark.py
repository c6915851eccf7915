"""The Spark engine: the local engine's batch functions under ``mapInArrow``, the keyed
aggregations as Spark group-bys and joins, and only small aggregate rows on the driver.

A run has three steps:

1. **plan** (driver, :mod:`._plan`): walk the inputs as ingest does, hash them, classify each
   table on its head exactly as the local engine does, and decide who reads each table;
2. **map** (executors, :mod:`._tasks`): every batch goes through ``detect``/``normalize``/
   ``count.item_rows`` and comes back as narrow Arrow rows: status counts for scan; a status
   summary and deduplicated item rows ``(cat, key, source, bare)`` for count;
3. **aggregate** (Spark SQL): sums of the small rows; for items, one group-by on
   ``(cat, key)`` gives the distinct items, each with the set of files it was seen in, from
   which come items per category, per file (explode + group-by) and the overlaps between files
   (a self-join of the shared items on ``(cat, key)``).

The result objects are the local engine's (:class:`~leaktrace.scan.ScanResult`,
:class:`~leaktrace.count.CountResult`), so their JSON is identical.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import reduce
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from leaktrace.chain import MATCH_KEYS, MatchKey, MatchResult
from leaktrace.chain._match import MIN_CONTAINMENT, TOP, ListMatch
from leaktrace.count import (
    Categoriser,
    CountResult,
    FileCount,
    KeyRule,
    LinkRule,
    Tally,
    check_key,
    check_link,
    policy_for,
)
from leaktrace.count._count import TIERS
from leaktrace.engine import _tasks as tasks
from leaktrace.engine._plan import SPLIT_BYTES, Entry, Plan, Planner, is_remote
from leaktrace.errors import InputError, UsageError
from leaktrace.ingest import Failure
from leaktrace.law import Policy
from leaktrace.mask import mask
from leaktrace.normalize import Linkage, LinkRules, rules_of
from leaktrace.scan import ColumnResult, FileResult, Progress, ScanResult, TableResult

if TYPE_CHECKING:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession

DEFAULT_MASTER = "local[2]"
BATCH_ROWS = 200_000
"""Rows per Arrow batch Spark hands a task: the local engine's batch size."""

NO_PYSPARK = (
    "Spark 引擎需要 pyspark：pip install 'leaktrace[spark]' "
    "the Spark engine needs pyspark: pip install 'leaktrace[spark]'"
)
NO_JAVA = (
    "Spark 引擎需要 Java 17 或更高版本（PATH 中的 java 或 JAVA_HOME）"
    "the Spark engine needs Java 17 or later (java on PATH, or JAVA_HOME)"
)


def require_pyspark() -> None:
    """Raise the one-line UsageError when pyspark is not installed."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise UsageError(NO_PYSPARK) from None


class SparkEngine:
    """Runs scan and count on Apache Spark: ``local[2]`` by default, or any master URL.

    Under ``spark-submit`` (or when a session is active) the existing session is used as it
    is configured; otherwise one is built with Arrow on, batches of the local engine's size and,
    in local mode, few shuffle partitions. ``conf`` adds or overrides Spark settings.
    ``timings`` holds the seconds of the last run's steps (plan, map, aggregate).
    """

    name = "spark"

    def __init__(
        self,
        master: str | None = None,
        *,
        conf: Mapping[str, str] | None = None,
        split_bytes: int = SPLIT_BYTES,
    ) -> None:
        require_pyspark()
        self.master = master
        self.conf = dict(conf or {})
        self.split_bytes = split_bytes
        self.timings: dict[str, float] = {}
        self._spark: SparkSession | None = None

    @property
    def spark(self) -> SparkSession:
        if self._spark is None:
            self._spark = _session(self.master, self.conf)
        return self._spark

    def close(self) -> None:
        """Stop the session this engine started."""
        if self._spark is not None:
            self._spark.stop()
            self._spark = None

    # ---- scan ---------------------------------------------------------------------------

    def scan(
        self,
        paths: Iterable[str | Path],
        *,
        encoding: str | None = None,
        format: str | None = None,
        show_values: bool = False,
        progress: Progress | None = None,
    ) -> ScanResult:
        """As :func:`leaktrace.scan.scan`; ``paths`` may also be URIs and ``hive:`` tables."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        self.timings = {}
        plan = self._plan(paths, encoding=encoding, format=format)
        start = time.perf_counter()
        out = self._map(plan, tasks.scan_work, tasks.scan_error, tasks.SCAN_DDL)
        sums: list[Any] = []
        samples: list[Any] = []
        if out is not None:
            out = out.persist()
            try:
                sums = (
                    out.where(F.col("kind") != tasks.SAMPLE)
                    .groupBy("kind", "source", "tbl", "col", "label", "path")
                    .agg(F.sum("a").alias("a"), F.sum("b").alias("b"), F.sum("c").alias("c"))
                    .collect()
                )
                first = Window.partitionBy("source", "tbl", "col").orderBy("o1", "o2")
                samples = (
                    out.where(F.col("kind") == tasks.SAMPLE)
                    .withColumn("rank", F.row_number().over(first))
                    .where(F.col("rank") <= tasks.SAMPLES)
                    .select("source", "tbl", "col", "label", "rank")
                    .collect()
                )
            finally:
                out.unpersist()
        self.timings["map_aggregate"] = time.perf_counter() - start
        return _scan_result(plan, sums, samples, show_values, progress)

    # ---- count --------------------------------------------------------------------------

    def count(
        self,
        paths: Iterable[str | Path],
        *,
        policy: Policy | None = None,
        key: KeyRule = "person",
        kind: str | None = None,
        export: Path | None = None,
        show_values: bool = False,
        progress: Progress | None = None,
        link: LinkRule | None = None,
    ) -> CountResult:
        """As :func:`leaktrace.count.count`; ``paths`` may also be URIs and ``hive:`` tables.

        The export is not written by this engine: the item list of a case this size belongs
        in a table of the cluster, not in one spreadsheet on the driver. Records are linked
        into persons on the executors (``_link``), with the local engine's ``Linker``, so the
        persons, items and linkage figures are the local engine's.
        """
        if export is not None:
            raise UsageError(
                "Spark 引擎不支持 --export，请在本地计数 "
                "--export is not available with the Spark engine; count locally"
            )
        check_key(key)
        if link is not None:
            check_link(link)
        policy = policy_for(policy, kind)
        rule = "none" if key == "content" else link if link is not None else policy.linkage.count
        rules = rules_of(policy)
        roots = [str(p) for p in paths]
        for root in roots:
            if not is_remote(root) and not Path(root).exists():
                raise UsageError("文件或文件夹不存在 no such file or folder", root)
        self.timings = {}
        plan = self._plan(roots, kind=kind)
        categoriser = Categoriser(policy)
        if rule != "none":
            return self._count_linked(plan, policy, kind, categoriser, rules, rule)
        job = tasks.CountJob(categoriser, key, parts=key == "content")
        start = time.perf_counter()
        out = self._map(plan, tasks.count_work(job), tasks.count_error, tasks.COUNT_DDL)
        rows: list[Any] = []
        if out is not None:
            sources = sum(1 for e in plan.entries if e.source >= 0)
            rows = _aggregate(out, [], sources)
            failed = sorted({int(r["a"]) for r in rows if r["tag"] == tasks.ERROR})
            if failed:
                # Rare: a file failed part-way. Nothing of it may count, so count again without it.
                rows = _aggregate(out, failed, sources)
        self.timings["map_aggregate"] = time.perf_counter() - start
        return _count_result(plan, policy, key, kind, categoriser, rows)

    def _count_linked(
        self,
        plan: Plan,
        policy: Policy,
        kind: str | None,
        categoriser: Categoriser,
        rules: LinkRules,
        rule: LinkRule,
    ) -> CountResult:
        """Count with person linkage (``_link``): the records with their link keys come back
        from the map step, are linked on the executors, and their items keyed by person go
        through the same aggregation as an unlinked count's."""
        from pyspark.sql import functions as F

        from leaktrace.engine._link import link_records

        job = tasks.LinkJob(categoriser, rules)
        start = time.perf_counter()
        out = self._map(plan, tasks.link_work(job), tasks.link_error(job), job.ddl())
        rows: list[Any] = []
        linkage, unlinked = None, None
        if out is not None:
            out = out.persist()
            try:
                failed = sorted(
                    {
                        int(r["source"])
                        for r in out.where(F.col("kind") == tasks.ERROR)
                        .select("source")
                        .distinct()
                        .collect()
                    }
                )
                self.timings["map"] = time.perf_counter() - start
                ranks = [TIERS.index(policy.tier_of(c)) for c in categoriser.ids]
                items, linkage, unlinked, figures = link_records(
                    self.spark,
                    out.where(F.col("kind") == tasks.RECORD),
                    job,
                    rule=rule,
                    ranks=ranks,
                    failed=failed,
                    partitions=int(self.spark.conf.get("spark.sql.shuffle.partitions") or 200),
                )
                self.timings["link"] = time.perf_counter() - start - self.timings["map"]
                self.timings |= {f"link_{k}": v for k, v in figures.items()}
                counted = tasks.COUNT_DDL_COLUMNS
                small = out.where(F.col("kind") != tasks.RECORD).select(*counted)
                sources = sum(1 for e in plan.entries if e.source >= 0)
                try:
                    every = small.unionByName(items, allowMissingColumns=True)
                    rows = _aggregate(every.select(*counted), failed, sources)
                finally:
                    items.unpersist()
            finally:
                out.unpersist()
        self.timings["map_aggregate"] = time.perf_counter() - start
        result = _count_result(plan, policy, "person", kind, categoriser, rows)
        result.link = rule
        if linkage is None:
            linkage = Linkage(pl.Series("person", [], dtype=pl.Int64), 0, 0)
        result.linkage, result.unlinked = linkage, unlinked or Counter()
        return result

    # ---- match --------------------------------------------------------------------------

    def match(
        self,
        seized: Sequence[str | Path],
        sources: Sequence[str | Path] = (),
        *,
        key: MatchKey = "person",
        min_containment: float = MIN_CONTAINMENT,
        top: int = TOP,
        progress: Progress | None = None,
    ) -> MatchResult:
        """As :func:`leaktrace.chain.match`; the lists may also be URIs and ``hive:`` tables.

        Key rows never reach the driver: distinct keys, shared keys per pair, the estates and
        spans of matched keys and the cover's counts are Spark group-bys (see ``_match``).
        """
        from pyspark.sql import functions as F

        from leaktrace.engine import _match as m

        if key not in MATCH_KEYS:
            raise UsageError(
                f"比对口径须为 {' 或 '.join(MATCH_KEYS)} "
                f"key must be one of {', '.join(MATCH_KEYS)}, not {key!r}"
            )
        if not 0 <= min_containment <= 1:
            raise UsageError(
                "最低包含度须在 0 与 1 之间 the minimum containment must be between 0 and 1"
            )
        if top < 1:
            raise UsageError("top 至少为 1 top must be at least 1")
        for root in (*seized, *sources):
            if not is_remote(str(root)) and not Path(root).exists():
                raise UsageError("文件或文件夹不存在 no such file or folder", str(root))
        self.timings = {}
        started = time.perf_counter()
        planner = Planner(self.spark, split_bytes=self.split_bytes)
        for path in seized:
            planner.add(path)
        boundary = len(planner.plan.entries)
        for path in sources:
            planner.add(path)
        plan = planner.plan
        for entry in plan.entries:
            if entry.failure is not None:
                raise InputError(entry.failure.reason, entry.failure.path)
        chosen = [e for e in plan.entries if e.source >= 0 and e.tables]
        lists = [
            m.SizedList(e.path, "seized" if e.ordinal < boundary else "source", e.sha256)
            for e in chosen
        ]
        index = {e.source: i for i, e in enumerate(chosen)}
        seized_count = sum(1 for kl in lists if kl.role == "seized")
        self.timings["plan"] = time.perf_counter() - started
        out = self._map(plan, m.match_work(key), m.match_error, m.MATCH_DDL)
        if out is None:
            agg = m.Aggregates({}, {}, {}, {}, {})
            small: list[Any] = []
            sizes: list[Any] = []
        else:
            # Lists are numbered in the local engine's order (seized first) before grouping.
            numbers = self.spark.createDataFrame(
                [(s, i) for s, i in index.items()], "source int, list int"
            )
            out = (
                out.join(numbers.hint("broadcast"), "source", "left")
                .withColumn("source", F.col("list"))
                .drop("list")
                .persist()
            )
            try:
                small, sizes, agg = m.aggregate(out, seized_count, len(lists))
            finally:
                out.unpersist()
        for r in sorted(small, key=lambda r: (r["source"], r["path"] or "")):
            if r["kind"] == m.ERROR:
                raise InputError(r["community"], r["path"])
        for r in small:
            if r["kind"] == m.ROWS and r["source"] is not None:
                lists[int(r["source"])].records += int(r["n"])
        for r in sizes:
            kl = lists[int(r["source"])]
            kl.sizes[int(r["field"])] = int(r["n"])
        for r in sizes:
            if r["lo"] is None:
                continue
            kl = lists[int(r["source"])]
            lo, hi = int(r["lo"]), int(r["hi"])
            kl.days = (lo, hi) if kl.days is None else (min(kl.days[0], lo), max(kl.days[1], hi))
        for kl in lists:
            m.sized(kl)
        compared = time.perf_counter()
        matches = [
            ListMatch(
                a.path,
                m.candidates(i, lists, agg, min_containment, top),
                m.cover(i, lists, agg, min_containment),
            )
            for i, a in enumerate(lists)
            if a.role == "seized"
        ]
        done = time.perf_counter()
        if progress is not None:
            progress("spark", sum(kl.records for kl in lists))
        n = len(lists)
        return MatchResult(
            key=key,
            lists=list(lists),
            matches=matches,
            min_containment=min_containment,
            seconds={
                "read": compared - started,
                "compare": 0.0,
                "describe": done - compared,
                "total": done - started,
            },
            pairs=n * (n - 1) // 2,
        )

    # ---- the steps ----------------------------------------------------------------------

    def _plan(
        self,
        paths: Iterable[str | Path],
        *,
        encoding: str | None = None,
        format: str | None = None,
        kind: str | None = None,
    ) -> Plan:
        start = time.perf_counter()
        planner = Planner(
            self.spark, encoding=encoding, format=format, kind=kind, split_bytes=self.split_bytes
        )
        for path in paths:
            planner.add(path)
        self.timings["plan"] = time.perf_counter() - start
        return planner.plan

    def _map(
        self,
        plan: Plan,
        work: tasks.Work,
        error: Callable[[int, str, str], pa.RecordBatch],
        ddl: str,
    ) -> DataFrame | None:
        """Every table's batches through ``work``: ingest units and Spark splits, one frame."""
        frames = []
        if plan.units:
            units = plan.units
            # Biggest files first, one per task, so the last task to start is a small one.
            order = sorted(range(len(units)), key=lambda i: -_size(units[i].top))
            ranked = [units[i] for i in order]
            n = len(ranked)
            unit_frame = self.spark.range(0, n, 1, n).selectExpr("cast(id as int) as unit")

            def run_units(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
                return tasks.run_units(batches, ranked, work, error)

            frames.append(map_in_arrow(unit_frame, run_units, ddl))
        for split in plan.splits:
            split_plan = split.plan

            def run_split(
                batches: Iterator[pa.RecordBatch], split_plan: tasks.SplitPlan = split_plan
            ) -> Iterator[pa.RecordBatch]:
                return tasks.run_split(batches, split_plan, work, error)

            frames.append(map_in_arrow(split.frame, run_split, ddl))
        if not frames:
            return None
        return reduce(lambda a, b: a.unionByName(b), frames)


def map_in_arrow(
    frame: DataFrame, fn: Callable[[Iterator[pa.RecordBatch]], Iterator[pa.RecordBatch]], ddl: str
) -> DataFrame:
    """``frame.mapInArrow(fn, ddl)``, also where pandas is not installed.

    PySpark's ``mapInArrow`` refuses to run without pandas, though neither it nor its Python
    worker uses pandas for Arrow batches; without pandas the same plan is built directly.
    """
    try:
        import pandas  # noqa: F401
    except ImportError:
        from pyspark.sql import DataFrame
        from pyspark.sql.pandas.functions import vectorized_udf  # type: ignore[attr-defined]
        from pyspark.util import PythonEvalType

        udf = vectorized_udf(fn, ddl, PythonEvalType.SQL_MAP_ARROW_ITER_UDF, "pandas")
        column = udf(*[frame[c] for c in frame.columns])
        jdf = frame._jdf.mapInArrow(column._jc, False, None)
        return DataFrame(jdf, frame.sparkSession)
    return frame.mapInArrow(fn, ddl)


def _aggregate(out: DataFrame, failed: list[int], sources: int) -> list[Any]:
    """Every figure count reports, in one Spark job; only aggregate rows come back.

    1. group by ``(cat, key)`` for items, by every field for the small rows. An item keeps
       whether every record of it was a bare phone and the files it was seen in, as bits of
       ``ceil(sources / 64)`` longs (``bit_or``: a hash aggregation, partly done map-side);
    2. each group's batch of items becomes counts (:func:`tasks.item_figures`): per category
       (bare or not), per file and category, per pair of files sharing an item;
    3. a last group-by sums those counts over the batches.

    ``failed`` sources (files that failed part-way) are left out.
    """
    from pyspark.sql import functions as F

    item = F.col("kind") == tasks.ITEM
    if failed:
        out = out.where(~(item & F.col("source").isin(failed)))
    bit = f"if(kind = {tasks.ITEM} and source div 64 = {{w}}, shiftleft(1L, source % 64), null)"
    words = [F.bit_or(F.expr(bit.format(w=w))).alias(f"w{w}") for w in range(tasks.words(sources))]
    grouped = out.groupBy(
        "kind",
        F.when(item, F.col("key")).alias("key"),
        F.when(~item, F.col("source")).alias("owner"),
        "cat",
        "status",
        "reason",
        "types",
        "path",
    ).agg(F.sum("n").alias("n"), F.bool_and("bare").alias("bare"), *words)

    def figures(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        return tasks.item_figures(batches)

    return (
        map_in_arrow(grouped, figures, tasks.FIGURES_DDL)
        .groupBy("tag", "a", "b", "status", "reason", "types", "path")
        .agg(F.sum("n").alias("n"))
        .collect()
    )


# ---- results --------------------------------------------------------------------------------


def _errors(plan: Plan, failed: Mapping[int, Failure]) -> list[Failure]:
    """Failures in walk order: the walk's own, then those found while reading, in place."""
    out = []
    for entry in plan.entries:
        if entry.failure is not None:
            out.append(entry.failure)
        elif entry.source in failed:
            out.append(failed[entry.source])
    return out


def _read_failures(rows: Iterable[tuple[int, str, str]]) -> dict[int, Failure]:
    found: dict[int, Failure] = {}
    for source, path, reason in sorted(rows):
        found.setdefault(source, Failure(path=path, reason=reason))
    return found


def _scan_result(
    plan: Plan,
    sums: list[Any],
    samples: list[Any],
    show_values: bool,
    progress: Progress | None,
) -> ScanResult:
    failed = _read_failures(
        (r["source"], r["path"], r["label"]) for r in sums if r["kind"] == tasks.ERROR
    )
    files: list[FileResult] = []
    tables: dict[tuple[int, int], TableResult] = {}
    for entry in plan.evidence:
        if entry.source in failed:
            continue
        results = []
        for t, info in enumerate(entry.tables):
            columns = [
                ColumnResult(p.name, p.type, p.confidence, free_text=p.free_text)
                for p in info.profiles or ()
            ]
            results.append(TableResult(info.name, 0, info.header_row, columns))
            tables[(entry.source, t)] = results[-1]
        files.append(_file_result(entry, results))
    for r in sums:
        table = tables.get((r["source"], r["tbl"]))
        if table is None or r["kind"] == tasks.ERROR:
            continue
        if r["kind"] == tasks.ROWS:
            table.rows += int(r["a"])
        elif r["kind"] == tasks.COUNTS:
            column = table.columns[r["col"]]
            column.valid, column.invalid, column.masked = int(r["a"]), int(r["b"]), int(r["c"])
        elif r["kind"] == tasks.SPAN:
            table.columns[r["col"]].spans[r["label"]] += int(r["a"])
    for r in sorted(samples, key=lambda r: (r["source"], r["tbl"], r["col"], r["rank"])):
        table = tables.get((r["source"], r["tbl"]))
        if table is not None:
            column = table.columns[r["col"]]
            assert column.type is not None
            column.samples.append(mask(r["label"], column.type, show=show_values))
    if progress is not None:
        progress("spark", sum(t.rows for t in tables.values()))
    return ScanResult(files=files, errors=_errors(plan, failed))


def _file_result(entry: Entry, tables: list[TableResult]) -> FileResult:
    return FileResult(
        path=entry.path,
        sha256=entry.sha256,
        size=entry.size,
        format=entry.format,
        encoding=entry.encoding,
        parent=entry.parent,
        tables=tables,
    )


def _count_result(
    plan: Plan,
    policy: Policy,
    key: KeyRule,
    kind: str | None,
    categoriser: Categoriser,
    rows: list[Any],
) -> CountResult:
    failed = _read_failures(
        (int(r["a"]), r["path"], r["reason"]) for r in rows if r["tag"] == tasks.ERROR
    )
    files = [
        FileCount(
            path=entry.path,
            sha256=entry.sha256,
            size=entry.size,
            format=entry.format,
            parent=entry.parent,
            root=entry.root,
            kind=kind,
            tables=[t.name for t in entry.tables],
            failed=entry.failure is not None or entry.source in failed,
        )
        for entry in plan.entries
        if entry.source >= 0
    ]
    tally = Tally()
    for r in rows:
        tag, a, b, n = r["tag"], int(r["a"] or 0), int(r["b"] or 0), int(r["n"])
        if tag == tasks.STATUS:
            file = files[a]
            file.records_read += n
            file.statuses[r["status"]] += n
            if r["reason"] is not None:
                file.reasons[(r["status"], r["reason"])] += n
            if r["status"] == "valid":
                file.types_seen |= int(r["types"])
        elif tag == tasks.COUNTABLE:
            files[a].countable[b] += n
        elif tag == tasks.CAT:
            tally.items[a] += n
            if b:
                tally.bare[a] += n
        elif tag == tasks.SOURCE:
            tally.per_source[(a, b)] += n
            files[a].items[b] += n
        elif tag == tasks.PAIR:
            tally.overlaps[(a, b)] += n
        elif tag == tasks.SHARED:
            tally.shared[a] += n
            files[a].shared += n
        elif tag == tasks.RECOVERED:
            files[a].recovered[r["status"]] += n
    tally.overlap_pairs = sum(1 for n in tally.overlaps.values() if n)
    return CountResult(
        policy=policy,
        key=key,
        files=files,
        errors=_errors(plan, failed),
        tally=tally,
        categories=categoriser.ids,
    )


# ---- the session ----------------------------------------------------------------------------


def _session(master: str | None, conf: Mapping[str, str]) -> SparkSession:
    from pyspark.sql import SparkSession

    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # started by spark-submit
    builder = SparkSession.builder.appName("leaktrace")
    chosen = master or (None if submitted else DEFAULT_MASTER)
    if chosen is not None and chosen.startswith("local"):
        # Local workers must run this interpreter: the system python3 has neither pyarrow nor
        # leaktrace. A cluster's workers run what PYSPARK_PYTHON names (docs/scale.md).
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    settings = {
        "spark.sql.execution.arrow.pyspark.enabled": "true",
        "spark.sql.execution.arrow.maxRecordsPerBatch": str(BATCH_ROWS),
        "spark.ui.showConsoleProgress": "false",
    }
    if chosen is not None:
        builder = builder.master(chosen)
        if chosen.startswith("local"):
            settings |= {
                "spark.sql.shuffle.partitions": str(4 * _local_cores(chosen)),
                "spark.ui.enabled": "false",
                "spark.driver.memory": "3g",
            }
            quiet = _quiet_log()
            if quiet is not None:
                settings["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={quiet}"
    for name, value in (settings | dict(conf)).items():
        builder = builder.config(name, value)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:
        if "JAVA" in str(exc).upper():
            raise UsageError(NO_JAVA) from None
        raise
    spark.sparkContext.setLogLevel("ERROR")
    return spark


_QUIET_LOG = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _quiet_log() -> str | None:
    """A log4j2 configuration that prints errors only, so a local run's stderr stays clean
    (None when it cannot be written: Spark's own logging is then used)."""
    path = Path(tempfile.gettempdir()) / f"leaktrace-spark-log4j2-{os.getuid()}.properties"
    try:
        if not path.exists() or path.read_text(encoding="utf-8") != _QUIET_LOG:
            path.write_text(_QUIET_LOG, encoding="utf-8")
    except OSError:
        return None
    return path.as_uri()


def _local_cores(master: str) -> int:
    found = re.fullmatch(r"local\[(\d+|\*)(?:,\s*\d+)?\]", master)
    if found is None:
        return 1
    return os.cpu_count() or 1 if found.group(1) == "*" else int(found.group(1))


def _size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


__all__ = ["NO_PYSPARK", "SparkEngine", "map_in_arrow", "require_pyspark"]
