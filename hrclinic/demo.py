"""The demo clinic: synthetic, clearly fictional data that shows every feature that exists.

Every later feature adds its own records here, so ``hrclinic demo`` always shows all of them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hrclinic.domain.roles import Role
from hrclinic.paths import ClinicPaths
from hrclinic.services import clients, users
from hrclinic.services.clinic import UnlockedClinic, create_clinic, lock, unlock
from hrclinic.vault.primitives import DEFAULT_KDF, KdfParams

DEMO_CLINIC_NAME = "Riverside Harm Reduction Practice (demo)"
SEED = 20261123
# Scripts the bundled PDF fonts cover (Latin, Cyrillic, Greek, CJK), so every demo name renders.
FAKER_LOCALES = [
    "en_US",
    "es_MX",
    "vi_VN",
    "pl_PL",
    "tr_TR",
    "ru_RU",
    "de_DE",
    "fr_FR",
    "zh_CN",
    "el_GR",
    "uk_UA",
]

# People whose names test rendering and search everywhere in the app.
FIXED_PEOPLE = ["Zoë Łukasiewicz-Şahin", "Алексей Смирнов", "Nguyễn Văn An", "O'Brien <Sam> & Co"]
ALIASES = ["Blue", "K.", "Sparrow", "Mx. River", "T"]


@dataclass(frozen=True)
class DemoUser:
    """A documented demo log-in (the demo alone uses short, published passwords)."""

    username: str
    password: str
    display_name: str
    role: Role
    note: str


DEMO_USERS = [
    DemoUser("maya", "demo-owner-1", "Maya Rivera, LCSW", Role.OWNER, "owner and therapist"),
    DemoUser("chidi", "demo-clinician-1", "Chidi Okafor, LPC", Role.CLINICIAN, "counsellor"),
    DemoUser("sofia", "demo-prescriber-1", "Dr. Sofia Lindqvist", Role.CLINICIAN, "prescriber"),
    DemoUser("jamie", "demo-frontdesk-1", "Jamie Chen", Role.FRONT_DESK, "front desk"),
]

_NOTES = [
    "Came in on time. Talked about weekends: mostly drinking with friends, sometimes alone. "
    "Agreed to text a friend before using alone. Has naloxone at home.",
    "Reports using about half of last month's amount. Proud of it. We looked at what helped: "
    "keeping cash at home, eating before going out.",
    "Missed last week; we talked about what got in the way (shift change). Next step: "
    "move sessions to Thursday mornings.",
    "Worried about the new supply after a friend's overdose. Took fentanyl test strips and a "
    "second naloxone kit. Reviewed rescue breathing.",
    "Housing application submitted with the case manager. Sleep is better since the move. "
    "Would like to look at the evening drinking next.",
]

Progress = Callable[[str], None]


def demo_exists(data_dir: Path) -> bool:
    """True when ``data_dir`` already holds a clinic."""
    return ClinicPaths(data_dir).exists()


def build_demo(
    data_dir: Path, *, kdf: KdfParams = DEFAULT_KDF, people: int = 240, progress: Progress | None = None
) -> bool:
    """Create the demo clinic in ``data_dir`` if it is not there yet; returns True when created."""
    say = progress or (lambda _text: None)
    if demo_exists(data_dir):
        say(f"Reopening the demo clinic in {data_dir}")
        return False
    owner = DEMO_USERS[0]
    say(f"Creating the demo clinic in {data_dir}")
    create_clinic(
        data_dir,
        clinic_name=DEMO_CLINIC_NAME,
        owner_username=owner.username,
        owner_password=owner.password,
        owner_display_name=owner.display_name,
        kdf=kdf,
    )
    clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    try:
        for demo_user in DEMO_USERS[1:]:
            users.add_user(
                clinic,
                username=demo_user.username,
                display_name=demo_user.display_name,
                role=demo_user.role,
                password=demo_user.password,
                must_change_password=False,
            )
        say("Registering fictional people")
        _fill_registry(clinic, people)
    finally:
        lock(clinic)
    _write_notes_as(data_dir, DEMO_USERS[1], kdf)
    return True


def _fill_registry(clinic: UnlockedClinic, people: int) -> None:
    from faker import Faker

    fake = Faker(FAKER_LOCALES)
    fake.seed_instance(SEED)
    for name in FIXED_PEOPLE + ALIASES:
        clients.register_client(clinic, name)
    rng = random.Random(SEED)
    for _ in range(max(0, people - len(FIXED_PEOPLE) - len(ALIASES))):
        # most people give a first name at intake; some give their full name
        clients.register_client(
            clinic, fake.first_name() if rng.random() < 0.6 else f"{fake.first_name()} {fake.last_name()}"
        )


def _write_notes_as(data_dir: Path, author: DemoUser, kdf: KdfParams) -> None:
    clinic = unlock(data_dir, author.username, author.password, kdf=kdf)
    try:
        rng = random.Random(SEED)
        registry = clients.list_clients(clinic)
        fixed = [p for p in registry if p.preferred_name in FIXED_PEOPLE]
        for person in fixed + registry[:60]:
            for text in rng.sample(_NOTES, k=rng.randint(1, 3)):
                clients.write_clinical_note(clinic, person.id, text)
    finally:
        lock(clinic)


def login_hint() -> str:
    """The demo log-ins as one block of text."""
    return "\n".join(f"{u.username} / {u.password}  ({u.note})" for u in DEMO_USERS)
