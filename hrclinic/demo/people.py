"""The demo registry, entered at the front desk, and the clinical notes a counsellor writes."""

from __future__ import annotations

import random
from pathlib import Path

from hrclinic.demo.logins import DemoUser
from hrclinic.services import clients, intake, notes, registry
from hrclinic.services.clinic import UnlockedClinic, lock, unlock
from hrclinic.services.intake import IntakeForm
from hrclinic.services.screening import overdose_checklist
from hrclinic.vault.primitives import KdfParams

SEED = 20261123  # every random choice of the demo comes from it: the same demo on every machine
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
            (factor.id, rng.choice(("yes", "no", "no", "declined")), "")
            for factor in overdose_checklist().factors
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


def fill_registry(desk: UnlockedClinic, people: int) -> None:
    """Register the demo's people at the front desk, with intakes from a name alone to every answer."""
    from faker import Faker

    fake = Faker(FAKER_LOCALES)
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    for name in FIXED_PEOPLE:
        intake.register_person(desk, _rich_form(fake, rng, name, full=True))
    for name in ALIASES:
        intake.register_person(desk, IntakeForm(preferred_name=name))
    registered = []
    for _ in range(max(0, people - len(FIXED_PEOPLE) - len(ALIASES) - 1)):
        # most people give a first name at intake; some give their full name
        name = fake.first_name() if rng.random() < 0.6 else f"{fake.first_name()} {fake.last_name()}"
        registered.append(intake.register_person(desk, _rich_form(fake, rng, name, full=False)))
    # the same person registered twice (a typo, a different phone): the owner can try Merge records
    intake.register_person(desk, IntakeForm(preferred_name="Sam Okoye", birth="1984", phone="555-301-2299"))
    intake.register_person(
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


def write_notes_as(data_dir: Path, author: DemoUser, kdf: KdfParams) -> None:
    """``author`` writes one to three notes for the fixed people and the first sixty registered."""
    clinic = unlock(data_dir, author.username, author.password, kdf=kdf)
    try:
        rng = random.Random(SEED)
        registry = clients.list_clients(clinic)
        fixed = [p for p in registry if p.preferred_name in FIXED_PEOPLE]
        for person in fixed + registry[:60]:
            for text in rng.sample(_NOTES, k=rng.randint(1, 3)):
                notes.write_clinical_note(clinic, person.id, text)
    finally:
        lock(clinic)
