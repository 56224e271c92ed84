"""Users and roles: each action audited, each refused for roles that may not do it."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Role
from hrclinic.errors import (
    AccountInactive,
    KeyRingDamaged,
    PermissionDenied,
    ValidationError,
    WrongCredentials,
)
from hrclinic.services import clients, notes, passwords, users
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
        passwords.reset_password(clinic, owner_id, "long enough 12")
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
