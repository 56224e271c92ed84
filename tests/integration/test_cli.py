"""The ``hrclinic`` command as a person runs it: exact names, one clear line for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PASSWORD = "correct horse battery 9"


def run(
    *args: str, stdin: str | None = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    full_env.pop("HRCLINIC_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=240,
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0], lines[0]


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli") / "clinic"
    result = run(
        "init",
        "--data-dir",
        str(data_dir),
        "--clinic",
        "Zoë's Clinic",
        "--owner",
        "maya",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "RECOVERY KEY" in result.stdout
    return data_dir


def test_init_prints_the_recovery_key_once_and_creates_the_files(clinic: Path) -> None:
    assert (clinic / "clinic.db").is_file() and (clinic / "keyring.json").is_file()
    ring = json.loads((clinic / "keyring.json").read_text())
    kdf = ring["users"]["maya"]["password"]["kdf"]
    assert kdf["memory_kib"] >= 65536 and kdf["iterations"] >= 3


def test_verify_says_sound_in_one_line(clinic: Path) -> None:
    result = run("verify", "--data-dir", str(clinic), "--user", "maya", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("sound:") and len(result.stdout.splitlines()) == 1


def test_init_refuses_an_existing_clinic_and_weak_or_empty_passwords(clinic: Path, tmp_path: Path) -> None:
    assert_one_clear_line(
        run(
            "init",
            "--data-dir",
            str(clinic),
            "--clinic",
            "X",
            "--owner",
            "x",
            "--password-stdin",
            stdin=PASSWORD,
        ),
        "already exists",
    )
    assert_one_clear_line(
        run(
            "init",
            "--data-dir",
            str(tmp_path / "n"),
            "--clinic",
            "X",
            "--owner",
            "x",
            "--password-stdin",
            stdin="short\n",
        ),
        "at least 10",
    )
    assert_one_clear_line(
        run(
            "init",
            "--data-dir",
            str(tmp_path / "n"),
            "--clinic",
            "X",
            "--owner",
            "x",
            "--password-stdin",
            stdin="",
        ),
        "No password was given",
    )
    assert not (tmp_path / "n").exists()


@pytest.mark.parametrize(
    ("user", "password", "fragment"),
    [
        ("maya", "wrong password here", "not right"),
        ("nobody", PASSWORD, "not right"),
        ("maya", "", "No password"),
    ],
)
def test_verify_refuses_bad_credentials(clinic: Path, user: str, password: str, fragment: str) -> None:
    assert_one_clear_line(
        run("verify", "--data-dir", str(clinic), "--user", user, "--password-stdin", stdin=password), fragment
    )


def test_verify_reports_missing_or_foreign_folders(tmp_path: Path) -> None:
    assert_one_clear_line(
        run(
            "verify", "--data-dir", str(tmp_path / "absent"), "--user", "maya", "--password-stdin", stdin="x"
        ),
        "does not exist",
    )
    assert_one_clear_line(
        run("verify", "--data-dir", str(tmp_path), "--user", "maya", "--password-stdin", stdin="x"),
        "not an hrclinic clinic folder",
    )


def test_verify_reports_a_corrupted_key_ring(clinic: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(clinic, copy)
    (copy / "keyring.json").write_text((copy / "keyring.json").read_text()[:200])
    assert_one_clear_line(
        run("verify", "--data-dir", str(copy), "--user", "maya", "--password-stdin", stdin=PASSWORD),
        "damaged",
    )


def test_verify_reports_a_file_that_is_not_a_clinic_database(clinic: Path, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(clinic, copy)
    for extra in copy.glob("clinic.db-*"):
        extra.unlink()
    (copy / "clinic.db").write_bytes(b"this is not a database at all" * 100)
    assert_one_clear_line(
        run("verify", "--data-dir", str(copy), "--user", "maya", "--password-stdin", stdin=PASSWORD),
        "does not open with this clinic's key",
    )


def test_verify_finds_a_tampered_audit_chain_and_exits_non_zero(clinic: Path, tmp_path: Path) -> None:
    import shutil

    from sqlalchemy import text

    from hrclinic.services.clinic import unlock

    copy = tmp_path / "copy"
    shutil.copytree(clinic, copy)
    opened = unlock(copy, "maya", PASSWORD, audit_login=False)
    with opened.engine.begin() as conn:
        conn.execute(text("UPDATE audit_events SET action = 'user.deactivated' WHERE seq = 2"))
    opened.close()
    result = run("verify", "--data-dir", str(copy), "--user", "maya", "--password-stdin", stdin=PASSWORD)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "audit row 2 was altered" in result.stderr


def test_usage_mistakes_are_one_line(clinic: Path) -> None:
    result = run("verify", "--data-dir", str(clinic))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "--user" in result.stderr


def test_self_test_passes() -> None:
    result = run("self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout


def test_demo_without_gui_creates_documented_users_and_reopens(tmp_path: Path) -> None:
    from hrclinic.demo.logins import DEMO_USERS
    from hrclinic.demo.people import FIXED_PEOPLE
    from hrclinic.services import clients, notes
    from hrclinic.services.clinic import unlock

    data_dir = tmp_path / "demo"
    first = run("demo", "--data-dir", str(data_dir), "--no-gui")
    assert first.returncode == 0, first.stderr
    for user in DEMO_USERS:
        assert f"{user.username} / {user.password}" in first.stdout
    again = run("demo", "--data-dir", str(data_dir), "--no-gui")
    assert again.returncode == 0 and "Reopening" in again.stdout
    for user in DEMO_USERS:
        opened = unlock(data_dir, user.username, user.password, audit_login=False)
        assert opened.actor.role is user.role
        opened.close()
    clinician = unlock(data_dir, DEMO_USERS[1].username, DEMO_USERS[1].password)
    names = {c.preferred_name for c in clients.list_clients(clinician, limit=1000)}
    assert set(FIXED_PEOPLE) <= names and len(names) > 200
    assert any(not name.isascii() for name in names - set(FIXED_PEOPLE))
    from hrclinic.domain.registry import possible_duplicates
    from hrclinic.services import registry

    rows = registry.registry_rows(clinician)
    assert {r.status for r in rows} >= {"active", "lost_contact", "paused", "moved_on"}
    sam = next(r for r in rows if r.preferred_name == "Samuel Okoye")
    assert possible_duplicates(
        [r for r in rows if r.id != sam.id], preferred_name="Samuel Okoye", phone=sam.phone
    )  # a duplicate pair for the owner's Merge records
    zoe = registry.person_detail(
        clinician, next(r.id for r in rows if r.preferred_name == "Zoë Łukasiewicz-Şahin")
    )
    assert zoe.screenings or zoe.reason_own_words or zoe.needs
    with_notes = [
        c for c in clients.list_clients(clinician, limit=1000) if notes.read_clinical_notes(clinician, c.id)
    ]
    assert with_notes
    # a former colleague left: deactivated, their notes still readable by the others after the keys
    # changed, and their old password opens nothing
    from hrclinic.demo.logins import FORMER_COLLEAGUE
    from hrclinic.errors import WrongCredentials

    alex_notes = [
        note
        for person in clients.list_clients(clinician, limit=1000)
        for note in notes.read_clinical_notes(clinician, person.id)
        if note.author_name == FORMER_COLLEAGUE.display_name
    ]
    assert alex_notes and not any(note.unopenable for note in alex_notes)
    assert clinician.keys.epoch >= 1  # the delivery of the new keys was taken at this log-in
    clinician.close()
    with pytest.raises(WrongCredentials):
        unlock(data_dir, FORMER_COLLEAGUE.username, FORMER_COLLEAGUE.password)


def test_a_password_that_is_not_utf8_text_is_one_clear_line(clinic: Path) -> None:
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.launcher",
            "verify",
            "--data-dir",
            str(clinic),
            "--user",
            "maya",
            "--password-stdin",
        ],
        input=b"\xff\xfe broken\n",
        capture_output=True,
        env=full_env,
        timeout=120,
    )
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert b"not valid UTF-8" in result.stderr
