"""The audit chain notices edited, deleted, re-chained and forged rows."""

from __future__ import annotations

import json

from sqlalchemy import select, text

from hrclinic.domain.audit import AuditAction, chain_hash
from hrclinic.services import clients, notes
from hrclinic.services.audit import content_of, verify_chain
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.store.records import AuditEventRecord
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture


def _busy_clinic(clinic_dir: ClinicFixture) -> UnlockedClinic:
    clinic = clinic_dir.login(CLINICIAN)
    for name in ("Zoë", "Алексей", "Nguyễn"):
        person = clients.register_client(clinic, name)
        clients.get_client(clinic, person.id)
    return clinic


def _actions(clinic: UnlockedClinic) -> list[str]:
    with clinic.uow() as uow:
        return list(uow.session.scalars(select(AuditEventRecord.action).order_by(AuditEventRecord.seq)))


def _problems(clinic: UnlockedClinic) -> list[str]:
    with clinic.uow() as uow:
        return verify_chain(uow.session, clinic.keys.anchors.recovery_signing_public).problems


def _sql(clinic: UnlockedClinic, statement: str, **params: object) -> None:
    with clinic.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_log_in_user_changes_registry_and_lock_are_recorded(clinic_dir: ClinicFixture) -> None:
    clinic = _busy_clinic(clinic_dir)
    lock(clinic)
    owner = clinic_dir.login(OWNER)
    actions = _actions(owner)
    assert actions[:2] == [AuditAction.CLINIC_CREATED, AuditAction.USER_ADDED]
    assert actions.count(AuditAction.USER_ADDED) == 3
    assert actions.count(AuditAction.CLIENT_REGISTERED) == 3
    assert actions.count(AuditAction.CLIENT_VIEWED) == 3
    assert AuditAction.LOCK in actions and actions[-1] == AuditAction.LOGIN
    assert _problems(owner) == []


def test_audit_rows_hold_no_names_or_clinical_text(clinic_dir: ClinicFixture) -> None:
    clinic = _busy_clinic(clinic_dir)
    person = clients.register_client(clinic, "Distinctive Person Name")
    notes.write_clinical_note(clinic, person.id, "Distinctive clinical sentence.")
    with clinic.engine.connect() as conn:
        dump = json.dumps([list(map(str, r)) for r in conn.execute(text("SELECT * FROM audit_events"))])
    assert "Distinctive" not in dump


def test_an_edited_row_is_detected(clinic_dir: ClinicFixture) -> None:
    clinic = _busy_clinic(clinic_dir)
    _sql(clinic, "UPDATE audit_events SET action = 'client.registered' WHERE seq = 5")
    assert any("row 5 was altered" in p for p in _problems(clinic))


def test_a_deleted_row_is_detected(clinic_dir: ClinicFixture) -> None:
    clinic = _busy_clinic(clinic_dir)
    _sql(clinic, "DELETE FROM audit_events WHERE seq = 4")
    problems = _problems(clinic)
    assert any("4..4 are missing" in p for p in problems)
    assert any("row 5 does not follow" in p for p in problems)


def test_rows_removed_from_the_end_are_detected(clinic_dir: ClinicFixture) -> None:
    clinic = _busy_clinic(clinic_dir)
    _sql(clinic, "DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)")
    assert any("ends before its recorded head" in p for p in _problems(clinic))


def test_a_rechained_row_without_the_actors_key_is_detected(clinic_dir: ClinicFixture) -> None:
    """Someone with write access edits a row and recomputes every hash after it: the signatures
    no longer match, because they cannot sign as the people who did those things."""
    clinic = _busy_clinic(clinic_dir)
    with clinic.uow() as uow:
        rows = list(uow.session.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq)))
        rows[3].target_id = "00000000-0000-0000-0000-000000000000"
        previous = rows[3].prev_hash
        for row in rows[3:]:
            content = content_of(row)
            row.prev_hash = previous
            row.row_hash = chain_hash(previous, content)
            previous = row.row_hash
        uow.session.execute(text("UPDATE audit_head SET row_hash = :h"), {"h": previous})
        uow.commit()
    problems = _problems(clinic)
    assert problems[0] == "audit row 4 has an invalid signature"
    assert all("invalid signature" in p or "never introduced" in p for p in problems)


def test_a_row_signed_by_someone_else_is_detected(clinic_dir: ClinicFixture) -> None:
    """An insider re-signs another person's row with their own key: the signer is not the actor."""
    clinic = _busy_clinic(clinic_dir)
    desk = clinic_dir.login(FRONT_DESK)
    with clinic.uow() as uow:
        row = uow.session.scalars(
            select(AuditEventRecord).where(AuditEventRecord.action == AuditAction.CLIENT_REGISTERED)
        ).first()
        seq = row.seq
        row.signer_key_id = str(desk.keys.signing_key_id)
        content = content_of(row)
        row.row_hash = chain_hash(row.prev_hash, content)
        row.signature = desk.signer.sign(row.row_hash)
        uow.commit()
    assert any(f"row {seq} is signed by someone other than its actor" in p for p in _problems(clinic))


def test_failed_log_ins_reach_the_audit_chain_at_the_next_unlock(clinic_dir: ClinicFixture) -> None:
    import pytest

    from hrclinic.errors import WrongCredentials

    for name in ("owner", "nobody"):
        with pytest.raises(WrongCredentials):
            clinic_dir.login((name, "not the password"))
    owner = clinic_dir.login(OWNER)
    with owner.uow() as uow:
        failed = list(
            uow.session.scalars(
                select(AuditEventRecord).where(AuditEventRecord.action == AuditAction.LOGIN_FAILED)
            )
        )
    # a known account is named; an unknown name is not kept as typed (it may be a password)
    assert [json.loads(r.details)["username_tried"] for r in failed] == ["owner", ""]
    assert [json.loads(r.details)["reason"] for r in failed] == ["wrong_password", "unknown_user"]
    # audited, and no longer needed for anyone's wait (the owner logged in; "nobody" is no account)
    from hrclinic.services.failed_logins import read_failed_logins

    assert read_failed_logins(clinic_dir.data_dir / "failed-logins.jsonl").entries == ()
    assert _problems(owner) == []


def test_planting_ones_own_key_for_everyone_and_resigning_is_detected(clinic_dir: ClinicFixture) -> None:
    """The attack a front-desk user with the registry key could try: register their own public key
    under every actor in the (unprotected) keys table, delete a row, re-chain and re-sign the rest."""
    from hrclinic.domain.audit import GENESIS_HASH
    from hrclinic.store.records import AuditHeadRecord, UserSigningKeyRecord
    from hrclinic.vault.primitives import ed25519_generate, ed25519_sign

    clinician = _busy_clinic(clinic_dir)
    person = clients.register_client(clinician, "Zoë")
    notes.write_clinical_note(clinician, person.id, "note")
    desk = clinic_dir.login(FRONT_DESK)
    private, public = ed25519_generate()
    with desk.uow() as uow:
        s = uow.session
        rows = list(s.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq)))
        forged_ids = {}
        for actor in {r.actor_id for r in rows}:
            key_id = str(__import__("uuid").uuid4())
            s.add(
                UserSigningKeyRecord(
                    id=__import__("uuid").UUID(key_id),
                    user_id=__import__("uuid").UUID(actor),
                    public_key=public,
                )
            )
            forged_ids[actor] = key_id
        victim = next(r for r in rows if r.action == AuditAction.NOTE_WRITTEN)
        s.delete(victim)
        s.flush()
        previous, seq = GENESIS_HASH, 0
        for row in rows:
            if row is victim:
                continue
            seq += 1
            s.execute(
                text("UPDATE audit_events SET seq = :new WHERE seq = :old"), {"new": -seq, "old": row.seq}
            )
        s.expire_all()
        for row in s.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq.desc())):
            row.seq = -row.seq
        s.flush()
        for row in s.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq)):
            row.signer_key_id = forged_ids[row.actor_id]
            content = content_of(row)
            row.prev_hash = previous
            row.row_hash = chain_hash(previous, content)
            row.signature = ed25519_sign(private, row.row_hash)
            previous = row.row_hash
        head = s.get_one(AuditHeadRecord, 1)
        head.seq, head.row_hash = seq, previous
        uow.commit()
    problems = _problems(clinician)
    assert problems and "never introduced" in problems[0]


def test_a_key_retired_by_deactivation_cannot_sign_later_rows(clinic_dir: ClinicFixture) -> None:
    from hrclinic.services import users

    desk = clinic_dir.login(FRONT_DESK)
    owner = clinic_dir.login(OWNER)
    users.deactivate_user(owner, desk.actor.user_id)
    # the deactivated person still has a running session (or an old copy of the files)
    from hrclinic.services.audit import append_event

    with desk.uow() as uow:
        append_event(uow.session, desk.signer, AuditAction.CLIENT_VIEWED, target_type="client", target_id="x")
        uow.commit()
    assert any("retired before it was written" in p for p in _problems(owner))
