"""The timing harness of ``hrclinic bench``: repeated runs, median and p95, peak memory, JSON, a table.

Core operations run through the real services on the encrypted clinic and on its plain-SQLite copy
(same schema, same generated rows; AES-GCM sealing of clinical fields is on in both, so the ratio
is the cost of SQLCipher alone). GUI operations are measured by the desktop shell through the real
widgets (offscreen) and handed back as samples.
"""

from __future__ import annotations

import json
import math
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from hrclinic import __version__
from hrclinic.bench.data import PASSWORD, USERNAME, Dataset, default_cache_root, ensure_dataset
from hrclinic.paths import ClinicPaths
from hrclinic.services.clinic import UnlockedClinic, load_ring, unlock
from hrclinic.services.intake import IntakeForm, register_person
from hrclinic.services.notes import write_clinical_note
from hrclinic.services.rotation import rotate_keys
from hrclinic.store.engine import plain_sqlite_engine, sqlcipher_versions
from hrclinic.store.migrate import MigrationResult, head_revision

Progress = Callable[[str], None]
Samples = dict[str, list[float]]

ENCRYPTED, PLAIN = "sqlcipher", "plain"
WARM_UP = 2

# Targets at clinic size on a 2-core machine (p95, milliseconds), from the performance issue.
TARGETS_MS: dict[str, float | None] = {
    "cold_start": 1500,
    "unlock": None,  # Argon2id is deliberately slow: reported on its own, no target
    "chart_open": 100,
    "client_search_keystroke": 16,
    "client_register": 20,
    "note_search": 100,
    "flags_view_open": None,
    "note_save": 20,
    "letter_pdf": 150,
    "chart_export_pdf": 10_000,
    "backup": None,
    # a whole rotation (new keys, database re-keyed, every clinical value re-sealed): runs in the background
    "key_rotation": None,
}
PEAK_RSS_TARGET_MB = 400
MAX_PLAIN_RATIO = 1.3
NO_RATIO = {"cold_start", "unlock", "key_rotation"}  # not run on the plain copy
ROTATIONS = 3  # each one re-keys the database and re-seals every clinical value: a few are enough

NOTE_TEXT = (
    "Came in on time. Talked about the weekend: mostly drinking with friends, sometimes alone. "
    "Agreed to text a friend before using alone and to keep naloxone by the door. Reviewed the "
    "overdose plan together; would like to look at the evening drinking next time. "
) * 3


@dataclass(frozen=True)
class GuiBenchRequest:
    """What the desktop shell needs to measure its widgets: both clinics, who to open, what to type."""

    clinics: dict[str, UnlockedClinic]  # ENCRYPTED and PLAIN
    chart_person_id: uuid.UUID
    search_text: str
    repeat: int
    clinic_dir: Path  # the encrypted clinic, for the cold start to the log-in window
    progress: Progress


GuiBench = Callable[[GuiBenchRequest], dict[str, Samples]]


def percentile_95(samples: list[float]) -> float:
    """The nearest-rank 95th percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _plain_clinic(dataset_root: Path, encrypted: UnlockedClinic) -> UnlockedClinic:
    """The plain copy opened with the same user's keys (the SQLCipher key is simply not needed)."""
    paths = ClinicPaths(dataset_root / "plain")
    ring = load_ring(ClinicPaths(dataset_root / "clinic"))
    revision = head_revision()
    return UnlockedClinic(
        paths,
        plain_sqlite_engine(paths.database),
        ring,
        encrypted.keys,
        encrypted.actor,
        MigrationResult(revision, revision, None),
        encrypted.kdf,
    )


def _core_samples(
    clinics: dict[str, UnlockedClinic], dataset: Dataset, repeat: int, progress: Progress
) -> dict[str, Samples]:
    """Register a person and save a note, interleaving the two engines so drift hits both alike."""
    out: dict[str, Samples] = {label: {"client_register": [], "note_save": []} for label in clinics}
    progress("Registering people and saving notes ...")
    for i in range(-WARM_UP, repeat):
        for label, clinic in clinics.items():
            form = IntakeForm(
                preferred_name=f"Bench Newcomer {i + WARM_UP}",
                legal_name=f"Bench Legal Newcomer {i + WARM_UP}",
                birth="1988",
                phone=f"+1 555 010 {i + WARM_UP:04d}",
            )
            register = _ms(partial(register_person, clinic, form))
            save = _ms(partial(write_clinical_note, clinic, dataset.note_person_id, NOTE_TEXT))
            if i >= 0:
                out[label]["client_register"].append(register)
                out[label]["note_save"].append(save)
    return out


def _unlock_samples(clinic_dir: Path, repeat: int, progress: Progress) -> list[float]:
    progress("Unlocking (Argon2id, 64 MiB, 3 passes) ...")
    samples = []
    for i in range(-1, repeat):
        started = time.perf_counter()
        opened = unlock(clinic_dir, USERNAME, PASSWORD)
        took = (time.perf_counter() - started) * 1000
        opened.close()
        if i >= 0:
            samples.append(took)
    return samples


def _rotation_samples(clinic: UnlockedClinic, repeat: int, progress: Progress) -> list[float]:
    """Whole key rotations, timed end to end (after every other measurement: they change the keys)."""
    samples = []
    for i in range(min(repeat, ROTATIONS)):
        progress(f"Rotating the clinic's keys ({i + 1} of {min(repeat, ROTATIONS)}) ...")
        started = time.perf_counter()
        summary = rotate_keys(clinic, reason="bench")
        took = (time.perf_counter() - started) * 1000
        if summary.waiting:
            raise RuntimeError(f"the key rotation did not complete: {summary.waiting}")
        samples.append(took)
    return samples


def peak_rss_mb() -> float | None:
    """This process's peak resident memory, when the platform tells it."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "hrclinic": __version__,
        "schema": head_revision(),
    }
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    try:
        info["memory_mb"] = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**20)
    except (AttributeError, ValueError, OSError):
        pass
    info["sqlcipher"], info["sqlite"] = sqlcipher_versions()
    return info


def summarise(samples: dict[str, Samples]) -> dict[str, dict[str, float | None]]:
    """Median, p95, target and plain ratio per operation, in the issue's order."""
    encrypted, plain = samples.get(ENCRYPTED, {}), samples.get(PLAIN, {})
    results: dict[str, dict[str, float | None]] = {}
    for name, target in TARGETS_MS.items():
        values = encrypted.get(name)
        if not values:
            continue  # the feature does not exist yet (or has no GUI here): omitted
        median = statistics.median(values)
        ratio = None
        if name not in NO_RATIO and plain.get(name):
            ratio = round(median / statistics.median(plain[name]), 2)
        results[name] = {
            "median_ms": round(median, 2),
            "p95_ms": round(percentile_95(values), 2),
            "target_ms": target,
            "plain_sqlite_ratio": ratio,
        }
    return results


def format_table(report: dict[str, Any], samples: dict[str, Samples]) -> str:
    """The printed table."""
    plain = samples.get(PLAIN, {})
    lines = [
        f"hrclinic bench --size {report['size']}  ({report['dataset']})",
        f"{'operation':<26}{'median ms':>11}{'p95 ms':>10}{'target':>9}{'plain ms':>10}{'ratio':>7}  verdict",
    ]
    for name, r in report["results"].items():
        target, ratio = r["target_ms"], r["plain_sqlite_ratio"]
        verdict = []
        if target is not None:
            verdict.append("ok" if r["p95_ms"] < target else "MISSES target")
        if ratio is not None and ratio > MAX_PLAIN_RATIO:
            verdict.append(f"ratio > {MAX_PLAIN_RATIO}")
        plain_median = f"{statistics.median(plain[name]):.1f}" if plain.get(name) else "-"
        lines.append(
            f"{name:<26}{r['median_ms']:>11.1f}{r['p95_ms']:>10.1f}"
            f"{(f'< {target:g}' if target is not None else '-'):>9}{plain_median:>10}"
            f"{(f'{ratio:.2f}' if ratio is not None else '-'):>7}  {', '.join(verdict) or 'reported'}"
        )
    peak = report["peak_rss_mb"]
    if peak is not None:
        memory = "ok" if peak < PEAK_RSS_TARGET_MB else "MISSES target"
        lines.append(
            f"{'peak memory (RSS)':<26}{peak:>10.0f}M{'':>10}{f'< {PEAK_RSS_TARGET_MB}M':>9}  {memory}"
        )
    lines.append(
        "plain = the same data in unencrypted SQLite; AES-GCM sealing of clinical fields is on in both, "
        "so the ratio is the cost of SQLCipher alone. unlock, cold_start and key_rotation run on the "
        "encrypted clinic only."
    )
    return "\n".join(lines)


def run_bench(
    size: str,
    *,
    repeat: int = 20,
    json_path: Path | None = None,
    gui: GuiBench | None = None,
    cache_root: Path | None = None,
    progress: Progress = print,
) -> dict[str, Any]:
    """Build (or reuse) the data set, measure everything that exists, print the table, write JSON."""
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    built_at = time.perf_counter()
    dataset = ensure_dataset(size, cache_root or default_cache_root(), progress)
    progress(
        f"Data set ready ({time.perf_counter() - built_at:.1f} s; built once in {dataset.build_seconds} s)"
    )
    work = Path(tempfile.mkdtemp(prefix="hrclinic-bench-"))
    try:
        # measured on a copy, so every run starts from the same data and the cache never changes
        shutil.copytree(dataset.root, work / "data")
        root = work / "data"
        samples: dict[str, Samples] = {ENCRYPTED: {}, PLAIN: {}}
        samples[ENCRYPTED]["unlock"] = _unlock_samples(root / "clinic", repeat, progress)
        encrypted = unlock(root / "clinic", USERNAME, PASSWORD)
        plain = _plain_clinic(root, encrypted)
        clinics = {ENCRYPTED: encrypted, PLAIN: plain}
        try:
            for label, found in _core_samples(clinics, dataset, repeat, progress).items():
                samples[label].update(found)
            if gui is not None:
                request = GuiBenchRequest(
                    clinics, dataset.chart_person_id, dataset.search_text, repeat, root / "clinic", progress
                )
                for label, found in gui(request).items():
                    samples.setdefault(label, {}).update(found)
            plain.close()  # the rotation re-keys the encrypted file only; nothing else may hold it
            samples[ENCRYPTED]["key_rotation"] = _rotation_samples(encrypted, repeat, progress)
        finally:
            encrypted.close()
            plain.close()
        report: dict[str, Any] = {
            "size": size,
            "machine": machine_info(),
            "results": summarise(samples),
            "peak_rss_mb": peak_rss_mb(),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    shown = {
        **report,
        "dataset": (
            f"{dataset.clients:,} people, {dataset.notes:,} notes, largest chart {dataset.chart_notes} notes"
        ),
    }
    progress(format_table(shown, samples))
    if json_path is not None:
        json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        progress(f"JSON written to {json_path}")
    return report
