"""Saving the Emergency Kit PDF (the recovery key on paper)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hrclinic.reports.emergency_kit import EmergencyKit, emergency_kit_pdf
from hrclinic.vault.keyring_file import write_atomically


def save_emergency_kit(
    path: Path, *, clinic_name: str, owner_username: str, recovery_key: str, data_dir: Path
) -> Path:
    """Render the kit and write it atomically to ``path``; returns the path written."""
    target = Path(path).expanduser()
    if target.suffix.lower() != ".pdf":
        target = target.with_suffix(".pdf")
    kit = EmergencyKit(clinic_name, owner_username, recovery_key, datetime.now(UTC), str(data_dir))
    write_atomically(target.resolve(), emergency_kit_pdf(kit))
    return target
