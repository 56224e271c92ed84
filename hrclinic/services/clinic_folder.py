"""A new clinic folder is built beside its target and renamed into place, so it appears whole or not at all.

A clinic is a folder holding ``clinic.db`` and ``keyring.json``. Creating them in place took a second
or so, and a kill (power cut, SIGKILL, a crash) part-way left a folder that could be neither opened
(no key ring) nor initialised again ("a clinic already exists"). Instead the whole folder is built
under a hidden name in the same parent, on the same file system, flushed to disk, and then renamed
to the target in one step (``rename(2)`` replaces an empty folder atomically on POSIX). Whatever
moment a kill comes, the target is missing (or still empty) or it is a finished clinic.

A build that was killed leaves its hidden folder behind. Every build first creates a hidden lock
file beside its folder (``<folder>.lock``) and holds a lock on it (``flock`` on POSIX,
``msvcrt.locking`` on Windows) until its folder has been renamed away; the operating system drops
the lock when the process dies, so the next ``init`` for the same target removes every build folder
and lock file that nobody holds. Messages name the target the person asked for, never a hidden name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from hrclinic.errors import ClinicExists, FolderNotEmpty, NotAClinic
from hrclinic.paths import ClinicPaths

BUILD_MARK = ".hrclinic-init-"
LOCK_SUFFIX = ".lock"


def build_prefix(target: Path) -> str:
    """The hidden name every build folder for ``target`` starts with (beside it, in its parent)."""
    return f".{target.name[:80]}{BUILD_MARK}"


def check_new_clinic_folder(target: Path) -> None:
    """Refuse a target that holds a clinic, part of one, or anything else; missing or empty is fine."""
    if target.is_symlink() and not target.exists():
        raise NotAClinic(f"{target} is a link to a folder that does not exist.")
    if target.exists() and not target.is_dir():
        raise NotAClinic(f"{target} is a file, not a folder; choose a folder for the clinic.")
    paths = ClinicPaths(target)
    has_ring, has_database = paths.keyring.exists(), paths.database.exists()
    if has_ring and has_database:
        raise ClinicExists(f"A clinic already exists in {target}.")
    if has_ring or has_database:
        present, missing = ("clinic.db", "keyring.json") if has_database else ("keyring.json", "clinic.db")
        raise ClinicExists(
            f"A clinic already exists in {target}, but incomplete: it has {present} without {missing}. "
            f"hrclinic will not overwrite it. Restore {missing} from a backup, or move the folder away "
            "and create the clinic again."
        )
    if target.is_dir():
        try:
            holds_something = any(target.iterdir())
        except OSError as exc:
            raise NotAClinic(f"Cannot read the folder {target} ({exc.strerror}).") from None
        if holds_something:
            raise FolderNotEmpty(
                f"The folder {target} already holds other files. A new clinic needs a new or empty "
                "folder: choose another one, or move those files away."
            )


@contextlib.contextmanager
def building_clinic_folder(target: Path) -> Iterator[Path]:
    """Yield a hidden folder beside ``target`` to build the clinic in; on success rename it to ``target``.

    When the body raises, the hidden folder is removed and ``target`` is left as it was.
    """
    shown = Path(target)
    check_new_clinic_folder(shown)
    real = shown.resolve()  # build beside the real folder of a symlinked target: one file system
    made_parents = [folder for folder in real.parents if not folder.exists()]
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NotAClinic(f"Cannot create the folder {shown} ({exc.strerror}).") from None
    remove_stale_builds(real)
    lock: BinaryIO | None = None
    lock_path: Path | None = None
    build: Path | None = None

    def release() -> None:
        if lock is not None:
            lock.close()
        if lock_path is not None:
            lock_path.unlink(missing_ok=True)

    try:
        # the lock file first, the folder second: a build folder never exists without its held lock
        fd, lock_name = tempfile.mkstemp(prefix=build_prefix(real), suffix=LOCK_SUFFIX, dir=real.parent)
        lock_path = Path(lock_name)
        lock = os.fdopen(fd, "wb")
        _try_lock(lock)
        build = lock_path.with_name(lock_path.name[: -len(LOCK_SUFFIX)])
        build.mkdir(mode=0o700)
        try:
            yield build
        except OSError as exc:
            raise NotAClinic(f"Cannot create the clinic in {shown} ({exc.strerror or exc}).") from None
        _fsync_dir(build)
        _rename_into_place(build, real, shown)
    except BaseException as exc:
        if build is not None:
            shutil.rmtree(build, ignore_errors=True)
        release()
        _remove_empty(made_parents)
        if isinstance(exc, OSError):  # making the lock file or the folder, flushing it
            raise NotAClinic(f"Cannot create the clinic in {shown} ({exc.strerror or exc}).") from None
        raise
    # The clinic is in place: from here nothing may report a failure.
    release()
    with contextlib.suppress(OSError):
        _fsync_dir(real.parent)


def _remove_empty(folders: list[Path]) -> None:
    """Take back the parent folders this build made (innermost first), if they are still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


def remove_stale_builds(target: Path) -> list[Path]:
    """Remove the hidden folders and lock files of killed ``init`` runs for ``target``; returns them."""
    prefix = build_prefix(target)
    removed: list[Path] = []
    try:
        entries = [entry for entry in target.parent.iterdir() if entry.name.startswith(prefix)]
    except OSError:
        return removed
    for entry in entries:
        if entry.name.endswith(LOCK_SUFFIX) or entry.is_symlink():
            continue
        lock_path = entry.with_name(entry.name + LOCK_SUFFIX)
        if lock_path.exists() and _held(lock_path):
            continue  # a build in progress
        shutil.rmtree(entry, ignore_errors=True)  # its lock file went first: its builder is gone
        if not entry.exists():
            removed.append(entry)
    for entry in entries:
        if entry.name.endswith(LOCK_SUFFIX) and entry.is_file() and not _held(entry):
            folder = entry.with_name(entry.name[: -len(LOCK_SUFFIX)])
            if not folder.exists():
                entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed


def _held(lock_path: Path) -> bool:
    """True when a living process holds the lock on ``lock_path`` (or it cannot be told)."""
    try:
        handle = open(lock_path, "rb")  # noqa: SIM115 (closed below, which drops a lock we took)
    except FileNotFoundError:
        return False
    except OSError:
        return True  # cannot tell: leave it alone
    with handle:
        return not _try_lock(handle)


def _try_lock(handle: BinaryIO) -> bool:
    """Take an exclusive lock without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _rename_into_place(build: Path, real: Path, shown: Path) -> None:
    try:
        os.rename(build, real)  # POSIX: atomic, and replaces an empty folder
        return
    except OSError as exc:
        failure = exc
    if sys.platform == "win32" and real.is_dir() and not any(real.iterdir()):
        # Windows cannot rename over a folder: remove the empty one first (for a moment there is
        # no folder, never a half-made clinic)
        os.rmdir(real)
        os.rename(build, real)
        return
    if failure.errno in (errno.ENOTEMPTY, errno.EEXIST):
        check_new_clinic_folder(shown)  # someone filled the folder meanwhile: say with what
        raise FolderNotEmpty(f"The folder {shown} was filled while the clinic was being created.")
    raise NotAClinic(f"Cannot create the clinic in {shown} ({failure.strerror}).") from None


def _fsync_dir(folder: Path) -> None:
    """Make a folder's entries durable (a rename is only safe once the folder itself is flushed)."""
    if sys.platform == "win32":
        return  # folders cannot be opened for fsync there; NTFS journals its metadata
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
