"""Where hrclinic finds its bundled resources and a clinic's files.

Resources and migrations live beside the package in a source checkout
(``resources/``, ``migrations/`` at the repository root) and inside it in a wheel
or a PyInstaller bundle (``hrclinic/resources``, ``hrclinic/migrations``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent

DATA_DIR_ENV = "HRCLINIC_DATA_DIR"


def _bundled_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"hrclinic is installed without its {name}/ folder; reinstall the application.")


def resource_path(*parts: str) -> Path:
    """Return the path of a bundled resource, e.g. ``resource_path("fonts", "DejaVuSans.ttf")``."""
    return _bundled_dir("resources").joinpath(*parts)


def migrations_dir() -> Path:
    """Return the folder holding the Alembic environment and versions."""
    return _bundled_dir("migrations")


def default_data_dir() -> Path:
    """The clinic data folder: ``$HRCLINIC_DATA_DIR`` or the platform's user data folder."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("hrclinic", appauthor=False)) / "clinic"


def default_demo_dir() -> Path:
    """Where ``hrclinic demo`` keeps its demo clinic unless told otherwise."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("hrclinic", appauthor=False)) / "demo"


@dataclass(frozen=True)
class ClinicPaths:
    """The files of one clinic's data folder."""

    root: Path

    @property
    def database(self) -> Path:
        """The SQLCipher database file."""
        return self.root / "clinic.db"

    @property
    def keyring(self) -> Path:
        """The key-ring file holding every user's wrapped keys."""
        return self.root / "keyring.json"

    @property
    def failed_logins(self) -> Path:
        """Failed log-in attempts, kept outside the locked database until the next unlock."""
        return self.root / "failed-logins.jsonl"

    @property
    def backups(self) -> Path:
        """Copies of the database taken before upgrades (and later, backups)."""
        return self.root / "backups"

    def exists(self) -> bool:
        """True when the folder holds a clinic (its key ring and database)."""
        return self.keyring.is_file() and self.database.is_file()
