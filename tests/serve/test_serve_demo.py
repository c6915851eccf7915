"""The demo case through the workspace's API: upload as a zip, run every job, and get the same
numbers the CLI prints for the same files (``leaktrace count --json``, ``assess --case --json``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.serve.conftest import Client, make_workspace

from leaktrace.serve import create_app
from leaktrace.synth.demo import DemoCase

JOBS = ("scan", "count", "assess", "chain", "match", "report")


def cli_json(*args: str, cwd: Path) -> Any:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "leaktrace"), *args, "--json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def done(
    tmp_path_factory: pytest.TempPathFactory, demo_zip: Path, demo_case: DemoCase
) -> Iterator[tuple[Client, int, dict[str, Any]]]:
    ws = make_workspace(tmp_path_factory.mktemp("ws"))
    client = Client(create_app(ws), "alice")
    case_id = client.new_case("演示案件")
    r = client.upload(case_id, demo_zip.name, demo_zip.read_bytes(), unpack="true")
    assert r.status_code == 201, r.text
    jobs = {kind: client.run(case_id, kind) for kind in JOBS}
    jobs["trace"] = client.run(
        case_id,
        "trace",
        evidence=demo_case.leaked,
        registry="holder/registry.db",
        key_file="holder/registry.db.key",
    )
    yield client, case_id, jobs
    ws.close()


def test_zip_of_a_case_folder_is_imported_with_hashes(
    done: tuple[Client, int, dict[str, Any]], demo_case: DemoCase
) -> None:
    import hashlib

    client, case_id, _ = done
    listed = client.get(f"/api/cases/{case_id}/evidence", params={"limit": 500}).json()
    rows = {e["path"]: e for e in listed["evidence"]}
    on_disk = [
        p for part in ("evidence", "holder", "sources") for p in (demo_case.dir / part).rglob("*")
    ]
    files = [p for p in on_disk if p.is_file()]
    assert listed["page"]["total"] == len(files)
    for f in files:
        rel = f.relative_to(demo_case.dir).as_posix()
        assert rows[rel]["sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
        assert rows[rel]["size"] == f.stat().st_size
    case = client.get(f"/api/cases/{case_id}").json()
    assert [p["name"] for p in case["parties"]][:3] == ["陈某", "赵某", "刘某"]
    assert case["case_file_problem"] is None


def test_every_job_finishes(done: tuple[Client, int, dict[str, Any]]) -> None:
    _, _, jobs = done
    for kind, job in jobs.items():
        assert job["status"] == "done", (kind, job["error"])


def test_counts_equal_the_cli(
    done: tuple[Client, int, dict[str, Any]], demo_case: DemoCase
) -> None:
    client, case_id, _ = done
    page = client.get(f"/api/cases/{case_id}/counts").json()["count"]
    cli = cli_json("count", "evidence", cwd=demo_case.dir)
    for key in ("items", "by_category", "excluded", "reasons", "records_read", "bare_phone"):
        assert page[key] == cli[key], key
    assert page["page"]["total"] == len(cli["files"])


def test_findings_equal_the_cli(
    done: tuple[Client, int, dict[str, Any]], demo_case: DemoCase
) -> None:
    client, case_id, _ = done
    page = client.get(f"/api/cases/{case_id}/findings").json()["assess"]
    cli = cli_json("assess", "--case", ".", cwd=demo_case.dir)
    assert [p["party"] for p in page["parties"]] == [p["party"] for p in cli["parties"]]
    for mine, theirs in zip(page["parties"], cli["parties"], strict=True):
        assert mine["counts"] == theirs["counts"]
        assert mine["finding"]["level"] == theirs["finding"]["level"]
        assert mine["finding"]["grounds"] == theirs["finding"]["grounds"]


def test_trace_names_the_leaker(
    done: tuple[Client, int, dict[str, Any]], demo_case: DemoCase
) -> None:
    client, case_id, _ = done
    trace = client.get(f"/api/cases/{case_id}/trace").json()["trace"]
    assert [a["recipient"] for a in trace["accused"]] == [demo_case.leaker]
    assert trace["false_accusation_bound"] > 0
    assert trace["leaked"] == demo_case.leaked


def _decode(raw: bytes) -> str:
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return raw.decode("utf-16")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("undecodable test input")


def _digits(text: str) -> str:
    import unicodedata

    return re.sub(r"\D", "", unicodedata.normalize("NFKC", text))


def test_search_finds_a_mobile_in_every_text_file_that_holds_it(
    done: tuple[Client, int, dict[str, Any]], demo_case: DemoCase
) -> None:
    client, case_id, _ = done
    # 赵某's register writes this number as 138-4340-4364 on its data row 2
    found = client.get(f"/api/cases/{case_id}/search", params={"q": "13843404364"}).json()
    assert found["query"][0]["field"] == "mobile"
    assert found["query"][0]["value"] == "138****4364"
    hits = {(h["path"], h["row"]) for h in found["hits"]}
    assert ("evidence/赵某/业主登记.csv", 2) in hits
    assert found["total"] == len(found["hits"])
    # every CSV or TXT file whose text holds the number (in any spelling) is among the hits
    for f in sorted(demo_case.dir.glob("evidence/**/*")):
        if f.suffix not in (".csv", ".txt"):
            continue
        raw = f.read_bytes()
        text = _decode(raw)
        lines = [i for i, line in enumerate(text.splitlines()) if "13843404364" in _digits(line)]
        rel = f.relative_to(demo_case.dir).as_posix()
        assert bool(lines) == any(p == rel for p, _ in hits), rel
    # nothing of the number beyond its mask is in the answer
    assert "13843404364" not in json.dumps(found)


def test_search_by_name_and_room(done: tuple[Client, int, dict[str, Any]]) -> None:
    client, case_id, _ = done
    found = client.get(f"/api/cases/{case_id}/search", params={"q": "马坤 22幢2单元1103室"}).json()
    assert any(k["field"] == "name_room" for k in found["query"])
    assert ("evidence/赵某/业主登记.csv", 1) in {(h["path"], h["row"]) for h in found["hits"]}


def test_unmask_needs_a_reason_and_logs_it(done: tuple[Client, int, dict[str, Any]]) -> None:
    client, case_id, _ = done
    r = client.post(f"/api/cases/{case_id}/unmask", json={"q": "13843404364", "reason": "  "})
    assert r.status_code == 400
    r = client.post(
        f"/api/cases/{case_id}/unmask", json={"q": "13843404364", "reason": "通知受影响的业主"}
    )
    assert r.status_code == 200
    row = next(h for h in r.json()["hits"] if h["path"] == "evidence/赵某/业主登记.csv")
    assert row["cells"]["联系电话"] == "138-4340-4364"
    assert row["cells"]["业主姓名"] == "刘俊平"
    log = client.get(f"/api/cases/{case_id}/audit").json()["entries"]
    unmask = next(e for e in log if e["action"] == "unmask")
    assert unmask["detail"]["reason"] == "通知受影响的业主"
    assert unmask["user_name"] == "alice"


def test_reports_download(done: tuple[Client, int, dict[str, Any]]) -> None:
    client, case_id, _ = done
    names = {r["name"] for r in client.get(f"/api/cases/{case_id}/reports").json()["reports"]}
    assert {"report.html", "report.xlsx", "report.json"} <= names
    r = client.get(f"/api/cases/{case_id}/reports/report.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"]
    html = client.get(f"/cases/{case_id}/reports/report.html")
    assert "sandbox" in html.headers["content-security-policy"]
    log = client.get(f"/api/cases/{case_id}/audit").json()["entries"]
    assert any(e["action"] == "export" and e["detail"]["file"] == "report.xlsx" for e in log)


def test_pages_render_the_results(done: tuple[Client, int, dict[str, Any]]) -> None:
    client, case_id, _ = done
    for path in ("", "/scan", "/counts", "/findings", "/findings/0", "/chain", "/trace", "/audit"):
        r = client.get(f"/cases/{case_id}{path}")
        assert r.status_code == 200, path
        assert '<html lang="zh-CN">' in r.text
    view = client.get(f"/cases/{case_id}/chain/view")
    assert view.status_code == 200 and "cytoscape" in view.text.lower()


def test_search_normalises_the_query_as_the_evidence(
    done: tuple[Client, int, dict[str, Any]],
) -> None:
    client, case_id, _ = done
    plain = client.get(f"/api/cases/{case_id}/search", params={"q": "13843404364"}).json()
    for spelling in ("１３８４３４０４３６４", "+86 138 4340 4364", "138-4340-4364"):
        other = client.get(f"/api/cases/{case_id}/search", params={"q": spelling}).json()
        assert other["total"] == plain["total"] > 0, spelling
    nothing = client.get(f"/api/cases/{case_id}/search", params={"q": "不是号码"}).json()
    assert nothing["query"] == [] and nothing["hits"] == []
