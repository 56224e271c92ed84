"""``hrclinic self-test``: prove an installed copy works, end to end, in a temporary folder."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from hrclinic.domain.roles import Role
from hrclinic.errors import HrclinicError, PermissionDenied
from hrclinic.paths import migrations_dir, resource_path
from hrclinic.services import clients, notes, users
from hrclinic.services.clinic import create_clinic, lock, unlock
from hrclinic.services.verify import verify_clinic
from hrclinic.store.migrate import head_revision

Step = Callable[[str], None]


class SelfTestFailed(HrclinicError):
    """A self-test step did not behave as it must."""


def run_core_self_test(report: Step, workdir: Path | None = None) -> None:
    """Create a clinic, unlock, migrate, seal and open a value, check roles and integrity."""
    with tempfile.TemporaryDirectory(prefix="hrclinic-selftest-") as tmp:
        data_dir = (workdir or Path(tmp)) / "clinic"
        for needed in (resource_path("fonts", "DejaVuSans.ttf"), migrations_dir() / "env.py"):
            if not needed.is_file():
                raise SelfTestFailed(f"{needed} is missing from this installation.")
        report(f"resources and migrations present (schema {head_revision()})")

        owner_pw, desk_pw = "seventeen-lanterns-4", "front-counter-pw-9"
        created = create_clinic(
            data_dir, clinic_name="Self-test clinic", owner_username="owner", owner_password=owner_pw
        )
        report("clinic created (SQLCipher database, key ring, recovery escrow)")

        clinic = unlock(data_dir, "owner", owner_pw)
        if clinic.migration.to_revision != head_revision():
            raise SelfTestFailed("the database did not reach the current schema")
        report(f"unlocked with Argon2id; schema at {clinic.migration.to_revision}")

        person = clients.register_client(clinic, "Zoë Łukasiewicz-Şahin")
        text = "Self-test note: Алексей, Nguyễn, <b>&"
        notes.write_clinical_note(clinic, person.id, text)
        opened = notes.read_clinical_notes(clinic, person.id)
        if [n.body for n in opened] != [text]:
            raise SelfTestFailed("a sealed clinical value did not read back as written")
        users.add_user(clinic, username="desk", display_name="Desk", role=Role.FRONT_DESK, password=desk_pw)
        lock(clinic)
        report("sealed clinical value written and read back")

        raw = (data_dir / "clinic.db").read_bytes()
        if "Łukasiewicz".encode() in raw or b"Self-test note" in raw:
            raise SelfTestFailed("plain text was found in the database file")
        report("no plain text in the database file")

        desk = unlock(data_dir, "desk", desk_pw)
        try:
            notes.read_clinical_notes(desk, person.id)
            raise SelfTestFailed("a front-desk account could read clinical content")
        except PermissionDenied:
            pass
        if desk.keys.holds_clinical:
            raise SelfTestFailed("a front-desk key ring holds the clinical vault key")
        lock(desk)
        report("front desk holds no clinical key")

        result = verify_clinic(data_dir, "owner", owner_pw)
        if not result.sound:
            raise SelfTestFailed("verify found problems: " + "; ".join(result.problems))
        report("integrity, encryption, key ring and audit chain verified")
        if not created.recovery_key:
            raise SelfTestFailed("no recovery key was produced")

        from hrclinic.reports.emergency_kit import EmergencyKit, emergency_kit_pdf

        pdf = emergency_kit_pdf(
            EmergencyKit(
                "Self-test clinic · Zoë & Алексей",
                "owner",
                created.recovery_key,
                datetime.now(UTC),
                str(data_dir),
            )
        )
        if not pdf.startswith(b"%PDF") or len(pdf) < 2000:
            raise SelfTestFailed("the Emergency Kit PDF could not be rendered")
        report("Emergency Kit PDF rendered with the bundled fonts")
