"""The layer rule of shared/DESIGN.md: the contracts bite, cover every module, and what they cannot see.

tests/test_contracts.py runs the import-linter contracts (pyproject.toml) over the real tree. Here:
each contract fails on a planted violation in a copy of the tree; every module of hrclinic has a
place in the layers; the core's subpackages import one another one way only; SQL text, engines and
record definitions stay in the store; the domain and the read models import only the standard library.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS: list[dict[str, object]] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
    "tool"
]["importlinter"]["contracts"]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "COLUMNS": "500"}  # each contract's name on one line
    return subprocess.run(
        [str(lint), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=180, env=env
    )


def _broken_sections(output: str) -> dict[str, str]:
    """Contract name -> the report of its violations, from lint-imports' "Broken contracts" part."""
    names = {str(c["name"]) for c in CONTRACTS}
    lines = output.split("Broken contracts", 1)[-1].splitlines()
    sections: dict[str, str] = {}
    current: str | None = None
    for i, line in enumerate(lines):
        if line.strip() in names and i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}:
            current = line.strip()
            sections[current] = ""
        elif current is not None:
            sections[current] += line + "\n"
    return sections


def _contract(prefix: str) -> str:
    [name] = [str(c["name"]) for c in CONTRACTS if str(c["name"]).startswith(prefix)]
    return name


# (where the planted import goes, what it imports, the contract that must report it); the report
# names the importing module, or for a cycle the arrow that closes it
PLANTED = [
    ("hrclinic/services/_planted_ui.py", "import ui.bus", "ui sits above hrclinic"),
    ("hrclinic/services/_planted_qt.py", "import PySide6.QtCore", "hrclinic never imports PySide6"),
    ("hrclinic/store/_planted_up.py", "import hrclinic.services.clinic", "The core's layers"),
    ("hrclinic/store/_planted_up.py", "import hrclinic.services.clinic", "One-way arrows"),
    ("hrclinic/reports/_planted_db.py", "import hrclinic.store.records", "The core's layers"),
    ("hrclinic/readmodels/_planted.py", "import hrclinic.services", "The core's layers"),
    ("hrclinic/domain/_planted_heavy.py", "import cryptography", "The domain imports nothing heavy"),
    ("hrclinic/bench/_planted_sql.py", "import sqlalchemy", "Only store and services import SQLAlchemy"),
    ("hrclinic/cli.py", "import sqlalchemy", "Only store and services import SQLAlchemy"),
    ("hrclinic/app.py", "import alembic", "Only the store imports SQLCipher and Alembic"),
    ("hrclinic/services/_planted_engine.py", "import sqlcipher3", "Only the store imports SQLCipher"),
    ("ui/_planted_store.py", "import hrclinic.store.uow", "Views get data from services"),
    ("hrclinic/services/_planted_crypto.py", "import cryptography", "Only the vault imports cryptography"),
    ("ui/_planted_keyring.py", "import keyring", "Only the vault imports cryptography"),
    ("hrclinic/app.py", "import reportlab", "Only reports imports ReportLab"),
]


def _module_of(path: str) -> str:
    return path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")


@pytest.fixture(scope="module")
def planted_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, str], str]:
    """lint-imports over a copy of hrclinic and ui with every violation above planted in it."""
    root = tmp_path_factory.mktemp("planted")
    for package in ("hrclinic", "ui"):
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root)
    (root / "hrclinic" / "readmodels").mkdir(exist_ok=True)  # its optional layer, made real
    (root / "hrclinic" / "readmodels" / "__init__.py").touch()
    for path, line, _ in PLANTED:
        target = root / path
        with target.open("a", encoding="utf-8") as out:
            out.write(f"\n{line}  # planted by tests/test_layers.py\n")
    result = _lint_imports(root)
    return result.returncode, _broken_sections(result.stdout), result.stdout + result.stderr


@pytest.mark.parametrize(("path", "line", "contract"), PLANTED, ids=[f"{p[2]}:{p[0]}" for p in PLANTED])
def test_a_planted_violation_breaks_its_contract(
    planted_report: tuple[int, dict[str, str], str], path: str, line: str, contract: str
) -> None:
    returncode, broken, output = planted_report
    assert returncode != 0, output
    name = _contract(contract)
    assert name in broken, f"{name!r} was not broken by {path}: {line}\n{output}"
    module = _module_of(path)
    named = module if contract != "One-way arrows" else ".store -> .services"
    assert named in broken[name], f"{name!r} did not report {path}\n{broken[name]}"


def test_every_contract_is_proved_by_a_planted_violation() -> None:
    proved = {_contract(prefix) for _, _, prefix in PLANTED}
    assert proved == {str(c["name"]) for c in CONTRACTS}


def test_every_module_of_the_core_has_a_layer() -> None:
    """A new top-level module or package of hrclinic must be placed in the layers contract."""
    [layers] = [c for c in CONTRACTS if c.get("containers") == ["hrclinic"]]
    named = {
        part.strip().strip("()")
        for layer in layers["layers"]  # type: ignore[attr-defined]
        for part in str(layer).replace(":", "|").split("|")
    }
    children = {
        path.stem if path.is_file() else path.name
        for path in (ROOT / "hrclinic").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    }
    assert children - named == set(), "add these to the layers contract in pyproject.toml"


# --- one-way arrows ------------------------------------------------------------------------------


def _subpackage_edges(graph: grimp.ImportGraph, package: str) -> dict[str, set[str]]:
    """For each child of ``package``, the other children it imports (directly, anywhere inside)."""
    children = graph.find_children(package)
    edges: dict[str, set[str]] = {child: set() for child in children}
    for child in children:
        for module in {child, *graph.find_descendants(child)}:
            for imported in graph.find_modules_directly_imported_by(module):
                target = ".".join(imported.split(".")[: package.count(".") + 2])
                if target in children and target != child:
                    edges[child].add(target)
    return edges


def _cycle(edges: dict[str, set[str]]) -> list[str]:
    try:
        tuple(TopologicalSorter(edges).static_order())
    except CycleError as error:
        return list(error.args[1])
    return []


def test_the_cores_subpackages_import_each_other_one_way_only() -> None:
    graph = grimp.build_graph("hrclinic")
    edges = _subpackage_edges(graph, "hrclinic")
    # TODO(issue 9): the read models package takes ConsentDetail out of services; then delete this
    edges["hrclinic.reports"].discard("hrclinic.services")
    assert _cycle(edges) == [], "an import cycle between hrclinic's subpackages"
    assert "hrclinic.store" in edges["hrclinic.services"]  # the graph is really there


def test_the_cycle_check_finds_a_planted_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": set(), "d": {"a"}}
    assert _cycle(edges) == []
    edges["c"].add("a")
    assert set(_cycle(edges)) == {"a", "b", "c"}


# --- what a contract cannot see ------------------------------------------------------------------

# DESIGN.md: "store defines the records, creates engines and is the only place that runs SQL text".
STORE_ONLY = {
    "text",
    "TextClause",
    "literal_column",
    "create_engine",
    "engine_from_config",
    "DeclarativeBase",
    "declarative_base",
    "declared_attr",
    "mapped_column",
    "relationship",
    "Table",
    "MetaData",
}
STORE_ONLY_METHODS = {"exec_driver_sql", "driver_connection", "dbapi_connection"}


def store_only_uses(source: str) -> list[str]:
    """Where ``source`` runs SQL text, creates an engine or defines a table through SQLAlchemy."""
    tree = ast.parse(source)
    aliases: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [f"{node.lineno}: {a.name}" for a in node.names if a.name in STORE_ONLY]
        elif isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name.split(".")[0] == "sqlalchemy"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            if node.attr in STORE_ONLY_METHODS:
                found.append(f"{node.lineno}: .{node.attr}")
            elif node.attr in STORE_ONLY and isinstance(node.value, ast.Name) and node.value.id in aliases:
                found.append(f"{node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_only_the_store_runs_sql_text_creates_engines_and_defines_records() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{where}"
        for folder in ("hrclinic", "ui")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "store" not in path.relative_to(ROOT).parts[1:2]
        for where in store_only_uses(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "move these into hrclinic/store (services compose expressions only)"


def test_the_sql_text_check_catches_what_it_must() -> None:
    assert store_only_uses("from sqlalchemy import select, text\ntext('PRAGMA x')\n") == ["1: text"]
    assert store_only_uses("import sqlalchemy as sa\nsa.text('DELETE FROM x')\n") == ["2: sa.text"]
    assert store_only_uses("from sqlalchemy.sql.expression import literal_column\n") == ["1: literal_column"]
    assert store_only_uses("conn.exec_driver_sql('VACUUM')\n") == ["1: .exec_driver_sql"]
    assert store_only_uses("from sqlalchemy.orm import mapped_column\n") == ["1: mapped_column"]
    assert store_only_uses("from sqlalchemy import func, select, update\nselect(x).where(y)\n") == []
    assert store_only_uses("from hrclinic.domain.text import clean_text\nclean_text('a')\n") == []


# DESIGN.md: domain is "standard library only"; read models import only the domain and the stdlib.
# zxcvbn (pure Python, imported on first use) is the password rule's estimator and blocklist: the
# one library the domain may use until DESIGN.md says otherwise.
_DOMAIN_MAY_IMPORT = {"hrclinic.domain", "hrclinic.errors", "zxcvbn"}
_READ_MODELS_MAY_IMPORT = {"hrclinic.readmodels", "hrclinic.domain", "hrclinic.errors"}


def _outside_stdlib(graph: grimp.ImportGraph, package: str, allowed: set[str]) -> set[str]:
    modules = {package, *graph.find_descendants(package)}
    imported = {i for m in modules for i in graph.find_modules_directly_imported_by(m)}
    return {
        i
        for i in imported
        if i.split(".")[0] not in sys.stdlib_module_names
        and not any(i == a or i.startswith(a + ".") for a in allowed)
    }


def test_the_domain_and_the_read_models_import_only_the_standard_library() -> None:
    graph = grimp.build_graph("hrclinic", include_external_packages=True)
    assert _outside_stdlib(graph, "hrclinic.domain", _DOMAIN_MAY_IMPORT) == set()
    if "hrclinic.readmodels" in graph.modules:
        assert _outside_stdlib(graph, "hrclinic.readmodels", _READ_MODELS_MAY_IMPORT) == set()
