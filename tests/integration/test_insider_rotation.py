"""Insider attacks on password resets and key rotation (from the security review of issue 8).

Each test performs the attack with only what the insider has (the registry key and raw SQL, their own
signing key and the app's public code, which signs chained rows with it) and passes only when the
attack fails."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlcipher3
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Role
from hrclinic.errors import PermissionDenied, SealedValueLocked
from hrclinic.services import clients, notes, passwords, users
from hrclinic.services.audit import verify_chain
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.services.rotation import START_ALWAYS, KeyRotation, finish_pending_rotation
from hrclinic.store.records import AuditEventRecord, ClinicalNoteRecord, UserRecord
from hrclinic.vault.recovery import RecoveryKey
from hrclinic.vault.ring import recover_keys, unwrap_with_password
from hrclinic.vault.signing import AuditSigner
from tests.conftest import CLINICIAN, FAST_KDF, FRONT_DESK, OWNER, ClinicFixture
from tests.insider import raw, registry_key, sign_rows

LEAVER = ("leaver", "orchard lamps 88")
NEW_PASSWORD = "violet tram seventeen 9"


def _ids(clinic_dir: ClinicFixture) -> dict[str, uuid.UUID]:
    owner = clinic_dir.login(OWNER)
    with owner.uow() as uow:
        found = {u.username: u.id for u in uow.session.scalars(select(UserRecord))}
    lock(owner)
    return found


def _rows(clinic: UnlockedClinic, action: AuditAction) -> list[AuditEventRecord]:
    with clinic.uow() as uow:
        found = uow.session.scalars(select(AuditEventRecord).where(AuditEventRecord.action == str(action)))
        return list(found)


def _problems(clinic: UnlockedClinic) -> list[str]:
    with clinic.uow() as uow:
        return verify_chain(uow.session, clinic.keys.anchors.recovery_signing_public).problems


def _note_key_ids(clinic: UnlockedClinic) -> set[uuid.UUID]:
    with clinic.uow() as uow:
        blobs = uow.session.scalars(select(ClinicalNoteRecord.body_sealed))
        return {uuid.UUID(bytes=bytes(blob)[1:17]) for blob in blobs}


def _add_leaver(clinic_dir: ClinicFixture) -> uuid.UUID:
    owner = clinic_dir.login(OWNER)
    leaver_id = users.add_user(
        owner,
        username=LEAVER[0],
        display_name="Lee",
        role=Role.CLINICIAN,
        password=LEAVER[1],
        must_change_password=False,
        kdf=FAST_KDF,
    ).id
    lock(owner)
    return leaver_id


# --- 1. the users table never decides which keys a reset hands out ---------------------------------


def test_front_desk_with_a_clinician_role_in_the_users_table_gets_no_clinical_vault_from_a_reset(
    clinic_dir: ClinicFixture,
) -> None:
    """Front desk sets its own users.role to 'clinician' with raw SQL and asks the owner for a password
    reset ("I forgot it"): the reset is refused and audited, and the ring holds no clinical key."""
    ids = _ids(clinic_dir)
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    notes.write_clinical_note(clinician, zoe.id, "Disclosed a relapse last week.")
    lock(clinician)
    with raw(clinic_dir, registry_key(clinic_dir)) as conn:
        conn.execute("UPDATE users SET role = 'clinician' WHERE id = ?", (ids["frontdesk"].hex,))

    owner = clinic_dir.login(OWNER)
    with pytest.raises(PermissionDenied, match=r"users table says they are clinician.*front desk role"):
        passwords.reset_password(owner, ids["frontdesk"], NEW_PASSWORD, kdf=FAST_KDF)
    [refused] = _rows(owner, AuditAction.USER_ROLE_NOT_VOUCHED)
    assert refused.target_id == str(ids["frontdesk"]) and refused.actor_id == str(owner.actor.user_id)
    details = json.loads(refused.details)
    assert (details["table_role"], details["chain_role"]) == ("clinician", "front_desk")
    assert _problems(owner) == []  # the refusal is an honest, owner-signed row
    assert not _rows(owner, AuditAction.PASSWORD_RESET_BY_OWNER)
    lock(owner)

    ring = owner.read_ring()
    entry = ring.user(FRONT_DESK[0])
    assert entry is not None
    assert not unwrap_with_password(ring.clinic_id, entry, FRONT_DESK[1]).holds_clinical  # unchanged
    desk = clinic_dir.login(FRONT_DESK)
    with pytest.raises((PermissionDenied, SealedValueLocked)):
        notes.read_clinical_notes(desk, zoe.id)


def test_an_honest_reset_after_the_refusal_follows_the_chain(clinic_dir: ClinicFixture) -> None:
    """Once the table says what the chain says again, the reset goes through with the chain's role."""
    ids = _ids(clinic_dir)
    key = registry_key(clinic_dir)
    with raw(clinic_dir, key) as conn:
        conn.execute("UPDATE users SET role = 'owner' WHERE id = ?", (ids["frontdesk"].hex,))
    owner = clinic_dir.login(OWNER)
    with pytest.raises(PermissionDenied, match="users table says they are owner"):
        passwords.reset_password(owner, ids["frontdesk"], NEW_PASSWORD, kdf=FAST_KDF)
    with raw(clinic_dir, owner.keys.registry_key) as conn:
        conn.execute("UPDATE users SET role = 'front_desk' WHERE id = ?", (ids["frontdesk"].hex,))
    passwords.reset_password(owner, ids["frontdesk"], NEW_PASSWORD, kdf=FAST_KDF)
    ring = owner.read_ring()
    entry = ring.user(FRONT_DESK[0])
    assert entry is not None
    assert not unwrap_with_password(ring.clinic_id, entry, NEW_PASSWORD).holds_clinical


def test_a_clinician_demoted_in_the_users_table_is_refused_too(clinic_dir: ClinicFixture) -> None:
    """The table and the chain disagreeing means the table was written outside the app: refused either way."""
    ids = _ids(clinic_dir)
    with raw(clinic_dir, registry_key(clinic_dir)) as conn:
        conn.execute("UPDATE users SET role = 'front_desk' WHERE id = ?", (ids["therapist"].hex,))
    owner = clinic_dir.login(OWNER)
    with pytest.raises(PermissionDenied, match="audit log gave them the clinician role"):
        passwords.reset_password(owner, ids["therapist"], NEW_PASSWORD, kdf=FAST_KDF)


def test_a_recovery_reset_follows_the_chain_not_the_users_table(clinic_dir: ClinicFixture) -> None:
    """The same attack through the recovery-key reset: refused (the recovery key signs the refusal)."""
    ids = _ids(clinic_dir)
    with raw(clinic_dir, registry_key(clinic_dir)) as conn:
        conn.execute("UPDATE users SET role = 'clinician' WHERE id = ?", (ids["frontdesk"].hex,))
    with pytest.raises(PermissionDenied, match="users table says they are clinician"):
        passwords.reset_password_with_recovery_key(
            clinic_dir.data_dir, FRONT_DESK[0], clinic_dir.recovery_key, NEW_PASSWORD, kdf=FAST_KDF
        )
    owner = clinic_dir.login(OWNER)
    [refused] = _rows(owner, AuditAction.USER_ROLE_NOT_VOUCHED)
    assert refused.target_id == str(ids["frontdesk"])
    assert _problems(owner) == []  # the recovery key may sign this refusal
    assert owner.keys.epoch == 0  # no rotation ran
    ring = owner.read_ring()
    entry = ring.user(FRONT_DESK[0])
    assert entry is not None
    assert not unwrap_with_password(ring.clinic_id, entry, FRONT_DESK[1]).holds_clinical


def test_a_recovery_reset_still_works_on_an_audit_log_with_rows_deleted(clinic_dir: ClinicFixture) -> None:
    """A damaged log must not take away the way past it: the role then comes from the signed rows on
    their own (a deleted row makes the strict walk trust nothing)."""
    ids = _ids(clinic_dir)
    owner = clinic_dir.login(OWNER)
    zoe = clients.register_client(owner, "Zoë")
    notes.write_clinical_note(owner, zoe.id, "Kept.")
    lock(owner)
    with raw(clinic_dir, registry_key(clinic_dir)) as conn:
        conn.execute("DELETE FROM audit_events WHERE action = ?", (str(AuditAction.CLIENT_REGISTERED),))
        conn.execute("UPDATE users SET role = 'owner' WHERE id = ?", (ids["frontdesk"].hex,))
    with pytest.raises(PermissionDenied, match="users table says they are owner"):
        passwords.reset_password_with_recovery_key(
            clinic_dir.data_dir, FRONT_DESK[0], clinic_dir.recovery_key, NEW_PASSWORD, kdf=FAST_KDF
        )
    restored = passwords.reset_password_with_recovery_key(
        clinic_dir.data_dir, OWNER[0], clinic_dir.recovery_key, NEW_PASSWORD, kdf=FAST_KDF
    )
    clinic_dir.opened.append(restored)
    assert restored.keys.holds_clinical and restored.keys.epoch == 1  # rotated under the recovery key
    assert [n.body for n in notes.read_clinical_notes(restored, zoe.id)] == ["Kept."]


# --- 2. only an owner (or the recovery key) starts or completes a rotation -------------------------


def test_a_clinician_cannot_mark_an_owed_rotation_done(clinic_dir: ClinicFixture) -> None:
    """After a deactivation whose rotation did not run at once, a clinician signs a rotation's start and
    completion: the rows count for nothing, verify names them, and the next owner log-in rotates."""
    leaver_id = _add_leaver(clinic_dir)
    leaver = clinic_dir.login(LEAVER)
    old_registry, old_clinical = leaver.keys.registry_key, dict(leaver.keys.clinical)
    lock(leaver)
    owner = clinic_dir.login(OWNER)
    users.deactivate_user(owner, leaver_id)  # the owner's app is then closed before the rotation runs
    lock(owner)

    clinician = clinic_dir.login(CLINICIAN)
    rotation = str(uuid.uuid4())
    sign_rows(
        clinic_dir,
        clinician.keys.registry_key,
        AuditSigner.of(clinician.keys),
        [
            (AuditAction.KEYS_ROTATION_STARTED, "rotation", rotation, {"epoch": 1, "reason": "owner"}),
            (AuditAction.KEYS_ROTATION_COMPLETED, "rotation", rotation, {"epoch": 1}),
        ],
    )
    lock(clinician)

    owner = clinic_dir.login(OWNER)
    summary = finish_pending_rotation(owner)
    assert summary is not None and len(summary.started) == 1 and summary.waiting is None
    problems = _problems(owner)
    for action in (AuditAction.KEYS_ROTATION_STARTED, AuditAction.KEYS_ROTATION_COMPLETED):
        assert any(f"({action}) is signed by someone who was neither" in p for p in problems), problems
    zoe = clients.register_client(owner, "Zoë")
    note = notes.write_clinical_note(owner, zoe.id, "Written after Lee left.")
    lock(owner)

    conn = sqlcipher3.connect(str(clinic_dir.data_dir / "clinic.db"))
    conn.execute(f"PRAGMA key = \"x'{old_registry.hex()}'\"")
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT body FROM clinical_notes WHERE id = ?", (note.id.hex,)).fetchone()
    conn.close()
    owner = clinic_dir.login(OWNER)
    assert not (_note_key_ids(owner) & set(old_clinical))


def test_a_front_desk_completion_does_not_finish_a_rotation_either(clinic_dir: ClinicFixture) -> None:
    leaver_id = _add_leaver(clinic_dir)
    owner = clinic_dir.login(OWNER)
    users.deactivate_user(owner, leaver_id)
    lock(owner)
    desk = clinic_dir.login(FRONT_DESK)
    rotation = str(uuid.uuid4())
    sign_rows(
        clinic_dir,
        desk.keys.registry_key,
        AuditSigner.of(desk.keys),
        [
            (AuditAction.KEYS_ROTATION_STARTED, "rotation", rotation, {"epoch": 7, "reason": "owner"}),
            (AuditAction.KEYS_ROTATION_COMPLETED, "rotation", rotation, {"epoch": 7}),
        ],
    )
    lock(desk)
    owner = clinic_dir.login(OWNER)
    summary = finish_pending_rotation(owner)
    assert summary is not None and len(summary.started) == 1
    assert owner.keys.epoch == 1  # the forged start's epoch is not taken as the newest either


# --- 3. an early or forged completion never loses a note ------------------------------------------


def _paused_rotation(clinic_dir: ClinicFixture) -> tuple[uuid.UUID, uuid.UUID]:
    """Six notes; a rotation paused after re-sealing two of them; the clinician has taken delivery."""
    owner = clinic_dir.login(OWNER)
    zoe = clients.register_client(owner, "Zoë")
    for i in range(6):
        notes.write_clinical_note(owner, zoe.id, f"note {i}")
    lock(owner)
    lock(clinic_dir.login(CLINICIAN))  # so the clinician has an exchange key and gets a delivery

    owner = clinic_dir.login(OWNER)
    steps = iter(range(100))
    rotation = KeyRotation(owner, start=START_ALWAYS, reason="owner", batch=2)
    summary = rotation.run(cancelled=lambda: next(steps) >= 3)  # start, rekey, one batch of 2
    [rotation_id] = summary.started
    assert summary.completed == () and summary.resealed == 2
    lock(owner)
    return zoe.id, rotation_id


def _assert_every_note_opens(clinic_dir: ClinicFixture, person: uuid.UUID) -> None:
    for who in (OWNER, CLINICIAN):
        clinic = clinic_dir.login(who)
        opened = notes.read_clinical_notes(clinic, person)
        assert sorted(n.body for n in opened) == [f"note {i}" for i in range(6)], who
        recovered = recover_keys(clinic.read_ring(), RecoveryKey.parse(clinic_dir.recovery_key))
        assert _note_key_ids(clinic) <= set(recovered.clinic.clinical)  # the escrow opens every note
        lock(clinic)


def test_a_clinician_completing_a_paused_rotation_early_loses_no_note(clinic_dir: ClinicFixture) -> None:
    """A clinician signs the completion of a rotation paused mid re-seal: it counts for nothing, every
    ring and the escrow keep the old key, and the owner's next log-in finishes the re-seal."""
    person, rotation_id = _paused_rotation(clinic_dir)
    clinician = clinic_dir.login(CLINICIAN)  # takes delivery of the new keys
    sign_rows(
        clinic_dir,
        clinician.keys.registry_key,
        AuditSigner.of(clinician.keys),
        [(AuditAction.KEYS_ROTATION_COMPLETED, "rotation", str(rotation_id), {"epoch": 1})],
    )
    lock(clinician)
    _assert_every_note_opens(clinic_dir, person)

    owner = clinic_dir.login(OWNER)
    summary = finish_pending_rotation(owner)
    assert summary is not None and summary.completed == (rotation_id,) and summary.waiting is None
    assert _note_key_ids(owner) == {owner.keys.clinical_current}
    assert any("keys.rotation_completed" in p for p in _problems(owner))
    lock(owner)
    _assert_every_note_opens(clinic_dir, person)


def test_a_trusted_completion_while_values_remain_keeps_the_old_key_until_they_are_resealed(
    clinic_dir: ClinicFixture,
) -> None:
    """Safe by construction: even a completion the chain trusts (here an owner's, written too early)
    drops a retired key from no ring and not from the escrow while a sealed value still names it."""
    person, rotation_id = _paused_rotation(clinic_dir)
    owner = clinic_dir.login(OWNER)
    old_key = next(k for k in owner.keys.clinical if k != owner.keys.clinical_current)
    sign_rows(
        clinic_dir,
        owner.keys.registry_key,
        AuditSigner.of(owner.keys),
        [(AuditAction.KEYS_ROTATION_COMPLETED, "rotation", str(rotation_id), {"epoch": 1})],
    )
    lock(owner)

    clinician = clinic_dir.login(CLINICIAN)  # takes delivery and sees the completion at once
    assert old_key in clinician.keys.clinical and clinician.keys.retiring == {rotation_id: [old_key]}
    lock(clinician)
    _assert_every_note_opens(clinic_dir, person)

    owner = clinic_dir.login(OWNER)
    assert old_key in owner.keys.clinical
    summary = finish_pending_rotation(owner)  # the re-seal finishes; then the old key goes
    assert summary is not None and summary.resealed == 4 and summary.waiting is None
    assert old_key not in owner.keys.clinical and not owner.keys.retiring
    assert _note_key_ids(owner) == {owner.keys.clinical_current}
    escrowed = recover_keys(owner.read_ring(), RecoveryKey.parse(clinic_dir.recovery_key)).clinic.clinical
    assert old_key not in escrowed
    lock(owner)
    clinician = clinic_dir.login(CLINICIAN)
    assert old_key not in clinician.keys.clinical  # dropped at its next log-in, nothing left under it
    lock(clinician)
    _assert_every_note_opens(clinic_dir, person)


# --- the limit that remains: a damaged trust row blocks rotations until the recovery key is used -----


def test_an_owner_is_told_how_to_get_past_a_damaged_audit_log(clinic_dir: ClinicFixture) -> None:
    leaver_id = _add_leaver(clinic_dir)
    owner = clinic_dir.login(OWNER)
    users.deactivate_user(owner, leaver_id)
    lock(owner)
    with raw(clinic_dir, registry_key(clinic_dir)) as conn:
        conn.execute("DELETE FROM audit_events WHERE action = ?", (str(AuditAction.USER_DEACTIVATED),))
    owner = clinic_dir.login(OWNER)
    summary = finish_pending_rotation(owner)  # the log vouches for no owner now (nor says what is owed)
    assert summary is not None and not summary.started and summary.waiting is not None
    assert "damaged (rows are missing from the audit log" in summary.waiting
    assert "recovery key" in summary.waiting
    assert "Forgot your password?" in summary.waiting
