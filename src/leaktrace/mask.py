"""Masking of personal values: the one place every printer and report goes through.

Personal information is the payload, so nothing is shown in full unless the user asks for it
with ``--show-values``. Masks keep enough to let a person recognise a value they already hold
(first and last characters) and nothing that identifies anyone on its own.

``pseudonym`` is the other way to hide a value (``leaktrace mask --pseudonym``): a keyed,
repeatable stand-in that keeps joins working and can never be taken for a real identifier.
"""

from __future__ import annotations

import base64
import hmac
import re
from collections.abc import Callable

import polars as pl

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


# --- the same masks for a whole column at once ---------------------------------------------


def mask_series(values: pl.Series, type_id: str | None = None) -> pl.Series:
    """``mask`` of every value of ``values`` at once, for masked copies of large files.

    The same rules as :func:`mask`, written as Polars expressions (tests hold the two equal on
    every type); nulls stay null.
    """
    rule = _VECTOR_RULES.get(type_id or "", _middle_expr)
    frame = pl.DataFrame({"v": values.cast(pl.String)})
    masked = rule(pl.col("v"))
    keep = pl.col("v").is_null() | (pl.col("v") == "")
    return frame.select(pl.when(keep).then(pl.col("v")).otherwise(masked)).to_series()


def _stars(count: pl.Expr) -> pl.Expr:
    return pl.lit("*").repeat_by(count.clip(0)).list.join("")


def _middle_expr(v: pl.Expr, keep_head: int = 3, keep_tail: int = 4) -> pl.Expr:
    n = v.str.len_chars()
    head = (
        pl.when(n <= 2).then(1).when(n <= keep_head + keep_tail).then((n // 3).clip(1))
    ).otherwise(keep_head)
    tail = (
        pl.when(n <= 2).then(0).when(n <= keep_head + keep_tail).then((n // 4).clip(1))
    ).otherwise(keep_tail)
    return v.str.head(head) + _stars(n - head - tail) + v.str.tail(tail)


def _name_expr(v: pl.Expr) -> pl.Expr:
    return v.str.head(1) + _stars(v.str.len_chars() - 1)


def _email_expr(v: pl.Expr) -> pl.Expr:
    local = v.str.extract(r"(?s)^([^@]*)@", 1)
    domain = v.str.extract(r"(?s)^[^@]*@(.*)$", 1)
    return (
        pl.when(domain.is_null() | (domain == ""))
        .then(_middle_expr(v))
        .otherwise(local.str.head(1) + pl.lit("***@") + domain)
    )


def _address_expr(v: pl.Expr) -> pl.Expr:
    n = v.str.len_chars()
    keep = (n // 3).clip(1, 6)
    return v.str.head(keep) + _stars(pl.min_horizontal(pl.lit(8), n - keep))


def _room_expr(v: pl.Expr) -> pl.Expr:
    return v.str.replace_all(r"\d", "*")


def _kept(head: int, tail: int) -> Callable[[pl.Expr], pl.Expr]:
    return lambda v: _middle_expr(v, head, tail)


_VECTOR_RULES: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "name": _name_expr,
    "cn_id": _kept(6, 4),
    "mobile": _middle_expr,
    "landline": _middle_expr,
    "email": _email_expr,
    "bank_card": _kept(6, 4),
    "address": _address_expr,
    "room": _room_expr,
    "plate": _kept(2, 2),
    "passport": _kept(2, 2),
    "uscc": _kept(6, 4),
    "qq": _kept(2, 2),
    "wechat": _kept(2, 2),
    "ip": _kept(2, 2),
    "gps": _kept(2, 2),
    "vin": _kept(6, 4),
    "birth_date": _kept(2, 2),
}


# --- pseudonyms ---------------------------------------------------------------------------

PSEUDONYM_ALPHABET = (
    "甲乙丙戊己庚壬癸子丑寅卯辰巳午未酉戌亥天地玄宇宙荒日月盈昃列寒暑往秋收冬藏闰岁律调腾致雨露"
)
"""32 characters for Han-shaped pseudonyms: none is a surname in the detector's or the
generator's lists, nor a word that ends an address (路, 号, 室...)."""

_PSEUDONYM_WORD = {
    "name": "某",
    "address": "某地址",
    "room": "某房号",
    "plate": "某车牌",
    "passport": "某护照",
    "uscc": "某机构",
    "vin": "某车架",
    "ip": "某IP",
    "gps": "某位置",
    "birth_date": "某生日",
    "wechat": "某微信",
}
"""The lead word of a Han-shaped pseudonym, for the types whose own shape has no reserved,
never-valid form."""


def pseudonym(value: str, type_id: str, key: bytes) -> str:
    """A keyed stand-in for ``value`` (give the canonical form, so that every spelling of one
    number gets one pseudonym): HMAC-SHA256 under ``key`` of the type and the value.

    The same value and key always give the same pseudonym, so joins across files still work;
    another key gives unrelated ones. The shape is kept where a reserved form exists, and that
    form is never a valid identifier:

    - mobile: 11 digits starting ``10`` (no carrier segment starts with 10);
    - cn_id: 18 digits starting ``99`` (no province code 99), with a last digit that is wrong
      as an ID check digit, as a Luhn digit (no bank card) and as a USCC check character;
    - bank_card: as many digits as the card (13-19), starting ``99``, Luhn digit wrong (and at
      18 digits the ID and USCC checks, at 17 the VIN check in the ninth place, wrong too);
    - landline: ``000-`` and 8 digits (no area code 000); qq: 10 digits starting ``0``;
    - email: ``e`` and 12 letters/digits ``@invalid`` (RFC 2606's reserved, undeliverable name);
    - every other type: a lead word (某, 某地址, 某车牌...) and Han characters from
      :data:`PSEUDONYM_ALPHABET`, e.g. ``某寅卯辰巳午未`` for a name.

    >>> pseudonym("13812345678", "mobile", b"k")[:2], len(pseudonym("13812345678", "mobile", b"k"))
    ('10', 11)
    """
    digest = hmac.digest(key, f"{type_id}\x00{value}".encode(), "sha256")
    number = int.from_bytes(digest, "big")
    shape = _SHAPES.get(type_id)
    if shape is not None:
        return shape(value, number, digest)
    word = _PSEUDONYM_WORD.get(type_id, "某")
    length = 6 if type_id == "name" else 8
    return word + _han(number, length)


def _han(number: int, length: int) -> str:
    return "".join(PSEUDONYM_ALPHABET[(number >> (5 * i)) & 31] for i in range(length))


def _digits(number: int, count: int) -> str:
    return str(number % 10**count).zfill(count)


def _luhn_digit(body: str) -> int:
    """The digit that completes ``body`` to a valid Luhn number."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return (10 - total % 10) % 10


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_check(body: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def _mobile(value: str, number: int, digest: bytes) -> str:
    return "10" + _digits(number, 9)


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _uscc_check(body: str) -> str:
    """The check character GB 32100 puts after 17 characters (digits only here)."""
    total = sum(int(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def _last_digit(body: str, number: int) -> str:
    """A final digit that makes ``body`` + it fail every check an 18- or other-length digit
    string could pass: Luhn (bank card), and for 18 digits the ID and USCC check characters."""
    wrong = {str(_luhn_digit(body))}
    if len(body) == 17:
        wrong |= {_id_check(body), _uscc_check(body)}
    choices = [d for d in "0123456789" if d not in wrong]
    return choices[(number >> 64) % len(choices)]


def _cn_id(value: str, number: int, digest: bytes) -> str:
    body = "99" + _digits(number, 15)
    return body + _last_digit(body, number)


def _bank_card(value: str, number: int, digest: bytes) -> str:
    length = min(19, max(13, sum(c.isdigit() for c in value) or 19))
    body = "99" + _digits(number, length - 3)
    if length == 17:
        # 17 digits are also a VIN's shape. Its check (ninth place, weight 0 in its own sum) is
        # made wrong, and that same place then makes the Luhn digit wrong.
        card = body + str(number % 10)
        check = sum(int(c) * w for c, w in zip(card, _VIN_WEIGHTS, strict=True)) % 11
        for step in range(10):
            ninth = str((number + step) % 10)
            candidate = card[:8] + ninth + card[9:]
            if ninth != str(check) and _luhn_digit(candidate[:-1]) != int(candidate[-1]):
                return candidate
    return body + _last_digit(body, number)


def _landline(value: str, number: int, digest: bytes) -> str:
    return "000-" + _digits(number, 8)


def _qq(value: str, number: int, digest: bytes) -> str:
    return "0" + _digits(number, 9)


def _email(value: str, number: int, digest: bytes) -> str:
    return "e" + base64.b32encode(digest).decode()[:12].lower() + "@invalid"


_SHAPES = {
    "mobile": _mobile,
    "cn_id": _cn_id,
    "bank_card": _bank_card,
    "landline": _landline,
    "qq": _qq,
    "email": _email,
}
