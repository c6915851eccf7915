"""Masking of personal values: the one place every printer and report goes through.

Personal information is the payload, so nothing is shown in full unless the user asks for it
with ``--show-values``. Masks keep enough to let a person recognise a value they already hold
(first and last characters) and nothing that identifies anyone on its own.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")


def mask(value: str | None, type_id: str | None = None, *, show: bool = False) -> str:
    """Return ``value`` masked for display, or unchanged when ``show`` is true.

    >>> mask("13812345678", "mobile")
    '138****5678'
    >>> mask("张三丰", "name")
    '张**'
    >>> mask("330182199001011234", "cn_id")
    '330182********1234'
    """
    if value is None:
        return ""
    text = str(value)
    if show or not text:
        return text
    rule = _RULES.get(type_id or "", _mask_middle)
    return rule(text)


def _mask_middle(text: str, keep_head: int = 3, keep_tail: int = 4) -> str:
    n = len(text)
    if n <= 2:
        return text[0] + "*" * (n - 1)
    if n <= keep_head + keep_tail:
        head = max(1, n // 3)
        tail = max(1, n // 4)
        return text[:head] + "*" * (n - head - tail) + text[n - tail :]
    return text[:keep_head] + "*" * (n - keep_head - keep_tail) + text[n - keep_tail :]


def _mask_name(text: str) -> str:
    return text[0] + "*" * (len(text) - 1)


def _mask_id(text: str) -> str:
    return _mask_middle(text, 6, 4)


def _mask_email(text: str) -> str:
    local, _, domain = text.partition("@")
    if not domain:
        return _mask_middle(text)
    return (local[:1] + "***") + "@" + domain


def _mask_address(text: str) -> str:
    keep = max(1, min(6, len(text) // 3))
    return text[:keep] + "*" * min(8, len(text) - keep)


def _mask_room(text: str) -> str:
    return _DIGITS.sub("*", text)


def _mask_card(text: str) -> str:
    return _mask_middle(text, 6, 4)


def _mask_short(text: str) -> str:
    return _mask_middle(text, 2, 2)


_RULES = {
    "name": _mask_name,
    "cn_id": _mask_id,
    "mobile": _mask_middle,
    "landline": _mask_middle,
    "email": _mask_email,
    "bank_card": _mask_card,
    "address": _mask_address,
    "room": _mask_room,
    "plate": _mask_short,
    "passport": _mask_short,
    "uscc": _mask_id,
    "qq": _mask_short,
    "wechat": _mask_short,
    "ip": _mask_short,
    "gps": _mask_short,
    "vin": _mask_id,
    "birth_date": _mask_short,
}
