"""One accent-folding rule for every filter and search (hrclinic/domain/folding.py)."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest

from hrclinic.domain.folding import fold
from hrclinic.domain.registry import search
from hrclinic.readmodels.people import PersonRow

ROOT = Path(__file__).resolve().parents[2]
# The views that filter a list as the person types; each must filter with the one rule.
FILTERING_VIEWS = ("clients", "caseload", "flags", "users", "today")


def test_fold_makes_search_accent_and_case_insensitive() -> None:
    assert fold("Zoë Łukasiewicz-Şahin") == "zoe lukasiewicz-sahin"
    assert fold("Nguyễn Văn An") == "nguyen van an"
    assert fold("АЛЕКСЕЙ") == "алексеи"  # Cyrillic й folds too: "алексей" typed without the breve matches


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("lukasiewicz", "Łukasiewicz"),
        ("LUKASIEWICZ", "łukasiewicz"),
        ("dorde", "Đorđe"),
        ("soren", "Søren"),
        ("strasse", "Straße"),
        ("isik", "Işık"),
        ("zoe", "ZOË"),
    ],
)
def test_a_name_is_found_by_what_people_type_for_it(typed: str, name: str) -> None:
    assert fold(typed) in fold(name)


def test_the_registry_search_finds_a_stroked_letter_typed_plainly() -> None:
    row = PersonRow(uuid.uuid4(), 7, "Zoë Łukasiewicz-Şahin", "active")
    assert search([row], "lukasiewicz sahin") == [row]


def _fold_like_functions(path: Path) -> list[str]:
    """Functions in ``path`` that fold text themselves (a ``fold`` of their own, or NFKD/NFD with
    combining marks dropped)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        calls = {
            n.func.attr
            for n in ast.walk(node)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
        }
        forms = {
            n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and n.value in ("NFKD", "NFD")
        }
        if node.name == "fold" or ("combining" in calls and forms):
            found.append(f"{path.relative_to(ROOT)} {node.name}")
    return found


def test_there_is_one_folding_rule_in_the_core_and_the_ui() -> None:
    found = [
        f
        for folder in ("hrclinic", "ui")
        for p in (ROOT / folder).rglob("*.py")
        for f in _fold_like_functions(p)
    ]
    assert found == ["hrclinic/domain/folding.py fold"]


def _imports(paths: list[Path]) -> set[str]:
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_table_filter_and_its_sort_fold_with_the_one_rule() -> None:
    """ui.models' filter proxy and row model (every FilterableTable) use the core's fold."""
    assert "hrclinic.domain.folding.fold" in _imports([ROOT / "ui" / "models.py"])
    assert "ui.models.FoldedFilterProxy" in _imports([ROOT / "ui" / "views" / "table.py"])


@pytest.mark.parametrize("view", FILTERING_VIEWS)
def test_clients_caseload_flags_users_and_today_filter_with_the_one_rule(view: str) -> None:
    """Each of these views filters through the folding table filter or the registry search; none
    brings a rule of its own (the test above shows there is no other)."""
    folder = ROOT / "ui" / "views"
    modules = [*folder.glob(f"{view}*.py"), *(folder / view).rglob("*.py")]
    assert modules, f"no module of the {view} view under ui/views"
    imported = _imports(modules)
    assert imported & {
        "ui.views.table.FilterableTable",
        "ui.models.FoldedFilterProxy",
        "hrclinic.domain.registry.search",
    }, f"the {view} view filters with something other than the one folding rule"
