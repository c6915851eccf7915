"""schemathesis over /openapi.json: no generated request, valid or not, makes the server fail
(no 500). Logged in as an admin member of a case with scanned evidence, so requests reach the
code behind the checks; bounded examples keep it quick."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from tests.serve.conftest import Client, make_workspace

from leaktrace.serve import create_app


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    ws = make_workspace(Path(tmp_path_factory.mktemp("ws")))
    app = create_app(ws)
    root = Client(app, "root")
    case = root.new_case("接口测试")
    root.upload(case, "名单.csv", "姓名,手机号\n张三,13812345678\n".encode())
    root.run(case, "scan")
    token = root.http.cookies.get("lt_session")
    yield app, {"X-CSRF-Token": root.csrf, "Cookie": f"lt_session={token}"}
    ws.close()


@pytest.fixture(scope="module")
def api_schema(api: tuple[Any, dict[str, str]]) -> Any:
    app, _ = api
    # logging out would end the session the other requests use
    return schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path="/api/logout")


def test_no_request_makes_the_server_fail(api_schema: Any, api: tuple[Any, dict[str, str]]) -> None:
    _, headers = api
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        check()
