"""What the intake form holds, as plain data: a draft's state, the service's command, and the form
filled from a person's details."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from hrclinic.domain.intake import parse_aliases
from hrclinic.readmodels.people import PersonDetail
from hrclinic.services.intake import DETAIL_FIELDS, IntakeForm
from ui.views.intake.layout import IntakeLayout

TRISTATES = ("may_text", "may_voicemail")


def text_of(form: IntakeLayout, key: str) -> str:
    """The text of one field ("" for a field the form does not show)."""
    widget = form.fields.get(key)
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox):
        return widget.currentText()
    return ""


def _tri(form: IntakeLayout, key: str) -> bool | None:
    widget = form.fields[key]
    assert isinstance(widget, QComboBox)
    value = widget.currentData()
    return value if isinstance(value, bool) else None


def set_value(form: IntakeLayout, key: str, value: Any) -> None:
    """Put ``value`` into one field."""
    widget = form.fields.get(key)
    if isinstance(widget, QLineEdit):
        widget.setText(str(value or ""))
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(str(value or ""))
    elif isinstance(widget, QComboBox) and key in TRISTATES:
        widget.setCurrentIndex(max(0, widget.findData(value)) if value is not None else 0)
    elif isinstance(widget, QComboBox):
        widget.setCurrentText(str(value or ""))


def _needs(form: IntakeLayout) -> dict[str, str]:
    return {code: note.text() for code, (box, note) in form.need_boxes.items() if box.isChecked()}


def _risks(form: IntakeLayout) -> dict[str, str]:
    return {
        factor: combo.currentData()
        for factor, combo in form.risk_boxes.items()
        if combo.currentData() != "not_asked"
    }


def state(form: IntakeLayout) -> dict[str, Any]:
    """Everything typed, as plain data (for drafts)."""
    data: dict[str, Any] = {key: text_of(form, key) for key in form.fields if key not in TRISTATES}
    for key in TRISTATES:
        data[key] = _tri(form, key)
    data["needs"] = _needs(form)
    data["risks"] = _risks(form)
    return data


def restore(form: IntakeLayout, data: dict[str, Any]) -> None:
    """Put a draft back into the form."""
    for key in form.fields:
        if key in data:
            set_value(form, key, data[key])
    for code, note in dict(data.get("needs", {})).items():
        if code in form.need_boxes:
            form.need_boxes[code][0].setChecked(True)
            form.need_boxes[code][1].setText(str(note or ""))
    for factor, answer in dict(data.get("risks", {})).items():
        if factor in form.risk_boxes:
            combo = form.risk_boxes[factor]
            combo.setCurrentIndex(max(0, combo.findData(answer)))


def command(form: IntakeLayout) -> IntakeForm:
    """The form as the service's command."""
    lines = {key: text_of(form, key) for key in form.fields if key not in (*TRISTATES, "aliases")}
    return IntakeForm(
        preferred_name=lines["preferred_name"],
        legal_name=lines["legal_name"],
        aliases=tuple(parse_aliases(text_of(form, "aliases"))),
        birth=lines["birth"],
        pronouns=lines["pronouns"],
        gender=lines["gender"],
        phone=lines["phone"],
        email=lines["email"],
        address=lines["address"],
        may_text=_tri(form, "may_text"),
        may_voicemail=_tri(form, "may_voicemail"),
        safe_contact_notes=lines["safe_contact_notes"],
        emergency_contact_name=lines["emergency_contact_name"],
        emergency_contact_relationship=lines["emergency_contact_relationship"],
        emergency_contact_phone=lines["emergency_contact_phone"],
        language=lines["language"],
        housing_situation=lines["housing_situation"],
        insurance=lines["insurance"],
        referral_source=lines["referral_source"],
        reason_own_words=text_of(form, "reason_own_words"),
        change_own_words=text_of(form, "change_own_words"),
        needs=tuple(_needs(form).items()),
        screening=tuple((factor, answer, "") for factor, answer in _risks(form).items()),
    )


def fill(form: IntakeLayout, person: PersonDetail) -> None:
    """Show a person's details in the form, to be edited."""
    for key in ("preferred_name", *DETAIL_FIELDS, "reason_own_words", "change_own_words"):
        set_value(form, key, getattr(person, key))
    set_value(form, "aliases", "; ".join(person.aliases))
    set_value(form, "birth", person.birth_text)
