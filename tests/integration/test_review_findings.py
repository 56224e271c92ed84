"""Attacks and failures found in review: each must be refused or leave the clinic consistent."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select, text

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Role
from hrclinic.errors import DatabaseDamaged, KeyRingDamaged, SealedValueInvalid, StorageFull, WrongCredentials
from hrclinic.services import clients, users
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.store.records import AuditEventRecord, ClinicalNoteRecord
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.recovery import RecoveryKey
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture


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


def test_a_recovery_reset_is_vouched_for_by_the_recovery_key(clinic_dir: ClinicFixture) -> None:
    restored = users.reset_password_with_recovery_key(
        clinic_dir.data_dir, "therapist", clinic_dir.recovery_key, "after recovery 77", kdf=FAST_KDF
    )
    clinic_dir.opened.append(restored)
    clients.register_client(restored, "Signed with the new key")
    assert _sound(restored) == []


def test_concurrent_units_of_work_queue_instead_of_failing(clinic_dir: ClinicFixture) -> None:
    clinic = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinic, "Zoë")
    errors: list[BaseException] = []

    def view_many() -> None:
        try:
            for _ in range(15):
                clients.get_client(clinic, person.id)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=view_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _actions(clinic).count(AuditAction.CLIENT_VIEWED) == 60
    assert _sound(clinic) == []


def test_front_desk_cannot_plant_text_in_a_clinical_note(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Zoë")
    note = clients.write_clinical_note(clinician, person.id, "The real note.")
    desk = clinic_dir.login(FRONT_DESK)
    from hrclinic.domain.vaults import VaultKind, field_context

    forged = desk.sealer.seal(
        b"FORGED",
        vault=VaultKind.CLINICAL,
        deposit=True,
        context=field_context("clinical_notes", "body", str(note.id)),
    )
    with desk.engine.begin() as conn:
        conn.execute(
            text("UPDATE clinical_notes SET body = :b WHERE id = :id"), {"b": forged, "id": note.id.hex}
        )
    [shown] = clients.read_clinical_notes(clinician, person.id)
    assert shown.unopenable and "FORGED" not in shown.body
    with clinician.uow() as uow:
        record = uow.session.get_one(ClinicalNoteRecord, note.id)
        assert record.body_sealed == forged
        with pytest.raises(SealedValueInvalid, match="only clinicians may write"):
            _ = record.body


def test_a_swapped_recovery_key_in_the_file_is_refused_before_any_key_is_escrowed(
    clinic_dir: ClinicFixture,
) -> None:
    path = clinic_dir.data_dir / "keyring.json"
    data = json.loads(path.read_text())
    import base64

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
    from hrclinic.services.verify import check_unlocked

    assert any("recovery key differs" in p for p in check_unlocked(owner, kdf_floor=FAST_KDF).problems)


def test_an_empty_database_is_reported_without_being_written(clinic_dir: ClinicFixture) -> None:
    from hrclinic.store.engine import sqlcipher_engine

    owner = clinic_dir.login(OWNER)
    key = owner.keys.registry_key
    lock(owner)
    for extra in clinic_dir.data_dir.glob("clinic.db*"):
        extra.unlink()
    sqlcipher_engine(clinic_dir.data_dir / "clinic.db", key, create=True).dispose()
    size = (clinic_dir.data_dir / "clinic.db").stat().st_size
    with pytest.raises(DatabaseDamaged, match="holds no clinic"):
        clinic_dir.login(OWNER)
    assert (clinic_dir.data_dir / "clinic.db").stat().st_size == size


def test_deactivated_users_keys_are_retired_in_the_chain_not_only_in_the_table(
    clinic_dir: ClinicFixture,
) -> None:
    owner = clinic_dir.login(OWNER)
    desk_id = next(u.id for u in users.list_users(owner) if u.username == "frontdesk")
    users.deactivate_user(owner, desk_id)
    assert _sound(owner) == []
    assert str(desk_id) in {r for r in _targets(owner, AuditAction.USER_DEACTIVATED)}


def _targets(clinic: UnlockedClinic, action: str) -> list[str]:
    with clinic.uow() as uow:
        return list(
            uow.session.scalars(select(AuditEventRecord.target_id).where(AuditEventRecord.action == action))
        )
