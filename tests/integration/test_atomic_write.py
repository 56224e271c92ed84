"""The atomic-write helper: the old file or the new one, never half of either."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from hrclinic.atomic import write_atomically
from hrclinic.errors import StorageFull


def test_a_file_is_replaced_whole_and_no_temporary_file_is_left(tmp_path: Path) -> None:
    target = tmp_path / "keyring.json"
    write_atomically(target, b"old")
    write_atomically(target, b"new contents")
    assert target.read_bytes() == b"new contents"
    assert [p.name for p in tmp_path.iterdir()] == ["keyring.json"]


def test_a_full_disk_keeps_the_old_file_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "form.pdf"
    target.write_bytes(b"the printed form")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageFull, match=r"disk is full; form\.pdf was not changed"):
        write_atomically(target, b"half a new form")
    assert target.read_bytes() == b"the printed form"
    assert [p.name for p in tmp_path.iterdir()] == ["form.pdf"]
