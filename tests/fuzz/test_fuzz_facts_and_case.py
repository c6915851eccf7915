"""Facts files and case.toml, random or mutated: a result or one ``FactsError`` line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from leaktrace.count import load_case
from leaktrace.errors import LeakTraceError
from leaktrace.law import load_facts

from . import _inputs as inputs
from .conftest import FUZZ

FACT_KEYS = [
    "role", "items", "illegal_gains_yuan", "business_profit_yuan", "resold", "offence_date",
    "prior_criminal_penalty", "prior_admin_penalty_date", "severe_harm", "sensitive",
    "other_serious_circumstances", "unknown",
]  # fmt: skip
FACT_VALUES = st.one_of(
    st.sampled_from(["outsider", "insider", "lawful_business_buyer", "2024-02-30", "2099-01-01",
                     "2024-05-01", "-1", "1e309", "NaN"]),
    st.integers(-10, 10**12), st.floats(), st.booleans(), st.none(),
    st.dictionaries(st.sampled_from(["sensitive", "important", "ordinary", "x"]),
                    st.integers(-5, 10**7) | st.floats() | st.text(max_size=5), max_size=4),
)  # fmt: skip
FACTS = st.dictionaries(st.sampled_from(FACT_KEYS), FACT_VALUES, max_size=8)


def _toml_value(value: object) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return '""'
    if isinstance(value, float):
        return repr(value) if value == value and abs(value) != float("inf") else "nan"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _facts_text(facts: dict[str, object], as_json: bool) -> bytes:
    if as_json:
        return json.dumps(facts, ensure_ascii=False).encode()
    return "\n".join(f"{k} = {_toml_value(v)}" for k, v in facts.items()).encode()


@st.composite
def facts_files(draw: st.DrawFn) -> tuple[bytes, str]:
    as_json = draw(st.booleans())
    data = _facts_text(draw(FACTS), as_json)
    if draw(st.booleans()):
        data = draw(inputs.mutated(st.just(data)))
    return data, ".json" if as_json else ".toml"


@FUZZ
@given(
    st.one_of(
        facts_files(),
        st.tuples(st.binary(max_size=512), st.sampled_from([".json", ".toml", ".txt"])),
    )
)
def test_fuzz_facts(file: tuple[bytes, str]) -> None:
    data, suffix = file
    with tempfile.TemporaryDirectory(prefix="leaktrace-fuzz-") as folder:
        path = Path(folder) / f"facts{suffix}"
        path.write_bytes(data)
        try:
            load_facts(path)
        except LeakTraceError as exc:
            assert "\n" not in str(exc), str(exc)


CASE_SEED = """name = "业主信息案"

[[parties]]
name = "王某"
role = "insider"
obtained = ["evidence/owners.csv"]
[parties.facts]
illegal_gains_yuan = 18000
offence_date = 2025-03-01

[[parties]]
name = "李某"
role = "outsider"

[[transfers]]
seller = "王某"
buyer = "李某"
evidence = ["evidence/owners.csv"]
price_yuan = 6000
date = 2026-03-01

[[traces]]
evidence = "evidence/owners.csv"
registry = "registry.db"

[[evidence]]
path = "evidence/owners.csv"
kind = "home_owner_list"

[report]
case_no = "杭公网（2026）123号"
examiner = "张三"
"""

CASE_LINES = st.sampled_from([
    '[[parties]]\nname = "王某"\nrole = "outsider"', 'obtained = ["../../etc/passwd"]',
    'obtained = ["/abs/path.csv"]', 'price_yuan = -5', 'price_yuan = "六千"', 'date = 2099-01-01',
    'type = "gifted"', '[parties.facts]\noffence_date = 2024-02-30', 'transfers_file = "t.xlsx"',
    '[[transfers]]\nseller = "无名"\nbuyer = "李某"\nevidence = []', 'name = 5',
    '[report]\nunit = 1', 'examinr = "x"', '[[evidence]]\npath = "evidence/none.csv"\nkind = "x"',
])  # fmt: skip


@st.composite
def case_files(draw: st.DrawFn) -> bytes:
    text = CASE_SEED
    for line in draw(st.lists(CASE_LINES, max_size=3)):
        text += "\n" + line + "\n"
    data = text.encode()
    if draw(st.booleans()):
        data = draw(inputs.mutated(st.just(data)))
    return data


@FUZZ
@given(st.one_of(case_files(), st.binary(max_size=512)))
def test_fuzz_case_toml(data: bytes) -> None:
    with tempfile.TemporaryDirectory(prefix="leaktrace-fuzz-") as folder:
        case = Path(folder)
        (case / "evidence").mkdir()
        (case / "evidence" / "owners.csv").write_text("姓名,手机\n张三,13800000001\n")
        (case / "case.toml").write_bytes(data)
        try:
            load_case(case)
        except LeakTraceError as exc:
            assert "\n" not in str(exc), str(exc)
