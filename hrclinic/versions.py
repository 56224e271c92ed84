"""Versions of hrclinic and the libraries it stands on (for Help > About and bug reports)."""

from __future__ import annotations

import platform
from importlib import metadata

from hrclinic import __version__

_PACKAGES = ["SQLAlchemy", "alembic", "cryptography", "reportlab", "keyring", "PySide6-Essentials"]


def versions() -> list[tuple[str, str]]:
    """(component, version) pairs, hrclinic first."""
    from hrclinic.store.engine import sqlcipher_versions

    cipher, sqlite = sqlcipher_versions()
    rows = [
        ("hrclinic", __version__),
        ("Python", platform.python_version()),
        ("SQLCipher", cipher),
        ("SQLite", sqlite),
    ]
    for name in _PACKAGES:
        try:
            rows.append((name.replace("-Essentials", ""), metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    rows.append(("Operating system", f"{platform.system()} {platform.release()}"))
    return rows
