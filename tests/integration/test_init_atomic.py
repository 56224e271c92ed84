"""``init`` is atomic: a SIGKILL at any moment leaves no clinic or a working one, never half of one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hrclinic.errors import ClinicExists, FolderNotEmpty, NotAClinic
from hrclinic.services.clinic import create_clinic, lock, unlock
from hrclinic.services.clinic_folder import BUILD_MARK, remove_stale_builds
from hrclinic.services.verify import check_unlocked
from tests.conftest import FAST_KDF, OWNER

ROOT = Path(__file__).resolve().parents[2]
CLI_PASSWORD = "correct horse battery 9"

# A child that creates a clinic and stops dead at one named moment (printing "AT <moment>" and
# sleeping), so the parent can SIGKILL it exactly there. Only the child's own copies of the
# functions are wrapped; create_clinic itself runs unchanged.
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path

    import hrclinic.services.clinic as clinic
    import hrclinic.services.clinic_folder as folder
    from hrclinic.store.uow import UnitOfWork
    from hrclinic.vault.keyring_file import KeyRingFile
    from hrclinic.vault.primitives import KdfParams

    target, stop_at = Path(sys.argv[1]), sys.argv[2]

    def stop(moment):
        if moment == stop_at:
            print("AT", moment, flush=True)
            time.sleep(600)

    def around(owner, name, moment):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            stop("before_" + moment)
            result = original(*args, **kwargs)
            stop("after_" + moment)
            return result

        setattr(owner, name, wrapper)

    around(folder, "remove_stale_builds", "clean")
    around(clinic, "sqlcipher_engine", "engine")
    around(clinic, "upgrade", "upgrade")
    around(UnitOfWork, "commit", "commit")
    around(KeyRingFile, "save", "ring_save")
    around(folder, "_rename_into_place", "rename")
    clinic.create_clinic(
        target, clinic_name="Kill Test", owner_username="owner", owner_password=sys.argv[3],
        kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1),
    )
    print("AT done", flush=True)
    """
)

# One moment per step that changes the disk (a "before" that directly follows an "after" with no
# file work between them would repeat it): nothing made yet; lock file and empty build folder; empty
# database; schema; first rows committed; database closed; key ring written; flushed and about to
# be renamed; renamed; finished.
MOMENTS = [
    "after_clean",
    "before_engine",
    "after_engine",
    "after_upgrade",
    "after_commit",
    "before_ring_save",
    "after_ring_save",
    "before_rename",
    "after_rename",
    "done",
]


def _kill_at(target: Path, moment: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(target), moment, OWNER[1]],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line == f"AT {moment}", (line, proc.stderr.read() if proc.stderr else "")
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def _hidden_leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if BUILD_MARK in p.name)


def _opens_and_verifies(target: Path, who: tuple[str, str]) -> None:
    clinic = unlock(target, *who, kdf=FAST_KDF)
    try:
        report = check_unlocked(clinic, kdf_floor=FAST_KDF)
        assert report.sound, report.problems
    finally:
        lock(clinic)


def _can_be_initialised_again(target: Path) -> None:
    create_clinic(
        target, clinic_name="Second try", owner_username=OWNER[0], owner_password=OWNER[1], kdf=FAST_KDF
    )
    _opens_and_verifies(target, OWNER)
    assert _hidden_leftovers(target) == []  # the killed build was cleaned away, not in the way


# Each kill is at a moment the child announces, so there is no timing to race; the timeout only
# guards against a child that never gets there.
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("moment", "target_exists"),
    [
        *((moment, False) for moment in MOMENTS),
        # an existing empty folder is replaced by the finished one in the same single rename
        *((moment, True) for moment in ("after_engine", "before_rename", "after_rename")),
    ],
)
def test_a_kill_at_any_moment_of_init_leaves_nothing_or_a_working_clinic(
    tmp_path: Path, moment: str, target_exists: bool
) -> None:
    target = tmp_path / "clinic"
    if target_exists:
        target.mkdir()
    _kill_at(target, moment)
    if moment in ("after_rename", "done"):
        assert (target / "keyring.json").is_file() and (target / "clinic.db").is_file()
        _opens_and_verifies(target, OWNER)
        # nothing with keys is left beside it: at most the empty lock file of a build killed after
        # its rename, which the next init for this name (or this clean-up) removes
        assert all(name.endswith(".lock") for name in _hidden_leftovers(target))
        remove_stale_builds(target)
        assert _hidden_leftovers(target) == []
    else:
        assert not target.exists() or not any(target.iterdir()), sorted(os.listdir(target))
        if target_exists:
            assert target.is_dir()  # the person's empty folder is still there, still empty
        with pytest.raises(NotAClinic):
            unlock(target, *OWNER, kdf=FAST_KDF)  # plainly "no clinic here", not a damaged one
        _can_be_initialised_again(target)


@pytest.mark.slow  # the real command with the production Argon2id parameters
@pytest.mark.timeout(240)
def test_the_init_command_killed_at_increasing_delays_leaves_nothing_or_a_working_clinic(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    outcomes: list[str] = []
    # None: not killed, the command finishes (init takes ~1.3 s here, most of it imports)
    for i, delay in enumerate([0.05, 0.4, 0.7, 0.9, 1.1, 1.3, None]):
        target = tmp_path / f"run{i}" / "clinic"
        proc = subprocess.Popen(
            [sys.executable, "-m", "hrclinic", "init", "--data-dir", str(target), "--clinic", "K",
             "--owner", "maya", "--password-stdin"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert proc.stdin is not None
        proc.stdin.write(f"{CLI_PASSWORD}\n".encode())
        proc.stdin.close()
        try:
            proc.wait(timeout=delay if delay is not None else 120)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        if target.exists() and any(target.iterdir()):
            outcomes.append("clinic")
            _opens_and_verifies(target, ("maya", CLI_PASSWORD))
        else:
            outcomes.append("nothing")
            _can_be_initialised_again(target)
    assert outcomes[0] == "nothing" and outcomes[-1] == "clinic", outcomes


def test_a_stale_build_of_a_killed_init_never_blocks_and_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "clinic"
    _kill_at(target, "after_ring_save")  # a whole clinic, still under its hidden name
    leftovers = _hidden_leftovers(target)
    assert leftovers and not target.exists()
    _can_be_initialised_again(target)


def test_a_folder_that_is_not_empty_or_holds_part_of_a_clinic_is_refused_untouched(tmp_path: Path) -> None:
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine")
    with pytest.raises(FolderNotEmpty, match="already holds other files"):
        create_clinic(full, clinic_name="X", owner_username="olive", owner_password=OWNER[1], kdf=FAST_KDF)
    assert sorted(os.listdir(full)) == ["notes.txt"]

    half = tmp_path / "half"
    half.mkdir()
    (half / "clinic.db").write_bytes(b"an old, unfinished set-up")
    with pytest.raises(ClinicExists, match=r"clinic\.db without keyring\.json"):
        create_clinic(half, clinic_name="X", owner_username="olive", owner_password=OWNER[1], kdf=FAST_KDF)
    assert (half / "clinic.db").read_bytes() == b"an old, unfinished set-up"
    assert _hidden_leftovers(full) == [] and _hidden_leftovers(half) == []


def test_a_failed_init_removes_its_build_and_names_only_the_real_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hrclinic.services.clinic as clinic_module

    def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device", str(tmp_path / ".clinic.hrclinic-init-x" / "clinic.db"))

    monkeypatch.setattr(clinic_module, "upgrade", no_space)
    target = tmp_path / "deeper" / "clinic"
    with pytest.raises(NotAClinic) as failed:
        create_clinic(target, clinic_name="X", owner_username="olive", owner_password=OWNER[1], kdf=FAST_KDF)
    assert str(target) in failed.value.message and "No space left" in failed.value.message
    assert BUILD_MARK not in failed.value.message
    assert not (tmp_path / "deeper").exists()  # the parent it made is taken back too


def test_init_with_the_kit_in_a_missing_folder_creates_nothing(tmp_path: Path) -> None:
    from tests.integration.test_cli import assert_one_clear_line, run

    args = ("init", "--data-dir", str(tmp_path / "clinic"), "--clinic", "K", "--owner", "maya")
    missing = tmp_path / "missing" / "dir" / "kit.pdf"
    result = run(*args, "--password-stdin", "--kit", str(missing), stdin=f"{CLI_PASSWORD}\n")
    assert_one_clear_line(result, f"The folder {missing.parent} for the Emergency Kit does not exist")
    assert BUILD_MARK not in result.stderr
    assert "RECOVERY KEY" not in result.stdout
    assert os.listdir(tmp_path) == []  # no clinic, no hidden build, no parent folders

    inside = tmp_path / "clinic" / "kit.pdf"  # the recovery key never goes inside the folder it opens
    assert_one_clear_line(
        run(*args, "--password-stdin", "--kit", str(inside), stdin=f"{CLI_PASSWORD}\n"),
        "Keep the Emergency Kit away from the clinic folder",
    )
    assert os.listdir(tmp_path) == []

    (tmp_path / "kits").mkdir()
    asked = tmp_path / "kits" / "emergency-kit.pdf"
    result = run(*args, "--password-stdin", "--kit", str(asked), stdin=f"{CLI_PASSWORD}\n")
    assert result.returncode == 0, result.stderr
    assert asked.read_bytes().startswith(b"%PDF")  # written where asked
    assert f"Emergency Kit saved to {asked}" in result.stdout
    assert f"in {tmp_path / 'clinic'}" in result.stdout and BUILD_MARK not in result.stdout
    assert sorted(os.listdir(tmp_path)) == ["clinic", "kits"]
