"""What real leaked lists do to values, and the truth about every cell they produce.

A leaked list is rarely clean: phones are written ``138-1234-5678`` or with full-width digits,
IDs lose their check digit to Excel, some cells are masked before the list is sold, rows repeat.
Detectors must tell the cases apart, so each noisy cell carries its true status:

* ``valid``: the value is the person's true value in another accepted form (``+86 138 1234
  5678``, an ID with a lowercase ``x``, a 15-digit first-generation ID). Typos in names and
  addresses also stay ``valid``: the cell still holds a name or an address.
* ``invalid``: it looks like the type but fails validation (bad check digit, impossible date,
  unknown mobile segment, an ID Excel turned into ``3.30182E+17``: the digits are gone).
* ``masked``: partly hidden (``138****5678``, ``张*``, ``330182********1234``).
* null: the cell is empty, or the column is not personal information.

Cells are few (evidence folders hold thousands of rows), so the noise is applied per cell in
Python from a seeded ``random.Random``; the people themselves come vectorised from ``residents``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl
from stdnum.cn import ric

from leaktrace.detect import TYPE_IDS as DETECTED_TYPES
from leaktrace.synth import _checks as ck

TYPE_IDS = list(DETECTED_TYPES)
"""The personal-information type ids a column can be given (the same ids detect uses)."""

# Fields that are not personal information; their truth type is null.
PLAIN_FIELDS = ("seq", "amount", "date", "note", "gender", "area", "order_no", "community")

VALID, INVALID, MASKED = "valid", "invalid", "masked"


@dataclass(frozen=True)
class NoiseRates:
    """Shares of cells (or rows, for ``duplicate``) that get each kind of mess.

    ``variant`` cells are rewritten in another valid form, ``invalid`` and ``masked`` cells lose
    their validity, ``typo`` changes one character of a name or address (still valid),
    ``empty`` blanks cells and ``duplicate`` adds that share of extra rows repeating earlier ones.
    """

    variant: float = 0.3
    invalid: float = 0.03
    masked: float = 0.03
    typo: float = 0.02
    empty: float = 0.0
    duplicate: float = 0.02
    spreadsheet: float = 0.0
    """Share of mobile and ID cells a spreadsheet rewrote as numbers (:func:`_spreadsheet`);
    0 leaves the random draws of every other kind of mess as they were."""


@dataclass(frozen=True)
class Noisy:
    """A messy table and its truth, row for row and column for column.

    ``frame`` holds the text a leak would show (all String); ``status`` has the same columns
    with ``valid`` / ``invalid`` / ``masked`` / null; ``forms`` names the rewriting each cell
    got (``plain``, ``dashed``, ``excel``, ...); ``types`` gives each column's type id (None for
    non-PI columns); ``person_id`` says whose row it is, so repeats can be counted.
    """

    frame: pl.DataFrame
    status: pl.DataFrame
    forms: pl.DataFrame
    types: dict[str, str | None]
    person_id: pl.Series = field(repr=False)


Rewrite = Callable[[str, random.Random], str]

_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(text: str) -> str:
    """Digits as full-width characters, as Chinese input methods often type them."""
    return text.translate(_FULL_WIDTH)


def excel_number(digits: str) -> str:
    """How Excel's General format shows a long digit string it took for a number."""
    mantissa, exponent = f"{float(digits):.5E}".split("E")
    mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}E+{int(exponent):02d}"


def excel_float(digits: str) -> str:
    """How a spreadsheet writes a number it took for a float: ``13606661234.0``."""
    return f"{digits}.0"


def excel_whole(digits: str) -> str:
    """Scientific notation with every digit written (``1.8667778888E+10``): some exports and
    programs that widen Excel's columns write it so; the digits are all there."""
    return f"{digits[0]}.{digits[1:]}E+{len(digits) - 1:02d}"


def _spreadsheet_forms(type_id: str) -> dict[str, Rewrite]:
    """Numbers a spreadsheet rewrote with every digit kept: the value is still true."""
    if type_id == "cn_id":  # an ID ending in X stays text: a spreadsheet leaves it alone
        return {
            "excel_float": lambda v, r: excel_float(v) if v[-1].isdigit() else v,
            "excel_whole": lambda v, r: excel_whole(v) if v[-1].isdigit() else v,
        }
    return {"excel_float": lambda v, r: excel_float(v), "excel_whole": lambda v, r: excel_whole(v)}


SPREADSHEET_TYPES = ("mobile", "cn_id")
"""Types whose values a spreadsheet takes for numbers."""


def _spreadsheet(value: str, type_id: str, r: random.Random) -> tuple[str, str, str]:
    """A value a spreadsheet rewrote, with its truth: every digit kept (valid), or a mobile
    cut to six significant digits (invalid, a quarter of them). An ID ending in X stays text."""
    cut = _spreadsheet_cut(type_id)
    if cut and r.random() < 0.25:
        kind = r.choice(sorted(cut))
        return cut[kind](value, r), INVALID, kind
    kept = _spreadsheet_forms(type_id)
    kind = r.choice(sorted(kept))
    text = kept[kind](value, r)
    return text, VALID, kind if text != value else "plain"


def _spreadsheet_cut(type_id: str) -> dict[str, Rewrite]:
    """A mobile number Excel showed with six significant digits (``1.38123E+10``): the rest
    are gone, so the value is untrue as it stands."""
    return {"excel": lambda v, r: excel_number(v)} if type_id == "mobile" else {}


# --- valid forms ---------------------------------------------------------------------------


def _mobile_forms() -> dict[str, Rewrite]:
    return {
        "dashed": lambda v, r: f"{v[:3]}-{v[3:7]}-{v[7:]}",
        "spaced": lambda v, r: f"{v[:3]} {v[3:7]} {v[7:]}",
        "intl": lambda v, r: f"+86 {v[:3]} {v[3:7]} {v[7:]}",
        "intl_compact": lambda v, r: f"+86{v}",
        "full_width": lambda v, r: full_width(v),
    }


def _old_id(v: str) -> str:
    """The first-generation 15-digit form: county, YYMMDD, order code, no check digit."""
    return v[:6] + v[8:17]


def _cn_id_forms() -> dict[str, Rewrite]:
    return {
        "lower_x": lambda v, r: v.lower(),
        "old15": lambda v, r: _old_id(v) if v[6:8] == "19" else v,
        "spaced": lambda v, r: f"{v[:6]} {v[6:14]} {v[14:]}",
        "full_width": lambda v, r: full_width(v),
    }


def _group4(v: str) -> str:
    return " ".join(v[i : i + 4] for i in range(0, len(v), 4))


FORMS: dict[str, dict[str, Rewrite]] = {
    "mobile": _mobile_forms(),
    "cn_id": _cn_id_forms(),
    "bank_card": {"grouped": lambda v, r: _group4(v), "full_width": lambda v, r: full_width(v)},
    "landline": {
        "compact": lambda v, r: v.replace("-", ""),
        "paren": lambda v, r: "({}){}".format(*v.split("-")),
        "spaced": lambda v, r: v.replace("-", " "),
    },
    "email": {"upper": lambda v, r: v.upper()},
    "name": {"spaced": lambda v, r: " ".join(v) if len(v) == 2 else v},
    "address": {
        "no_province": lambda v, r: v.removeprefix("浙江省"),
        "no_city": lambda v, r: v.removeprefix("浙江省杭州市"),
        "dong": lambda v, r: v.replace("幢", "栋"),
    },
    "room": {
        "dashed": lambda v, r: _room_parts(v, "{0}-{1}-{2}"),
        "dong": lambda v, r: _room_parts(v, "{0}栋{1}单元{2}"),
        "no_shi": lambda v, r: v.removesuffix("室"),
    },
    "plate": {"dot": lambda v, r: f"{v[:2]}·{v[2:]}", "spaced": lambda v, r: f"{v[:2]} {v[2:]}"},
    "gps": {"spaced": lambda v, r: v.replace(",", ", ")},
    "birth_date": {
        "compact": lambda v, r: v.replace("-", ""),
        "slashed": lambda v, r: "{}/{}/{}".format(*(int(p) for p in v.split("-"))),
        "chinese": lambda v, r: "{}年{}月{}日".format(*(int(p) for p in v.split("-"))),
        "dotted": lambda v, r: v.replace("-", "."),
    },
    "uscc": {},
    "passport": {},
    "qq": {},
    "wechat": {},
    "ip": {},
    "vin": {},
}


def _room_parts(room: str, pattern: str) -> str:
    building, rest = room.split("幢", 1)
    unit, rest = rest.split("单元", 1)
    return pattern.format(building, unit, rest.removesuffix("室"))


# --- invalid forms -------------------------------------------------------------------------


def _other(current: str, alphabet: str, r: random.Random) -> str:
    return r.choice([c for c in alphabet if c != current])


def _bad_check(v: str, r: random.Random, alphabet: str = "0123456789") -> str:
    return v[:-1] + _other(v[-1], alphabet, r)


def _bad_id_date(v: str, r: random.Random) -> str:
    """Month 13 or day 31 of a 30-day month, with a correct check digit: only the date fails."""
    date = v[6:10] + r.choice(["13" + v[12:14], "0431", "0230", "0631"])
    body = v[:6] + date + v[14:17]
    return body + ric.calc_check_digit(body + "0")


def _unknown_segment(v: str, r: random.Random) -> str:
    return "1" + r.choice("012") + v[2:]


def _bad_card(v: str, r: random.Random) -> str:
    return _bad_check(v, r)


INVALID_FORMS: dict[str, dict[str, Rewrite]] = {
    "cn_id": {
        "excel": lambda v, r: excel_number(v[:17] + ("0" if v[-1] == "X" else v[-1])),
        "bad_check": lambda v, r: _bad_check(v, r, "0123456789X"),
        "bad_date": _bad_id_date,
    },
    "mobile": {"unknown_segment": _unknown_segment},
    "bank_card": {"bad_luhn": _bad_card},
    "landline": {"zero_local": lambda v, r: v.split("-")[0] + "-0" + v.split("-")[1][1:]},
    "email": {
        "double_at": lambda v, r: v.replace("@", "@@"),
        "no_tld": lambda v, r: v[: v.rfind(".")],
    },
    "uscc": {"bad_check": lambda v, r: _bad_check(v, r, ck.USCC_ALPHABET)},
    "vin": {"bad_check": lambda v, r: v[:8] + _other(v[8], "0123456789X", r) + v[9:]},
    "ip": {"octet": lambda v, r: f"{r.randint(256, 299)}{v[v.index('.') :]}"},
    "gps": {"range": lambda v, r: f"{r.uniform(91, 99):.4f},{r.uniform(181, 199):.4f}"},
    "birth_date": {
        "feb30": lambda v, r: v[:4] + "-02-30",
        "month13": lambda v, r: v[:4] + "-13-" + v[8:],
    },
    "plate": {"letter_o": lambda v, r: v[:2] + "O" + v[3:]},
}


# --- masked forms --------------------------------------------------------------------------


def _keep(v: str, head: int, tail: int, star: str = "*") -> str:
    return v[:head] + star * (len(v) - head - tail) + (v[-tail:] if tail else "")


MASKED_FORMS: dict[str, dict[str, Rewrite]] = {
    "mobile": {"middle": lambda v, r: _keep(v, 3, 4), "tail": lambda v, r: _keep(v, 7, 0)},
    "cn_id": {"middle": lambda v, r: _keep(v, 6, 4), "date": lambda v, r: _keep(v, 10, 4)},
    "bank_card": {"middle": lambda v, r: _keep(v, 6, 4), "head4": lambda v, r: _keep(v, 4, 4)},
    "landline": {"tail": lambda v, r: _keep(v, len(v) - 4, 0)},
    "email": {"local": lambda v, r: v[0] + "***" + v[v.index("@") :]},
    "name": {"given": lambda v, r: _keep(v, 1, 0), "middle": lambda v, r: _mask_name_middle(v)},
    "address": {"tail": lambda v, r: v[:9] + "****"},
    "room": {"digits": lambda v, r: "".join("*" if c.isdigit() else c for c in v)},
    "plate": {"middle": lambda v, r: _keep(v, 2, 2)},
    "passport": {"tail": lambda v, r: _keep(v, 5, 0)},
    "uscc": {"middle": lambda v, r: _keep(v, 6, 4)},
    "qq": {"middle": lambda v, r: _keep(v, 2, 2)},
    "wechat": {"middle": lambda v, r: _keep(v, 2, 1)},
    "ip": {"tail": lambda v, r: ".".join([*v.split(".")[:2], "*", "*"])},
    "gps": {"decimals": lambda v, r: ",".join(p[: p.index(".") + 3] + "**" for p in v.split(","))},
    "vin": {"middle": lambda v, r: _keep(v, 6, 4)},
    "birth_date": {"month_day": lambda v, r: v[:4] + "-**-**"},
}


def _mask_name_middle(v: str) -> str:
    return v[0] + "*" + v[2:] if len(v) >= 3 else v[0] + "*"


# Characters people confuse when typing (same sound or shape). Names only swap given-name
# characters for other given-name characters, so a typo'd name is still a plausible name.
_NAME_CONFUSABLE = [
    "伟玮炜",
    "丽莉俪",
    "华桦骅",
    "明鸣铭",
    "军君钧",
    "静婧靖",
    "杰洁",
    "涛滔",
    "敏闵",
    "燕艳",
    "红宏",
    "平萍",
    "英瑛",
    "峰锋",
    "斌彬",
    "霞侠",
    "建健",
]
_ADDRESS_CONFUSABLE = [
    "幢栋",
    "园圆",
    "苑院",
    "江疆",
    "新欣",
    "安按",
    "城成",
    "路露",
    "家佳",
    "花华",
]
_SWAPS = {
    "name": {c: group for group in _NAME_CONFUSABLE for c in group},
    "address": {c: group for group in _ADDRESS_CONFUSABLE for c in group},
}


def typo(text: str, r: random.Random, type_id: str = "address") -> str:
    """One character replaced by a confusable one; the text is unchanged when none fits.

    In names the surname (first character) is never touched: a surname typo'd into a
    non-surname would no longer read as a name.
    """
    swaps = _SWAPS[type_id]
    first = 1 if type_id == "name" else 0
    spots = [i for i, c in enumerate(text) if i >= first and c in swaps]
    if not spots:
        return text
    i = r.choice(spots)
    return text[:i] + _other(text[i], swaps[text[i]], r) + text[i + 1 :]


# --- canonical text of each field ----------------------------------------------------------


def field_values(people: pl.DataFrame, name: str, seed: int) -> list[str | None]:
    """The true text of ``name`` for every person: a type id or one of ``PLAIN_FIELDS``."""
    r = random.Random(seed)
    n = people.height
    if name == "room":
        return (
            people.select(
                pl.concat_str(
                    "building", pl.lit("幢"), "unit", pl.lit("单元"), "room", pl.lit("室")
                )
            )
            .to_series()
            .to_list()
        )
    if name == "gps":
        return [f"{a:.4f},{b:.4f}" for a, b in zip(people["lat"], people["lng"], strict=True)]
    if name == "birth_date":
        return people["birth_date"].dt.strftime("%Y-%m-%d").to_list()
    if name in TYPE_IDS or name in ("gender", "community"):
        return people[name].to_list()
    if name == "seq":
        return [str(i + 1) for i in range(n)]
    if name == "area":
        return [f"{a:.1f}" for a in people["area"]]
    if name == "amount":
        return [f"{r.randint(50_000, 30_000_000) / 100:.2f}" for _ in range(n)]
    if name == "date":
        return [
            f"20{r.randint(15, 23)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}" for _ in range(n)
        ]
    if name == "order_no":
        return [f"DD{r.randint(10**11, 10**12 - 1)}" for _ in range(n)]
    if name == "note":
        notes = ["", "", "", "已交房", "待回访", "VIP", "已签约", "租户", "空置", "老客户"]
        return [r.choice(notes) or None for _ in range(n)]
    raise ValueError(f"unknown field {name!r}")


def noisy(
    people: pl.DataFrame,
    columns: Mapping[str, str],
    seed: int,
    *,
    rates: NoiseRates | None = None,
    forms: Mapping[str, Sequence[str]] | None = None,
) -> Noisy:
    """Turn canonical ``people`` into a leak-style table with the truth for each cell.

    ``columns`` maps each output column (e.g. ``"联系电话1"``) to a field: a type id
    (``mobile``, ``cn_id``, ``room``, ``gps``, ...) or a non-PI field (``seq``, ``amount``,
    ``date``, ``note``, ``gender``, ``area``, ``order_no``, ``community``). ``forms`` can limit the
    valid rewritings of a column (e.g. ``{"手机": ["dashed"]}``). Rows keep the order of
    ``people``, with repeated rows inserted right after the rows they repeat.
    """
    rates = rates or NoiseRates()
    r = random.Random(seed)
    texts: dict[str, list[str | None]] = {}
    statuses: dict[str, list[str | None]] = {}
    kinds: dict[str, list[str | None]] = {}
    for i, (column, fname) in enumerate(columns.items()):
        values = field_values(people, fname, seed * 1_000 + i)
        allowed = None if forms is None else forms.get(column)
        texts[column], statuses[column], kinds[column] = _column(values, fname, rates, r, allowed)
    order = _with_repeats(people.height, rates.duplicate, r)
    schema = dict.fromkeys(columns, pl.String)

    def frame(data: dict[str, list[str | None]]) -> pl.DataFrame:
        return pl.DataFrame({c: [data[c][i] for i in order] for c in columns}, schema=schema)

    return Noisy(
        frame=frame(texts),
        status=frame(statuses),
        forms=frame(kinds),
        types={c: (f if f in TYPE_IDS else None) for c, f in columns.items()},
        person_id=people["person_id"].gather(order).alias("person_id"),
    )


def _column(
    values: list[str | None],
    fname: str,
    rates: NoiseRates,
    r: random.Random,
    allowed: Sequence[str] | None,
) -> tuple[list[str | None], list[str | None], list[str | None]]:
    is_pi = fname in TYPE_IDS
    valid_forms = FORMS.get(fname, {})
    if allowed is not None:
        valid_forms = {k: v for k, v in valid_forms.items() if k in allowed}
    texts: list[str | None] = []
    statuses: list[str | None] = []
    kinds: list[str | None] = []
    for value in values:
        if value is None or (rates.empty and r.random() < rates.empty):
            texts.append(None)
            statuses.append(None)
            kinds.append(None)
            continue
        if not is_pi:
            texts.append(value)
            statuses.append(None)
            kinds.append("plain")
            continue
        text, status, kind = _one(value, fname, rates, r, valid_forms)
        texts.append(text)
        statuses.append(status)
        kinds.append(kind)
    return texts, statuses, kinds


def _one(
    value: str, fname: str, rates: NoiseRates, r: random.Random, valid_forms: Mapping[str, Rewrite]
) -> tuple[str, str, str]:
    if rates.spreadsheet and fname in SPREADSHEET_TYPES and r.random() < rates.spreadsheet:
        return _spreadsheet(value, fname, r)
    roll = r.random()
    invalid = INVALID_FORMS.get(fname)
    masked = MASKED_FORMS.get(fname)
    if invalid and roll < rates.invalid:
        kind = r.choice(sorted(invalid))
        if kind == "excel" and not value[-1].isdigit():
            kind = "bad_check"  # Excel leaves an ID ending in X as text
        return invalid[kind](value, r), INVALID, kind
    roll -= rates.invalid
    if masked and roll < rates.masked:
        kind = r.choice(sorted(masked))
        return masked[kind](value, r), MASKED, kind
    roll -= rates.masked
    if fname in ("name", "address") and roll < rates.typo:
        changed = typo(value, r, fname)
        return changed, VALID, "typo" if changed != value else "plain"
    roll -= rates.typo
    if valid_forms and roll < rates.variant:
        kind = r.choice(sorted(valid_forms))
        text = valid_forms[kind](value, r)
        return text, VALID, kind if text != value else "plain"
    return value, VALID, "plain"


def _with_repeats(n: int, share: float, r: random.Random) -> list[int]:
    """Row order with ``share * n`` rows repeated right after their first occurrence."""
    repeats = set(r.sample(range(n), min(n, round(n * share)))) if n else set()
    order: list[int] = []
    for i in range(n):
        order.append(i)
        if i in repeats:
            order.append(i)
    return order


def apply_noise(
    value: str, type_id: str, rates: NoiseRates, r: random.Random, *, no_spaces: bool = False
) -> tuple[str, str]:
    """One value made messy as in a leak: (text, status). ``no_spaces`` keeps it one token."""
    text, status, _kind = _one(value, type_id, rates, r, FORMS.get(type_id, {}))
    if no_spaces and " " in text and " " not in value:
        return value, VALID
    return text, status
