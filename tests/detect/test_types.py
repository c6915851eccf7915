"""Every unit recognises its noisy-but-valid, masked and invalid forms, and normalises."""

from __future__ import annotations

import datetime

import polars as pl
import pytest
from stdnum.exceptions import InvalidChecksum, InvalidComponent

from leaktrace.detect import CATALOGUE, MaskedValue, column_status, decode_cn_id, normalise
from leaktrace.detect.types import bank_card, passport
from leaktrace.detect.types.cn_id import calc_check_digit

CASES: dict[str, list[tuple[str, str | None, str | None]]] = {
    # type: (cell, status, normalised)
    "cn_id": [
        ("11010519491231002X", "valid", "11010519491231002X"),
        ("11010519491231002x", "valid", "11010519491231002X"),
        ("１１０１０５１９４９１２３１００２Ｘ", "valid", "11010519491231002X"),
        ("110105 19491231 002X", "valid", "11010519491231002X"),
        ("330182900101123", "valid", "330182199001011236"),
        ("620201199001011234", None, None),  # placeholder replaced below
        ("110105194912310021", "invalid", None),  # bad check digit
        ("110105194913310025", "invalid", None),  # month 13
        ("3.30182E+17", "invalid", None),  # Excel destroyed the digits
        ("330182********1234", "masked", None),
        ("3301821990****1234", "masked", None),
        ("201812240001234567", None, None),  # order number: no province, no ID shape
        ("", None, None),
    ],
    "mobile": [
        ("13812345678", "valid", "13812345678"),
        ("138-1234-5678", "valid", "13812345678"),
        ("+86 138 1234 5678", "valid", "13812345678"),
        ("+8613812345678", "valid", "13812345678"),
        ("１３８１２３４５６７８", "valid", "13812345678"),
        ("138****5678", "masked", None),
        ("1381234****", "masked", None),
        ("15412345678", "invalid", None),
        ("12012345678", "invalid", None),
        ("0571-88123456", None, None),
    ],
    "bank_card": [
        ("6222021234567890128", "valid", "6222021234567890128"),
        ("6222 0212 3456 7890 128", "valid", "6222021234567890128"),
        ("6222021234567890127", "invalid", None),
        ("622202*********0128", "masked", None),
        ("6222****0128", "masked", None),
    ],
    "email": [
        ("ZhangSan@QQ.com", "valid", "zhangsan@qq.com"),
        ("z***@qq.com", "masked", None),
        ("zhangsan@@qq.com", "invalid", None),
        ("zhangsan@qq", "invalid", None),
        ("张三", None, None),
    ],
    "landline": [
        ("0571-88123456", "valid", "0571-88123456"),
        ("(0571)88123456", "valid", "0571-88123456"),
        ("010 62345678", "valid", "010-62345678"),
        ("0571-01234567", "invalid", None),
        ("0571-8812****", "masked", None),
    ],
    "name": [
        ("张伟", "valid", "张伟"),
        ("张 伟", "valid", "张伟"),
        ("欧阳娜娜", "valid", "欧阳娜娜"),
        ("张*", "masked", None),
        ("张*伟", "masked", None),
        ("金都花园", None, None),
    ],
    "address": [
        ("浙江省杭州市建德市新安江街道新安路88号金都花园17幢1单元1301室", "valid", None),
        ("建德市新安江街道新安路88号金都花园17栋1单元1301室", "valid", None),
        ("浙江省杭州市建德市****", "masked", None),
    ],
    "room": [
        ("17幢1单元1301室", "valid", "17幢1单元1301室"),
        ("17-1-1301", "valid", "17-1-1301"),
        ("17栋1单元1301", "valid", "17栋1单元1301"),
        ("**幢*单元****室", "masked", None),
    ],
    "plate": [
        ("浙A12345", "valid", "浙A12345"),
        ("浙A·12345", "valid", "浙A12345"),
        ("浙AD12345", "valid", "浙AD12345"),
        ("浙AO2345", "invalid", None),
        ("浙A***45", "masked", None),
    ],
    "passport": [
        ("E12345678", "valid", "E12345678"),
        ("E1234****", "masked", None),
        ("E1234567", "invalid", None),
    ],
    "uscc": [
        ("91110108551385082Q", "valid", "91110108551385082Q"),
        ("91110108551385082A", "invalid", None),
        ("911101**********2Q", "masked", None),
    ],
    "qq": [("2174354685", "valid", "2174354685"), ("21******85", "masked", None)],
    "wechat": [
        ("wxid_abcdefghijklmn", "valid", "wxid_abcdefghijklmn"),
        ("tn****i", "masked", None),
    ],
    "ip": [
        ("120.66.192.72", "valid", "120.66.192.72"),
        ("280.66.192.72", "invalid", None),
        ("120.66.*.*", "masked", None),
    ],
    "gps": [
        ("30.2741,120.1551", "valid", "30.2741,120.1551"),
        ("30.2741, 120.1551", "valid", "30.2741,120.1551"),
        ("95.1234,190.1234", "invalid", None),
        ("30.27**,120.15**", "masked", None),
    ],
    "vin": [
        ("1HGCM82633A004352", "valid", "1HGCM82633A004352"),
        ("1HGCM82643A004352", "invalid", None),
        ("1HGCM8*******4352", "masked", None),
    ],
    "birth_date": [
        ("1990-01-02", "valid", "1990-01-02"),
        ("1990年1月2日", "valid", "1990-01-02"),
        ("19900102", "valid", "1990-01-02"),
        ("1990-02-30", "invalid", None),
        ("1990-13-05", "invalid", None),
        ("1990-**-**", "masked", None),
    ],
}
_JIAYUGUAN = "62020119900101123"  # 嘉峪关市: missing from stdnum's loc.dat, a real code
_JIAYUGUAN += calc_check_digit(_JIAYUGUAN)
CASES["cn_id"][5] = (_JIAYUGUAN, "valid", _JIAYUGUAN)


@pytest.mark.parametrize("type_id", sorted(CASES))
def test_status_and_normalised_form_of_each_type(type_id: str) -> None:
    cells = [c for c, _, _ in CASES[type_id]]
    assert column_status(pl.Series(cells), type_id).to_list() == [s for _, s, _ in CASES[type_id]]
    got = normalise(pl.Series(cells), type_id).to_list()
    for (cell, _, expected), value in zip(CASES[type_id], got, strict=True):
        if expected is not None:
            assert value == expected, cell


def test_catalogue_holds_the_seventeen_agreed_type_ids() -> None:
    assert set(CATALOGUE) == {
        "name", "cn_id", "mobile", "landline", "email", "bank_card", "address", "room", "plate",
        "passport", "uscc", "qq", "wechat", "ip", "gps", "vin", "birth_date",
    }  # fmt: skip
    for unit in CATALOGUE.values():
        assert unit.doc and unit.label


def test_id_decodes_to_gender_birth_date_and_county() -> None:
    info = decode_cn_id("11010519491231002x")
    assert info["gender"] == "female"
    assert info["birth_date"] == datetime.date(1949, 12, 31)
    assert (info["county_code"], info["county_name"], info["province"]) == (
        "110105",
        "朝阳区",
        "北京市",
    )
    assert info["county_in_birth_year"] is True


def test_id_whose_county_did_not_exist_at_birth_is_still_valid() -> None:
    # 330182 (建德市) exists from 1992; stdnum rejects a 1970 birth, we keep it as information
    number = "33018219700101002"
    number += calc_check_digit(number)
    assert CATALOGUE["cn_id"].is_valid(number)
    assert decode_cn_id(number)["county_in_birth_year"] is False


def test_scalar_validate_raises_specific_errors() -> None:
    unit = CATALOGUE["cn_id"]
    with pytest.raises(InvalidChecksum):
        unit.validate("110105194912310021")
    with pytest.raises(InvalidComponent):  # 30 February, with a correct check character
        unit.validate("11010519490230002" + calc_check_digit("11010519490230002"))
    with pytest.raises(MaskedValue):
        unit.validate("330182********1234")
    with pytest.raises(InvalidChecksum):
        bank_card.validate("6222021234567890127")
    assert CATALOGUE["mobile"].validate("+86 138-1234-5678") == "13812345678"


def test_bank_card_and_passport_decode() -> None:
    assert bank_card.decode("6222021234567890128")["bank"] == "中国工商银行"
    assert passport.decode("C12345678")["document"] == "往来港澳通行证"


def test_masking_goes_through_the_one_mask_module() -> None:
    assert CATALOGUE["mobile"].mask("13812345678") == "138****5678"
