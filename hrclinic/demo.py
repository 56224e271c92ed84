"""The demo clinic: synthetic, clearly fictional data that shows every feature that exists.

Every later feature adds its own records here, so ``hrclinic demo`` always shows all of them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hrclinic.domain.roles import Role
from hrclinic.errors import HrclinicError
from hrclinic.paths import ClinicPaths
from hrclinic.services import clients, registry, users
from hrclinic.services.clinic import UnlockedClinic, create_clinic, lock, unlock
from hrclinic.services.registry import IntakeForm
from hrclinic.services.reseal import convert_legacy_values
from hrclinic.services.rotation import rotate_keys
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
        _convert_legacy_values(data_dir, kdf, say)
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
    finally:
        lock(clinic)
    desk = unlock(data_dir, DEMO_USERS[3].username, DEMO_USERS[3].password, kdf=kdf)
    try:
        say("Registering fictional people at the front desk")
        _fill_registry(desk, people)
    finally:
        lock(desk)
    _write_notes_as(data_dir, DEMO_USERS[1], kdf)
    say("A former colleague leaves: deactivated, and the clinic's keys changed")
    _former_colleague_leaves(data_dir, kdf)
    clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    try:
        for name, part in _demo_parts():
            say(f"Adding {name}")
            part(clinic, random.Random(SEED))
    finally:
        lock(clinic)
    return True


# Wrote notes, then left the clinic: shown deactivated in Users (never deleted: authorship stays).
FORMER_COLLEAGUE = DemoUser(
    "alex", "demo-former-colleague-1", "Alex Moreau, LCSW", Role.CLINICIAN, "left the clinic"
)


def _former_colleague_leaves(data_dir: Path, kdf: KdfParams) -> None:
    """Alex writes a few notes, the owner deactivates the account, and the clinic's keys rotate, so
    an old copy of Alex's key ring opens nothing written since (Settings > Keys; the audit log)."""
    owner = DEMO_USERS[0]
    clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    try:
        former = users.add_user(
            clinic,
            username=FORMER_COLLEAGUE.username,
            display_name=FORMER_COLLEAGUE.display_name,
            role=FORMER_COLLEAGUE.role,
            password=FORMER_COLLEAGUE.password,
            must_change_password=False,
        )
    finally:
        lock(clinic)
    alex = unlock(data_dir, FORMER_COLLEAGUE.username, FORMER_COLLEAGUE.password, kdf=kdf)
    try:
        for person in clients.list_clients(alex)[60:66]:
            clients.write_clinical_note(
                alex, person.id, "First session. Talked about what they want from coming here."
            )
    finally:
        lock(alex)
    clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    try:
        users.deactivate_user(clinic, former.id)
        rotate_keys(clinic, reason="deactivation")
    finally:
        lock(clinic)


def _convert_legacy_values(data_dir: Path, kdf: KdfParams, say: Progress) -> None:
    """A demo clinic made by an earlier version: re-seal its values bound to their person and author."""
    owner = DEMO_USERS[0]
    try:
        clinic = unlock(data_dir, owner.username, owner.password, kdf=kdf)
    except HrclinicError:
        return  # the owner's password was changed: the app converts when an owner or clinician logs in
    try:
        converted = convert_legacy_values(clinic)
        if converted:
            say(f"Re-sealed {converted:,} entries written by an earlier version (bound to their person)")
    finally:
        lock(clinic)


def _demo_parts() -> list[tuple[str, Callable[[UnlockedClinic, random.Random], None]]]:
    """Demo data of the other front-desk pieces (appointments, consents), when installed."""
    parts: list[tuple[str, Callable[[UnlockedClinic, random.Random], None]]] = []
    try:
        from hrclinic.demo_schedule import add_demo_schedule

        parts.append(("a week of appointments", add_demo_schedule))
    except ImportError:
        pass
    try:
        from hrclinic.demo_consents import add_demo_consents

        parts.append(("consents in every state", add_demo_consents))
    except ImportError:
        pass
    return parts


_OWN_WORDS = [
    (
        "My partner says I drink too much. I just want to sleep through the night.",
        "Drink less on weeknights?",
    ),
    ("I keep waking up sick and I'm scared of the new stuff going around.", "Not sure yet. Maybe use less."),
    ("Court sent me but honestly I want help with the pills.", "Get my kids back on weekends."),
    ("I want to cut down, not quit. Everyone keeps telling me to quit.", "Have a couple of days off a week."),
    ("Since my mum died I've been using every day.", "Feel like myself again."),
]
_SAFE_NOTES = [
    "Texts only after 6 pm",
    "Don't say the clinic's name on voicemail",
    "Call the work phone only",
    "Email is safest",
    "",
]
_HOUSING = ["Housed", "Staying with friends or family", "Shelter", "Unsheltered / outside", ""]
_REFERRAL = [
    "Friend",
    "Syringe service program",
    "Emergency department",
    "Court",
    "Primary care",
    "Google",
    "",
]


def _rich_form(fake: object, rng: random.Random, name: str, *, full: bool) -> IntakeForm:
    """An intake with the optional answers a real front desk would get from some people."""
    f = fake
    if not full and rng.random() < 0.35:
        return IntakeForm(preferred_name=name)  # low threshold: a name and nothing else
    words = rng.choice(_OWN_WORDS) if full or rng.random() < 0.6 else ("", "")
    screening: tuple[tuple[str, str, str], ...] = ()
    if full or rng.random() < 0.7:
        screening = tuple(
            (fid, rng.choice(("yes", "no", "no", "declined")), "")
            for fid in (
                "uses_alone",
                "reduced_tolerance",
                "mixes_depressants",
                "unknown_supply",
                "injects",
                "past_overdose",
                "has_naloxone",
            )
        )
    needs = tuple(
        (code, note)
        for code, note in (
            ("housing", "on a waitlist"),
            ("food", ""),
            ("money", ""),
            ("medical", "needs a GP"),
        )
        if rng.random() < 0.2
    )
    return IntakeForm(
        preferred_name=name,
        legal_name=f"{f.first_name()} {f.last_name()}" if rng.random() < 0.5 else "",  # type: ignore[attr-defined]
        birth=str(rng.randint(1955, 2006))
        if rng.random() < 0.5
        else f"{rng.randint(1955, 2006)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        pronouns=rng.choice(["", "she/her", "he/him", "they/them"]),
        phone=f"555-{rng.randint(100, 999)}-{rng.randint(1000, 9999)}" if rng.random() < 0.7 else "",
        may_text=rng.choice([None, True, True, False]),
        may_voicemail=rng.choice([None, True, False, False]),
        safe_contact_notes=rng.choice(_SAFE_NOTES),
        housing_situation=rng.choice(_HOUSING),
        referral_source=rng.choice(_REFERRAL),
        reason_own_words=words[0],
        change_own_words=words[1],
        needs=needs,
        screening=screening,
    )


def _fill_registry(desk: UnlockedClinic, people: int) -> None:
    from faker import Faker

    fake = Faker(FAKER_LOCALES)
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    for name in FIXED_PEOPLE:
        registry.register_person(desk, _rich_form(fake, rng, name, full=True))
    for name in ALIASES:
        registry.register_person(desk, IntakeForm(preferred_name=name))
    registered = []
    for _ in range(max(0, people - len(FIXED_PEOPLE) - len(ALIASES) - 1)):
        # most people give a first name at intake; some give their full name
        name = fake.first_name() if rng.random() < 0.6 else f"{fake.first_name()} {fake.last_name()}"
        registered.append(registry.register_person(desk, _rich_form(fake, rng, name, full=False)))
    # the same person registered twice (a typo, a different phone): the owner can try Merge records
    registry.register_person(desk, IntakeForm(preferred_name="Sam Okoye", birth="1984", phone="555-301-2299"))
    registry.register_person(
        desk,
        IntakeForm(
            preferred_name="Samuel Okoye", legal_name="Samuel Okoye", birth="1984-03-09", phone="555-301-2299"
        ),
    )
    for person in registered[::9]:
        registry.change_status(desk, person.id, "lost_contact", reason="No reply to texts for six weeks")
    for person in registered[4::13]:
        registry.change_status(desk, person.id, "paused", reason="Taking a break over the summer")
    for person in registered[7::17]:
        registry.change_status(
            desk, person.id, "moved_on", reason="Goals met; staying in touch with the peer group"
        )
    for person in registered[::18]:
        registry.re_engage(desk, person.id)  # came back: one step, history kept


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
