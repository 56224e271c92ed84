"""The demo's documented log-ins (the demo alone uses short, published passwords)."""

from __future__ import annotations

from dataclasses import dataclass

from hrclinic.domain.roles import Role


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

# Wrote notes, then left the clinic: shown deactivated in Users (never deleted: authorship stays).
FORMER_COLLEAGUE = DemoUser(
    "alex", "demo-former-colleague-1", "Alex Moreau, LCSW", Role.CLINICIAN, "left the clinic"
)


def login_hint() -> str:
    """The demo log-ins as one block of text."""
    return "\n".join(f"{u.username} / {u.password}  ({u.note})" for u in DEMO_USERS)
