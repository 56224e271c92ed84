"""Demo consents in every state, for people already in the demo registry (clearly fictional)."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from datetime import date, timedelta

from hrclinic.domain.consents import (
    DEFAULT_REVOCATION_STATEMENT,
    SUD_NOTES_INFORMATION,
    TPO_PURPOSE,
    TPO_RECIPIENT_CLASS,
    ConsentFields,
    ConsentKind,
)
from hrclinic.services import clients, consents
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.settings import clinic_summary

# Fictional organisations and people (any likeness to a real one is a coincidence).
_RECIPIENTS = [
    (
        "Dr. Amara Osei, Eastside Community Health Center (primary care)",
        "Coordinate primary care and prescriptions",
    ),
    ("River Street Supportive Housing Program, case manager Lena Park", "Support my housing application"),
    ("Northgate Pharmacy, pharmacist Tom Reyes", "Confirm my buprenorphine prescription and pick-up days"),
    ("Harbor County Public Defender's Office, attorney Dana Wu", "Show my attendance for my court date"),
    ("St. Brigid Hospital, discharge planning team", "Plan care after my hospital stay"),
    ("Maple Lane Family Services, worker Priya Nair", "Support my parenting plan"),
]
_INFORMATION = [
    "Dates I attended and my current medication (name and dose)",
    "My treatment plan summary and current medication list",
    "Attendance dates only (no notes)",
    "Medication for opioid use disorder: start date, current dose and prescriber's name",
]
_EXPIRY_EVENTS = ["When my housing application is decided", "When I stop coming to the clinic"]
_REVOCATION_WAYS = ["Signed letter handed in at the front desk", "Signed letter by post"]


@dataclass
class _Consents:
    """Records the demo's consents for one clinic, every random choice from one generator."""

    owner: UnlockedClinic
    rng: random.Random
    clinic_name: str
    today: date

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randint(low, high))

    def part2(
        self, name: str, recipient: str, purpose: str, signed: date, expires: date | None
    ) -> ConsentFields:
        return ConsentFields(
            kind=ConsentKind.PART2_DISCLOSURE,
            person_name=name,
            discloser=self.clinic_name,
            information=self.rng.choice(_INFORMATION),
            recipients=recipient,
            purpose=purpose,
            revocation_statement=DEFAULT_REVOCATION_STATEMENT,
            expires_on=expires,
            expiry_event="" if expires else self.rng.choice(_EXPIRY_EVENTS),
            signed_by="person",
            signed_on=signed,
        )

    def routine(self, person_id: uuid.UUID, name: str, signed: date) -> None:
        """Most people consent to treatment; some to being contacted by text or voicemail."""
        rng = self.rng
        if rng.random() < 0.85:
            consents.record_consent(
                self.owner,
                person_id,
                ConsentFields(ConsentKind.TREATMENT, person_name=name, signed_on=signed),
            )
        if rng.random() < 0.45:
            consents.record_consent(
                self.owner,
                person_id,
                ConsentFields(
                    ConsentKind.CONTACT,
                    person_name=name,
                    may_text=rng.random() < 0.7,
                    may_voicemail=rng.random() < 0.4,
                    signed_on=signed,
                ),
            )

    def disclosure(self, state: str, person_id: uuid.UUID, name: str, signed: date) -> None:
        """A Part 2 disclosure, "active", "expired" or "revoked"."""
        recipient, purpose = self.rng.choice(_RECIPIENTS)
        if state == "expired":
            old = self.days_ago(400, 600)
            consents.record_consent(
                self.owner, person_id, self.part2(name, recipient, purpose, old, old + timedelta(days=180))
            )
            return
        expires = signed + timedelta(days=365) if self.rng.random() < 0.7 else None
        recorded = consents.record_consent(
            self.owner, person_id, self.part2(name, recipient, purpose, signed, expires)
        )
        if recorded.fields.signed_on and state == "revoked":
            consents.revoke_consent(
                self.owner,
                recorded.id,
                min(self.today, signed + timedelta(days=self.rng.randint(1, 60))),
                self.rng.choice(_REVOCATION_WAYS),
            )

    def treatment_payment_operations(self, person_id: uuid.UUID, name: str, signed: date) -> None:
        """Treatment, payment and operations, with a class of recipients."""
        consents.record_consent(
            self.owner,
            person_id,
            ConsentFields(
                ConsentKind.PART2_TPO,
                person_name=name,
                discloser=self.clinic_name,
                information="My substance use disorder treatment records held by the clinic",
                recipient_class=TPO_RECIPIENT_CLASS,
                purpose=TPO_PURPOSE,
                revocation_statement=DEFAULT_REVOCATION_STATEMENT,
                expiry_event="When I stop coming to the clinic",
                signed_by="person",
                signed_on=signed,
            ),
        )

    def draft_awaiting_signature(self, person_id: uuid.UUID, name: str) -> None:
        """A draft whose form was printed for a signature on paper."""
        recipient, purpose = _RECIPIENTS[1]
        draft = replace(self.part2(name, recipient, purpose, self.today, None), signed_on=None)
        recorded = consents.record_consent(self.owner, person_id, draft, save_as_draft=True)
        consents.mark_form_printed(self.owner, recorded.id)

    def counselling_notes(self, person_id: uuid.UUID, name: str) -> None:
        """A separate SUD counselling notes consent, signed by a representative."""
        today = self.today
        general = self.part2(
            name, _RECIPIENTS[0][0], "Coordinate my care with my primary care doctor", today, None
        )
        consents.record_consent(
            self.owner,
            person_id,
            replace(
                general,
                kind=ConsentKind.SUD_COUNSELLING_NOTES,
                information=SUD_NOTES_INFORMATION,
                expires_on=today + timedelta(days=90),
                expiry_event="",
                signed_by="representative",
                representative_name="Marta Kowalczyk",
                representative_authority="Health care agent (power of attorney)",
            ),
        )


def add_demo_consents(owner: UnlockedClinic, rng: random.Random) -> None:
    """Record consents in every state: active, expired, revoked and draft, of every kind."""
    people = list(reversed(clients.list_clients(owner)))  # registration order
    if not people:
        return
    demo = _Consents(owner, rng, clinic_summary(owner).name, date.today())
    for index, person in enumerate(people):
        name = person.preferred_name
        signed = demo.days_ago(3, 400)
        demo.routine(person.id, name, signed)
        if index % 9 == 0:  # a Part 2 disclosure: some in force, some expired, a few revoked
            demo.disclosure(
                ("active", "active", "expired", "revoked")[(index // 9) % 4], person.id, name, signed
            )
        if index % 23 == 5:
            demo.treatment_payment_operations(person.id, name, signed)
    for person in people[1:3]:
        demo.draft_awaiting_signature(person.id, person.preferred_name)
    demo.counselling_notes(people[0].id, people[0].preferred_name)
