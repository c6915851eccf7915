"""Keyed pseudonyms: one value, one pseudonym per key in every file; never a real identifier."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import stat

import phonenumbers
import pytest
from python_calamine import CalamineWorkbook
from stdnum import luhn
from stdnum.cn import ric

from leaktrace.errors import InputError
from leaktrace.mask import pseudonym
from leaktrace.redact import load_key, redact

KEY_A = bytes(range(32))
KEY_B = bytes(range(1, 33))


def _phones(out):
    """The pseudonym each file gave 13812345678 (张伟's) and 13987654321 (李娜's)."""
    owners = list(csv.reader(io.StringIO((out / "owners.csv").read_bytes().decode("gbk"))))
    tsv = [line.split("\t") for line in (out / "contacts.tsv").read_text("utf-8").splitlines()]
    document = json.loads((out / "list.json").read_text("utf-8"))
    lines = [json.loads(x) for x in (out / "list.jsonl").read_text("utf-8").splitlines()]
    sheet = CalamineWorkbook.from_path(str(out / "book.xlsx")).get_sheet_by_name("业主")
    rows = sheet.to_python()
    return {
        "owners.csv": (owners[2][1], owners[3][1]),
        "contacts.tsv": (tsv[1][1], tsv[2][1]),
        "list.json": (document[0]["手机"], document[1]["手机"]),
        "list.jsonl": (lines[0]["手机"], lines[1]["手机"]),
        "book.xlsx": (rows[2][1], rows[3][1]),
    }


def test_one_value_gets_one_pseudonym_in_every_file_and_another_under_another_key(
    evidence, tmp_path
):
    redact([evidence], tmp_path / "a", key=KEY_A)
    redact([evidence], tmp_path / "b", key=KEY_B)
    under_a, under_b = _phones(tmp_path / "a"), _phones(tmp_path / "b")
    # 139-8765-4321 in the CSV and 13987654321 (a number) in the JSON and XLSX: one person
    assert len(set(under_a.values())) == 1, under_a
    assert len(set(under_b.values())) == 1, under_b
    first_a, first_b = next(iter(under_a.values())), next(iter(under_b.values()))
    assert first_a[0] != first_a[1]
    assert set(first_a).isdisjoint(first_b)
    for value in first_a:
        assert len(value) == 11 and value.startswith("10")
        assert not phonenumbers.is_valid_number(phonenumbers.parse(value, "CN"))


def test_pseudonyms_of_names_are_han_and_repeat_across_files(evidence, tmp_path):
    redact([evidence], tmp_path / "a", key=KEY_A)
    tsv = (tmp_path / "a" / "contacts.tsv").read_text("utf-8").splitlines()
    document = json.loads((tmp_path / "a" / "list.json").read_text("utf-8"))
    assert tsv[1].split("\t")[0] == document[0]["姓名"] == pseudonym("张伟", "name", KEY_A)
    assert document[0]["姓名"].startswith("某") and len(document[0]["姓名"]) == 7


def test_pseudonym_shapes_are_never_valid_identifiers():
    draw = random.Random(20240601)
    for _ in range(3000):
        value = str(draw.randrange(10**17, 10**18))
        key = draw.randbytes(32)
        cn_id = pseudonym(value, "cn_id", key)
        assert len(cn_id) == 18 and cn_id.startswith("99")
        assert not ric.is_valid(cn_id) and not luhn.is_valid(cn_id)
        card = pseudonym(value[:16], "bank_card", key)
        assert len(card) == 16 and not luhn.is_valid(card)
        mobile = pseudonym(value[:11], "mobile", key)
        assert not phonenumbers.is_valid_number(phonenumbers.parse(mobile, "CN"))
        assert pseudonym(value, "email", key).endswith("@invalid")
        assert pseudonym(value[:9], "qq", key).startswith("0")


def test_a_missing_key_file_is_created_with_mode_0600_and_then_reused(tmp_path):
    path = tmp_path / "mask.key"
    key = load_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 32 and load_key(path) == key


def test_a_key_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "mask.key"
    load_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(InputError, match="readable by others"):
        load_key(path)


def test_the_key_can_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("LEAKTRACE_MASK_KEY", KEY_A.hex())
    assert load_key(None) == KEY_A


def test_no_type_in_the_catalogue_calls_a_pseudonym_valid():
    """Digit pseudonyms of every length the types use: no validator of ours accepts one (QQ
    aside: any 5-11 digits not starting with 0 are QQ-shaped, a real mobile too)."""
    import polars as pl

    from leaktrace.detect import CATALOGUE

    draw = random.Random(7)
    shapes = [("cn_id", 18), ("mobile", 11), ("landline", 11), ("qq", 9), ("email", 12)]
    shapes += [("bank_card", n) for n in range(13, 20)]
    for type_id, length in shapes:
        values = [
            pseudonym(str(draw.randrange(10 ** (length - 1), 10**length)), type_id, key)
            for key in (draw.randbytes(32) for _ in range(2000))
        ]
        series = pl.Series(values)
        for other in CATALOGUE:
            if other == "qq" and type_id == "mobile":
                continue
            valid = (CATALOGUE[other].status(series) == "valid").sum()
            assert valid == 0, (type_id, length, other)
