"""mark's registry key and mask's pseudonym key follow one set of key-file rules."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.mark import MarkKeyError
from leaktrace.mark import create_key_file as create_mark_key
from leaktrace.mark import load_key as load_mark_key
from leaktrace.redact import create_key_file as create_mask_key
from leaktrace.redact import load_key as load_mask_key

VERBS = [
    pytest.param(create_mark_key, lambda p: load_mark_key(p)[0], MarkKeyError, id="mark"),
    pytest.param(create_mask_key, load_mask_key, InputError, id="mask"),
]


@pytest.mark.parametrize(("create", "load", "error"), VERBS)
def test_a_new_key_is_32_random_bytes_in_a_0600_file_never_overwritten(
    tmp_path: Path, create, load, error
) -> None:
    path = tmp_path / "key.hex"
    key = create(path)
    assert len(key) == 32 and path.read_text() == key.hex() + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load(path) == key
    with pytest.raises(error, match="密钥文件已存在，不会覆盖 key file already exists") as caught:
        create(path)
    assert caught.value.path == str(path) and path.read_text() == key.hex() + "\n"
    assert create(tmp_path / "other.hex") != key


@pytest.mark.parametrize(("create", "load", "error"), VERBS)
def test_a_key_file_others_may_read_or_not_hex_is_refused(
    tmp_path: Path, create, load, error
) -> None:
    path = tmp_path / "key.hex"
    create(path)
    path.chmod(0o640)
    with pytest.raises(error, match=r"可被他人读取（权限 640）.*readable by others \(mode 640\)"):
        load(path)
    path.chmod(0o600)
    path.write_text("not hex\n")
    with pytest.raises(error, match="密钥不是十六进制 the key is not hexadecimal"):
        load(path)
