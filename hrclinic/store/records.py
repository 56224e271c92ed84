"""The ORM records (tables). Clinical text lives only in sealed columns."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hrclinic.domain.vaults import VaultKind
from hrclinic.store.base import Base, IdMixin, UtcDateTime, VersionedMixin, utc_now
from hrclinic.store.sealed import SealedText


class ClinicRecord(IdMixin, VersionedMixin, Base):
    """The clinic itself (one row): name, public keys and counters."""

    __tablename__ = "clinic"

    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    deposit_key_id: Mapped[uuid.UUID]
    deposit_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    recovery_public_key: Mapped[bytes] = mapped_column(LargeBinary)
    idle_lock_minutes: Mapped[int] = mapped_column(Integer, default=10)
    next_record_number: Mapped[int] = mapped_column(Integer, default=1001)


class UserRecord(IdMixin, VersionedMixin, Base):
    """A person who logs in. Never deleted: authorship stays on records."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    deactivated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class UserSigningKeyRecord(Base):
    """The public half of a user's audit-signing key (a new one after each password reset)."""

    __tablename__ = "user_signing_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AuditEventRecord(Base):
    """One append-only audit row: ids and action names, hash-chained and signed."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[str | None] = mapped_column(String(36), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64), index=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    signer_key_id: Mapped[str] = mapped_column(String(36))
    prev_hash: Mapped[bytes] = mapped_column(LargeBinary)
    row_hash: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class AuditHeadRecord(Base):
    """The chain head (one row); updating it serialises writers on every engine."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    row_hash: Mapped[bytes] = mapped_column(LargeBinary)


class ClientRecord(IdMixin, VersionedMixin, Base):
    """A person the clinic helps. Only the name they want to be called is required."""

    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("record_number"),)

    record_number: Mapped[int] = mapped_column(Integer)
    preferred_name: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)
    # everything below is optional and can be filled in later (migration 0003)
    legal_name: Mapped[str] = mapped_column(Text, default="")
    aliases: Mapped[str] = mapped_column(Text, default="")  # one per line
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    birth_year: Mapped[int | None] = mapped_column(Integer, index=True)  # from a date, a year or an age
    pronouns: Mapped[str] = mapped_column(Text, default="")
    gender: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(Text, default="")
    may_text: Mapped[bool | None] = mapped_column(Boolean)
    may_voicemail: Mapped[bool | None] = mapped_column(Boolean)
    safe_contact_notes: Mapped[str] = mapped_column(Text, default="")
    emergency_contact_name: Mapped[str] = mapped_column(Text, default="")
    emergency_contact_relationship: Mapped[str] = mapped_column(Text, default="")
    emergency_contact_phone: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(Text, default="")
    housing_situation: Mapped[str] = mapped_column(Text, default="")
    insurance: Mapped[str] = mapped_column(Text, default="")
    referral_source: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column()  # no FK: adding one would rebuild the table
    # the person's own words at intake, deposited into the clinical vault
    reason_own_words_sealed: Mapped[bytes | None] = mapped_column("reason_own_words", LargeBinary)
    change_own_words_sealed: Mapped[bytes | None] = mapped_column("change_own_words", LargeBinary)
    # who recorded them (migration 0004; None for words recorded before: unknown, and not bound)
    reason_own_words_by: Mapped[uuid.UUID | None] = mapped_column()
    change_own_words_by: Mapped[uuid.UUID | None] = mapped_column()

    # the row is the person: table, column and row bind these to them, and to who recorded them (a
    # deposit opens only when signed by that user, so front desk cannot pass one off as a clinician's)
    reason_own_words = SealedText(
        "reason_own_words_sealed",
        VaultKind.CLINICAL,
        deposit=True,
        bind=("reason_own_words_by",),
        optional=("reason_own_words_by",),
        author="reason_own_words_by",
    )
    change_own_words = SealedText(
        "change_own_words_sealed",
        VaultKind.CLINICAL,
        deposit=True,
        bind=("change_own_words_by",),
        optional=("change_own_words_by",),
        author="change_own_words_by",
    )


class ClinicalNoteRecord(IdMixin, Base):
    """A clinical note; its text is sealed in the clinical vault. Never deleted."""

    __tablename__ = "clinical_notes"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    body_sealed: Mapped[bytes] = mapped_column("body", LargeBinary)

    body = SealedText("body_sealed", VaultKind.CLINICAL, bind=("client_id", "author_id"))


# --- front desk (migration 0003) ----------------------------------------------------------------


class ClientNeedRecord(IdMixin, VersionedMixin, Base):
    """An immediate need (hierarchy of needs), helped with whatever happens with drug use."""

    __tablename__ = "client_needs"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    need: Mapped[str] = mapped_column(String(20))  # housing food money childcare medical legal safety other
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | helped | no_longer_needed
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class ClientStatusChangeRecord(IdMixin, Base):
    """Every change of engagement status, so re-engagement keeps the whole story."""

    __tablename__ = "client_status_changes"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    changed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class OverdoseScreeningRecord(IdMixin, Base):
    """A routine overdose-risk checklist. The answers are deposited into the clinical vault:
    front desk can write them but not read them back."""

    __tablename__ = "overdose_screenings"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    screened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    screened_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    answers_sealed: Mapped[bytes] = mapped_column("answers", LargeBinary)

    answers = SealedText(
        "answers_sealed",
        VaultKind.CLINICAL,
        deposit=True,
        bind=("client_id", "screened_by"),
        author="screened_by",  # a deposit opens only when signed by the user who screened
    )


class AppointmentRecord(IdMixin, VersionedMixin, Base):
    """A booked (or walk-in) appointment. Nothing about it ever changes the person's status."""

    __tablename__ = "appointments"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    clinician_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=50)
    kind: Mapped[str] = mapped_column(
        String(20), default="session"
    )  # session intake prescriber walk_in group
    status: Mapped[str] = mapped_column(String(20), default="booked")
    # booked | checked_in | no_show | late_cancel | cancelled
    note: Mapped[str] = mapped_column(Text, default="")  # scheduling note (registry, not clinical)
    checked_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status_changed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class OutreachTaskRecord(IdMixin, VersionedMixin, Base):
    """Reach out to someone (after a no-show, or when contact was lost): a task, never a closure."""

    __tablename__ = "outreach_tasks"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    assigned_to: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("appointments.id"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    done_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(Text, default="")


class ConsentRecord(IdMixin, VersionedMixin, Base):
    """A consent, as structured data. A Part 2 consent holds every element of 42 CFR 2.31."""

    __tablename__ = "consents"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    # treatment | contact | part2_disclosure | part2_tpo | sud_counselling_notes
    is_draft: Mapped[bool] = mapped_column(Boolean, default=True)  # incomplete forms are kept as drafts
    person_name: Mapped[str] = mapped_column(Text, default="")
    discloser: Mapped[str] = mapped_column(Text, default="")  # who may make the disclosure
    information: Mapped[str] = mapped_column(Text, default="")  # what may be disclosed
    recipients: Mapped[str] = mapped_column(Text, default="")  # named recipients
    recipient_class: Mapped[str] = mapped_column(Text, default="")  # class of recipients (TPO consents)
    purpose: Mapped[str] = mapped_column(Text, default="")
    revocation_statement: Mapped[str] = mapped_column(Text, default="")
    expires_on: Mapped[date | None] = mapped_column(Date)
    expiry_event: Mapped[str] = mapped_column(Text, default="")
    signed_by: Mapped[str] = mapped_column(String(20), default="")  # person | representative
    representative_name: Mapped[str] = mapped_column(Text, default="")
    representative_authority: Mapped[str] = mapped_column(Text, default="")
    signed_on: Mapped[date | None] = mapped_column(Date)
    may_text: Mapped[bool | None] = mapped_column(Boolean)  # contact consents
    may_voicemail: Mapped[bool | None] = mapped_column(Boolean)
    paper_form_printed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    signed_copy_received_on: Mapped[date | None] = mapped_column(Date)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revocation_received_how: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)


class DraftRecord(IdMixin, Base):
    """Unsaved typing (an intake in progress), sealed with its author's personal key, bound to its
    user, kind and subject, so a draft re-pointed to another person's editor does not open there."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "kind", "subject"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(64), default="new")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    payload_sealed: Mapped[bytes] = mapped_column("payload", LargeBinary)

    # drafts sealed before this binding (or in an earlier format) no longer open and are dropped
    payload = SealedText(
        "payload_sealed", VaultKind.PERSONAL, bind=("user_id", "kind", "subject"), legacy=False
    )
