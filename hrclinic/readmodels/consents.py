"""Consents as the record's consents panel, the consent form PDF and the disclosure checks see them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from hrclinic.domain.consents import ConsentFields, ConsentKind, ConsentState


@dataclass(frozen=True)
class ConsentDetail:
    """A consent as the consents panel, the form PDF and other services see it."""

    id: uuid.UUID
    client_id: uuid.UUID
    version: int
    state: ConsentState
    is_draft: bool
    fields: ConsentFields
    revoked_on: date | None
    revocation_received_how: str
    paper_form_printed_at: datetime | None
    signed_copy_received_on: date | None
    created_at: datetime
    updated_at: datetime

    @property
    def kind(self) -> ConsentKind:
        """What the consent is for."""
        return self.fields.kind

    @property
    def expires_on(self) -> date | None:
        """The expiry date, if the consent has one (else an expiry event, or neither)."""
        return self.fields.expires_on


@dataclass(frozen=True)
class Part2ConsentScope:
    """What an active Part 2 consent allows: the structured fields a disclosure is checked against."""

    consent_id: uuid.UUID
    kind: ConsentKind
    discloser: str
    information: str
    recipients: tuple[str, ...]  # named recipients, one per line as recorded
    recipient_class: str  # a class of recipients (treatment, payment and operations consents)
    purpose: str
    signed_on: date | None
    expires_on: date | None
    expiry_event: str  # shown as written; never computed
