"""Users and roles: each action audited, each refused for roles that may not do it."""

from __future__ import annotations

import base64
import json
from dataclasses import replace

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Role
from hrclinic.errors import (
    AccountInactive,
    KeyRingDamaged,
    PermissionDenied,
    StorageFull,
    ValidationError,
    WrongCredentials,
)
from hrclinic.services import clients, computer_login, notes, users
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.services.verify import check_unlocked
from hrclinic.store.records import AuditEventRecord
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.recovery import RecoveryKey
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture


def _last_action(clinic: UnlockedClinic) -> str:
    with clinic.uow() as uow:
        return uow.session.scalars(
            select(AuditEventRecord.action).order_by(AuditEventRecord.seq.desc())
        ).first()


def _user_id(clinic: UnlockedClinic, username: str):
    return next(u.id for u in users.list_users(clinic) if u.username == username)


def test_owner_adds_a_user_who_can_then_log_in_with_that_role(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    added = users.add_user(
        owner,
        username="Nguyen.An",
        display_name="Nguyễn Văn An",
        role=Role.CLINICIAN,
        password="river stones 77",
        kdf=FAST_KDF,
    )
    assert (added.username, added.role, added.active, added.must_change_password) == (
        "nguyen.an",
        Role.CLINICIAN,
        True,
        True,
    )
    assert _last_action(owner) == AuditAction.USER_ADDED
    new = clinic_dir.login(("NGUYEN.AN", "river stones 77"))
    assert new.actor.role is Role.CLINICIAN and new.keys.holds_clinical


def test_adding_a_taken_user_name_or_weak_password_says_which_field(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    with pytest.raises(ValidationError, match="taken") as taken:
        users.add_user(
            owner, username="Therapist", display_name="X", role=Role.CLINICIAN, password="long enough 1"
        )
    assert taken.value.field == "username"
    with pytest.raises(ValidationError) as weak:
        users.add_user(owner, username="new", display_name="X", role=Role.CLINICIAN, password="short")
    assert weak.value.field == "password"
    assert len(users.list_users(owner)) == 3


@pytest.mark.parametrize("who", [CLINICIAN, FRONT_DESK])
def test_only_owners_manage_users(clinic_dir: ClinicFixture, who: tuple[str, str]) -> None:
    clinic = clinic_dir.login(who)
    owner_id = clinic.actor.user_id  # any id will do: the refusal comes first
    with pytest.raises(PermissionDenied, match="cannot add users"):
        users.add_user(clinic, username="x1", display_name="X", role=Role.OWNER, password="long enough 12")
    with pytest.raises(PermissionDenied):
        users.reset_password(clinic, owner_id, "long enough 12")
    with pytest.raises(PermissionDenied):
        users.deactivate_user(clinic, owner_id)


def test_front_desk_key_ring_holds_no_clinical_key_and_service_refuses(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Zoë")
    notes.write_clinical_note(clinician, person.id, "A clinical sentence.")
    desk = clinic_dir.login(FRONT_DESK)
    assert desk.keys.clinical == {} and desk.keys.deposit == {} and not desk.keys.holds_clinical
    with pytest.raises(PermissionDenied, match="front desk"):
        notes.read_clinical_notes(desk, person.id)
    assert clients.get_client(desk, person.id).preferred_name == "Zoë"


def test_deactivated_users_cannot_log_in_but_their_authorship_stays(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Алексей")
    notes.write_clinical_note(clinician, person.id, "Written before leaving.")
    lock(clinician)
    owner = clinic_dir.login(OWNER)
    therapist_id = _user_id(owner, "therapist")
    summary = users.deactivate_user(owner, therapist_id)
    assert not summary.active
    assert _last_action(owner) == AuditAction.USER_DEACTIVATED
    assert "therapist" not in KeyRingFile.load(clinic_dir.data_dir / "keyring.json").users
    with pytest.raises(WrongCredentials):
        clinic_dir.login(CLINICIAN)
    opened = notes.read_clinical_notes(owner, person.id)
    assert [(n.author_name, n.body) for n in opened] == [("Theo Therapist", "Written before leaving.")]
    with pytest.raises(ValidationError, match="already deactivated"):
        users.deactivate_user(owner, therapist_id)


def test_the_last_owner_and_oneself_cannot_be_deactivated(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    with pytest.raises(ValidationError, match="your own account"):
        users.deactivate_user(owner, owner.actor.user_id)
    second = users.add_user(
        owner,
        username="owner2",
        display_name="Second",
        role=Role.OWNER,
        password="second owner pw 9",
        kdf=FAST_KDF,
        must_change_password=False,
    )
    other = clinic_dir.login(("owner2", "second owner pw 9"))
    users.deactivate_user(other, owner.actor.user_id)
    with pytest.raises(ValidationError, match="your own account"):
        users.deactivate_user(other, second.id)


def test_owner_reset_sets_a_new_password_that_must_be_changed(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    summary = users.reset_password(owner, _user_id(owner, "frontdesk"), "temporary word 55", kdf=FAST_KDF)
    assert summary.must_change_password
    assert _last_action(owner) == AuditAction.PASSWORD_RESET_BY_OWNER
    with pytest.raises(WrongCredentials):
        clinic_dir.login(FRONT_DESK)
    desk = clinic_dir.login(("frontdesk", "temporary word 55"))
    assert not desk.keys.holds_clinical  # the reset did not give front desk more than its role
    users.change_own_password(desk, "temporary word 55", "my own words 66", kdf=FAST_KDF)
    assert not next(u for u in users.list_users(desk) if u.username == "frontdesk").must_change_password
    from hrclinic.services.audit import verify_chain

    checker = clinic_dir.login(OWNER)
    with checker.uow() as uow:  # the new signing key, introduced by the owner's reset row, is trusted
        assert verify_chain(uow.session, checker.keys.anchors.recovery_signing_public).sound


def test_changing_ones_own_password_rewraps_the_same_keys(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    before = clinician.keys
    with pytest.raises(ValidationError) as wrong:
        users.change_own_password(clinician, "not it", "a new phrase 88")
    assert wrong.value.field == "current_password"
    users.change_own_password(clinician, CLINICIAN[1], "a new phrase 88", kdf=FAST_KDF)
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

        users.reset_password_with_recovery_key(
            clinic_dir.data_dir, "therapist", RecoveryKey.generate().text, "forgotten no more 1", kdf=FAST_KDF
        )
    restored = users.reset_password_with_recovery_key(
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
    users.reset_password(owner, _user_id(owner, "therapist"), "temporary word 55", kdf=FAST_KDF)
    after_reset = clinic_dir.login(("therapist", "temporary word 55"))
    assert not set(old_private) & set(after_reset.keys.private)
    restored = users.restore_private_vault(after_reset, "temporary word 55", clinic_dir.recovery_key)
    assert restored == len(old_private)
    assert set(old_private) <= set(clinic_dir.login(("therapist", "temporary word 55")).keys.private)


def test_unlock_with_the_computer_login_is_single_user_and_opt_in(tmp_path, memory_keyring) -> None:
    from hrclinic.services.clinic import create_clinic, unlock

    data_dir = tmp_path / "solo"
    create_clinic(
        data_dir, clinic_name="Solo", owner_username="solo", owner_password="only me here 12", kdf=FAST_KDF
    )
    assert computer_login.computer_login_user(data_dir) is None
    with pytest.raises(WrongCredentials, match="not turned on"):
        computer_login.unlock_with_computer_login(data_dir, "solo")
    clinic = unlock(data_dir, "solo", "only me here 12", kdf=FAST_KDF)
    computer_login.enable_computer_login(clinic)
    assert memory_keyring.store  # the secret went to the OS store...
    ring_text = (data_dir / "keyring.json").read_text()
    assert all(secret not in ring_text for secret in memory_keyring.store.values())  # ...not to the file
    lock(clinic)
    assert computer_login.computer_login_user(data_dir) == "solo"
    opened = computer_login.unlock_with_computer_login(data_dir, "solo")
    assert opened.actor.username == "solo"
    users.add_user(
        opened,
        username="second",
        display_name="Second",
        role=Role.FRONT_DESK,
        password="another person 3",
        kdf=FAST_KDF,
    )
    computer_login.disable_computer_login(opened)
    with pytest.raises(ValidationError, match="clinics with one user"):
        computer_login.enable_computer_login(opened)
    opened.close()
    with pytest.raises(WrongCredentials):
        computer_login.unlock_with_computer_login(data_dir, "solo")


def test_deactivated_account_in_an_old_key_ring_copy_still_cannot_log_in(clinic_dir: ClinicFixture) -> None:
    """A copy of the key ring taken before deactivation still unwraps, but the account is refused."""
    saved = (clinic_dir.data_dir / "keyring.json").read_text()
    owner = clinic_dir.login(OWNER)
    users.deactivate_user(owner, _user_id(owner, "frontdesk"))
    lock(owner)
    (clinic_dir.data_dir / "keyring.json").write_text(saved)
    with pytest.raises(AccountInactive, match="deactivated"):
        clinic_dir.login(FRONT_DESK)


def test_an_add_interrupted_before_its_commit_can_be_done_again(clinic_dir: ClinicFixture) -> None:
    """A crash between the key-ring write and the database commit leaves a key-ring entry with no
    account; adding the same person again replaces it instead of calling the name taken."""
    import uuid

    from hrclinic.vault.keyring_file import UserEntry

    path = clinic_dir.data_dir / "keyring.json"
    ring = KeyRingFile.load(path)
    ring.users["newbie"] = UserEntry(uuid.uuid4(), "newbie", ring.users["therapist"].password)
    ring.save(path)
    owner = clinic_dir.login(OWNER)
    added = users.add_user(
        owner,
        username="newbie",
        display_name="N",
        role=Role.CLINICIAN,
        password="long enough pw 1",
        kdf=FAST_KDF,
    )
    assert KeyRingFile.load(path).users["newbie"].user_id == added.id
    assert clinic_dir.login(("newbie", "long enough pw 1")).actor.user_id == added.id


# --- a key ring that cannot be written, or was tampered with --------------------------------------


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


def test_a_reset_whose_key_ring_cannot_be_written_keeps_the_old_password_and_a_sound_chain(
    clinic_dir: ClinicFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = clinic_dir.login(OWNER)
    desk_id = next(u.id for u in users.list_users(owner) if u.username == "frontdesk")
    with monkeypatch.context() as patch:
        _full_disk_on_ring_save(patch)
        with pytest.raises(StorageFull):
            users.reset_password(owner, desk_id, "temporary word 55", kdf=FAST_KDF)
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
            users.change_own_password(clinician, CLINICIAN[1], "a brand new phrase", kdf=FAST_KDF)
    assert _actions(clinician)[-2:] == [
        AuditAction.PASSWORD_CHANGED,
        AuditAction.PASSWORD_CHANGE_NOT_COMPLETED,
    ]
    assert clinic_dir.login(CLINICIAN).actor.username == "therapist"
    with pytest.raises(WrongCredentials):
        clinic_dir.login(("therapist", "a brand new phrase"))


def test_a_swapped_recovery_key_in_the_file_is_refused_before_any_key_is_escrowed(
    clinic_dir: ClinicFixture,
) -> None:
    path = clinic_dir.data_dir / "keyring.json"
    data = json.loads(path.read_text())
    data["recovery_public"] = base64.b64encode(RecoveryKey.generate().escrow_public_key()).decode()
    path.write_text(json.dumps(data))
    owner = clinic_dir.login(OWNER)
    with pytest.raises(KeyRingDamaged, match="tampered"):
        users.add_user(
            owner,
            username="newbie",
            display_name="N",
            role=Role.CLINICIAN,
            password="long enough pw 1",
            kdf=FAST_KDF,
        )
    assert any("recovery key differs" in p for p in check_unlocked(owner, kdf_floor=FAST_KDF).problems)
