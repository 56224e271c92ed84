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
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hrclinic.bench.synthetic import WEEKS, Progress, SizeSpec, populate
from hrclinic.services.clinic import create_clinic, unlock
from hrclinic.store.bulk import Engine, copy_rows
from hrclinic.store.engine import plain_sqlite_engine
from hrclinic.store.migrate import head_revision, upgrade
from hrclinic.store.records import (
    AuditEventRecord,
    AuditHeadRecord,
    ClinicRecord,
    UserRecord,
    UserSigningKeyRecord,
)

# 2: overdose-risk checklists for the Flags view; 3: their questions come from the checklist's data file
GENERATOR_VERSION = 3
USERNAME = "bench"
PASSWORD = "quiet lantern harbour 7"
CACHE_ENV = "HRCLINIC_BENCH_CACHE"


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
