"""The printable consent form: names render literally, Part 2 forms carry the redisclosure notice."""

from __future__ import annotations

import io
import re
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from hrclinic.domain.audit import AuditAction
from hrclinic.domain.consents import DEFAULT_REVOCATION_STATEMENT, ConsentFields, ConsentKind, ConsentState
from hrclinic.errors import ValidationError
from hrclinic.readmodels.consents import ConsentDetail
from hrclinic.reports.consent_form import consent_form_pdf
from hrclinic.services import clients, consents
from hrclinic.store.records import AuditEventRecord
from tests.conftest import FRONT_DESK, ClinicFixture

PART2 = ConsentFields(
    kind=ConsentKind.PART2_DISCLOSURE,
    person_name="Zoë Łukasiewicz-Şahin",
    discloser="Riverside Harm Reduction Practice",
    information="Medication list and dates of attendance",
    recipients="O'Brien <Sam> & Co Housing Program",
    purpose="Housing support",
    revocation_statement=DEFAULT_REVOCATION_STATEMENT,
    expires_on=date(2027, 5, 1),
    signed_by="person",
    signed_on=date(2026, 11, 2),
)


def _detail(fields: ConsentFields, **changes: object) -> ConsentDetail:
    now = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    base = ConsentDetail(
        id=uuid.UUID("8c0ffee0-0000-4000-8000-000000000001"),
        client_id=uuid.uuid4(),
        version=1,
        state=ConsentState.ACTIVE,
        is_draft=False,
        fields=fields,
        revoked_on=None,
        revocation_received_how="",
        paper_form_printed_at=None,
        signed_copy_received_on=None,
        created_at=now,
        updated_at=now,
    )
    return replace(base, **changes)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_a_part2_form_names_the_person_and_carries_the_redisclosure_notice() -> None:
    pdf = consent_form_pdf(_detail(PART2), clinic_name="Riverside Harm Reduction Practice")
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "Zoë Łukasiewicz-Şahin" in text
    assert "O'Brien <Sam> & Co Housing Program" in text  # escaped, not swallowed as a tag
    assert "protected by federal confidentiality rules (42 CFR part 2)" in text
    assert "prohibit you from making any further disclosure of this record" in text
    assert "Signature of the person" in text and "Date signed" in text
    assert "revoke this consent at any time, in writing" in text
    assert "Medication list and dates of attendance" in text and "1 May 2027" in text


def test_a_treatment_form_has_no_part2_notice_but_keeps_names_literal() -> None:
    fields = ConsentFields(
        ConsentKind.TREATMENT, person_name="O'Brien <Sam> & Co", signed_on=date(2026, 11, 2)
    )
    text = _text(consent_form_pdf(_detail(fields), clinic_name="Clinic <b>&</b> Co"))
    assert "O'Brien <Sam> & Co" in text and "Clinic <b>&</b> Co" in text
    assert "42 CFR" not in text and "redisclosure" not in text
    assert "Signature of the person" in text


def test_sud_notes_form_says_it_is_separate_and_a_revoked_copy_says_so() -> None:
    notes = replace(PART2, kind=ConsentKind.SUD_COUNSELLING_NOTES)
    text = _text(
        consent_form_pdf(
            _detail(notes, state=ConsentState.REVOKED, revoked_on=date(2026, 11, 20)), clinic_name="Clinic"
        )
    )
    assert "SUD counselling notes only" in text and "not combined with any other consent" in text
    assert "this consent was revoked on 20 November 2026" in text
    assert "prohibition on redisclosure" in text


def test_the_contact_form_shows_the_answers_and_a_representative_is_named() -> None:
    fields = ConsentFields(
        ConsentKind.CONTACT,
        person_name="Алексей Смирнов",
        may_text=True,
        may_voicemail=False,
        signed_by="representative",
        representative_name="Nguyễn Văn An",
        representative_authority="Legal guardian",
        signed_on=date(2026, 11, 2),
    )
    text = _text(consent_form_pdf(_detail(fields), clinic_name="Clinic"))
    assert "Алексей Смирнов" in text and "Nguyễn Văn An" in text and "Legal guardian" in text
    assert "☒ Yes, you may" in text and "☒ No, please do not" in text


def test_printing_writes_the_pdf_and_audits_it(clinic_dir: ClinicFixture, tmp_path: Path) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = clients.register_client(desk, "O'Brien <Sam> & Co")
    draft = consents.record_consent(
        desk, person.id, replace(PART2, person_name="O'Brien <Sam> & Co", signed_on=None), save_as_draft=True
    )
    written = consents.print_consent_form(desk, draft.id, tmp_path / "form")
    assert written == tmp_path / "form.pdf"
    text = _text(written.read_bytes())
    assert "O'Brien <Sam> & Co" in text and "Test Clinic" in text
    assert consents.get_consent(desk, draft.id).paper_form_printed_at is not None
    with desk.uow() as uow:
        actions = uow.session.scalars(
            select(AuditEventRecord.action).where(AuditEventRecord.target_id == str(draft.id))
        ).all()
    assert actions == [AuditAction.CONSENT_RECORDED, AuditAction.CONSENT_FORM_PRINTED]
    assert not list(tmp_path.glob(".form.pdf.*"))  # no temporary file left behind


def test_a_failed_write_records_no_printing(clinic_dir: ClinicFixture, tmp_path: Path) -> None:
    desk = clinic_dir.login(FRONT_DESK)
    person = clients.register_client(desk, "Blue")
    consent = consents.record_consent(desk, person.id, replace(PART2, person_name="Blue"))
    with pytest.raises(ValidationError, match="could not be saved"):
        consents.print_consent_form(desk, consent.id, tmp_path / "no such folder" / "form.pdf")
    assert consents.get_consent(desk, consent.id).paper_form_printed_at is None
