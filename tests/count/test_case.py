"""Cases: Art. 11 counting per party, one finding per party, and bad case files."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.count import assess_case, count_case, load_case
from leaktrace.errors import FactsError
from leaktrace.law import Policy


def test_same_records_sold_to_three_buyers_count_once_per_buyer(
    case_dir: Path, policy: Policy
) -> None:
    counts = count_case(load_case(case_dir), policy).parties["王某"]
    assert {b: dict(c) for b, c in counts.sold.items()} == {
        "李某": {"other_safety": 2_000},
        "某装修公司": {"other_safety": 2_000},
        "赵某": {"other_safety": 2_000},
    }
    assert dict(counts.kept) == {}
    assert counts.items(policy)["important"] == 6_000


def test_obtained_then_resold_counts_once(case_dir: Path, policy: Policy) -> None:
    counts = count_case(load_case(case_dir), policy).parties["李某"]
    assert dict(counts.obtained) == {"other_safety": 2_000}
    assert dict(counts.sold["钱某"]) == {"other_safety": 2_000}
    assert counts.items(policy)["important"] == 2_000


def test_a_buyer_who_kept_the_list_counts_what_it_obtained(case_dir: Path, policy: Policy) -> None:
    counts = count_case(load_case(case_dir), policy).parties["某装修公司"]
    assert counts.sold == {}
    assert counts.items(policy)["important"] == 2_000


def test_one_finding_per_party(case_dir: Path, policy: Policy) -> None:
    result = assess_case(case_dir, policy).to_json()
    assert [p["party"] for p in result["parties"]] == ["王某", "李某", "某装修公司"]
    seller = result["parties"][0]
    assert seller["counts"]["items"] == {"sensitive": 0, "important": 6_000, "ordinary": 0}
    assert seller["finding"]["level"] == "especially_serious"
    assert seller["finding"]["facts"]["items"]["important"] == 6_000
    assert result["policy"]["sha256"] == policy.sha256
    assert result["files"][0]["records_read"] == 2_000


def _case(tmp_path: Path, text: str, files: tuple[str, ...] = ("evidence/a.csv",)) -> Path:
    (tmp_path / "evidence").mkdir(exist_ok=True)
    for name in files:
        (tmp_path / name).write_text("姓名,手机\n张三,13812345678\n", encoding="utf-8")
    (tmp_path / "case.toml").write_text(text, encoding="utf-8")
    return tmp_path


PARTY = '[[parties]]\nname = "王某"\nrole = "outsider"\nobtained = ["evidence/a.csv"]\n'


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        (PARTY + 'nickname = "王"\n', "parties[0].nickname", "unknown field"),
        (
            PARTY
            + '[[transfers]]\nseller = "王某"\nbuyer = "李某"\nevidence = ["evidence/b.csv"]\n',
            "transfers[0].evidence[0]",
            "no such evidence file",
        ),
        (
            PARTY + '[[transfers]]\nseller = "王某"\nbuyer = "李某"\n'
            'evidence = ["evidence/a.csv"]\nprice_yuan = -5\n',
            "transfers[0].price_yuan",
            "greater than or equal to 0",
        ),
        (
            PARTY + "[parties.facts]\nillegal_gains_yuan = -1\n",
            "parties[0].facts.illegal_gains_yuan",
            "must not be negative",
        ),
        (
            PARTY + "[parties.facts]\nitems = { ordinary = 9 }\n",
            "parties[0].facts.items",
            "counted from the evidence",
        ),
        (
            PARTY
            + '[[transfers]]\nseller = "周某"\nbuyer = "李某"\nevidence = ["evidence/a.csv"]\n',
            "transfers[0].seller",
            "not one of the parties",
        ),
        (PARTY.replace("evidence/a.csv", "../a.csv"), "parties[0].obtained[0]", "inside the case"),
    ],
)
def test_bad_case_file_is_one_line_naming_file_and_field(
    tmp_path: Path, text: str, field: str, reason: str
) -> None:
    with pytest.raises(FactsError) as caught:
        load_case(_case(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "case.toml"))
    assert f"field {field}" in message
    assert reason in message
    assert "\n" not in message


def test_a_folder_without_case_toml_is_a_facts_error(tmp_path: Path) -> None:
    with pytest.raises(FactsError, match=r"no case\.toml"):
        load_case(tmp_path)


def test_an_unknown_dataset_kind_names_the_field(tmp_path: Path, policy: Policy) -> None:
    text = PARTY + '[[evidence]]\npath = "evidence/a.csv"\nkind = "hotel"\n'
    with pytest.raises(
        FactsError, match=r"field evidence\[0\]\.kind: 未知数据集种类 unknown dataset kind"
    ):
        count_case(load_case(_case(tmp_path, text)), policy)


def test_a_declared_kind_decides_the_category(tmp_path: Path, policy: Policy) -> None:
    text = PARTY + '[[evidence]]\npath = "evidence/a.csv"\nkind = "hotel_checkin"\n'
    counts = count_case(load_case(_case(tmp_path, text)), policy).parties["王某"]
    assert dict(counts.by_category()) == {"accommodation": 1}
