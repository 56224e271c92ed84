"""The overdose-risk checklist: an unscored, dated list of recognised risk factors.

It is not a validated instrument and produces no score. It can *propose* an overdose-risk flag to a
clinician (the flags work turns a proposal into a flag); it never decides anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

ANSWERS = ("yes", "no", "not_asked", "declined")


@dataclass(frozen=True)
class RiskFactor:
    """One question of the checklist."""

    id: str
    question: str
    high_risk: bool
    protective: bool = False
    label: str = ""  # a few words for lists ("Uses alone"); for a protective factor, its absence


@dataclass(frozen=True)
class Checklist:
    """The checklist as shipped in resources/data/overdose_risk_factors.json."""

    title: str
    note: str
    factors: tuple[RiskFactor, ...]
    answer_labels: dict[str, str]

    def factor(self, factor_id: str) -> RiskFactor | None:
        """The factor with this id."""
        return next((f for f in self.factors if f.id == factor_id), None)


def checklist_from_json(data: dict[str, object]) -> Checklist:
    """Build the checklist from its data file."""
    factors = tuple(
        RiskFactor(
            str(f["id"]),
            str(f["question"]),
            bool(f.get("high_risk")),
            bool(f.get("protective")),
            str(f.get("label", "")),
        )
        for f in cast(list[dict[str, Any]], data["factors"])
    )
    labels = {str(k): str(v) for k, v in cast(dict[str, Any], data["answers"]).items()}
    return Checklist(str(data["title"]), str(data["note"]), factors, labels)


def proposal_reasons(checklist: Checklist, answers: dict[str, str]) -> list[str]:
    """Why the answers suggest an overdose-risk flag (empty: no proposal)."""
    reasons = []
    for factor in checklist.factors:
        answer = answers.get(factor.id)
        if factor.high_risk and answer == "yes":
            reasons.append(factor.label or factor.question)
        if factor.protective and answer == "no":
            reasons.append(factor.label or f"{factor.question} (answered no)")
    return reasons
