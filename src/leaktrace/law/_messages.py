"""Turning pydantic's validation errors into the one line a user reads, Chinese first.

pydantic words its errors in English ("Input should be a valid integer"); a user of a case.toml
or a facts file reads the Chinese for each error type from ``REASONS`` first, then pydantic's
English beside it, so nothing reaches a user in English only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

REASONS: dict[str, str] = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数，不能有小数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "string_type": "应为文字（加引号的字符串）",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表 [...]",
    "tuple_type": "应为列表 [...]",
    "set_type": "应为列表 [...]",
    "dict_type": "应为表（键 = 值）",
    "model_type": "应为表（键 = 值）",
    "model_attributes_type": "应为表（键 = 值）",
    "greater_than": "应大于 {gt}",
    "greater_than_equal": "应大于或等于 {ge}",
    "less_than": "应小于 {lt}",
    "less_than_equal": "应小于或等于 {le}",
    "date_type": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不含时刻",
    "datetime_type": "应为日期时间",
    "datetime_parsing": "应为日期时间",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "最多 {max_length} 个字符",
    "too_short": "至少 {min_length} 项",
    "too_long": "最多 {max_length} 项",
    "string_pattern_mismatch": "格式不符",
    "none_required": "应为空",
    "union_tag_invalid": "类型标记无效",
    "union_tag_not_found": "缺少类型标记",
}
"""The Chinese for each pydantic error type a case, facts or policy file can raise.

``{name}`` is filled from the error's context. A ``value_error`` carries our own validators'
message, which is already Chinese first (``须为正数 must be a positive number``).
"""

_FALLBACK = "取值无效"
_ENGLISH = {
    "extra_forbidden": "unknown field",
    "missing": "required field is missing",
}


def field_path(loc: Sequence[str | int]) -> str:
    """``("mappings", 3, "category")`` -> ``mappings[3].category``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def describe(exc: ValidationError) -> str:
    """One line: ``字段 field X: 中文 English (got V)`` for every error, joined by ``; ``."""
    return "; ".join(_describe_one(err) for err in exc.errors(include_url=False))


def reason(err: Any) -> str:
    """The reason of one pydantic error, Chinese first: ``应为整数 Input should be …``."""
    kind = err["type"]
    english = _ENGLISH.get(kind) or str(err["msg"]).removeprefix("Value error, ")
    if kind == "value_error":
        return english
    template = REASONS.get(kind, _FALLBACK)
    try:
        context = {k: str(v).replace(" or ", " 或 ") for k, v in (err.get("ctx") or {}).items()}
        chinese = template.format(**context)
    except (KeyError, IndexError):
        chinese = template.split("{")[0].rstrip("：")
    return f"{chinese} {english}"


def _describe_one(err: Any) -> str:
    where = field_path(_without_union_tags(err["loc"]))
    if err["type"] in ("extra_forbidden", "missing"):
        return f"字段 field {where}: {reason(err)}"
    return f"字段 field {where}: {reason(err)}（实际为 got {err.get('input')!r}）"


def _without_union_tags(loc: Sequence[str | int]) -> list[str | int]:
    # pydantic adds the union member's type name ("int", "float", ...) to the location.
    tags = {"int", "float", "str", "bool", "decimal", "date", "function-after", "function-before"}
    return [p for p in loc if not (isinstance(p, str) and (p in tags or p.startswith("function")))]
