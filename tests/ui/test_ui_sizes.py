"""The ui package stays in rooms a person can read: no module over 500 lines, no class over 300, no
function over 80 (STYLE.md; split by use case before one grows past it)."""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"
MODULE, CLASS, FUNCTION = 500, 300, 80


def too_big(source: str, name: str) -> list[str]:
    """What in ``source`` is over its limit, as "name: what N lines"."""
    found = []
    lines = len(source.splitlines())
    if lines > MODULE:
        found.append(f"{name}: {lines} lines")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            limit = CLASS if isinstance(node, ast.ClassDef) else FUNCTION
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                found.append(f"{name}: {node.name} {length} lines")
    return found


def test_no_ui_module_class_or_function_is_too_big() -> None:
    found = [
        problem
        for path in sorted(UI.rglob("*.py"))
        for problem in too_big(path.read_text(encoding="utf-8"), str(path.relative_to(UI.parent)))
    ]
    assert found == []


def test_the_rule_catches_each_kind_of_size() -> None:
    long_function = "def f() -> None:\n" + "\n".join(f"    x{i} = {i}" for i in range(FUNCTION))
    assert too_big(long_function, "probe.py") == [f"probe.py: f {FUNCTION + 1} lines"]
    long_class = "class C:\n" + "\n".join(f"    x{i} = {i}" for i in range(CLASS))
    assert too_big(long_class, "probe.py") == [f"probe.py: C {CLASS + 1} lines"]
    long_module = "\n".join(f"x{i} = {i}" for i in range(MODULE + 1))
    assert too_big(long_module, "probe.py") == [f"probe.py: {MODULE + 1} lines"]
