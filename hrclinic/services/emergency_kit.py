"""Saving the Emergency Kit PDF (the recovery key on paper)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from hrclinic.atomic import write_atomically
from hrclinic.errors import ValidationError
from hrclinic.reports.emergency_kit import EmergencyKit, emergency_kit_pdf


def kit_destination(path: Path, *, data_dir: Path) -> Path:
    """Where the kit asked for at ``path`` is written (a .pdf name), or a clear refusal.

    Checked before a clinic is created, so that ``init --kit`` into a folder that is missing makes
    nothing at all, and the recovery key is never put inside the clinic folder it unlocks.
    """
    target = Path(path).expanduser()
    if target.is_dir():
        raise ValidationError(
            f"{target} is a folder; give a file name for the Emergency Kit, such as "
            f"{target / 'hrclinic-emergency-kit.pdf'}.",
            field="kit",
        )
    if target.suffix.lower() != ".pdf":
        target = target.with_suffix(".pdf")
    folder = target.parent
    clinic = Path(data_dir).expanduser().resolve()
    if folder.resolve() == clinic or clinic in folder.resolve().parents:
        raise ValidationError(
            "Keep the Emergency Kit away from the clinic folder: the recovery key in it unlocks "
            "everything there. Choose another place for the kit.",
            field="kit",
        )
    if not folder.is_dir():
        raise ValidationError(
            f"The folder {folder} for the Emergency Kit does not exist. Create it first, or choose "
            "another place for the kit.",
            field="kit",
        )
    if not os.access(folder, os.W_OK):
        raise ValidationError(
            f"The Emergency Kit cannot be saved in {folder}: the folder is read-only for this account.",
            field="kit",
        )
    return target


def save_emergency_kit(
    path: Path, *, clinic_name: str, owner_username: str, recovery_key: str, data_dir: Path
) -> Path:
    """Render the kit and write it atomically where ``kit_destination`` says; returns the path written."""
    target = kit_destination(path, data_dir=data_dir)
    kit = EmergencyKit(clinic_name, owner_username, recovery_key, datetime.now(UTC), str(data_dir))
    write_atomically(target.resolve(), emergency_kit_pdf(kit))
    return target
