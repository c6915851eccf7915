"""LeakTrace detection against Presidio on the same 10,000-row synthetic sample.

Presidio ships no Chinese recognizers and spaCy's Chinese pipelines cannot be installed here, so
Presidio runs with a blank ``zh`` spaCy model saved to a temporary folder (character segmenter)
and one ``PatternRecognizer`` per type with regexes equivalent to ours (noisy separators
included). Presidio analyses text, so every structured cell and every chat message is one
``analyze`` call; LeakTrace classifies the columns from a sample, validates whole columns and
extracts spans from the chat column.

Recall is measured the same way for both against the synth truth: a true cell (valid, invalid
or masked) is found when the detector tags the cell with its type; a true chat span is found
when a span of the same type overlaps it.

Prints JSON lines. Requirements: ``pip install -r bench/requirements-presidio.txt``.

    python bench/bench_presidio.py [--rows 10000] [--presidio-rows N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from typing import Any

import polars as pl

from leaktrace.detect import classify_columns, column_status, find_spans
from leaktrace.synth import noisy, residents
from leaktrace.synth._chat import chat_messages

# Structured columns of the sample: header -> synth field (the true type).
COLUMNS = {
    "姓名": "name",
    "手机": "mobile",
    "身份证号": "cn_id",
    "银行卡号": "bank_card",
    "邮箱": "email",
    "固定电话": "landline",
    "车牌号": "plate",
    "护照号": "passport",
    "统一社会信用代码": "uscc",
    "IP地址": "ip",
    "车架号": "vin",
    "经纬度": "gps",
    "地址": "address",
    "房号": "room",
}

# Presidio entity -> (our type id, regexes); equivalent to what LeakTrace recognises.
HAN = "\u4e00-\u9fff"
PATTERNS: dict[str, tuple[str, list[str]]] = {
    "CN_MOBILE": (
        "mobile",
        [r"(?<![\d])(?:\+?86[\- ]?)?1[3-9]\d[\- ]?\d{4}[\- ]?\d{4}(?!\d)", r"1[3-9]\d\*{4}\d{4}"],
    ),
    "CN_ID": ("cn_id", [r"(?<!\d)\d{6} ?\d{8} ?\d{3}[\dXx](?!\d)", r"(?<!\d)\d{15}(?!\d)"]),
    "CN_BANK_CARD": ("bank_card", [r"(?<!\d)[3-69]\d{3}(?: ?\d{4}){3}(?: ?\d{1,3})?(?!\d)"]),
    "EMAIL": ("email", [r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+"]),
    "CN_LANDLINE": ("landline", [r"\(?0\d{2,3}\)?[\- ]?[2-8]\d{6,7}(?!\d)"]),
    "CN_PLATE": (
        "plate",
        [r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][·]?[A-Z0-9]{5,6}"],
    ),
    "CN_PASSPORT": ("passport", [r"(?<![A-Z0-9])[EG]\d{8}(?!\d)|E[A-Z]\d{7}"]),
    "CN_USCC": ("uscc", [r"(?<![A-Z0-9])\d{8}[0-9A-HJ-NPQRTUWXY]{10}(?![A-Z0-9])"]),
    "IP_ADDRESS": ("ip", [r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])"]),
    "CN_VIN": ("vin", [r"(?<![A-Z0-9])[A-HJ-NPR-Z0-9]{17}(?![A-Z0-9])"]),
    "GPS": ("gps", [r"\d{1,3}\.\d{3,}\s*,\s*\d{1,3}\.\d{3,}"]),
    "CN_ADDRESS": (
        "address",
        [rf"[{HAN}]{{2,}}(?:省|市|区|县)[{HAN}0-9]*(?:路|街|号|幢|栋|单元|室)[{HAN}0-9]*"],
    ),
    "CN_ROOM": ("room", [r"\d{1,3}[幢栋]\d{1,2}单元\d{2,5}室?|\d{1,3}-\d{1,2}-\d{3,5}"]),
    "CN_NAME": ("name", [rf"(?<=业主|户名|车主是|姓名)[{HAN}]{{2,3}}", rf"^[{HAN}]{{2,4}}$"]),
}


def _emit(**fields: Any) -> None:
    print(json.dumps(fields, ensure_ascii=False), flush=True)


def _sample(rows: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(structured frame, its cell truth, chat frame, chat span truth)."""
    people = residents(rows, seed)
    table = noisy(people, COLUMNS, seed)
    chat = chat_messages(people, seed + 1, rows)
    return table.frame, table.status, chat.frame.select("消息"), chat.spans


def _bytes(frame: pl.DataFrame) -> int:
    return int(sum(frame[c].str.len_bytes().sum() or 0 for c in frame.columns))


def run_leaktrace(frame: pl.DataFrame, chat: pl.DataFrame) -> tuple[float, dict[str, Any]]:
    start = time.perf_counter()
    profiles = classify_columns(frame.columns, frame.head(2000))
    cells = {p.name: (p.type, column_status(frame[p.name], p.type)) for p in profiles if p.type}
    spans = find_spans(chat["消息"])
    return time.perf_counter() - start, {"cells": cells, "spans": spans}


def _presidio_engine() -> Any:
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    model_dir = tempfile.mkdtemp(prefix="blank_zh_")
    spacy.blank("zh").to_disk(model_dir)
    provider = NlpEngineProvider(
        nlp_configuration={
            "nlp_engine_name": "spacy",
            "models": [{"lang_code": "zh", "model_name": model_dir}],
        }
    )
    registry = RecognizerRegistry(supported_languages=["zh"])
    for entity, (_, regexes) in PATTERNS.items():
        patterns = [Pattern(f"{entity}_{i}", rx, 0.6) for i, rx in enumerate(regexes)]
        registry.add_recognizer(
            PatternRecognizer(supported_entity=entity, supported_language="zh", patterns=patterns)
        )
    return AnalyzerEngine(
        nlp_engine=provider.create_engine(), registry=registry, supported_languages=["zh"]
    )


def run_presidio(frame: pl.DataFrame, chat: pl.DataFrame) -> tuple[float, dict[str, Any]]:
    engine = _presidio_engine()  # set-up (model load, recognizers) is not timed, as for ours
    engine.analyze(text="热身 13812345678", language="zh")
    entity_type = {e: t for e, (t, _) in PATTERNS.items()}
    start = time.perf_counter()
    cells: dict[str, list[set[str]]] = {}
    for column in frame.columns:
        found = []
        for value in frame[column].to_list():
            results = engine.analyze(text=value, language="zh") if value else []
            found.append({entity_type[r.entity_type] for r in results})
        cells[column] = found
    spans = []
    for row, text in enumerate(chat["消息"].to_list()):
        for r in engine.analyze(text=text or "", language="zh"):
            spans.append((row, entity_type[r.entity_type], r.start, r.end))
    return time.perf_counter() - start, {"cells": cells, "spans": spans}


def _recall_leaktrace(out: dict[str, Any], truth: pl.DataFrame, spans: pl.DataFrame) -> dict:
    hits: dict[str, list[int]] = {}
    for column, type_id in COLUMNS.items():
        actual = truth[column].is_not_null()
        predicted_type, status = out["cells"].get(column, (None, None))
        found = (
            (status.is_not_null() & actual).sum()
            if predicted_type == type_id and status is not None
            else 0
        )
        tally = hits.setdefault(type_id, [0, 0])
        tally[0] += int(found)
        tally[1] += int(actual.sum())
    got = [
        (r, t, s, e)
        for r, t, s, e in out["spans"].select("row", "type", "start", "end").iter_rows()
    ]
    _span_recall(hits, got, spans)
    return {t: round(f / n, 4) for t, (f, n) in sorted(hits.items()) if n}


def _recall_presidio(out: dict[str, Any], truth: pl.DataFrame, spans: pl.DataFrame) -> dict:
    hits: dict[str, list[int]] = {}
    for column, type_id in COLUMNS.items():
        actual = truth[column].is_not_null().to_list()
        found = sum(
            1 for a, tags in zip(actual, out["cells"][column], strict=True) if a and type_id in tags
        )
        tally = hits.setdefault(type_id, [0, 0])
        tally[0] += found
        tally[1] += sum(actual)
    _span_recall(hits, out["spans"], spans)
    return {t: round(f / n, 4) for t, (f, n) in sorted(hits.items()) if n}


def _span_recall(
    hits: dict[str, list[int]], got: list[tuple[int, str, int, int]], truth: pl.DataFrame
) -> None:
    by_row: dict[tuple[int, str], list[tuple[int, int]]] = {}
    for row, type_id, start, end in got:
        by_row.setdefault((row, type_id), []).append((start, end))
    for row, type_id, start, end in truth.select("row", "type", "start", "end").iter_rows():
        tally = hits.setdefault(f"{type_id}@text", [0, 0])
        tally[1] += 1
        if any(s < end and start < e for s, e in by_row.get((row, type_id), [])):
            tally[0] += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    try:
        import presidio_analyzer  # noqa: F401
        import spacy  # noqa: F401
    except ImportError:
        _emit(
            bench="presidio",
            skipped=True,
            reason="presidio-analyzer/spacy not installed: "
            "pip install -r bench/requirements-presidio.txt",
        )
        return 0
    frame, truth, chat, spans = _sample(args.rows, args.seed)
    size = _bytes(frame) + _bytes(chat)
    run_leaktrace(frame.head(100), chat.head(100))  # warm-up: load tables, compile patterns
    ours_s, ours = run_leaktrace(frame, chat)
    theirs_s, theirs = run_presidio(frame, chat)
    for name, seconds in (("leaktrace", ours_s), ("presidio", theirs_s)):
        _emit(
            bench="presidio",
            engine=name,
            rows=args.rows,
            seconds=round(seconds, 3),
            rows_per_s=round(args.rows / seconds),
            mb_per_s=round(size / seconds / 1e6, 3),
        )
    _emit(bench="presidio", speedup=round(theirs_s / ours_s, 1), bytes=size)
    ours_recall = _recall_leaktrace(ours, truth, spans)
    theirs_recall = _recall_presidio(theirs, truth, spans)
    for type_id in sorted(set(ours_recall) | set(theirs_recall)):
        _emit(
            bench="presidio",
            type=type_id,
            recall_leaktrace=ours_recall.get(type_id),
            recall_presidio=theirs_recall.get(type_id),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
