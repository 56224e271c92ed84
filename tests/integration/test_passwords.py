"""Passwords: an owner's reset, one's own change, the recovery key; each audited before the key ring
changes, and a key ring that cannot be written leaves the old password working."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.errors import (
    StorageFull,
    ValidationError,
    WrongCredentials,
)
from hrclinic.services import clients, passwords, users
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.store.records import AuditEventRecord
from hrclinic.vault.keyring_file import KeyRingFile
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture


def _last_action(clinic: UnlockedClinic) -> str:
    with clinic.uow() as uow:
        return uow.session.scalars(
            select(AuditEventRecord.action).order_by(AuditEventRecord.seq.desc())
        ).first()


def _user_id(clinic: UnlockedClinic, username: str):
    return next(u.id for u in users.list_users(clinic) if u.username == username)


def _actions(clinic: UnlockedClinic) -> list[str]:
    with clinic.uow() as uow:
        return list(uow.session.scalars(select(AuditEventRecord.action).order_by(AuditEventRecord.seq)))


def _sound(clinic: UnlockedClinic) -> list[str]:
    with clinic.uow() as uow:
        return verify_chain(uow.session, clinic.keys.anchors.recovery_signing_public).problems


def _full_disk_on_ring_save(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(self: KeyRingFile, path: object) -> None:
        raise StorageFull("The disk is full; keyring.json was not changed.")

    monkeypatch.setattr(KeyRingFile, "save", fail)


def test_owner_reset_sets_a_new_password_that_must_be_changed(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    summary = passwords.reset_password(owner, _user_id(owner, "frontdesk"), "temporary word 55", kdf=FAST_KDF)
    assert summary.must_change_password
    assert _last_action(owner) == AuditAction.PASSWORD_RESET_BY_OWNER
    with pytest.raises(WrongCredentials):
        clinic_dir.login(FRONT_DESK)
    desk = clinic_dir.login(("frontdesk", "temporary word 55"))
    assert not desk.keys.holds_clinical  # the reset did not give front desk more than its role
    passwords.change_own_password(desk, "temporary word 55", "my own words 66", kdf=FAST_KDF)
    assert not next(u for u in users.list_users(desk) if u.username == "frontdesk").must_change_password
    from hrclinic.services.audit import verify_chain

    checker = clinic_dir.login(OWNER)
    with checker.uow() as uow:  # the new signing key, introduced by the owner's reset row, is trusted
        assert verify_chain(uow.session, checker.keys.anchors.recovery_signing_public).sound


def test_changing_ones_own_password_rewraps_the_same_keys(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    before = clinician.keys
    with pytest.raises(ValidationError) as wrong:
        passwords.change_own_password(clinician, "not it", "a new phrase 88")
    assert wrong.value.field == "current_password"
    passwords.change_own_password(clinician, CLINICIAN[1], "a new phrase 88", kdf=FAST_KDF)
    assert _last_action(clinician) == AuditAction.PASSWORD_CHANGED
    with pytest.raises(WrongCredentials):
        clinic_dir.login(CLINICIAN)
    after = clinic_dir.login(("therapist", "a new phrase 88")).keys
    assert replace(after, witness=None) == replace(before, witness=None)  # the witness moves on


def test_recovery_key_resets_a_password_and_restores_the_private_vault(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    private_before = dict(clinician.keys.private)
    lock(clinician)
    with pytest.raises(WrongCredentials, match="does not belong"):
        from hrclinic.vault.recovery import RecoveryKey

        passwords.reset_password_with_recovery_key(
            clinic_dir.data_dir, "therapist", RecoveryKey.generate().text, "forgotten no more 1", kdf=FAST_KDF
        )
    restored = passwords.reset_password_with_recovery_key(
        clinic_dir.data_dir, "therapist", clinic_dir.recovery_key.lower(), "forgotten no more 1", kdf=FAST_KDF
    )
    clinic_dir.opened.append(restored)
    assert restored.keys.private == private_before
    with restored.uow() as uow:  # the reset, then the rotation of the keys the old password opened
        actions = uow.session.scalars(select(AuditEventRecord.action).order_by(AuditEventRecord.seq)).all()
    assert actions[-2:] == [AuditAction.PASSWORD_RESET_WITH_RECOVERY_KEY, AuditAction.KEYS_ROTATION_STARTED]
    again = clinic_dir.login(("therapist", "forgotten no more 1"))
    assert again.keys.private == private_before


def test_owner_reset_gives_a_new_private_vault_and_recovery_restores_the_old(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    old_private = dict(clinician.keys.private)
    lock(clinician)
    owner = clinic_dir.login(OWNER)
    passwords.reset_password(owner, _user_id(owner, "therapist"), "temporary word 55", kdf=FAST_KDF)
    after_reset = clinic_dir.login(("therapist", "temporary word 55"))
    assert not set(old_private) & set(after_reset.keys.private)
    restored = passwords.restore_private_vault(after_reset, "temporary word 55", clinic_dir.recovery_key)
    assert restored == len(old_private)
    assert set(old_private) <= set(clinic_dir.login(("therapist", "temporary word 55")).keys.private)


def test_a_reset_whose_key_ring_cannot_be_written_keeps_the_old_password_and_a_sound_chain(
    clinic_dir: ClinicFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = clinic_dir.login(OWNER)
    desk_id = next(u.id for u in users.list_users(owner) if u.username == "frontdesk")
    with monkeypatch.context() as patch:
        _full_disk_on_ring_save(patch)
        with pytest.raises(StorageFull):
            passwords.reset_password(owner, desk_id, "temporary word 55", kdf=FAST_KDF)
    actions = _actions(owner)
    assert actions[-2:] == [AuditAction.PASSWORD_RESET_BY_OWNER, AuditAction.PASSWORD_CHANGE_NOT_COMPLETED]
    desk = clinic_dir.login(FRONT_DESK)  # the old password still works...
    assert not desk.actor.must_change_password  # ...and is not marked temporary
    clients.register_client(desk, "Zoë")  # and the old key still signs rows that verify
    assert _sound(owner) == []


def test_a_password_change_whose_key_ring_cannot_be_written_is_audited_and_changes_nothing(
    clinic_dir: ClinicFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    with monkeypatch.context() as patch:
        _full_disk_on_ring_save(patch)
        with pytest.raises(StorageFull):
            passwords.change_own_password(clinician, CLINICIAN[1], "a brand new phrase", kdf=FAST_KDF)
    assert _actions(clinician)[-2:] == [
        AuditAction.PASSWORD_CHANGED,
        AuditAction.PASSWORD_CHANGE_NOT_COMPLETED,
    ]
    assert clinic_dir.login(CLINICIAN).actor.username == "therapist"
    with pytest.raises(WrongCredentials):
        clinic_dir.login(("therapist", "a brand new phrase"))
