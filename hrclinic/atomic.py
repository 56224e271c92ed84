"""Atomic file writes: a temporary file beside the target, fsync, rename, fsync the folder.

Used for every file hrclinic writes that must never be seen half-written: the key ring, PDFs the
person saves (consent forms, the Emergency Kit) and audit anchors.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hrclinic.errors import StorageFull


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves either the old or the new file."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except OSError as exc:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        if exc.errno in (28, 122):  # ENOSPC, EDQUOT
            raise StorageFull(
                f"The disk is full; {path.name} was not changed. Free some space and try again."
            ) from None
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
