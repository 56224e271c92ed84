"""One place knows the overdose-risk checklist's questions: resources/data/overdose_risk_factors.json."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from hrclinic.services.screening import overdose_checklist

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "resources" / "data" / "overdose_risk_factors.json"


def test_the_checklist_is_read_from_its_data_file() -> None:
    ids = [f["id"] for f in json.loads(DATA.read_text(encoding="utf-8"))["factors"]]
    assert [f.id for f in overdose_checklist().factors] == ids


def test_no_code_names_a_question_of_the_checklist_itself() -> None:
    """The demo, the benchmark and the views ask the questions the data file has (so a question added,
    removed or renamed there reaches every one of them); none keeps a copy of their ids."""
    ids = {f.id for f in overdose_checklist().factors}
    found = []
    for folder in ("hrclinic", "ui"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and node.value in ids:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
    assert found == []
