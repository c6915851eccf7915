"""The locks install what pyproject.toml declares, every package pinned with its hashes."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REQ = ROOT / "requirements"


def _names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[<>=!~\[ ;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements
    }


def _in_file(name: str) -> set[str]:
    lines = (REQ / name).read_text(encoding="utf-8").splitlines()
    return _names([ln.strip() for ln in lines if ln.strip() and not ln.startswith(("#", "-"))])


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_runtime_dependency_is_in_the_runtime_lock_input() -> None:
    assert _names(_pyproject()["dependencies"]) <= _in_file("runtime.in")


def test_test_only_packages_stay_out_of_the_runtime() -> None:
    runtime = (REQ / "runtime.txt").read_text(encoding="utf-8")
    for package in (
        "phonenumbers",
        "pytest",
        "hypothesis",
        "mypy",
        "ruff",
        "playwright",
        "pyspark",
    ):
        assert not re.search(rf"^{package}==", runtime, re.MULTILINE), package


def test_extras_are_in_their_lock_inputs() -> None:
    extras = _pyproject()["optional-dependencies"]
    assert _names(extras["spark"]) - {"pyarrow"} <= _in_file("spark.in")
    assert _names(extras["dev"]) <= _in_file("dev.in") | _in_file("spark.in")


@pytest.mark.parametrize("lock", ["runtime.txt", "dev.txt", "spark.txt"])
def test_every_locked_package_is_pinned_with_hashes(lock: str) -> None:
    text = (REQ / lock).read_text(encoding="utf-8")
    hashed = r"((?:\s*\\\s*--hash=sha256:[0-9a-f]{64})+)"
    entries = re.findall(r"^([A-Za-z0-9_.\-\[\],]+)==([^ \\]+)" + hashed, text, re.MULTILINE)
    pinned = re.findall(r"^[A-Za-z0-9_.\-\[\],]+==", text, re.MULTILINE)
    assert entries and len(entries) == len(pinned)
