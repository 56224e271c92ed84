"""A deterministic synthetic clinic for the benchmark: built fast, once, and cached.

The clinic is created and unlocked through the real services (Argon2id, key ring, SQLCipher), then
filled with bulk inserts in large transactions through the unit of work and the ORM records. Every
clinical value is sealed with the clinic's sealer exactly as the app seals it; only the per-row audit
events of the generated history are skipped. The same generator, with the same seed, fills an
unencrypted plain-SQLite copy of the same schema so the cost of SQLCipher can be compared (sealing
stays on in both).

Run as ``python -m hrclinic.bench.data SIZE FOLDER`` to build one data set in a separate process
(so the memory it takes does not count in the benchmark's peak).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hrclinic.domain.roles import Role
from hrclinic.services.clinic import create_clinic, unlock
from hrclinic.store.bulk import Engine, copy_rows, insert_rows, set_next_record_number
from hrclinic.store.engine import plain_sqlite_engine
from hrclinic.store.migrate import head_revision, upgrade
from hrclinic.store.records import (
    AuditEventRecord,
    AuditHeadRecord,
    ClientRecord,
    ClinicalNoteRecord,
    ClinicRecord,
    OverdoseScreeningRecord,
    UserRecord,
    UserSigningKeyRecord,
)
from hrclinic.store.sealed import SealedText, Sealer
from hrclinic.store.uow import UnitOfWork

GENERATOR_VERSION = 2  # 2: overdose-risk checklists for the Flags view
SEED = 5_2026
USERNAME = "bench"
PASSWORD = "quiet lantern harbour 7"
CACHE_ENV = "HRCLINIC_BENCH_CACHE"
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


SIZES = {
    "tiny": SizeSpec("tiny", 50, 500, 60, 1, 1),
    "solo": SizeSpec("solo", 300, 15_000, WEEKS, 0, 0),
    "clinic": SizeSpec("clinic", 20_000, 300_000, WEEKS, 12, 3),
}


@dataclass(frozen=True)
class Dataset:
    """A built data set: the encrypted clinic folder, the plain copy, and what the benchmark needs."""

    root: Path
    size: str
    clients: int
    notes: int
    chart_person_id: uuid.UUID  # the person with the most notes
    chart_notes: int
    note_person_id: uuid.UUID  # a person of ordinary size, for note saves
    search_text: str  # a name to type into the search box, one key at a time
    build_seconds: float

    @property
    def clinic_dir(self) -> Path:
        """The SQLCipher clinic (key ring, database)."""
        return self.root / "clinic"

    @property
    def plain_dir(self) -> Path:
        """The unencrypted copy (same schema, same generated rows, sealed fields still sealed)."""
        return self.root / "plain"

    @property
    def plain_database(self) -> Path:
        """The plain SQLite file."""
        return self.plain_dir / "clinic.db"

    def to_json(self) -> dict[str, Any]:
        """The meta file's content."""
        return {
            "size": self.size,
            "clients": self.clients,
            "notes": self.notes,
            "chart_person_id": str(self.chart_person_id),
            "chart_notes": self.chart_notes,
            "note_person_id": str(self.note_person_id),
            "search_text": self.search_text,
            "build_seconds": self.build_seconds,
        }

    @classmethod
    def load(cls, root: Path) -> Dataset:
        """Read a built data set's meta file."""
        data = json.loads((root / "meta.json").read_text(encoding="utf-8"))
        return cls(
            root=root,
            size=data["size"],
            clients=int(data["clients"]),
            notes=int(data["notes"]),
            chart_person_id=uuid.UUID(data["chart_person_id"]),
            chart_notes=int(data["chart_notes"]),
            note_person_id=uuid.UUID(data["note_person_id"]),
            search_text=data["search_text"],
            build_seconds=float(data["build_seconds"]),
        )


# --- synthetic content ---------------------------------------------------------------------------

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
class _Generated:
    chart_person_id: uuid.UUID
    note_person_id: uuid.UUID
    search_text: str


def populate(
    engine: Engine, sealer: Sealer, owner_id: uuid.UUID, spec: SizeSpec, progress: Progress
) -> _Generated:
    """Fill an opened clinic's database with the seeded synthetic people, staff and notes."""
    rng = random.Random(f"{SEED}-{spec.name}")
    now = END
    staff: list[dict[str, Any]] = []
    for i in range(spec.clinicians):
        staff.append(
            {
                "id": _uuid(rng),
                "username": f"clinician{i + 1}",
                "display_name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}, LPC",
                "role": Role.CLINICIAN.value,
                "created_by": owner_id,
                "created_at": now - timedelta(weeks=WEEKS),
            }
        )
    for i in range(spec.front_desk):
        staff.append(
            {
                "id": _uuid(rng),
                "username": f"frontdesk{i + 1}",
                "display_name": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
                "role": Role.FRONT_DESK.value,
                "created_by": owner_id,
                "created_at": now - timedelta(weeks=WEEKS),
            }
        )
    therapists = [owner_id] + [s["id"] for s in staff if s["role"] == Role.CLINICIAN.value]
    own_words = ClientRecord.__dict__["reason_own_words"]
    counts = _note_counts(spec, rng)
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
                "created_at": now - timedelta(weeks=WEEKS, days=-i * WEEKS * 7 // spec.clients),
                "created_by": owner_id,
                "updated_at": now,
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
    ordinary = sorted(range(1, spec.clients), key=lambda i: (counts[i], i))[spec.clients // 2]
    generated = _Generated(
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

    body = ClinicalNoteRecord.__dict__["body"]

    def notes() -> Iterator[dict[str, Any]]:
        for client, count in zip(clients, counts, strict=True):
            if not count:
                continue
            first_week = rng.randint(0, WEEKS - count)
            author = (
                owner_id if client is clients[0] else therapists[client["record_number"] % len(therapists)]
            )
            for week in range(first_week, first_week + count):
                note_id = _uuid(rng)
                written = now - timedelta(weeks=WEEKS - week, hours=-rng.randint(9, 17))
                yield {
                    "id": note_id,
                    "client_id": client["id"],
                    "author_id": author,
                    "written_at": written,
                    "body_sealed": _seal(
                        sealer, body, note_id, _note_text(rng), client_id=client["id"], author_id=author
                    ),
                }

    answers_descriptor = OverdoseScreeningRecord.__dict__["answers"]
    screeners = [s["id"] for s in staff if s["role"] == Role.FRONT_DESK.value] or [owner_id]
    factor_ids = (
        "uses_alone",
        "reduced_tolerance",
        "mixes_depressants",
        "unknown_supply",
        "injects",
        "past_overdose",
        "has_naloxone",
    )

    def screenings() -> Iterator[dict[str, Any]]:
        for i, client in enumerate(clients):
            if i % 5 in (1, 3):  # three people in five have had the routine checklist
                continue
            screening_id = _uuid(rng)
            # about one checklist in five proposes a flag
            risky = rng.random() < 0.2
            answers = [
                {
                    "id": f,
                    "answer": "yes"
                    if risky and f == rng.choice(factor_ids[:4])
                    else ("yes" if f == "has_naloxone" else "no"),
                    "note": "",
                }
                for f in factor_ids
            ]
            screener = rng.choice(screeners)
            yield {
                "id": screening_id,
                "client_id": client["id"],
                "screened_by": screener,
                "screened_at": client["created_at"],
                "answers_sealed": _seal(
                    sealer,
                    answers_descriptor,
                    screening_id,
                    json.dumps({"version": 1, "answers": answers}),
                    client_id=client["id"],
                    screened_by=screener,
                ),
            }

    with UnitOfWork(engine, sealer) as uow:
        screened = 0
        for batch in _batches(screenings(), BATCH):
            insert_rows(uow, OverdoseScreeningRecord, batch)
            screened += len(batch)
        uow.commit()
    progress(f"  {screened:,} overdose-risk checklists sealed and inserted")

    written = 0
    stream = _batches(notes(), BATCH)
    pending = True
    while pending:
        with UnitOfWork(engine, sealer) as uow:
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
            progress(f"  {written:,} of {spec.notes:,} notes sealed and inserted")
    return generated


_BOOTSTRAP = (ClinicRecord, UserRecord, UserSigningKeyRecord, AuditHeadRecord, AuditEventRecord)


def _copy_bootstrap(source: Engine, target: Engine) -> None:
    """The clinic row, its owner and the audit chain so far, copied as they are."""
    copy_rows(source, target, _BOOTSTRAP)


def build(spec: SizeSpec, root: Path, progress: Progress) -> Dataset:
    """Create the clinic through the services, fill it, and build the plain copy beside it."""
    started = time.perf_counter()
    clinic_dir = root / "clinic"
    create_clinic(
        clinic_dir,
        clinic_name=f"Benchmark clinic ({spec.name})",
        owner_username=USERNAME,
        owner_password=PASSWORD,
        owner_display_name="Bench Owner",
    )
    opened = unlock(clinic_dir, USERNAME, PASSWORD)
    plain_dir = root / "plain"
    plain_dir.mkdir(parents=True)
    plain = plain_sqlite_engine(plain_dir / "clinic.db")
    try:
        upgrade(plain, database=None, backups=None)
        _copy_bootstrap(opened.engine, plain)
        progress(f"Encrypted clinic (SQLCipher) in {clinic_dir}")
        generated = populate(opened.engine, opened.sealer, opened.actor.user_id, spec, progress)
        progress(f"Plain SQLite copy in {plain_dir}")
        populate(plain, opened.sealer, opened.actor.user_id, spec, progress)
    finally:
        plain.dispose()
        opened.close()
    dataset = Dataset(
        root=root,
        size=spec.name,
        clients=spec.clients,
        notes=spec.notes,
        chart_person_id=generated.chart_person_id,
        chart_notes=spec.largest_chart,
        note_person_id=generated.note_person_id,
        search_text=generated.search_text,
        build_seconds=round(time.perf_counter() - started, 1),
    )
    (root / "meta.json").write_text(json.dumps(dataset.to_json(), indent=2), encoding="utf-8")
    return dataset


# --- the cache ---------------------------------------------------------------------------------


def default_cache_root() -> Path:
    """``$HRCLINIC_BENCH_CACHE`` or the platform's user cache folder."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hrclinic", appauthor=False)) / "bench"


def dataset_key(size: str) -> str:
    """Folder name of a cached data set: size, schema revision and generator version."""
    return f"{size}-{head_revision()}-g{GENERATOR_VERSION}"


def ensure_dataset(size: str, cache_root: Path, progress: Progress) -> Dataset:
    """The cached data set of ``size``, building it first (in a child process) when missing."""
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}")
    root = cache_root / dataset_key(size)
    if (root / "meta.json").is_file():
        return Dataset.load(root)
    partial = root.with_name(root.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    progress(f"Building the {size} data set (cached in {root}) ...")
    child = subprocess.Popen(
        [sys.executable, "-m", "hrclinic.bench.data", size, str(partial)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    for line in child.stdout:
        progress(line.rstrip("\n"))
    if child.wait() != 0:
        raise RuntimeError(f"building the {size} data set failed (exit {child.returncode})")
    partial.rename(root)
    return Dataset.load(root)


def main(argv: list[str]) -> int:
    """``python -m hrclinic.bench.data SIZE FOLDER``."""
    size, folder = argv
    dataset = build(SIZES[size], Path(folder), lambda text: print(text, flush=True))
    print(f"  built in {dataset.build_seconds:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
