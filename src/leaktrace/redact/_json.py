"""Masked copies of JSON and JSON Lines exports, same records, same keys in the same order.

Records are found where ``ingest`` finds them (the top-level array, the first array inside a
top-level object, or the one value) and paired with ingest's rows one to one. A field whose text
changes gets the masked text; a nested object or array keeps its structure (its masked JSON text
is parsed back). JSON Lines keep every untouched line byte for byte; a JSON document is written
again with its indentation and its choice of escaping (``\\uXXXX`` or not), so only spacing the
document did not follow consistently can differ. A JSON document is read whole.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import IO, Any

from leaktrace.ingest import Evidence, decoder_name, json_cell
from leaktrace.redact._cells import Disagree, Masker
from leaktrace.redact._delimited import _masked_rows, _split_end

Row = tuple[str | None, ...]


def write_json(evidence: Evidence, source: Path, out: IO[bytes], masker: Masker) -> int:
    """Write the masked copy of one JSON or JSON Lines file to ``out``; returns records."""
    assert evidence.encoding is not None
    codec = decoder_name(evidence.encoding)
    table = evidence.tables[0] if evidence.tables else None
    names = table.columns if table is not None else []
    pairs = _masked_rows(table, masker) if table is not None else iter(())
    encoder = codecs.getincrementalencoder(codec)()
    rows = 0
    if evidence.format == "jsonl":
        with source.open("r", encoding=codec, newline="\n") as lines:
            for line in lines:
                body, end = _split_end(line)
                if body.strip(" \t\r\n\ufeff"):
                    pair = next(pairs, None)
                    if pair is None:
                        raise Disagree(_disagree(rows))
                    new, changed = _apply_or_refuse(json.loads(body), names, pair, evidence, rows)
                    if changed:
                        body = json.dumps(new, ensure_ascii=_ascii(body), separators=_spacing(body))
                    rows += 1
                out.write(encoder.encode(body + end))
    else:
        text = source.read_text(encoding=codec)
        document = json.loads(text)
        records, put = _records(document)
        changed_any = False
        for index, record in enumerate(records):
            pair = next(pairs, None)
            if pair is None:
                raise Disagree(_disagree(rows))
            new, changed = _apply_or_refuse(record, names, pair, evidence, rows)
            if changed:
                document = put(index, new)
                changed_any = True
            rows += 1
        if changed_any:
            text = _dump_like(document, text)
        out.write(encoder.encode(text))
    if next(pairs, None) is not None:
        raise Disagree(_disagree(rows))
    out.write(encoder.encode("", final=True))
    return rows


def _apply_or_refuse(
    record: Any, names: list[str], pair: tuple[Row, Row], evidence: Evidence, row: int
) -> tuple[Any, bool]:
    try:
        return _apply(record, names, *pair)
    except LookupError:
        raise Disagree(_disagree(row)) from None


def _disagree(row: int) -> str:
    return f"无法保持版式：第 {row} 条记录与扫描所读不同 cannot keep the layout at record {row}"


def _records(document: Any) -> tuple[list[Any], Any]:
    """The records (as ``ingest._json`` finds them) and how to put one back."""
    if isinstance(document, dict):
        for value in document.values():
            if isinstance(value, list):

                def put_in(index: int, new: Any, items: list[Any] = value) -> Any:
                    items[index] = new
                    return document

                return value, put_in
    if isinstance(document, list):

        def put_item(index: int, new: Any) -> Any:
            document[index] = new
            return document

        return document, put_item
    return [document], lambda index, new: new


def _apply(record: Any, names: list[str], seen: Row, masked: Row) -> tuple[Any, bool]:
    """``record`` with the fields whose masked text differs replaced; whether any did."""
    if isinstance(record, dict):
        keys = {str(k): k for k in record}
        slots = [(keys.get(n), n) for n in names]
        values = [record.get(k) if k is not None else None for k, _ in slots]
    elif isinstance(record, list):
        slots = [(i, str(i)) for i in range(min(len(record), len(names)))]
        values = list(record[: len(names)])
    else:
        slots, values = [(None, "value")], [record]
    texts = tuple(json_cell(v) for v in values)
    if texts != seen[: len(texts)]:
        raise LookupError(texts)
    changed = False
    for (slot, _), value, text, new in zip(slots, values, texts, masked, strict=False):
        if new is None or new == text:
            continue
        changed = True
        replacement: Any = new
        if isinstance(value, dict | list):
            try:
                replacement = json.loads(new)
            except ValueError:
                replacement = new
        if isinstance(record, dict):
            record[slot] = replacement
        elif isinstance(record, list):
            assert isinstance(slot, int)
            record[slot] = replacement
        else:
            record = replacement
    return record, changed


def _ascii(text: str) -> bool:
    """Whether the source escaped non-ASCII characters (``\\u5f20``) rather than writing them."""
    return text.isascii() and "\\u" in text


def _spacing(text: str) -> tuple[str, str]:
    return (", ", ": ") if re.search(r'"\s*: ', text) else (",", ":")


def _dump_like(document: Any, original: str) -> str:
    indent_match = re.search(r"\n([ \t]+)\S", original)
    indent: str | int | None = None
    if indent_match:
        found = indent_match.group(1)
        indent = len(found) if found.strip(" ") == "" else found
    elif "\n" in original.strip():
        indent = 0
    text = json.dumps(
        document,
        ensure_ascii=_ascii(original),
        indent=indent,
        separators=(",", ": ") if indent is not None else _spacing(original),
    )
    return text + ("\n" if original.endswith("\n") else "")
