"""Key rotation, tried the way an insider would: a former clinician with an old copy of the key ring and
their password, a front-desk user who forges or replays key deliveries, and the remaining users who must
keep reading everything."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
import sqlcipher3
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Role
from hrclinic.domain.vaults import VaultKind
from hrclinic.errors import DatabaseDamaged, PermissionDenied, SealedValueInvalid, SealedValueLocked
from hrclinic.services import clients, notes, passwords, users
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.services.intake import IntakeForm, register_person
from hrclinic.services.registry import person_detail
from hrclinic.services.rotation import finish_pending_rotation, pending_rotation, rotate_keys
from hrclinic.store.records import AuditEventRecord, ClinicalNoteRecord
from hrclinic.store.rekey import DatabaseInUse, rekey_database
from hrclinic.vault.delivery import DeliveredKeys, seal_delivery
from hrclinic.vault.keyring_file import KeyRingFile
from hrclinic.vault.keys import KeySet
from hrclinic.vault.primitives import DecryptionFailed, aead_decrypt, random_bytes
from hrclinic.vault.recovery import RecoveryKey
from hrclinic.vault.ring import recover_keys, unwrap_with_password
from hrclinic.vault.sealing import VaultSealer
from hrclinic.vault.signing import AuditSigner
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture

LEAVER = ("leaver", "orchard lamps 88")


def _add_leaver(clinic_dir: ClinicFixture) -> uuid.UUID:
    owner = clinic_dir.login(OWNER)
    added = users.add_user(
        owner,
        username=LEAVER[0],
        display_name="Lee Leaver",
        role=Role.CLINICIAN,
        password=LEAVER[1],
        must_change_password=False,
        kdf=FAST_KDF,
    )
    lock(owner)
    return added.id


def _old_ring(data_dir: Path) -> KeyRingFile:
    return KeyRingFile.from_json(json.loads((data_dir / "keyring.json").read_text()))


def _raw_open(data_dir: Path, key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(data_dir / "clinic.db"))
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    return conn


def _deactivate_and_rotate(clinic_dir: ClinicFixture, user_id: uuid.UUID) -> UnlockedClinic:
    owner = clinic_dir.login(OWNER)
    users.deactivate_user(owner, user_id)
    summary = rotate_keys(owner, reason="deactivation", batch=3)
    assert summary.completed == summary.started and summary.waiting is None
    return owner


def _note_blobs(clinic: UnlockedClinic) -> list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, bytes]]:
    with clinic.uow() as uow:
        rows = uow.session.execute(
            select(
                ClinicalNoteRecord.id,
                ClinicalNoteRecord.client_id,
                ClinicalNoteRecord.author_id,
                ClinicalNoteRecord.body_sealed,
            )
        ).tuples()
        return [(i, c, a, bytes(b)) for i, c, a, b in rows]


def test_a_former_clinician_with_an_old_ring_copy_opens_nothing_after_rotation(
    clinic_dir: ClinicFixture,
) -> None:
    leaver_id = _add_leaver(clinic_dir)
    leaver = clinic_dir.login(LEAVER)
    person = clients.register_client(leaver, "Zoë")
    notes.write_clinical_note(leaver, person.id, "Written before leaving.")
    lock(leaver)
    kept_copy = _old_ring(clinic_dir.data_dir)  # what the leaver takes home

    owner = _deactivate_and_rotate(clinic_dir, leaver_id)
    notes.write_clinical_note(owner, person.id, "Written after the rotation.")

    old_keys = unwrap_with_password(kept_copy.clinic_id, kept_copy.user(LEAVER[0]), LEAVER[1])
    with pytest.raises(sqlcipher3.DatabaseError, match="not a database"):
        _raw_open(clinic_dir.data_dir, old_keys.registry_key)
    for registry_key in old_keys.registry_keys():
        with pytest.raises(sqlcipher3.DatabaseError):
            _raw_open(clinic_dir.data_dir, registry_key)
    old_sealer = VaultSealer(old_keys)
    descriptor = ClinicalNoteRecord.body
    blobs = _note_blobs(owner)
    assert len(blobs) == 2
    for row_id, client_id, author_id, blob in blobs:
        context = descriptor.context_for(row_id, client_id=client_id, author_id=author_id)
        with pytest.raises((SealedValueLocked, SealedValueInvalid)):  # a key id it never held
            old_sealer.open(blob, vault=VaultKind.CLINICAL, context=context)
        for old_key in old_keys.clinical.values():  # not even trying every old key by hand
            header, nonce, ct = blob[:17], blob[17:29], blob[29:]
            with pytest.raises(DecryptionFailed):
                aead_decrypt(old_key, nonce, ct, header + b"clinical|" + context)
    assert {n.body for n in notes.read_clinical_notes(owner, person.id)} == {
        "Written before leaving.",
        "Written after the rotation.",
    }


def test_remaining_users_take_delivery_at_log_in_and_read_everything(clinic_dir: ClinicFixture) -> None:
    leaver_id = _add_leaver(clinic_dir)
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Amaru")
    notes.write_clinical_note(clinician, person.id, "Before.")
    old_current = clinician.keys.clinical_current
    lock(clinician)

    owner = _deactivate_and_rotate(clinic_dir, leaver_id)
    assert len(owner.read_ring().deliveries) == 2  # clinician and front desk; none for the leaver
    lock(owner)

    desk = clinic_dir.login(FRONT_DESK)
    assert not desk.keys.holds_clinical and desk.keys.epoch == 1 and not desk.keys.registry_previous
    deposited = register_person(desk, IntakeForm(preferred_name="Kiri", reason_own_words="Sleep better."))
    lock(desk)

    clinician = clinic_dir.login(CLINICIAN)
    assert clinician.keys.clinical_current != old_current
    assert old_current not in clinician.keys.clinical  # retired once the completion was seen
    assert [n.body for n in notes.read_clinical_notes(clinician, person.id)] == ["Before."]
    assert person_detail(clinician, deposited.id).reason_own_words == "Sleep better."
    with clinician.uow() as uow:
        chain = verify_chain(uow.session, clinician.keys.anchors.recovery_signing_public)
        actions = set(uow.session.scalars(select(AuditEventRecord.action)))
    assert chain.sound, chain.problems
    assert {AuditAction.KEYS_ROTATION_STARTED, AuditAction.KEYS_ROTATION_COMPLETED} <= actions
    assert AuditAction.KEYS_RECEIVED in actions
    assert clinician.read_ring().deliveries == []  # every delivery was taken
    ring = clinician.read_ring()
    kinds = [e.kind for e in ring.escrow if e.kind != "private"]
    assert sorted(kinds) == ["clinical", "deposit", "registry"]  # old escrow entries removed


def test_a_delivery_forged_by_front_desk_is_refused(clinic_dir: ClinicFixture) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    clinician = clinic_dir.login(CLINICIAN)
    target_keys, clinic_id = clinician.keys, clinician.clinic_id
    lock(clinician)
    # the insider knows the registry key, the clinician's exchange public key (it is in the audit chain),
    # and their own signing key; they plant a clinical key they know as the clinician's "new" one
    planted = uuid.uuid4()
    forged = DeliveredKeys(
        rotation_id=uuid.uuid4(),
        epoch=99,
        registry=(desk.keys.registry_key,),
        registry_id=uuid.uuid4(),
        anchors=desk.keys.anchors,
        clinical={planted: random_bytes(32)},
        clinical_current=planted,
    )
    assert target_keys.exchange_id is not None and target_keys.exchange_public is not None
    own = seal_delivery(
        clinic_id,
        target_keys.user_id,
        target_keys.exchange_id,
        target_keys.exchange_public,
        forged,
        AuditSigner.of(desk.keys),
    )
    owner_key_id = _owner_signing_key_id(desk)
    impersonated = seal_delivery(  # names the owner's key, signed with the desk's own
        clinic_id,
        target_keys.user_id,
        target_keys.exchange_id,
        target_keys.exchange_public,
        forged,
        AuditSigner(desk.keys.user_id, owner_key_id, desk.keys.signing_private),
    )
    with desk.editing_ring() as ring:
        ring.deliveries.extend([own, impersonated])
    lock(desk)

    again = clinic_dir.login(CLINICIAN)
    assert again.keys.clinical_current == target_keys.clinical_current
    assert planted not in again.keys.clinical and again.keys.epoch == 0
    with again.uow() as uow:
        refused = uow.session.scalars(
            select(AuditEventRecord).where(AuditEventRecord.action == str(AuditAction.KEYS_DELIVERY_REFUSED))
        ).one()
    assert json.loads(refused.details) == {"count": 2}
    person = clients.register_client(again, "Noa")
    notes.write_clinical_note(again, person.id, "Still under the real key.")
    blob = _note_blobs(again)[0][3]
    assert uuid.UUID(bytes=blob[1:17]) == target_keys.clinical_current


def _owner_signing_key_id(clinic: UnlockedClinic) -> uuid.UUID:
    with clinic.uow() as uow:
        row = uow.session.scalars(
            select(AuditEventRecord).where(AuditEventRecord.action == str(AuditAction.CLINIC_CREATED))
        ).one()
    return uuid.UUID(json.loads(row.details)["signing_key_id"])


def test_an_old_delivery_replayed_after_a_later_rotation_is_refused(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    rotate_keys(owner)
    first = [d for d in owner.read_ring().deliveries if d.recipient_id != owner.actor.user_id]
    lock(owner)
    clinician = clinic_dir.login(CLINICIAN)
    epoch_one = dict(clinician.keys.clinical)
    lock(clinician)
    owner = clinic_dir.login(OWNER)
    rotate_keys(owner)
    lock(owner)
    clinician = clinic_dir.login(CLINICIAN)
    assert clinician.keys.epoch == 2
    current = clinician.keys.clinical_current
    with clinician.editing_ring() as ring:
        ring.deliveries.extend(first)  # an insider puts the epoch-1 delivery back
    lock(clinician)
    again = clinic_dir.login(CLINICIAN)
    assert again.keys.epoch == 2 and again.keys.clinical_current == current
    assert not set(epoch_one) & set(again.keys.clinical)


def _add_legacy_user(
    clinic_dir: ClinicFixture, monkeypatch: pytest.MonkeyPatch, who: tuple[str, str], role: Role
) -> uuid.UUID:
    """A user added by a version without exchange keys (neither the ring nor the chain has one)."""
    made = KeySet.for_role

    def without_exchange(*args: object, **kwargs: object) -> tuple[KeySet, bytes]:
        keys, public = made(*args, **kwargs)  # type: ignore[arg-type]
        return replace(keys, exchange_id=None, exchange_private=None), public

    owner = clinic_dir.login(OWNER)
    with monkeypatch.context() as patch:
        patch.setattr(KeySet, "for_role", without_exchange)
        added = users.add_user(
            owner,
            username=who[0],
            display_name=who[0],
            role=role,
            password=who[1],
            must_change_password=False,
            kdf=FAST_KDF,
        )
    lock(owner)
    return added.id


def test_a_ring_made_before_exchange_keys_gets_one_at_log_in(
    clinic_dir: ClinicFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    early = ("early", "copper kettle 21")
    absent = ("absent", "linen window 34")
    _add_legacy_user(clinic_dir, monkeypatch, early, Role.FRONT_DESK)
    absent_id = _add_legacy_user(clinic_dir, monkeypatch, absent, Role.CLINICIAN)

    desk = clinic_dir.login(early)  # logs in once after the update: a key pair, introduced by itself
    assert desk.keys.exchange_public is not None
    with desk.uow() as uow:
        row = uow.session.scalars(
            select(AuditEventRecord).where(
                AuditEventRecord.action == str(AuditAction.EXCHANGE_KEY_INTRODUCED)
            )
        ).one()
    assert json.loads(row.details)["exchange_public"] == desk.keys.exchange_public.hex()
    assert row.actor_id == row.target_id == str(desk.actor.user_id)
    lock(desk)

    owner = clinic_dir.login(OWNER)
    summary = rotate_keys(owner)
    assert summary.unreachable == (absent[0],)  # never logged in since: an owner must reset it
    lock(owner)
    assert clinic_dir.login(early).keys.epoch == 1
    with pytest.raises(DatabaseDamaged):
        clinic_dir.login(absent)
    owner = clinic_dir.login(OWNER)
    passwords.reset_password(owner, absent_id, "new password words 9", kdf=FAST_KDF)
    lock(owner)
    assert clinic_dir.login((absent[0], "new password words 9")).keys.holds_clinical


def test_the_recovery_key_recovers_every_key_after_a_rotation(clinic_dir: ClinicFixture) -> None:
    leaver_id = _add_leaver(clinic_dir)
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Ines")
    notes.write_clinical_note(clinician, person.id, "Kept.")
    lock(clinician)
    owner = _deactivate_and_rotate(clinic_dir, leaver_id)
    recovered = recover_keys(owner.read_ring(), RecoveryKey.parse(clinic_dir.recovery_key))
    assert recovered.clinic.registry_key == owner.keys.registry_key
    assert recovered.clinic.clinical == owner.keys.clinical
    assert recovered.clinic.anchors == owner.keys.anchors
    _raw_open(clinic_dir.data_dir, recovered.clinic.registry_key).close()

    restored = passwords.reset_password_with_recovery_key(
        clinic_dir.data_dir, CLINICIAN[0], clinic_dir.recovery_key, "after the storm 7", kdf=FAST_KDF
    )
    clinic_dir.opened.append(restored)
    assert finish_pending_rotation(restored) is not None
    assert [n.body for n in notes.read_clinical_notes(restored, person.id)] == ["Kept."]


def test_a_recovery_reset_rotates_what_the_old_password_opened(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    person = clients.register_client(clinician, "Ari")
    notes.write_clinical_note(clinician, person.id, "First.")
    lock(clinician)
    leaked = _old_ring(clinic_dir.data_dir)  # someone had the old password and a copy of the ring

    restored = passwords.reset_password_with_recovery_key(
        clinic_dir.data_dir, CLINICIAN[0], clinic_dir.recovery_key, "brand new words 3", kdf=FAST_KDF
    )
    clinic_dir.opened.append(restored)
    summary = finish_pending_rotation(restored)  # what the desktop does in the background after log-in
    assert summary is not None and summary.resealed >= 1
    # a clinician re-seals, but only an owner's (or the recovery key's) completion counts
    assert summary.waiting is not None and "an owner completes" in summary.waiting
    old = unwrap_with_password(leaked.clinic_id, leaked.user(CLINICIAN[0]), CLINICIAN[1])
    with pytest.raises(sqlcipher3.DatabaseError):
        _raw_open(clinic_dir.data_dir, old.registry_key)
    lock(restored)
    for who in (OWNER, FRONT_DESK):
        opened = clinic_dir.login(who)
        assert opened.keys.epoch == restored.keys.epoch
    owner = clinic_dir.login(OWNER)
    assert [n.body for n in notes.read_clinical_notes(owner, person.id)] == ["First."]
    completed = finish_pending_rotation(owner)
    assert completed is not None and completed.completed and completed.waiting is None
    assert not owner.keys.retiring


def test_only_owners_rotate_keys(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    with pytest.raises(PermissionDenied, match="rotate"):
        rotate_keys(clinician)
    assert pending_rotation(clinician) is None


def test_a_deactivation_whose_rotation_never_ran_is_rotated_at_the_next_owner_log_in(
    clinic_dir: ClinicFixture,
) -> None:
    leaver_id = _add_leaver(clinic_dir)
    kept_copy = _old_ring(clinic_dir.data_dir)
    owner = clinic_dir.login(OWNER)
    users.deactivate_user(owner, leaver_id)
    lock(owner)  # the window was closed before the rotation ran

    clinician = clinic_dir.login(CLINICIAN)
    assert pending_rotation(clinician) is None  # only an owner can start it
    lock(clinician)
    owner = clinic_dir.login(OWNER)
    summary = finish_pending_rotation(owner)
    assert summary is not None and len(summary.started) == 1 and summary.waiting is None
    assert pending_rotation(owner) is None
    old = unwrap_with_password(kept_copy.clinic_id, kept_copy.user(LEAVER[0]), LEAVER[1])
    with pytest.raises(sqlcipher3.DatabaseError):
        _raw_open(clinic_dir.data_dir, old.registry_key)


def test_a_rekey_waits_while_another_program_has_the_database_open(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    elsewhere = _raw_open(clinic_dir.data_dir, owner.keys.registry_key)  # another window, say
    elsewhere.execute("SELECT count(*) FROM users").fetchall()
    with pytest.raises(DatabaseInUse):
        rekey_database(clinic_dir.data_dir / "clinic.db", owner.keys.registry_key, random_bytes(32))
    summary = rotate_keys(owner)
    assert summary.waiting is not None and not summary.completed
    assert clinic_dir.login(CLINICIAN).keys.epoch == 1  # everyone still opens it meanwhile
    elsewhere.close()
    lock(owner)
    for opened in clinic_dir.opened:
        opened.close()
    owner = clinic_dir.login(OWNER)  # the rekey finishes at log-in, the completion right after
    summary = finish_pending_rotation(owner)
    assert summary is not None and summary.completed and summary.waiting is None
    assert not owner.keys.registry_previous and not owner.keys.retiring


def test_keys_serialised_before_rotation_fields_still_read(clinic_dir: ClinicFixture) -> None:
    owner = clinic_dir.login(OWNER)
    raw = json.loads(owner.keys.to_bytes())
    for name in ("exchange", "epoch", "registry_id", "registry_previous", "retiring"):
        raw.pop(name, None)
    old = KeySet.from_bytes(json.dumps(raw).encode())
    assert (
        old.exchange_private is None and old.epoch == 0 and old.registry_keys() == [owner.keys.registry_key]
    )


def test_a_rotation_refuses_to_hand_out_keys_when_a_trust_row_was_deleted(clinic_dir: ClinicFixture) -> None:
    leaver_id = _add_leaver(clinic_dir)
    owner = clinic_dir.login(OWNER)
    users.deactivate_user(owner, leaver_id)
    # an insider removes the deactivation row, hoping the next rotation hands the leaver new keys
    conn = _raw_open(clinic_dir.data_dir, owner.keys.registry_key)
    conn.execute("DELETE FROM audit_events WHERE action = ?", (str(AuditAction.USER_DEACTIVATED),))
    conn.commit()
    conn.close()
    with pytest.raises(PermissionDenied, match="damaged"):
        rotate_keys(owner)
    assert owner.read_ring().deliveries == [] and owner.keys.epoch == 0
