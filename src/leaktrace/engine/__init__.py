"""Where batches run: the local engine (Polars, streaming; the default) or Apache Spark.

```python
from leaktrace.engine import get_engine

engine = get_engine()                                  # local: leaktrace.scan / leaktrace.count
engine = get_engine("spark")                           # Spark in local mode, local[2]
engine = get_engine("spark", master="yarn")            # or spark://…, k8s://…
result = engine.count(["hdfs://nn/case/", "hive:case.owners", "seized/"])
result.to_json()                                       # the same JSON as the local engine's
```

Both engines run the same batch functions (detect, normalise, item rows) and build the same
result objects; only how batches are spread and aggregated differs. Nothing outside this package
knows which engine runs. See ``docs/scale.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from leaktrace.chain import MatchKey, MatchResult
from leaktrace.chain._match import MIN_CONTAINMENT, TOP
from leaktrace.count import CountResult, KeyRule, LinkRule
from leaktrace.engine._plan import HIVE_PREFIX, is_remote
from leaktrace.engine._spark import SparkEngine
from leaktrace.errors import UsageError
from leaktrace.law import Policy
from leaktrace.scan import Progress, ScanResult

ENGINES = ("local", "spark")


class Engine(Protocol):
    """What every engine offers: the library verbs over files, folders (and, for Spark, URIs
    and ``hive:`` tables), returning the local engine's result objects."""

    name: str

    def scan(
        self,
        paths: Iterable[str | Path],
        *,
        encoding: str | None = None,
        format: str | None = None,
        show_values: bool = False,
        progress: Progress | None = None,
    ) -> ScanResult: ...

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
    ) -> CountResult: ...

    def match(
        self,
        seized: Sequence[str | Path],
        sources: Sequence[str | Path] = (),
        *,
        key: MatchKey = "person",
        min_containment: float = MIN_CONTAINMENT,
        top: int = TOP,
        progress: Progress | None = None,
    ) -> MatchResult: ...

    def close(self) -> None: ...


class LocalEngine:
    """Polars on this machine, streaming with bounded memory: :func:`leaktrace.scan.scan` and
    :func:`leaktrace.count.count` as they are."""

    name = "local"

    def scan(
        self,
        paths: Iterable[str | Path],
        *,
        encoding: str | None = None,
        format: str | None = None,
        show_values: bool = False,
        progress: Progress | None = None,
    ) -> ScanResult:
        from leaktrace.scan import scan

        return scan(
            _local_paths(paths),
            encoding=encoding,
            format=format,
            show_values=show_values,
            progress=progress,
        )

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
        from leaktrace.count import count

        return count(
            _local_paths(paths),
            policy=policy,
            key=key,
            link=link,
            kind=kind,
            export=export,
            show_values=show_values,
            progress=progress,
        )

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
        from leaktrace.chain import match

        return match(
            _local_paths(seized),
            _local_paths(sources),
            key=key,
            min_containment=min_containment,
            top=top,
            progress=progress,
        )

    def close(self) -> None:
        return None


def _local_paths(paths: Iterable[str | Path]) -> list[Path]:
    out = []
    for path in paths:
        if is_remote(str(path)):
            raise UsageError(
                "URI 与 hive: 表需要 --engine spark URIs and hive: tables need --engine spark",
                str(path),
            )
        out.append(Path(path))
    return out


def get_engine(
    name: str = "local", *, master: str | None = None, conf: Mapping[str, str] | None = None
) -> Engine:
    """The engine called ``name``; ``master`` (a Spark master URL) and ``conf`` are Spark's.

    Raises :class:`~leaktrace.errors.UsageError` for an unknown name, a master without Spark,
    or Spark without pyspark installed.
    """
    if name == "local":
        if master is not None or conf:
            raise UsageError(
                "--spark-master 需要 --engine spark --spark-master needs --engine spark"
            )
        return LocalEngine()
    if name == "spark":
        return SparkEngine(master, conf=conf)
    raise UsageError(
        f"--engine 须为 {' 或 '.join(ENGINES)} --engine must be one of {', '.join(ENGINES)}, "
        f"not {name!r}"
    )


def local_path(path: str) -> Path | None:
    """``path`` as a local Path, or None for a URI or a ``hive:`` table (only Spark reads those)."""
    return None if is_remote(path) else Path(path)


__all__ = [
    "ENGINES",
    "HIVE_PREFIX",
    "Engine",
    "LocalEngine",
    "SparkEngine",
    "get_engine",
    "local_path",
]
