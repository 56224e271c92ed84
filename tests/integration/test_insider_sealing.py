"""The security review's attacks on sealed values, performed with only what the insider has (the
registry key and raw SQLCipher, their own keys, a copy of a blob kept from earlier); each passes
only when the attack fails: a draft re-pointed to another person's editor, a legacy v1 blob written
back after conversion, and a front-desk deposit over a clinician's checklist or a person's own words."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.roles import Role
from hrclinic.domain.vaults import VaultKind, bound_field_context
from hrclinic.services import clients, drafts, flags, intake, notes, registry, users
from hrclinic.services.clinic import UnlockedClinic, lock
from hrclinic.services.intake import IntakeForm
from hrclinic.services.reseal import convert_legacy_values, pending_legacy_count, reseal_all
from hrclinic.store.engine import open_sqlcipher
from hrclinic.store.records import (
    AuditEventRecord,
    ClientRecord,
    ClinicalNoteRecord,
    DraftRecord,
    OverdoseScreeningRecord,
)
from hrclinic.vault.primitives import aead_encrypt, ed25519_generate, ed25519_sign, seal_to_public_key
from hrclinic.vault.sealing import VaultSealer
from tests.conftest import CLINICIAN, FRONT_DESK, OWNER, ClinicFixture
from tests.legacy_sealing import seal_v1


@contextmanager
def raw(clinic_dir: ClinicFixture) -> Iterator[Any]:
    """What every role has: the registry key, used on the file with raw sqlcipher3."""
    desk = clinic_dir.login(FRONT_DESK)
    key = desk.keys.registry_key
    lock(desk)
    conn = open_sqlcipher(clinic_dir.data_dir / "clinic.db", key)
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


def _unopenable_audited(clinic: UnlockedClinic) -> set[tuple[str | None, str | None]]:
    with clinic.uow() as uow:
        rows = uow.session.scalars(
            select(AuditEventRecord).where(
                AuditEventRecord.action == AuditAction.SEALED_VALUE_UNOPENABLE.value
            )
        ).all()
        return {(r.target_type, r.target_id) for r in rows}


# --- 4. drafts are bound to their user, kind and subject --------------------------------------------


def test_a_note_draft_re_pointed_to_another_person_does_not_open_in_their_record(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    alex = clients.register_client(clinician, "Alex")
    drafts.save_draft(clinician, "note", "Zoë disclosed HIV status today.", subject=str(zoe.id))
    lock(clinician)

    with raw(clinic_dir) as conn:
        conn.execute("UPDATE drafts SET subject = ? WHERE subject = ?", (str(alex.id), str(zoe.id)))

    clinician = clinic_dir.login(CLINICIAN)
    assert drafts.list_drafts(clinician) == []  # not offered anywhere: it does not open, so it is dropped
    assert drafts.load_draft(clinician, "note", subject=str(alex.id)) is None  # opening Alex's record
    with clinician.uow() as uow:
        assert uow.session.scalars(select(DraftRecord)).all() == []


def test_a_draft_re_pointed_to_another_kind_does_not_open_there(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    drafts.save_draft(clinician, "note", "Zoë disclosed HIV status today.", subject=str(zoe.id))
    lock(clinician)
    with raw(clinic_dir) as conn:
        conn.execute("UPDATE drafts SET kind = 'consent'")
    clinician = clinic_dir.login(CLINICIAN)
    assert drafts.load_draft(clinician, "consent", subject=str(zoe.id)) is None


def test_drafts_keep_working_and_free_text_subjects_bind_unambiguously(clinic_dir: ClinicFixture) -> None:
    clinician = clinic_dir.login(CLINICIAN)
    drafts.save_draft(clinician, "a|kind", "first", subject="x=1|y")
    drafts.save_draft(clinician, "a", "second", subject="kind|x=1|y")
    lock(clinician)
    clinician = clinic_dir.login(CLINICIAN)
    assert {(d.kind, d.subject) for d in drafts.list_drafts(clinician)} == {
        ("a|kind", "x=1|y"),
        ("a", "kind|x=1|y"),
    }
    first = drafts.load_draft(clinician, "a|kind", subject="x=1|y")
    assert first is not None and first.payload == "first"
    with raw(clinic_dir) as conn:  # swap the two rows' kinds and subjects: neither opens as the other
        conn.execute("UPDATE drafts SET kind = 'tmp' WHERE kind = 'a'")
        conn.execute("UPDATE drafts SET kind = 'a', subject = 'kind|x=1|y' WHERE kind = 'a|kind'")
        conn.execute("UPDATE drafts SET kind = 'a|kind', subject = 'x=1|y' WHERE kind = 'tmp'")
    assert drafts.load_draft(clinician, "a", subject="kind|x=1|y") is None
    assert drafts.load_draft(clinician, "a|kind", subject="x=1|y") is None


def test_a_draft_kept_before_drafts_were_bound_is_dropped_quietly(clinic_dir: ClinicFixture) -> None:
    """The choice made for drafts sealed by earlier versions (bound to their row only): a draft is
    disposable, so rather than keep opening them with the old context, they are dropped."""
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    draft_id = uuid.uuid4()
    header = bytes([0x03]) + clinician.keys.personal_id.bytes
    old_context = b"personal|" + bound_field_context("drafts", "payload", str(draft_id), [])
    nonce, ct = aead_encrypt(clinician.keys.personal, b"half a sentence", header + old_context)
    with raw(clinic_dir) as conn:
        conn.execute(
            "INSERT INTO drafts (id, user_id, kind, subject, updated_at, payload) VALUES (?, ?, ?, ?, ?, ?)",
            (
                draft_id.hex,
                clinician.actor.user_id.hex,
                "note",
                str(zoe.id),
                "2026-01-01 00:00:00.000000",
                header + nonce + ct,
            ),
        )
    assert drafts.load_draft(clinician, "note", subject=str(zoe.id)) is None
    assert drafts.list_drafts(clinician) == []
    drafts.save_draft(clinician, "note", "a new sentence", subject=str(zoe.id))  # the editor works on
    kept = drafts.load_draft(clinician, "note", subject=str(zoe.id))
    assert kept is not None and kept.payload == "a new sentence"


# --- 5. legacy formats close once converted ----------------------------------------------------------


def _legacy_note(clinic_dir: ClinicFixture) -> tuple[UnlockedClinic, uuid.UUID, uuid.UUID, uuid.UUID, bytes]:
    """Zoë's note as an earlier version sealed it (v1: table, column and row only), and Alex."""
    clinician = clinic_dir.login(CLINICIAN)
    zoe = clients.register_client(clinician, "Zoë")
    alex = clients.register_client(clinician, "Alex")
    note = notes.write_clinical_note(clinician, zoe.id, "placeholder")
    legacy = seal_v1(clinician, ClinicalNoteRecord, "body", note.id, "Zoë: old note from v1.")
    with clinician.engine.begin() as conn:  # the clinic as an earlier version left it
        conn.exec_driver_sql("UPDATE clinical_notes SET body = ? WHERE id = ?", (legacy, note.id.hex))
    clinician.keys.legacy_closed = False  # (this test's log-in found no old value, so it had closed them)
    assert [n.body for n in notes.read_clinical_notes(clinician, zoe.id)] == ["Zoë: old note from v1."]
    return clinician, zoe.id, alex.id, note.id, legacy


def test_a_legacy_v1_note_replayed_after_reseal_and_re_pointed_does_not_open(
    clinic_dir: ClinicFixture,
) -> None:
    clinician, zoe, alex, note_id, kept_copy = _legacy_note(clinic_dir)  # the insider kept the blob
    assert reseal_all(clinician) == 1  # converted and bound to Zoë and its author
    lock(clinician)

    with raw(clinic_dir) as conn:
        conn.execute(
            "UPDATE clinical_notes SET body = ?, client_id = ? WHERE id = ?",
            (kept_copy, alex.hex, note_id.hex),
        )
    clinician = clinic_dir.login(CLINICIAN)
    assert [(n.unopenable, n.body) for n in notes.read_clinical_notes(clinician, alex)] == [(True, "")]
    assert ("clinical_notes", str(note_id)) in _unopenable_audited(clinician)
    with raw(clinic_dir) as conn:  # written back into its own row, as it was: refused all the same
        conn.execute("UPDATE clinical_notes SET client_id = ? WHERE id = ?", (zoe.hex, note_id.hex))
    assert [(n.unopenable, n.body) for n in notes.read_clinical_notes(clinician, zoe)] == [(True, "")]


def test_every_holder_closes_legacy_formats_once_a_colleague_converted_them(
    clinic_dir: ClinicFixture,
) -> None:
    """The owner logged in while legacy values were left (so their ring still opens them); a clinician
    converts them; the insider writes a kept v1 blob back before the owner's next log-in. The owner's
    ring closes at that log-in on the clinician's signed audit row, so the replay neither shows nor is
    converted (under the owner's keys) into a bound, trusted-looking value."""
    clinician, _zoe, alex, note_id, kept_copy = _legacy_note(clinic_dir)
    owner = clinic_dir.login(OWNER)
    owner.keys.legacy_closed = False  # as an upgraded clinic's owner: old values were left at log-in
    assert pending_legacy_count(owner) == 1
    lock(owner)
    assert convert_legacy_values(clinician) == 1
    lock(clinician)

    with raw(clinic_dir) as conn:
        conn.execute(
            "UPDATE clinical_notes SET body = ?, client_id = ? WHERE id = ?",
            (kept_copy, alex.hex, note_id.hex),
        )
    owner = clinic_dir.login(OWNER)
    assert owner.keys.legacy_closed
    assert [(n.unopenable, n.body) for n in notes.read_clinical_notes(owner, alex)] == [(True, "")]
    assert convert_legacy_values(owner) == 0  # left as it is, unopenable
    assert [(n.unopenable, n.body) for n in notes.read_clinical_notes(owner, alex)] == [(True, "")]


def test_front_desk_cannot_forge_the_row_that_closes_legacy_formats_nor_keep_them_open_with_junk(
    clinic_dir: ClinicFixture,
) -> None:
    clinician, _zoe, _alex, note_id, _kept = _legacy_note(clinic_dir)
    lock(clinician)
    with raw(clinic_dir) as conn:  # junk in an old format: it fails to open, and never keeps them open
        junk = bytes([0x01]) + uuid.uuid4().bytes + bytes(60)
        conn.execute("UPDATE clinical_notes SET body = ? WHERE id = ?", (junk, note_id.hex))
    clinician = clinic_dir.login(CLINICIAN)
    clinician.keys.legacy_closed = False
    assert convert_legacy_values(clinician) == 0  # nothing opened; the run ended, so they close
    assert clinician.keys.legacy_closed


# --- 6. deposits are signed and bound to the author the row names ------------------------------------


def _screened_by_a_clinician(clinic_dir: ClinicFixture) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    clinician = clinic_dir.login(CLINICIAN)
    zoe = intake.register_person(
        clinician,
        IntakeForm(
            preferred_name="Zoë",
            reason_own_words="I overdosed twice this month.",
            screening=(("past_overdose", "yes", ""),),
        ),
    )
    assert [r.reasons for r in flags.flag_proposals(clinician)] == [("Past overdose",)]
    with clinician.uow() as uow:
        screening = uow.session.scalars(select(OverdoseScreeningRecord)).one()
        screening_id, screened_by = screening.id, screening.screened_by
        assert bytes(screening.answers_sealed)[0] == 0x03  # a clinical-vault value, not a deposit
    lock(clinician)
    return zoe.id, screening_id, screened_by


_NO = json.dumps({"version": 1, "answers": [{"id": "past_overdose", "answer": "no", "note": ""}]})


def test_front_desk_cannot_overwrite_a_clinicians_checklist_or_own_words_with_raw_sql(
    clinic_dir: ClinicFixture,
) -> None:
    zoe, screening_id, screened_by = _screened_by_a_clinician(clinic_dir)
    desk = clinic_dir.login(FRONT_DESK)
    sealer = VaultSealer(desk.keys)  # holds only the deposit public key and their own signing key
    me = desk.actor.user_id
    answers = OverdoseScreeningRecord.answers.context_for(
        screening_id, client_id=zoe, screened_by=screened_by
    )
    words = ClientRecord.reason_own_words.context_for(zoe, reason_own_words_by=screened_by)
    # the best the desk can do: a deposit signed with their own key, the rows still naming the clinician
    forged_answers = sealer.seal(
        _NO.encode(), vault=VaultKind.CLINICAL, deposit=True, context=answers, author=me
    )
    forged_words = sealer.seal(
        b"Just here for a food voucher.", vault=VaultKind.CLINICAL, deposit=True, context=words, author=me
    )
    with raw(clinic_dir) as conn:
        conn.execute(
            "UPDATE overdose_screenings SET answers = ? WHERE id = ?", (forged_answers, screening_id.hex)
        )
        conn.execute("UPDATE clients SET reason_own_words = ? WHERE id = ?", (forged_words, zoe.hex))
    lock(desk)

    clinician = clinic_dir.login(CLINICIAN)
    [proposal] = flags.flag_proposals(clinician)  # still listed, so someone looks
    assert proposal.unopenable and proposal.reasons == ()
    detail = registry.person_detail(clinician, zoe)
    assert (detail.reason_own_words, detail.unopenable) == ("", ("reason_own_words",))
    assert [s.unopenable for s in detail.screenings] == [True]
    audited = _unopenable_audited(clinician)
    assert ("overdose_screenings", str(screening_id)) in audited and ("clients", str(zoe)) in audited


def test_a_deposit_claiming_a_clinicians_key_or_in_the_unsigned_format_does_not_open(
    clinic_dir: ClinicFixture,
) -> None:
    zoe, screening_id, screened_by = _screened_by_a_clinician(clinic_dir)
    desk = clinic_dir.login(FRONT_DESK)
    anchors = desk.keys.anchors
    context = b"clinical|" + OverdoseScreeningRecord.answers.context_for(
        screening_id, client_id=zoe, screened_by=screened_by
    )
    with desk.uow() as uow:
        from hrclinic.store.records import UserSigningKeyRecord

        clinician_key = uow.session.scalars(
            select(UserSigningKeyRecord.id).where(UserSigningKeyRecord.user_id == screened_by)
        ).one()
    # 0x05 naming the clinician's key id, signed with the desk's own key (the only one they hold)
    header = bytes([0x05]) + anchors.deposit_key_id.bytes + clinician_key.bytes
    box = seal_to_public_key(anchors.deposit_public, _NO.encode(), header + context)
    message = b"hrclinic/signed-deposit/v1\x00" + header + len(context).to_bytes(4, "big") + context + box
    claimed = header + ed25519_sign(desk.keys.signing_private, message) + box
    # a key of their own making, registered in the users table for the clinician (the chain never saw it)
    planted_private, planted_public = ed25519_generate()
    planted_id = uuid.uuid4()
    header = bytes([0x05]) + anchors.deposit_key_id.bytes + planted_id.bytes
    box = seal_to_public_key(anchors.deposit_public, _NO.encode(), header + context)
    message = b"hrclinic/signed-deposit/v1\x00" + header + len(context).to_bytes(4, "big") + context + box
    planted = header + ed25519_sign(planted_private, message) + box
    # the unsigned format earlier versions wrote (0x04)
    header = bytes([0x04]) + anchors.deposit_key_id.bytes
    unsigned = header + seal_to_public_key(anchors.deposit_public, _NO.encode(), header + context)
    lock(desk)

    for forged in (claimed, planted, unsigned):
        with raw(clinic_dir) as conn:
            conn.execute(
                "INSERT OR IGNORE INTO user_signing_keys (id, user_id, public_key, created_at) "
                "VALUES (?, ?, ?, ?)",
                (planted_id.hex, screened_by.hex, planted_public, "2026-01-01 00:00:00.000000"),
            )
            conn.execute(
                "UPDATE overdose_screenings SET answers = ? WHERE id = ?", (forged, screening_id.hex)
            )
        clinician = clinic_dir.login(CLINICIAN)
        assert [(p.unopenable, p.reasons) for p in flags.flag_proposals(clinician)] == [(True, ())]
        lock(clinician)


def test_a_deposit_over_a_re_pointed_author_is_honestly_attributed_to_the_depositor(
    clinic_dir: ClinicFixture,
) -> None:
    """If the insider also re-points the author column to themselves, the value opens, but as theirs:
    the record says who recorded it, and the Flags view who screened."""
    zoe, screening_id, _screened_by = _screened_by_a_clinician(clinic_dir)
    desk = clinic_dir.login(FRONT_DESK)
    me = desk.actor.user_id
    answers = OverdoseScreeningRecord.answers.context_for(screening_id, client_id=zoe, screened_by=me)
    words = ClientRecord.reason_own_words.context_for(zoe, reason_own_words_by=me)
    forged_answers = desk.sealer.seal(
        _NO.encode(), vault=VaultKind.CLINICAL, deposit=True, context=answers, author=me
    )
    forged_words = desk.sealer.seal(
        b"Just here for a food voucher.", vault=VaultKind.CLINICAL, deposit=True, context=words, author=me
    )
    lock(desk)
    with raw(clinic_dir) as conn:
        conn.execute(
            "UPDATE overdose_screenings SET answers = ?, screened_by = ? WHERE id = ?",
            (forged_answers, me.hex, screening_id.hex),
        )
        conn.execute(
            "UPDATE clients SET reason_own_words = ?, reason_own_words_by = ? WHERE id = ?",
            (forged_words, me.hex, zoe.hex),
        )
    clinician = clinic_dir.login(CLINICIAN)
    detail = registry.person_detail(clinician, zoe)
    assert (detail.reason_own_words, detail.reason_own_words_by) == (
        "Just here for a food voucher.",
        "Fran Desk",
    )
    assert [s.screened_by for s in detail.screenings] == ["Fran Desk"]


def test_front_desk_deposits_open_as_theirs_also_from_a_colleague_added_after_the_readers_log_in(
    clinic_dir: ClinicFixture,
) -> None:
    clinician = clinic_dir.login(CLINICIAN)  # logged in before the new colleague existed
    owner = clinic_dir.login(OWNER)
    users.add_user(
        owner,
        username="newdesk",
        display_name="Nia New",
        role=Role.FRONT_DESK,
        password="fresh meadow 74",
        must_change_password=False,
    )
    lock(owner)
    nia = clinic_dir.login(("newdesk", "fresh meadow 74"))
    zoe = intake.register_person(
        nia,
        IntakeForm(
            preferred_name="Zoë",
            reason_own_words="I want to sleep.",
            screening=(("past_overdose", "yes", ""),),
        ),
    )
    with nia.uow() as uow:
        assert bytes(uow.session.get(ClientRecord, zoe.id).reason_own_words_sealed)[0] == 0x05  # type: ignore[union-attr]
    lock(nia)
    detail = registry.person_detail(clinician, zoe.id)
    assert (detail.reason_own_words, detail.reason_own_words_by, detail.unopenable) == (
        "I want to sleep.",
        "Nia New",
        (),
    )
    assert [(p.reasons, p.screened_by, p.unopenable) for p in flags.flag_proposals(clinician)] == [
        (("Past overdose",), "Nia New", False)
    ]
    assert reseal_all(clinician) == 2  # converted to clinical-vault values, still recorded by Nia
    assert registry.person_detail(clinician, zoe.id).reason_own_words_by == "Nia New"
