"""JSON arrays, objects holding a list, JSON Lines; nested values kept as JSON text."""

from __future__ import annotations

import json
from pathlib import Path

from leaktrace.ingest import Limits

from .conftest import only_evidence, only_failure, rows

PEOPLE = [
    {"姓名": "张三", "手机": "13800000000", "年龄": 30, "地址": {"省": "浙江省", "市": "杭州市"}},
    {"姓名": "李四", "手机": 13900000000, "会员": True, "标签": ["a", "b"], "备注": ""},
]


def test_array_of_objects(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    path.write_text(json.dumps(PEOPLE, ensure_ascii=False, indent=2), encoding="utf-8")
    ev = only_evidence(path)
    assert ev.format == "json"
    table = ev.tables[0]
    assert table.name == "people.json"
    assert table.columns == ["姓名", "手机", "年龄", "地址", "会员", "标签", "备注"]
    first, second = rows(ev)
    assert first["地址"] == '{"省":"浙江省","市":"杭州市"}'
    assert first["年龄"] == "30"
    assert first["会员"] is None
    assert second["手机"] == "13900000000"
    assert second["会员"] == "true"
    assert second["标签"] == '["a","b"]'
    assert second["备注"] is None


def test_object_holding_one_list(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    doc = {"code": 0, "msg": "ok", "data": PEOPLE, "total": 2}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert [r["姓名"] for r in rows(only_evidence(path))] == ["张三", "李四"]


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    lines = [json.dumps(p, ensure_ascii=False) for p in PEOPLE]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    ev = only_evidence(path)
    assert ev.format == "jsonl"
    assert [r["姓名"] for r in rows(ev)] == ["张三", "李四"]


def test_large_array_streams_in_bounded_batches(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    records = [{"id": i, "手机": f"138{i:08d}"} for i in range(25_000)]
    path.write_text(json.dumps(records), encoding="utf-8")
    table = only_evidence(path, limits=Limits(batch_rows=10_000)).tables[0]
    sizes = [b.height for b in table.batches()]
    assert sizes == [10_000, 10_000, 5_000]


def test_gbk_json(tmp_path: Path) -> None:
    path = tmp_path / "people.json"
    path.write_bytes(json.dumps(PEOPLE[:1], ensure_ascii=False).encode("gbk"))
    ev = only_evidence(path)
    assert ev.encoding == "gbk"
    assert rows(ev)[0]["姓名"] == "张三"


def test_single_object_without_a_list_is_one_record(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_text('{"姓名": "张三", "手机": "13800000000"}', encoding="utf-8")
    assert rows(only_evidence(path)) == [{"姓名": "张三", "手机": "13800000000"}]


def test_truncated_json_is_a_failure(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('[{"姓名": "张三"}, {"姓名": "李', encoding="utf-8")
    assert only_failure(path).reason.startswith("JSON 格式错误或不完整 invalid or truncated JSON")
