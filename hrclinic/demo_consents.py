"""Demo consents in every state, for people already in the demo registry (clearly fictional)."""

from __future__ import annotations

import random
from dataclasses import replace
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
from hrclinic.services.clinic import UnlockedClinic, clinic_summary

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


def add_demo_consents(owner: UnlockedClinic, rng: random.Random) -> None:
    """Record consents in every state: active, expired, revoked and draft, of every kind."""
    today = date.today()
    clinic_name = clinic_summary(owner).name
    people = list(reversed(clients.list_clients(owner)))  # registration order
    if not people:
        return

    def days_ago(low: int, high: int) -> date:
        return today - timedelta(days=rng.randint(low, high))

    def part2(name: str, recipient: str, purpose: str, signed: date, expires: date | None) -> ConsentFields:
        return ConsentFields(
            kind=ConsentKind.PART2_DISCLOSURE,
            person_name=name,
            discloser=clinic_name,
            information=rng.choice(_INFORMATION),
            recipients=recipient,
            purpose=purpose,
            revocation_statement=DEFAULT_REVOCATION_STATEMENT,
            expires_on=expires,
            expiry_event="" if expires else rng.choice(_EXPIRY_EVENTS),
            signed_by="person",
            signed_on=signed,
        )

    for index, person in enumerate(people):
        name = person.preferred_name
        signed = days_ago(3, 400)
        if rng.random() < 0.85:
            consents.record_consent(
                owner, person.id, ConsentFields(ConsentKind.TREATMENT, person_name=name, signed_on=signed)
            )
        if rng.random() < 0.45:
            consents.record_consent(
                owner,
                person.id,
                ConsentFields(
                    ConsentKind.CONTACT,
                    person_name=name,
                    may_text=rng.random() < 0.7,
                    may_voicemail=rng.random() < 0.4,
                    signed_on=signed,
                ),
            )
        if index % 9 == 0:  # a Part 2 disclosure: some in force, some expired, a few revoked
            recipient, purpose = rng.choice(_RECIPIENTS)
            state = ("active", "active", "expired", "revoked")[(index // 9) % 4]
            if state == "expired":
                old = days_ago(400, 600)
                consents.record_consent(
                    owner, person.id, part2(name, recipient, purpose, old, old + timedelta(days=180))
                )
            else:
                expires = signed + timedelta(days=365) if rng.random() < 0.7 else None
                recorded = consents.record_consent(
                    owner, person.id, part2(name, recipient, purpose, signed, expires)
                )
                if recorded.fields.signed_on and state == "revoked":
                    consents.revoke_consent(
                        owner,
                        recorded.id,
                        min(today, signed + timedelta(days=rng.randint(1, 60))),
                        rng.choice(_REVOCATION_WAYS),
                    )
        if index % 23 == 5:  # treatment, payment and operations, with a class of recipients
            consents.record_consent(
                owner,
                person.id,
                ConsentFields(
                    ConsentKind.PART2_TPO,
                    person_name=name,
                    discloser=clinic_name,
                    information="My substance use disorder treatment records held by the clinic",
                    recipient_class=TPO_RECIPIENT_CLASS,
                    purpose=TPO_PURPOSE,
                    revocation_statement=DEFAULT_REVOCATION_STATEMENT,
                    expiry_event="When I stop coming to the clinic",
                    signed_by="person",
                    signed_on=signed,
                ),
            )

    # A couple of drafts waiting for a signature on paper, and one separate SUD counselling notes consent.
    for person in people[1:3]:
        recipient, purpose = _RECIPIENTS[1]
        draft = replace(part2(person.preferred_name, recipient, purpose, today, None), signed_on=None)
        recorded = consents.record_consent(owner, person.id, draft, save_as_draft=True)
        consents.mark_form_printed(owner, recorded.id)
    first = people[0]
    consents.record_consent(
        owner,
        first.id,
        replace(
            part2(
                first.preferred_name,
                _RECIPIENTS[0][0],
                "Coordinate my care with my primary care doctor",
                today,
                None,
            ),
            kind=ConsentKind.SUD_COUNSELLING_NOTES,
            information=SUD_NOTES_INFORMATION,
            expires_on=today + timedelta(days=90),
            expiry_event="",
            signed_by="representative",
            representative_name="Marta Kowalczyk",
            representative_authority="Health care agent (power of attorney)",
        ),
    )
