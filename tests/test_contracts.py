"""Architecture and language rules, machine-checked."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# LANGUAGE.md: words the app never uses in anything a person reads.
_WORDS = [  # language-check: allow (the list itself)
    r"addicts?",
    r"abusers?",
    r"junkies?",
    r"substance abuse",
    r"drug abuse",  # language-check: allow
    r"clean (urine|test|screen|result)",
    r"dirty (urine|test|screen|result)",  # language-check: allow
    r"non-?compliant",
    r"non-?compliance",
    r"non-?adherent",
    r"drug-seeking",  # language-check: allow
    r"discharged for",
    r"terminated from",
    r"failed (goal|test|screen|treatment)",  # language-check: allow
    r"relapsed?",  # language-check: allow
]
STIGMATISING = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)


def test_import_contracts_hold() -> None:
    """hrclinic never imports ui or Qt; only store/vault/reports import their heavy libraries."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_the_core_imports_without_qt_and_does_nothing_at_import_time() -> None:
    code = (
        "import sys, importlib, pkgutil, hrclinic\n"
        "for m in pkgutil.walk_packages(hrclinic.__path__, 'hrclinic.'):\n"
        "    if m.name != 'hrclinic.__main__': importlib.import_module(m.name)\n"
        "bad = [n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'ui')]\n"
        "assert not bad, bad\n"
        "import threading; assert threading.active_count() == 1\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


def _strings_in(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (n.lineno, n.value)
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]


def test_no_stigmatising_words_in_what_people_read() -> None:
    found = []
    for folder in ("hrclinic", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            lines = path.read_text(encoding="utf-8").splitlines()
            for lineno, value in _strings_in(path):
                if STIGMATISING.search(value) and "language-check: allow" not in lines[lineno - 1]:
                    found.append(f"{path.relative_to(ROOT)}:{lineno}: {value[:80]!r}")
    for path in (ROOT / "resources").rglob("*"):
        if (
            path.suffix in {".json", ".csv", ".txt", ".md", ".html", ".yaml", ".yml", ".qss"}
            and "fonts" not in path.parts
        ):
            for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if STIGMATISING.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{lineno}")
    assert not found, "stigmatising language (see LANGUAGE.md):\n" + "\n".join(found)


def test_the_language_scan_catches_what_it_must() -> None:
    for phrase in (
        "Client relapsed",
        "non-compliant with plan",
        "clean urine",
        "failed goal",
        "drug-seeking",
    ):
        assert STIGMATISING.search(phrase), phrase
    for phrase in ("return to use", "not met yet", "negative for fentanyl", "asking for medication"):
        assert not STIGMATISING.search(phrase), phrase


def test_the_core_is_strictly_typed() -> None:
    """mypy --strict over hrclinic (configuration in pyproject.toml)."""
    mypy = Path(sys.executable).with_name("mypy")
    result = subprocess.run([str(mypy)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
