"""Reference tables the generator draws from, loaded once.

The facts (carrier segments, area codes, bank BINs, surnames, communities) are CSV files under
``data/`` so that a reviewer can check them without reading code. County codes are not copied:
they come from python-stdnum's own ``cn/loc.dat``, the same table the validators consult, so a
generated ID can never carry a code the rest of the tool does not know.
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import re
from dataclasses import dataclass

import numpy as np
import polars as pl
from faker.providers.person.zh_CN import Provider as _FakerPerson

_DATA = importlib.resources.files("leaktrace.synth") / "data"

# Codes of Hangzhou counties that were abolished after 1990 but still sit on millions of IDs
# issued before the change: IDs keep their code for life, so leaks are full of them.
_RECENT_END_YEAR = 1990


def table(name: str) -> pl.DataFrame:
    """Read ``data/<name>.csv`` (``#`` lines are comments) with every column as text."""
    return _table(name).clone()


@functools.cache
def _table(name: str) -> pl.DataFrame:
    raw = (_DATA / f"{name}.csv").read_text(encoding="utf-8")
    return pl.read_csv(io.StringIO(raw), comment_prefix="#", infer_schema=False)


def weights(frame: pl.DataFrame, column: str = "weight") -> np.ndarray:
    """Normalised probabilities from a text column of weights."""
    w = frame[column].cast(pl.Float64).to_numpy()
    return np.asarray(w / w.sum(), dtype=np.float64)


@dataclass(frozen=True)
class County:
    """One county-level administrative division code from stdnum's ``cn/loc.dat``."""

    code: str
    province: str
    name: str


_COUNTY_LINE = re.compile(r'^  (\d{4}) county="([^"]*)"')
_PROVINCE_LINE = re.compile(r'^(\d{2}) province="([^"]*)"')
_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")


@functools.cache
def counties() -> tuple[County, ...]:
    """County-level codes that IDs are issued under today (plus recently abolished ones).

    Prefecture rows (``xx00``) and the ``市辖区`` / ``市区`` placeholders are left out: no person
    is registered there.
    """
    text = (importlib.resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    found: list[County] = []
    province_code, province_name = "", ""
    for line in text.splitlines():
        if m := _PROVINCE_LINE.match(line):
            province_code, province_name = m.group(1), m.group(2)
            continue
        m = _COUNTY_LINE.match(line)
        if not m or m.group(1).endswith("00"):
            continue
        name = _current_name(m.group(2))
        if name and name not in {"市辖区", "市区", "县"}:
            found.append(County(province_code + m.group(1), province_name, name))
    return tuple(found)


def _current_name(field: str) -> str | None:
    """The name a code carries now, or after 1990; None when it was retired long ago."""
    best: str | None = None
    for part in field.split(","):
        m = _PERIOD.match(part)
        if not m:
            return part
        _start, end, name = m.groups()
        if not end or int(end) >= _RECENT_END_YEAR:
            best = name
    return best


@functools.cache
def id_county_codes() -> tuple[np.ndarray, np.ndarray]:
    """County codes as a (k, 6) ASCII matrix and the probability of each, per ``id_regions``.

    Each region row's weight is spread evenly over the counties whose code starts with its
    prefix and no longer prefix.
    """
    codes = [c.code for c in counties()]
    regions = table("id_regions")
    prefixes = regions["prefix"].fill_null("").to_list()
    region_w = regions["weight"].cast(pl.Float64).to_list()
    probs = np.zeros(len(codes))
    for prefix, w in zip(prefixes, region_w, strict=True):
        longer = [p for p in prefixes if len(p) > len(prefix) and p.startswith(prefix)]
        members = [
            i
            for i, code in enumerate(codes)
            if code.startswith(prefix) and not any(code.startswith(p) for p in longer)
        ]
        probs[members] += w / len(members)
    matrix = np.frombuffer("".join(codes).encode("ascii"), dtype=np.uint8).reshape(-1, 6)
    return matrix, probs / probs.sum()


@functools.cache
def surnames() -> tuple[list[str], np.ndarray]:
    """Surnames and their probabilities."""
    frame = _table("surnames")
    return frame["surname"].to_list(), weights(frame, "percent")


# Characters that open two-character given names across generations (建国, 晓燕, 子涵, ...).
_FIRST_CHARS = "建国志晓海文子家俊佳思雨欣梓浩宇春秀玉小金永明天立振亚雪丽美一诗若可静嘉"
_MALE_EXTRA = "豪轩睿哲航铭杰涵晨博诚毅峰鑫"
_FEMALE_EXTRA = "萱琪妍怡涵悦彤璇蕾瑶琳媛菲"


@functools.cache
def given_names() -> tuple[list[str], list[str], list[str]]:
    """Vocabularies for given names: (opening chars, male chars/names, female chars/names).

    Faker's zh_CN lists carry the common given names of each sex; we add characters popular
    with younger generations so that names are not drawn from a hundred strings only.
    """
    male = sorted(set(_FakerPerson.first_names_male) | set(_MALE_EXTRA))
    female = sorted(set(_FakerPerson.first_names_female) | set(_FEMALE_EXTRA))
    return list(_FIRST_CHARS), male, female


# First octets of IPv4 blocks allocated to Chinese operators (APNIC), so addresses look domestic.
IP_FIRST_OCTETS = np.array(
    [
        36,
        39,
        42,
        58,
        59,
        60,
        61,
        101,
        106,
        110,
        111,
        112,
        113,
        114,
        115,
        116,
        117,
        118,
        119,
        120,
        121,
        122,
        123,
        124,
        125,
        175,
        180,
        182,
        183,
        202,
        218,
        219,
        220,
        221,
        222,
        223,
    ],
    dtype=np.int64,
)

# Words companies in the area are named from; only the USCC has to be exact.
COMPANY_WORDS = [
    "新安江",
    "严州",
    "千岛湖",
    "富春",
    "钱塘",
    "之江",
    "西湖",
    "运河",
    "星火",
    "恒远",
    "华达",
    "鑫源",
    "永安",
    "宏图",
    "天成",
    "瑞丰",
    "金盛",
    "博远",
    "顺达",
    "联创",
]
COMPANY_TRADES = [
    "电子",
    "建材",
    "化工",
    "物流",
    "贸易",
    "食品",
    "纺织",
    "机械",
    "网络科技",
    "物业管理",
    "房地产开发",
    "商贸",
]
