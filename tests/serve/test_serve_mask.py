"""The ``mask`` job: masked copies of a case's evidence in ``masked/``, per type in the result,
refused formats listed (not a failure), copies downloadable by members and audited as exports,
and a reviewer who may download but not start it."""

from __future__ import annotations

import csv
import io
import os
import re
import time
from typing import Any

from leaktrace.serve import Workspace

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def id_number(body17: str) -> str:
    """A resident ID with its GB 11643 check character, computed here (the oracle)."""
    return body17 + CHECK[sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True)) % 11]


def valid_ids(text: str) -> list[str]:
    found = []
    for m in re.finditer(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9])", text):
        if id_number(m.group()[:17]) == m.group().upper():
            found.append(m.group())
    return found


def mobiles(text: str) -> list[str]:
    return re.findall(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])", text)


IDS = [id_number(b) for b in ("11010519491231002", "44030619880512341", "32010219750823567")]
ROWS = [
    ("张三", "13812345678", IDS[0], "北京市朝阳区"),
    ("李四", "13987654321", IDS[1], "深圳市南山区"),
    ("王五", "15011112222", IDS[2], "南京市玄武区"),
    ("赵六", "18600001111", "", "上海市浦东新区"),
]
CSV = ("姓名,手机号,身份证号,地址\n" + "".join(",".join(r) + "\n" for r in ROWS)).encode()


def test_the_mask_job_writes_downloadable_copies_without_mobiles_or_ids(
    login: Any, workspace: Workspace
) -> None:
    alice, rita = login("alice"), login("rita")
    case = alice.new_case()
    assert alice.upload(case, "名单.csv", CSV).status_code == 201
    sql = alice.upload(case, "导出.sql", b"INSERT INTO t VALUES ('13812345678');\n")
    assert sql.status_code == 201, sql.text
    assert mobiles(CSV.decode()) and len(valid_ids(CSV.decode())) == 3  # the oracle sees them
    alice.post(f"/api/cases/{case}/members", json={"name": "rita"})
    r = rita.post(f"/api/cases/{case}/jobs", json={"kind": "mask"})
    assert r.status_code == 403
    assert rita.get(f"/api/cases/{case}/masked").json() == {"mask": None}

    job = alice.run(case, "mask")
    assert job["status"] == "done", job
    data = alice.get(f"/api/cases/{case}/masked").json()["mask"]
    assert data["mode"] == "mask"
    [copy] = [f for f in data["files"] if f["path"] == "evidence/名单.csv"]
    assert copy["out"] == "masked/名单.csv"
    assert copy["masked"]["mobile"] == 4 and copy["masked"]["cn_id"] == 3
    assert {t["label"] for t in copy["types"]} >= {"手机号", "身份证号"}
    # a format mask has no writer: listed as refused with the reason, the job still done
    [refused] = data["errors"]
    assert refused["path"] == "evidence/导出.sql" and refused["reason"].startswith("不能为 sql")
    assert "导出.sql" in rita.get(f"/cases/{case}/masked").text

    r = rita.get(f"/api/cases/{case}/masked/名单.csv")  # a reviewer may download
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    text = r.content.decode("utf-8")
    assert mobiles(text) == [] and valid_ids(text) == []
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(ROWS) + 1 and rows[0] == ["姓名", "手机号", "身份证号", "地址"]
    assert [row[3] for row in rows[1:]] == [r[3] for r in ROWS]
    [original] = workspace.root.glob("cases/*/evidence/名单.csv")
    assert original.read_bytes() == CSV  # the evidence itself is untouched

    assert rita.get(f"/api/cases/{case}/masked/../evidence/名单.csv").status_code == 404
    assert rita.get(f"/api/cases/{case}/masked/nothing.csv").status_code == 404
    page = rita.get(f"/cases/{case}/masked")
    assert page.status_code == 200 and "手机号" in page.text and "下载" in page.text
    log = alice.get(f"/api/cases/{case}/audit").json()["entries"]
    exports = [e for e in log if e["action"] == "export"]
    assert [(e["user_name"], e["detail"]["file"]) for e in exports] == [("rita", "masked/名单.csv")]


def test_pseudonyms_use_the_workspace_key_file_of_mode_0600(
    login: Any, workspace: Workspace
) -> None:
    alice = login("alice")
    case = alice.new_case()
    assert alice.upload(case, "名单.csv", CSV).status_code == 201
    job = alice.run(case, "mask", pseudonym=True)
    assert job["status"] == "done", job
    key = workspace.root / "mask.key"
    assert key.stat().st_mode & 0o777 == 0o600
    data = alice.get(f"/api/cases/{case}/masked").json()["mask"]
    assert data["mode"] == "pseudonym"
    first = alice.get(f"/api/cases/{case}/masked/名单.csv").content.decode("utf-8")
    assert mobiles(first) == [] and valid_ids(first) == []
    assert "****" not in first  # pseudonyms, not masks
    # the case page's form: the 用假名 box
    form = {"kind": "mask", "pseudonym": "true", "csrf": alice.csrf}
    assert alice.post(f"/cases/{case}/jobs", data=form, follow_redirects=False).status_code == 303
    latest = alice.get(f"/api/cases/{case}/jobs").json()["jobs"][0]
    assert latest["kind"] == "mask" and alice.wait(latest["id"])["status"] == "done"
    assert alice.get(f"/api/cases/{case}/masked").json()["mask"]["job"] == latest["id"]
    again = alice.get(f"/api/cases/{case}/masked/名单.csv").content.decode("utf-8")
    assert again == first  # the same key gives the same pseudonyms


XLSX_ROWS = [("姓名", "手机"), ("钱七", "13700001111"), ("孙八", "13600002222")]


def _xlsx(rows: list[tuple[str, str]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("名单")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value)
    book.close()
    return out.getvalue()


def _cells(xlsx: bytes) -> list[Any]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(xlsx))
    return [v for row in book.get_sheet_by_index(0).to_python() for v in row]


def test_every_masked_copy_downloads_as_one_zip_logged_as_an_export(
    login: Any, workspace: Workspace
) -> None:
    import zipfile

    alice, rita, bob = login("alice"), login("rita"), login("bob")
    case = alice.new_case()
    assert alice.get(f"/api/cases/{case}/masked.zip").status_code == 404  # no mask job yet
    assert alice.upload(case, "名单.csv", CSV).status_code == 201
    assert alice.upload(case, "二队.xlsx", _xlsx(XLSX_ROWS)).status_code == 201
    assert (
        alice.upload(case, "导出.sql", b"INSERT INTO t VALUES ('13812345678');\n").status_code
        == 201
    )
    alice.post(f"/api/cases/{case}/members", json={"name": "rita"})
    assert alice.run(case, "mask")["status"] == "done"

    [work] = workspace.root.glob("cases/*/work")
    left = work / ".download-left"  # a download cut off by a stopped server, two days ago
    (left / "masked").mkdir(parents=True)
    os.utime(left, (time.time() - 2 * 86400,) * 2)
    r = rita.get(f"/api/cases/{case}/masked.zip")  # a reviewer may download
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    assert "content-length" not in r.headers  # streamed as it is made, not built first
    assert "attachment" in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert zf.testzip() is None
        members = {name: zf.read(name) for name in zf.namelist()}
    # the masked copies, each the same bytes as its own download; the refused .sql is not there
    assert set(members) == {"名单.csv", "二队.xlsx"}
    for name, data in members.items():
        assert data == rita.get(f"/api/cases/{case}/masked/{name}").content, name
    text = members["名单.csv"].decode("utf-8")
    assert mobiles(text) == [] and valid_ids(text) == []
    cells = _cells(members["二队.xlsx"])
    assert cells[:2] == ["姓名", "手机"] and not any(mobiles(str(v)) for v in cells), cells
    assert cells[2] != "钱七" and cells[2].startswith("钱")  # masked, not removed
    assert len(cells) == 2 * len(XLSX_ROWS)

    # the page offers it; a non-member sees no case; nothing is left behind in work/
    assert "masked.zip" in rita.get(f"/cases/{case}/masked").text
    page_zip = alice.get(f"/cases/{case}/masked.zip")
    assert page_zip.status_code == 200 and page_zip.content[:2] == b"PK"
    assert bob.get(f"/api/cases/{case}/masked.zip").status_code == 404
    assert not list(work.glob(".download-*"))
    log = alice.get(f"/api/cases/{case}/audit").json()["entries"]
    exports = [e for e in log if e["action"] == "export"]
    zips = [e for e in exports if e["detail"]["file"] == "masked.zip"]
    assert [e["user_name"] for e in zips] == ["alice", "rita"]  # newest first
    assert zips[0]["detail"]["files"] == ["masked/二队.xlsx", "masked/名单.csv"]
