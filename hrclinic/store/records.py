"""The ORM records (tables). Clinical text lives only in sealed columns."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
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


class ClinicalNoteRecord(IdMixin, Base):
    """A clinical note; its text is sealed in the clinical vault. Never deleted."""

    __tablename__ = "clinical_notes"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    written_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    body_sealed: Mapped[bytes] = mapped_column("body", LargeBinary)

    body = SealedText("body_sealed", VaultKind.CLINICAL)
