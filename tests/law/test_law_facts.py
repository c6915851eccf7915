"""The facts file: JSON or TOML, defaults, and one clear line for every mistake."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from leaktrace.errors import FactsError
from leaktrace.law import Facts, load_facts


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_only_role_is_required_and_everything_else_defaults_to_nothing() -> None:
    facts = Facts.from_mapping({"role": "outsider"})
    assert (facts.items.sensitive, facts.items.important, facts.items.ordinary) == (0, 0, 0)
    assert facts.illegal_gains_yuan == 0
    assert facts.offence_date is None
    assert not facts.resold


def test_json_and_toml_facts_read_the_same(tmp_path: Path) -> None:
    as_json = _write(
        tmp_path,
        "facts.json",
        '{"role": "insider", "items": {"important": 2000}, "illegal_gains_yuan": 20000.5,'
        ' "offence_date": "2018-05-31", "prior_admin_penalty_date": null}',
    )
    as_toml = _write(
        tmp_path,
        "facts.toml",
        'role = "insider"\nillegal_gains_yuan = 20000.5\noffence_date = 2018-05-31\n'
        "[items]\nimportant = 2000\n",
    )
    assert load_facts(as_json) == load_facts(as_toml)
    facts = load_facts(as_json)
    assert facts.illegal_gains_yuan == Decimal("20000.5")
    assert facts.offence_date == date(2018, 5, 31)


def test_a_facts_file_without_a_known_extension_is_read_by_content(tmp_path: Path) -> None:
    assert load_facts(_write(tmp_path, "facts", '{"role": "outsider"}')).role == "outsider"
    assert load_facts(_write(tmp_path, "facts.txt", 'role = "insider"\n')).role == "insider"


def _error(tmp_path: Path, text: str, name: str = "facts.json") -> str:
    path = _write(tmp_path, name, text)
    with pytest.raises(FactsError) as caught:
        load_facts(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message


def test_an_unknown_field_is_an_error_naming_it(tmp_path: Path) -> None:
    message = _error(tmp_path, '{"role": "outsider", "gains": 5000}')
    assert "字段 field gains: 未知字段 unknown field" in message


def test_an_unknown_item_tier_is_an_error_naming_it(tmp_path: Path) -> None:
    message = _error(tmp_path, '{"role": "outsider", "items": {"secret": 5}}')
    assert "字段 field items.secret: 未知字段 unknown field" in message


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"role": "outsider", "items": {"ordinary": -1}}', "items.ordinary"),
        ('{"role": "outsider", "illegal_gains_yuan": -0.01}', "illegal_gains_yuan"),
        ('{"role": "outsider", "business_profit_yuan": -5}', "business_profit_yuan"),
    ],
)
def test_a_negative_number_is_an_error_naming_the_field(
    tmp_path: Path, text: str, field: str
) -> None:
    assert f"字段 field {field}: 不得为负数 must not be negative" in _error(tmp_path, text)


def test_an_impossible_date_is_an_error_naming_the_field(tmp_path: Path) -> None:
    message = _error(tmp_path, '{"role": "outsider", "offence_date": "2018-02-30"}')
    assert "字段 field offence_date: 日历上没有这一天 not a real calendar date" in message
    assert "'2018-02-30'" in message


def test_an_impossible_date_in_toml_is_an_error(tmp_path: Path) -> None:
    message = _error(tmp_path, 'role = "outsider"\noffence_date = 2018-02-30\n', "f.toml")
    assert "not valid TOML" in message


@pytest.mark.parametrize("value", ['"31/05/2018"', "20180531", '"2018-05-31T10:00:00"'])
def test_a_date_must_be_written_year_month_day(tmp_path: Path, value: str) -> None:
    message = _error(tmp_path, f'{{"role": "outsider", "prior_admin_penalty_date": {value}}}')
    assert "field prior_admin_penalty_date:" in message


def test_role_is_required_and_must_be_one_of_three(tmp_path: Path) -> None:
    assert "字段 field role: 缺少必填字段 required field is missing" in _error(tmp_path, "{}")
    message = _error(tmp_path, '{"role": "seller"}')
    assert "field role:" in message
    assert "'seller'" in message


@pytest.mark.parametrize(
    "text",
    [
        '{"role": "outsider", "items": {"ordinary": 2.5}}',
        '{"role": "outsider", "items": {"ordinary": "5000"}}',
        '{"role": "outsider", "illegal_gains_yuan": "5000"}',
        '{"role": "outsider", "resold": "yes"}',
    ],
)
def test_numbers_and_flags_are_not_guessed_from_other_types(tmp_path: Path, text: str) -> None:
    assert "field " in _error(tmp_path, text)


def test_malformed_json_is_reported(tmp_path: Path) -> None:
    assert "not valid JSON" in _error(tmp_path, '{"role": "outsider",}')


def test_a_missing_facts_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FactsError, match="cannot read facts file"):
        load_facts(tmp_path / "absent.json")
