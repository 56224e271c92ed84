"""The synthetic clinic the benchmark measures: seeded people, staff, notes and overdose-risk
checklists, every clinical value sealed exactly as the app seals it, inserted in large batches.

The same generator with the same seed fills the encrypted clinic and its plain-SQLite copy.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hrclinic.domain.roles import Role
from hrclinic.services.screening import overdose_checklist
from hrclinic.store.bulk import Engine, insert_rows, set_next_record_number
from hrclinic.store.records import ClientRecord, ClinicalNoteRecord, OverdoseScreeningRecord, UserRecord
from hrclinic.store.sealed import SealedText, Sealer
from hrclinic.store.uow import UnitOfWork

SEED = 5_2026
WEEKS = 520  # ten years of weekly sessions
END = datetime(2026, 11, 2, tzinfo=UTC)
BATCH = 20_000  # rows per INSERT ... VALUES batch
TRANSACTION_ROWS = 100_000  # rows per transaction

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SizeSpec:
    """How big a synthetic clinic is."""

    name: str
    clients: int
    notes: int
    largest_chart: int  # notes of the person with the most (weekly for ten years = 520)
    clinicians: int  # besides the owner, who is also a therapist
    front_desk: int


_FIRST = [
    "Maria",
    "Ana",
    "Sam",
    "Alex",
    "Jordan",
    "Taylor",
    "Chris",
    "Jamie",
    "Robin",
    "Kai",
    "Noor",
    "Aisha",
    "Omar",
    "Yusuf",
    "Mei",
    "Wei",
    "Li",
    "Hana",
    "Yuki",
    "Sofia",
    "Lucía",
    "José",
    "Zoë",
    "Chloé",
    "Anaïs",
    "Łukasz",
    "Agnieszka",
    "Şule",
    "Ayşe",
    "Kemal",
    "Алексей",
    "Ольга",
    "Nguyễn",
    "Thảo",
    "Minh",
    "Dmitri",
    "Ivan",
    "Elena",
    "Nikos",
    "Eleni",
    "Fatima",
    "Kofi",
    "Ama",
    "Chidi",
    "Ngozi",
    "Tomás",
    "Inés",
    "Björn",
    "Åsa",
    "Søren",
    "Sean",
    "Aoife",
]
_LAST = [
    "Smith",
    "Garcia",
    "Martínez",
    "Nguyen",
    "Chen",
    "Wang",
    "Kowalski",
    "Nowak",
    "Yılmaz",
    "Öztürk",
    "Смирнов",
    "Иванова",
    "Müller",
    "Schröder",
    "Dubois",
    "Lefèvre",
    "Okafor",
    "Mensah",
    "Papadopoulos",
    "O'Brien",
    "Murphy",
    "Johansson",
    "Lindqvist",
    "Hansen",
    "Rossi",
    "Esposito",
    "Tanaka",
    "Suzuki",
    "Kim",
    "Park",
    "Singh",
    "Patel",
    "Khan",
    "Ali",
    "Haddad",
    "Cohen",
    "Levi",
    "Silva",
    "Santos",
    "Pereira",
    "Łukasiewicz-Şahin",
]
_ALIASES = ("Blue", "K.", "Sparrow", "Mx. River", "T", "Red", "Doc", "Junior", "Lucky", "Moth")
_STATUSES = ("active",) * 14 + ("paused", "lost_contact", "moved_on")
_SENTENCES = (
    "Came in on time and talked about the week.",
    "Mostly drinking with friends at weekends, sometimes alone on weeknights.",
    "Agreed to text a friend before using alone; has naloxone at home.",
    "Reports using about half of last month's amount and is proud of it.",
    "We looked at what helped: keeping cash at home, eating before going out.",
    "Missed last week because of a shift change; moved sessions to Thursday mornings.",
    "Worried about the new supply after a friend's overdose; took test strips and a second kit.",
    "Reviewed rescue breathing and the recovery position together.",
    "Housing application submitted with the case manager; sleep is better since the move.",
    "Would like to look at evening drinking next time.",
    "Talked about the relationship with their sister, which has been tense since the holidays.",
    "Mood low this week; no thoughts of self-harm; plans for the weekend with a neighbour.",
    "Blood pressure and weight checked at the clinic; medication taken as prescribed.",
    "Discussed switching to a safer route of use; interested in the syringe programme.",
    "Goals reviewed against baseline: days abstinent up from two to four a week.",
    "Practised a craving-surfing exercise; found the breathing part useful.",
)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _note_text(rng: random.Random) -> str:
    return " ".join(rng.choice(_SENTENCES) for _ in range(rng.randint(5, 9)))


def _note_counts(spec: SizeSpec, rng: random.Random) -> list[int]:
    """Notes per person: the first has the largest chart; the rest share the remainder, skewed."""
    others = spec.clients - 1
    remaining = spec.notes - spec.largest_chart
    cap = spec.largest_chart - 1
    weights = [rng.expovariate(1.0) for _ in range(others)]
    scale = remaining / sum(weights)
    counts = [min(cap, int(w * scale)) for w in weights]
    short, i = remaining - sum(counts), 0
    while short > 0:
        if counts[i % others] < cap:
            counts[i % others] += 1
            short -= 1
        i += 1
    return [spec.largest_chart, *counts]


def _seal(sealer: Sealer, descriptor: SealedText, row_id: uuid.UUID, text: str, **bound: object) -> bytes:
    """Seal a value exactly as the record's sealed attribute would (bound to its row and owners)."""
    context = descriptor.context_for(row_id, **bound)
    return sealer.seal(
        text.encode("utf-8"),
        vault=descriptor.vault,
        context=context,
        deposit=descriptor.deposit,
        author=descriptor.author_of(bound),
    )


def _batches(rows: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True)
class Generated:
    """What the benchmark needs to know about the people generated."""

    chart_person_id: uuid.UUID
    note_person_id: uuid.UUID
    search_text: str


@dataclass
class _Run:
    """One fill of one database: its rows so far, from one seeded generator."""

    engine: Engine
    sealer: Sealer
    owner_id: uuid.UUID
    spec: SizeSpec
    rng: random.Random
    staff: list[dict[str, Any]]
    clients: list[dict[str, Any]]
    counts: list[int]


def populate(
    engine: Engine, sealer: Sealer, owner_id: uuid.UUID, spec: SizeSpec, progress: Progress
) -> Generated:
    """Fill an opened clinic's database with the seeded synthetic people, staff and notes."""
    rng = random.Random(f"{SEED}-{spec.name}")
    staff = _staff(rng, owner_id, spec)
    counts = _note_counts(spec, rng)
    run = _Run(engine, sealer, owner_id, spec, rng, staff, _clients(rng, sealer, owner_id, spec), counts)
    ordinary = sorted(range(1, spec.clients), key=lambda i: (counts[i], i))[spec.clients // 2]
    clients = run.clients
    generated = Generated(
        clients[0]["id"], clients[ordinary]["id"], clients[spec.clients // 3]["preferred_name"]
    )
    with UnitOfWork(engine, sealer) as uow:
        if staff:
            insert_rows(uow, UserRecord, staff)
        for batch in _batches(iter(clients), BATCH):
            insert_rows(uow, ClientRecord, batch)
        set_next_record_number(uow, 1001 + spec.clients)
        uow.commit()
    progress(f"  {spec.clients:,} people and {len(staff)} staff inserted")
    notes = _notes(run)  # drawn from the seed as they are inserted, after the checklists, as before
    with UnitOfWork(engine, sealer) as uow:
        screened = 0
        for batch in _batches(_screenings(run), BATCH):
            insert_rows(uow, OverdoseScreeningRecord, batch)
            screened += len(batch)
        uow.commit()
    progress(f"  {screened:,} overdose-risk checklists sealed and inserted")
    _insert_notes(run, notes, progress)
    return generated


def _staff(rng: random.Random, owner_id: uuid.UUID, spec: SizeSpec) -> list[dict[str, Any]]:
    staff: list[dict[str, Any]] = []
    for i in range(spec.clinicians + spec.front_desk):
        clinician = i < spec.clinicians
        number = i + 1 if clinician else i - spec.clinicians + 1
        staff.append(
            {
                "id": _uuid(rng),
                "username": f"clinician{number}" if clinician else f"frontdesk{number}",
                "display_name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" + (", LPC" if clinician else ""),
                "role": (Role.CLINICIAN if clinician else Role.FRONT_DESK).value,
                "created_by": owner_id,
                "created_at": END - timedelta(weeks=WEEKS),
            }
        )
    return staff


def _clients(rng: random.Random, sealer: Sealer, owner_id: uuid.UUID, spec: SizeSpec) -> list[dict[str, Any]]:
    own_words = ClientRecord.__dict__["reason_own_words"]
    clients: list[dict[str, Any]] = []
    for i in range(spec.clients):
        client_id = _uuid(rng)
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        preferred = first if rng.random() < 0.3 else f"{first} {last}"
        clients.append(
            {
                "id": client_id,
                "record_number": 1001 + i,
                "preferred_name": preferred,
                "legal_name": f"{first} {last}" if rng.random() < 0.6 else "",
                "aliases": rng.choice(_ALIASES) if rng.random() < 0.15 else "",
                "birth_year": rng.randint(1950, 2006) if rng.random() < 0.8 else None,
                "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
                if rng.random() < 0.7
                else "",
                "status": "active" if i == 0 else rng.choice(_STATUSES),
                "created_at": END - timedelta(weeks=WEEKS, days=-i * WEEKS * 7 // spec.clients),
                "created_by": owner_id,
                "updated_at": END,
                "version": 1,
                "reason_own_words_sealed": (
                    _seal(
                        sealer,
                        own_words,
                        client_id,
                        "I want to feel steadier and stop waking up scared.",
                        reason_own_words_by=owner_id,
                    )
                    if i % 5 == 0
                    else None
                ),
                "reason_own_words_by": owner_id if i % 5 == 0 else None,
            }
        )
    return clients


def _notes(run: _Run) -> Iterator[dict[str, Any]]:
    """The notes, lazily: each person's weekly sessions with their therapist (the owner for the first)."""
    body = ClinicalNoteRecord.__dict__["body"]
    therapists = [run.owner_id] + [s["id"] for s in run.staff if s["role"] == Role.CLINICIAN.value]
    rng, clients = run.rng, run.clients
    for client, count in zip(clients, run.counts, strict=True):
        if not count:
            continue
        first_week = rng.randint(0, WEEKS - count)
        author = (
            run.owner_id if client is clients[0] else therapists[client["record_number"] % len(therapists)]
        )
        for week in range(first_week, first_week + count):
            note_id = _uuid(rng)
            written = END - timedelta(weeks=WEEKS - week, hours=-rng.randint(9, 17))
            yield {
                "id": note_id,
                "client_id": client["id"],
                "author_id": author,
                "written_at": written,
                "body_sealed": _seal(
                    run.sealer, body, note_id, _note_text(rng), client_id=client["id"], author_id=author
                ),
            }


def _screenings(run: _Run) -> Iterator[dict[str, Any]]:
    """Three people in five have had the routine checklist; about one checklist in five proposes a flag
    (a high-risk answer), and the protective question (naloxone on hand) is otherwise answered yes."""
    answers_descriptor = OverdoseScreeningRecord.__dict__["answers"]
    screeners = [s["id"] for s in run.staff if s["role"] == Role.FRONT_DESK.value] or [run.owner_id]
    factors = overdose_checklist().factors
    high_risk = [f.id for f in factors if f.high_risk]
    rng = run.rng
    for i, client in enumerate(run.clients):
        if i % 5 in (1, 3):
            continue
        screening_id = _uuid(rng)
        risky = rng.random() < 0.2
        answers = [
            {
                "id": f.id,
                "answer": "yes" if (risky and f.id == rng.choice(high_risk)) or f.protective else "no",
                "note": "",
            }
            for f in factors
        ]
        screener = rng.choice(screeners)
        yield {
            "id": screening_id,
            "client_id": client["id"],
            "screened_by": screener,
            "screened_at": client["created_at"],
            "answers_sealed": _seal(
                run.sealer,
                answers_descriptor,
                screening_id,
                json.dumps({"version": 1, "answers": answers}),
                client_id=client["id"],
                screened_by=screener,
            ),
        }


def _insert_notes(run: _Run, notes: Iterator[dict[str, Any]], progress: Progress) -> None:
    """The notes in batches, a few hundred thousand rows per transaction."""
    written = 0
    stream = _batches(notes, BATCH)
    pending = True
    while pending:
        with UnitOfWork(run.engine, run.sealer) as uow:
            in_transaction = 0
            for batch in stream:
                insert_rows(uow, ClinicalNoteRecord, batch)
                in_transaction += len(batch)
                if in_transaction >= TRANSACTION_ROWS:
                    break
            else:
                pending = False
            uow.commit()
            written += in_transaction
        if in_transaction:
            progress(f"  {written:,} of {run.spec.notes:,} notes sealed and inserted")
