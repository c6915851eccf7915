"""A list saved through a spreadsheet, typed by hand: what a careful examiner would count.

The examiner reads ``13606661234.0`` and ``1.8667778888E+10`` as the phone numbers they are,
cannot read ``1.38123E+10`` (six of eleven digits: whose number was it?) and so calls that row
untrue, and counts each person once.
"""

from __future__ import annotations

from pathlib import Path

from stdnum.cn import ric

from leaktrace.count import count
from leaktrace.normalize._reasons import EXCEL_ID, EXCEL_MOBILE

BODY = "11010519491231003"
ID = BODY + ric.calc_check_digit(BODY + "?")  # the check character from stdnum (a digit)

LIST = f"""姓名,手机,身份证号
张三,13606661234.0,
李四,1.8667778888E+10,
王五,1.38123E+10,
赵六,13912345678,3.30182199001011E+17
孙七,,{ID}.0
周八,13606661234,
吴九,1.39E+10,1.1E+17
"""
"""Seven rows. Valid: 张三 (float form), 李四 (every digit written), 赵六 (his phone; his ID
lost digits but the phone identifies him), 孙七 (ID as a float), 周八 (张三's number again: a
duplicate). Untrue: 王五 and 吴九, whose numbers lost digits."""


def test_spreadsheet_damage_counts_as_a_careful_person_would(tmp_path: Path) -> None:
    path = tmp_path / "名单.csv"
    path.write_text(LIST, encoding="utf-8")
    data = count([path]).to_json()
    assert data["items"]["ordinary"] == 4  # 张三/周八, 李四, 赵六, 孙七
    assert data["records"]["valid"] == 5
    assert data["records"]["invalid"] == 2
    assert data["excluded"]["duplicate"] == 1
    reasons = {(r["status"], r["reason"]): r["records"] for r in data["reasons"]}
    # 吴九's ID lost digits too: the strongest identifier gives the reason
    assert reasons == {("invalid", EXCEL_MOBILE): 1, ("invalid", EXCEL_ID): 1}
    assert data["recovered"] == {"cn_id": 1, "mobile": 2}
    assert data["files"][0]["recovered"] == {"cn_id": 1, "mobile": 2}


def test_an_id_column_that_lost_digits_is_untrue_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "身份证.csv"
    path.write_text(
        f"姓名,身份证号\n张三,3.30182199001011E+17\n李四,3.30182E+17\n王五,{ID}\n",
        encoding="utf-8",
    )
    data = count([path]).to_json()
    assert data["records"]["valid"] == 1
    assert data["records"]["invalid"] == 2
    assert {r["reason"] for r in data["reasons"]} == {EXCEL_ID}
