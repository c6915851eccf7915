"""Who may see and do what: membership (404, not 403), the reviewer's read-only role, CSRF,
login limits, and names typed by users or found in evidence shown as text, never as HTML."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from fastapi.testclient import TestClient
from tests.serve.conftest import PASSWORD, Client

CSV = "姓名,手机号,身份证号\n张三,13812345678,11010519491231002X\n李四,13987654321,\n".encode()


def test_anonymous_api_requests_get_401_and_the_login_page_is_chinese(app: Any) -> None:
    anon = TestClient(app)
    for url in ("/api/cases", "/api/me", "/api/cases/1", "/api/cases/1/search?q=1", "/api/jobs/1"):
        r = anon.get(url)
        assert r.status_code == 401, url
        assert "登录" in r.json()["error"]
    r = anon.post("/api/cases", json={"name": "x"})
    assert r.status_code == 401
    page = anon.get("/")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text and "登录案件工作台" in page.text
    assert anon.get("/cases", follow_redirects=False).status_code == 303


def test_session_cookie_is_httponly_and_strict(app: Any) -> None:
    r = TestClient(app).post("/api/login", json={"name": "alice", "password": PASSWORD})
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_another_investigators_case_is_404_by_page_and_api(login: Any) -> None:
    alice, bob = login("alice"), login("bob")
    case = alice.new_case("甲案")
    assert alice.upload(case, "名单.csv", CSV).status_code == 201
    for url in (
        f"/cases/{case}",
        f"/cases/{case}/counts",
        f"/cases/{case}/search?q=13812345678",
        f"/cases/{case}/reports/report.html",
        f"/api/cases/{case}",
        f"/api/cases/{case}/evidence",
        f"/api/cases/{case}/search?q=13812345678",
        f"/api/cases/{case}/audit",
    ):
        assert bob.get(url).status_code == 404, url
    assert bob.get("/api/cases/99999").status_code == 404
    assert bob.upload(case, "x.csv", CSV).status_code == 404
    r = bob.post(f"/api/cases/{case}/jobs", json={"kind": "scan"})
    assert r.status_code == 404
    job = alice.run(case, "scan")
    assert bob.get(f"/api/jobs/{job['id']}").status_code == 404
    assert [c["name"] for c in bob.get("/api/cases").json()["cases"]] == []
    # once a member, bob sees it
    assert alice.post(f"/api/cases/{case}/members", json={"name": "bob"}).status_code == 201
    assert bob.get(f"/api/cases/{case}").status_code == 200


def test_a_reviewer_reads_but_cannot_upload_run_or_unmask(login: Any) -> None:
    alice, rita = login("alice"), login("rita")
    case = alice.new_case()
    alice.upload(case, "名单.csv", CSV)
    alice.run(case, "scan")
    alice.post(f"/api/cases/{case}/members", json={"name": "rita"})
    assert rita.get(f"/api/cases/{case}").status_code == 200
    assert rita.get(f"/cases/{case}/search?q=13812345678").status_code == 200
    assert rita.upload(case, "y.csv", CSV).status_code == 403
    assert rita.post(f"/api/cases/{case}/jobs", json={"kind": "count"}).status_code == 403
    r = rita.post(f"/api/cases/{case}/unmask", json={"q": "13812345678", "reason": "想看看原值"})
    assert r.status_code == 403
    assert rita.post("/api/cases", json={"name": "x"}).status_code == 403
    r = rita.post(
        f"/cases/{case}/unmask", data={"q": "13812345678", "reason": "想看看", "csrf": rita.csrf}
    )
    assert r.status_code == 403
    page = rita.get(f"/cases/{case}")
    assert 'id="upload"' not in page.text and "新建案件" not in page.text
    log = alice.get(f"/api/cases/{case}/audit").json()["entries"]
    assert not any(e["action"] == "unmask" for e in log)


def test_posts_without_the_csrf_token_are_refused(login: Any) -> None:
    alice = login("alice")
    case = alice.new_case()
    raw = alice.http  # the same session, without the header or form field
    assert raw.post("/api/cases", json={"name": "x"}).status_code == 403
    r = raw.post(
        f"/api/cases/{case}/evidence",
        params={"name": "a.csv"},
        content=CSV,
        headers={"X-CSRF-Token": "wrong"},
    )
    assert r.status_code == 403
    assert raw.post(f"/api/cases/{case}/jobs", json={"kind": "scan"}).status_code == 403
    assert raw.post("/cases", data={"name": "x"}).status_code == 403
    assert raw.post("/cases", data={"name": "x", "csrf": "wrong"}).status_code == 403
    assert raw.post(f"/cases/{case}/jobs", data={"kind": "scan"}).status_code == 403
    assert raw.post("/logout").status_code == 403
    assert alice.get("/api/cases").json()["page"]["total"] == 1
    assert alice.get(f"/api/cases/{case}/jobs").json()["jobs"] == []
    # the login form has its own token (a cookie and the same value in the form)
    anon = TestClient(raw.app)
    r = anon.post("/login", data={"name": "alice", "password": PASSWORD, "csrf": "x"})
    assert r.status_code == 403


def test_login_form_works_with_its_token(app: Any) -> None:
    anon = TestClient(app)
    page = anon.get("/")
    token = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = anon.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf": token},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/cases"
    assert anon.get("/api/me").json()["name"] == "alice"


def test_failed_logins_are_limited(app: Any) -> None:
    anon = TestClient(app)
    for _ in range(5):
        r = anon.post("/api/login", json={"name": "alice", "password": "wrong password"})
        assert r.status_code == 401
    r = anon.post("/api/login", json={"name": "alice", "password": PASSWORD})
    assert r.status_code == 429
    assert "分钟后再试" in r.json()["error"]
    # another user from elsewhere is not blocked by alice's name... but this client is
    assert anon.post("/api/login", json={"name": "bob", "password": PASSWORD}).status_code == 429


def test_html_in_names_is_shown_as_text(login: Any) -> None:
    alice = login("alice")
    evil = "<script>alert(1)</script>"
    case = alice.new_case(f"案件{evil}")
    sheet = "<img src=x onerror=alert(2)>"
    book = io.BytesIO()
    import xlsxwriter

    wb = xlsxwriter.Workbook(book, {"in_memory": True})
    ws = wb.add_worksheet(sheet[:31].replace("[", "").replace("]", ""))
    for r, row in enumerate([["姓名", "手机号"], ["王五", "13812345678"]]):
        ws.write_row(r, 0, row)
    wb.close()
    name = "<img src=y onerror=alert(3)>名单.xlsx"
    assert alice.upload(case, name, book.getvalue()).status_code == 201
    party = {"name": "<i>王某</i>", "role": "outsider", "obtained": [f"evidence/{name}"]}
    assert alice.post(f"/api/cases/{case}/parties", json=party).status_code == 201
    alice.run(case, "scan")
    for url in (f"/cases/{case}", f"/cases/{case}/scan", "/cases"):
        text = alice.get(url).text
        assert evil not in text and "<img src=y" not in text and "<i>王某</i>" not in text
        assert "&lt;" in text
    scan = alice.get(f"/cases/{case}/scan").text
    assert "<img src=x" not in scan and "&lt;img src=x onerror=alert(2)&gt;" in scan


def test_upload_limits_and_unsafe_zips_change_nothing(workspace: Any, tmp_path: Any) -> None:
    from leaktrace.serve import create_app

    alice = Client(create_app(workspace, max_upload=4096), "alice")
    case = alice.new_case()
    r = alice.upload(case, "big.csv", b"x" * 5000)
    assert r.status_code == 413 and "上限" in r.json()["error"]
    for bad in ("../up.csv", "/etc/passwd.csv", "a/../../b.csv"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("ok.csv", CSV)
            zf.writestr(bad, CSV)
        r = alice.upload(case, "bad.zip", buf.getvalue(), unpack="true")
        assert r.status_code == 400, bad
        assert "压缩包" in r.json()["error"]
    r = alice.upload(case, "trunc.zip", b"PK\x03\x04" + b"\x00" * 40, unpack="true")
    assert r.status_code == 400 and "损坏" in r.json()["error"]
    r = alice.upload(case, ".hidden", CSV)
    assert r.status_code == 400
    assert alice.get(f"/api/cases/{case}/evidence").json()["evidence"] == []
    case_dir = workspace.root / "cases"
    leftovers = [p for p in case_dir.rglob("*") if p.is_file()]
    assert leftovers == []
    # a good upload after all that
    assert alice.upload(case, "名单.csv", CSV).status_code == 201
    assert alice.upload(case, "名单.csv", CSV).status_code == 400  # no overwriting evidence


def test_a_zip_bomb_is_refused(tmp_path: Any) -> None:
    from leaktrace.ingest import Limits
    from leaktrace.serve._casefiles import UploadError, unpack_zip

    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.csv", b"0" * 2_000_000)
    limits = Limits(ratio_min_bytes=1000, max_ratio=50)
    try:
        unpack_zip(bomb, tmp_path / "out", limits)
    except UploadError as exc:
        assert "zip bomb" in str(exc)
    else:
        raise AssertionError("the bomb was unpacked")


def test_a_wrong_case_file_leaves_the_case_unchanged(login: Any) -> None:
    alice = login("alice")
    case = alice.new_case()
    alice.upload(case, "名单.csv", CSV)
    good = (
        'name = "甲"\n[[parties]]\nname = "王某"\nrole = "outsider"\n'
        'obtained = ["evidence/名单.csv"]\n'
    )
    assert alice.put(f"/api/cases/{case}/case", json={"text": good}).status_code == 200
    for bad, words in (
        ("[[parties]]\nname = 1", "parties"),
        ('[[parties]]\nname = "王某"\nrole = "outsider"\nobtained = ["evidence/无.csv"]', "无.csv"),
        ("not toml at all ===", "TOML"),
    ):
        r = alice.put(f"/api/cases/{case}/case", json={"text": bad})
        assert r.status_code == 400 and words in r.json()["error"], r.text
        assert alice.get(f"/api/cases/{case}/case").json()["text"] == good
    r = alice.post(
        f"/api/cases/{case}/transfers",
        json={"seller": "不存在", "buyer": "李某", "evidence": ["evidence/名单.csv"]},
    )
    assert r.status_code == 400 and "不存在" in r.json()["error"]
    assert alice.get(f"/api/cases/{case}/case").json()["text"] == good


def test_parties_and_transfers_from_forms_and_a_table(login: Any) -> None:
    alice = login("alice")
    case = alice.new_case()
    alice.upload(case, "名单.csv", CSV)
    ev = "evidence/名单.csv"
    r = alice.post(
        f"/cases/{case}/parties",
        data={
            "name": "王某",
            "role": "insider",
            "obtained": [ev],
            "facts": "illegal_gains_yuan = 100",
            "csrf": alice.csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    r = alice.post(
        f"/cases/{case}/transfers",
        data={
            "seller": "王某",
            "buyer": "李某",
            "evidence": [ev],
            "price_yuan": "6000",
            "date": "2026-03-01",
            "channel": "微信",
            "csrf": alice.csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    table = f"卖方,买方,证据,价格,日期\n王某,赵某,{ev},300,2026/3/5\n".encode()
    r = alice.post(
        f"/api/cases/{case}/transfers/import",
        params={"name": "交易.csv"},
        content=table,
        headers={"Content-Type": "application/octet-stream"},
    )
    assert r.status_code == 201 and r.json()["imported"] == 1
    case_json = alice.get(f"/api/cases/{case}").json()
    assert case_json["parties"][0]["facts"] == {"illegal_gains_yuan": 100}
    assert [
        (t["buyer"], t.get("price_yuan"), str(t.get("date"))) for t in case_json["transfers"]
    ] == [
        ("李某", 6000, "2026-03-01"),
        ("赵某", 300, "2026-03-05"),
    ]


def test_two_users_run_jobs_at_the_same_time(login: Any) -> None:
    alice, bob = login("alice"), login("bob")
    cases = {alice: alice.new_case("甲"), bob: bob.new_case("乙")}
    jobs = {}
    for who, case in cases.items():
        who.upload(case, "名单.csv", CSV)
        r = who.post(f"/api/cases/{case}/jobs", json={"kind": "count"})
        jobs[who] = r.json()["job"]
    for who, job in jobs.items():
        done = who.wait(job)
        assert done["status"] == "done" and done["created_by"] == who.name
    for who, case in cases.items():
        assert who.get(f"/api/cases/{case}/counts").json()["count"]["records_read"] == 2
