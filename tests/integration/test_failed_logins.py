"""The failed-log-in file beside the database, and the growing wait it drives.

The file can be written by anyone who can write the clinic folder, so these tests craft it the way
such a person would (a text editor, a script) and check that log-in still works for everyone, that
what could not be read is audited, and that the wait grows, runs from the last failure, and then
really lets the next attempt through.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hrclinic.domain.accounts import (
    FREE_ATTEMPTS,
    MAX_LOGIN_DELAY_SECONDS,
    login_delay_seconds,
    seconds_until_next_attempt,
)
from hrclinic.domain.audit import AuditAction
from hrclinic.errors import TooManyAttempts, WrongCredentials
from hrclinic.services import clinic as clinic_service
from hrclinic.services import failed_logins, passwords
from hrclinic.services.clinic import UnlockedClinic, lock, unlock
from hrclinic.services.failed_logins import login_wait, note_failed_login, read_failed_logins
from hrclinic.services.verify import verify_clinic
from hrclinic.store.records import AuditEventRecord
from tests.conftest import CLINICIAN, FAST_KDF, OWNER, ClinicFixture


class FakeUtcClock:
    """The failed-log-in rules' clock, moved by hand (no sleeping)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeUtcClock:
    fake = FakeUtcClock()
    monkeypatch.setattr(failed_logins, "utc_now", fake)
    return fake


def failed_file(clinic_dir: ClinicFixture) -> Path:
    return clinic_dir.data_dir / "failed-logins.jsonl"


def audit_rows(clinic: UnlockedClinic, action: AuditAction) -> list[dict[str, object]]:
    with clinic.uow() as uow:
        rows = uow.session.scalars(
            select(AuditEventRecord.details)
            .where(AuditEventRecord.action == str(action))
            .order_by(AuditEventRecord.seq)
        ).all()
    return [json.loads(details) for details in rows]


def fail(clinic_dir: ClinicFixture, who: tuple[str, str] = OWNER) -> None:
    with pytest.raises(WrongCredentials):
        unlock(clinic_dir.data_dir, who[0], "not the password 0", kdf=FAST_KDF)


def log_in(clinic_dir: ClinicFixture, who: tuple[str, str]) -> UnlockedClinic:
    opened = clinic_dir.login(who)
    lock(opened)
    return opened


# --- the pure rule ------------------------------------------------------------------------------


def test_the_wait_grows_is_capped_and_runs_from_the_last_failure() -> None:
    assert [login_delay_seconds(n) for n in range(FREE_ATTEMPTS)] == [0] * FREE_ATTEMPTS
    assert [login_delay_seconds(n) for n in range(FREE_ATTEMPTS, FREE_ATTEMPTS + 4)] == [2, 4, 8, 16]
    assert login_delay_seconds(10_000) == MAX_LOGIN_DELAY_SECONDS
    last = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert seconds_until_next_attempt(4, last, last) == 4
    assert seconds_until_next_attempt(4, last, last + timedelta(seconds=2.5)) == 2  # rounded up
    assert seconds_until_next_attempt(4, last, last + timedelta(seconds=4)) == 0
    assert seconds_until_next_attempt(2, last, last) == 0
    # a failure dated ahead of the clock never makes the wait longer than the delay itself
    assert seconds_until_next_attempt(4, last + timedelta(days=9), last) == 4


# --- a damaged or crafted file --------------------------------------------------------------------


def test_crafted_lines_never_stop_a_log_in_and_their_number_is_audited(
    clinic_dir: ClinicFixture, clock: FakeUtcClock
) -> None:
    path = failed_file(clinic_dir)
    at = clock.now.isoformat()
    crafted = [
        json.dumps({"at": at, "username": "owner\nsession.login", "reason": "wrong_password"}).encode(),
        json.dumps({"at": at, "username": "x" * 300, "reason": "wrong_password"}).encode(),
        json.dumps({"at": at, "username": "owner", "reason": "a reason\nwith a break"}).encode(),
        json.dumps({"at": "yesterday", "username": "owner", "reason": "wrong_password"}).encode(),
        json.dumps({"at": "2026-03-02T09:00:00", "username": "owner", "reason": "wrong_password"}).encode(),
        b"\xff\xfe\x00\x01 binary junk \x9c",
        b"[1, 2, 3]",
        b'"just a string"',
        b"null",
        b"{" * 5_000,
        b'{"at": "' + b"9" * 1_000_000 + b'"}',  # one line of 1 MB
    ]
    note_failed_login(path, "therapist", "wrong_password")  # one honest entry among them
    with path.open("ab") as handle:
        handle.write(b"\n".join(crafted) + b"\n")

    owner = clinic_dir.login(OWNER)

    assert audit_rows(owner, AuditAction.FAILED_LOGINS_UNREADABLE) == [{"unreadable_lines": len(crafted)}]
    failures = audit_rows(owner, AuditAction.LOGIN_FAILED)
    assert [(f["username_tried"], f["reason"]) for f in failures] == [("therapist", "wrong_password")]
    lock(owner)
    # reported once: the next unlock has nothing more to say about them
    again = clinic_dir.login(CLINICIAN)
    assert len(audit_rows(again, AuditAction.FAILED_LOGINS_UNREADABLE)) == 1
    assert len(audit_rows(again, AuditAction.LOGIN_FAILED)) == 1
    assert path.stat().st_size < 1_000


def test_a_huge_file_is_read_from_its_end_and_still_lets_everyone_in(
    clinic_dir: ClinicFixture, clock: FakeUtcClock
) -> None:
    path = failed_file(clinic_dir)
    path.write_bytes(b"x" * (6 * 1024 * 1024) + b"\n")
    note_failed_login(path, "owner", "wrong_password")
    owner = clinic_dir.login(OWNER)
    assert audit_rows(owner, AuditAction.FAILED_LOGINS_UNREADABLE) == [{"unreadable_lines": 1}]
    assert len(audit_rows(owner, AuditAction.LOGIN_FAILED)) == 1


def test_a_crafted_file_cannot_make_anyone_wait_longer_than_the_longest_wait(
    clinic_dir: ClinicFixture, clock: FakeUtcClock
) -> None:
    path = failed_file(clinic_dir)
    far_ahead = clock.now + timedelta(days=3650)
    lines = [
        json.dumps({"at": far_ahead.isoformat(), "username": "owner", "reason": "wrong_password"})
        for _ in range(200)
    ]
    lines += [
        json.dumps({"at": clock.now.isoformat(), "username": "therapist", "reason": "wrong_password"})
        for _ in range(5_000)
    ]
    path.write_text("\n".join(lines) + "\n")
    assert login_wait(path, "owner") == 0  # dated ten years ahead: never counts
    assert login_wait(path, "therapist") == MAX_LOGIN_DELAY_SECONDS
    clock.advance(MAX_LOGIN_DELAY_SECONDS)
    log_in(clinic_dir, CLINICIAN)


# --- the growing wait -------------------------------------------------------------------------


def test_the_wait_runs_from_the_last_failure_and_then_the_right_password_works(
    clinic_dir: ClinicFixture, clock: FakeUtcClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(FREE_ATTEMPTS):
        fail(clinic_dir)
        clock.advance(1)
    clock.advance(-1)  # now: the moment of the third failure
    path = failed_file(clinic_dir)
    assert login_wait(path, "owner") == 2

    tried: list[str] = []

    def must_not_run(*_args: object, **_kwargs: object) -> object:
        tried.append("unwrapped")
        raise AssertionError("the password was tried during the wait")

    with monkeypatch.context() as patch:
        for name in ("open_with_password", "unwrap_with_password"):
            patch.setattr(clinic_service, name, must_not_run, raising=False)
        clock.advance(1)
        with pytest.raises(TooManyAttempts) as refused:
            unlock(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)
    assert refused.value.seconds == 1
    assert "try again in 1 s" in refused.value.message
    assert tried == []  # refused without spending Argon2 time ...
    assert len(read_failed_logins(path).entries) == FREE_ATTEMPTS  # ... and not counted as a failure

    clock.advance(1)
    assert login_wait(path, "owner") == 0
    fail(clinic_dir)  # the fourth failure: really tried, and the wait doubles from it
    assert login_wait(path, "owner") == 4
    clock.advance(3)
    with pytest.raises(TooManyAttempts):
        unlock(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)
    clock.advance(1)
    log_in(clinic_dir, OWNER)  # the right password, once the wait has passed
    assert login_wait(path, "owner") == 0
    fail(clinic_dir)  # the count started again at the successful log-in
    assert login_wait(path, "owner") == 0


def test_the_count_ends_after_the_failure_window(clinic_dir: ClinicFixture, clock: FakeUtcClock) -> None:
    for _ in range(6):
        fail(clinic_dir)
        clock.advance(MAX_LOGIN_DELAY_SECONDS)  # each wait served before the next attempt
    fail(clinic_dir)
    assert login_wait(failed_file(clinic_dir), "owner") == 32
    clock.advance(failed_logins.FAILURE_WINDOW.total_seconds() + 1)
    fail(clinic_dir)
    assert login_wait(failed_file(clinic_dir), "owner") == 0


def test_another_users_log_in_does_not_reset_the_count(
    clinic_dir: ClinicFixture, clock: FakeUtcClock
) -> None:
    for _ in range(FREE_ATTEMPTS):
        fail(clinic_dir, OWNER)
    path = failed_file(clinic_dir)
    assert login_wait(path, "owner") == 2

    therapist = clinic_dir.login(CLINICIAN)
    # the owner's failures are in the audit chain now, and still count for the owner's wait
    assert [f["username_tried"] for f in audit_rows(therapist, AuditAction.LOGIN_FAILED)] == ["owner"] * 3
    lock(therapist)
    assert login_wait(path, "owner") == 2
    assert login_wait(path, "therapist") == 0
    with pytest.raises(TooManyAttempts):
        unlock(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)

    # marked, not audited twice
    clock.advance(2)
    owner = clinic_dir.login(OWNER)
    assert len(audit_rows(owner, AuditAction.LOGIN_FAILED)) == 3
    lock(owner)
    assert read_failed_logins(path).entries == ()  # nothing left that anyone needs


def test_each_account_waits_for_its_own_failures_only(clinic_dir: ClinicFixture, clock: FakeUtcClock) -> None:
    for _ in range(FREE_ATTEMPTS + 1):
        clock.advance(MAX_LOGIN_DELAY_SECONDS)
        fail(clinic_dir, OWNER)
    path = failed_file(clinic_dir)
    assert login_wait(path, "owner") == 4
    log_in(clinic_dir, CLINICIAN)  # not slowed down by the owner's failures
    with pytest.raises(WrongCredentials) as unknown:
        unlock(clinic_dir.data_dir, "nobody", "whatever it is 1", kdf=FAST_KDF)
    assert not isinstance(unknown.value, TooManyAttempts)
    assert login_wait(path, "nobody") == 0


def test_verify_is_throttled_like_a_log_in(clinic_dir: ClinicFixture, clock: FakeUtcClock) -> None:
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(WrongCredentials):
            verify_clinic(clinic_dir.data_dir, "owner", "not the password 0", kdf=FAST_KDF)
    with pytest.raises(TooManyAttempts):
        verify_clinic(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)
    clock.advance(2)
    fail(clinic_dir)  # log-in and verify share one count per account: this is the fourth failure
    assert login_wait(failed_file(clinic_dir), "owner") == 4
    clock.advance(4)
    report = verify_clinic(clinic_dir.data_dir, *OWNER, kdf=FAST_KDF)  # tried: it runs its checks
    assert report.audit_rows > 0
    assert login_wait(failed_file(clinic_dir), "owner") == 0  # the right password ends the wait
    owner = clinic_dir.login(OWNER)  # the verify failures still reach the audit chain at log-in
    assert len(audit_rows(owner, AuditAction.LOGIN_FAILED)) == FREE_ATTEMPTS + 1


def test_a_recovery_reset_ends_that_accounts_wait(clinic_dir: ClinicFixture, clock: FakeUtcClock) -> None:

    for _ in range(FREE_ATTEMPTS + 2):
        clock.advance(MAX_LOGIN_DELAY_SECONDS)
        fail(clinic_dir, OWNER)
    assert login_wait(failed_file(clinic_dir), "owner") == 8
    opened = passwords.reset_password_with_recovery_key(
        clinic_dir.data_dir, "owner", clinic_dir.recovery_key, "a brand new phrase 77", kdf=FAST_KDF
    )
    clinic_dir.opened.append(opened)
    lock(opened)
    assert login_wait(failed_file(clinic_dir), "owner") == 0


def test_hrclinic_verify_says_how_long_to_wait(
    clinic_dir: ClinicFixture, clock: FakeUtcClock, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    import io
    import sys

    from hrclinic.cli import EXIT_PROBLEM, main

    for _ in range(FREE_ATTEMPTS + 1):
        note_failed_login(failed_file(clinic_dir), "owner", "wrong_password")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(OWNER[1].encode() + b"\n")))
    code = main(["verify", "--data-dir", str(clinic_dir.data_dir), "--user", "owner", "--password-stdin"])
    assert code == EXIT_PROBLEM
    assert capsys.readouterr().err.strip() == (
        "hrclinic: Several attempts did not match. You can try again in 4 s."
    )


def test_guessing_the_current_password_in_an_open_session_is_slowed_down_too(
    clinic_dir: ClinicFixture, clock: FakeUtcClock
) -> None:
    from hrclinic.errors import ValidationError

    therapist = clinic_dir.login(CLINICIAN)
    for _ in range(FREE_ATTEMPTS):
        with pytest.raises(ValidationError, match="not right"):
            passwords.change_own_password(therapist, "a guess at it 1", "a new phrase 88", kdf=FAST_KDF)
    with pytest.raises(ValidationError, match="try again in 2 s") as waiting:
        passwords.change_own_password(therapist, CLINICIAN[1], "a new phrase 88", kdf=FAST_KDF)
    assert waiting.value.field == "current_password"
    assert login_wait(failed_file(clinic_dir), "therapist") == 2  # the same wait as at log-in
    clock.advance(2)
    passwords.change_own_password(therapist, CLINICIAN[1], "a new phrase 88", kdf=FAST_KDF)
    assert login_wait(failed_file(clinic_dir), "therapist") == 0
    lock(therapist)
    owner = clinic_dir.login(OWNER)  # the guesses reach the audit chain at the next log-in
    reasons = [f["reason"] for f in audit_rows(owner, AuditAction.LOGIN_FAILED)]
    assert reasons == ["wrong_current_password"] * FREE_ATTEMPTS
