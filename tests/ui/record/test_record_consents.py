"""The record's Consents tab, driven by keyboard as the front desk would."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from hrclinic.domain.consents import ConsentKind, ConsentState
from hrclinic.services import clients, consents
from tests.conftest import FRONT_DESK, ClinicFixture
from tests.ui.conftest import activate, settle, type_text
from ui.bus import AppBus
from ui.operations import Operations
from ui.views import ViewContext
from ui.views.record.consent_date_dialog import ConsentDateDialog
from ui.views.record.consent_form import ConsentDialog
from ui.views.record.consents import ConsentsPanel

NAME = "Zoë Łukasiewicz-Şahin"


def _panel(qtbot, clinic_dir: ClinicFixture, runner):
    desk = clinic_dir.login(FRONT_DESK)
    person = clients.register_client(desk, NAME)
    panel = ConsentsPanel(ViewContext(Operations(desk, runner, AppBus())), person.id, NAME)
    qtbot.addWidget(panel)
    activate(qtbot, panel)
    settle(qtbot, runner)
    return desk, person, panel


def test_add_a_part2_consent_by_keyboard_missing_purpose_then_complete_then_revoke(
    qtbot, clinic_dir: ClinicFixture, runner, monkeypatch
) -> None:
    desk, person, panel = _panel(qtbot, clinic_dir, runner)
    assert panel.list.stack.currentWidget() is panel.list.empty
    seen: dict[str, object] = {}

    def fill_form(dialog: ConsentDialog) -> int:
        activate(qtbot, dialog)
        dialog.kind.setFocus()
        QTest.keyClick(dialog.kind, Qt.Key.Key_Down)  # consent to contact
        QTest.keyClick(dialog.kind, Qt.Key.Key_Down)  # Part 2: disclosure to named recipients
        assert dialog.current_kind() is ConsentKind.PART2_DISCLOSURE
        assert dialog.recipients.isVisibleTo(dialog) and not dialog.may_text.isVisibleTo(dialog)
        assert dialog.person_name.text() == NAME  # pre-filled
        type_text(dialog.information, "Medication list and dates of attendance")
        type_text(dialog.recipients, "Dr. Amara Osei, Eastside Community Health Center")
        type_text(dialog.expires_on, "2099-01-31")
        QTest.keyClick(dialog.expires_on, Qt.Key.Key_Tab)
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)  # no purpose yet
        settle(qtbot, runner)
        seen["message"] = dialog.summary.text()
        seen["saved_while_incomplete"] = consents.list_consents(desk, person.id)
        seen["focus"] = dialog.focusWidget()
        type_text(dialog.purpose, "Coordinate primary care")
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: dialog.saved is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(ConsentDialog, "exec", fill_form)
    QTest.keyClick(panel, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, runner)

    assert "The purpose of the disclosure" in seen["message"]
    assert "expiry" not in seen["message"] and "recipient" not in seen["message"]
    assert seen["saved_while_incomplete"] == []
    assert seen["focus"].objectName() == "purpose"
    (row,) = panel.rows()
    assert row.state is ConsentState.ACTIVE
    assert panel.list.model.data(panel.list.model.index(0, 1)) == "Active"
    assert (
        panel.list.model.data(panel.list.model.index(0, 2))
        == "Dr. Amara Osei, Eastside Community Health Center"
    )

    def revoke(dialog: ConsentDateDialog) -> int:
        activate(qtbot, dialog)
        assert dialog.how is not None
        dialog.how.setFocus()
        dialog.how.lineEdit().selectAll()
        type_text(dialog.how.lineEdit(), "Signed letter by post")
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: dialog.result_detail is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(ConsentDateDialog, "exec", revoke)
    panel.list.table.setFocus()
    panel.list.table.selectRow(0)
    assert panel.revoke_button.isEnabled()
    QTest.keyClick(panel.revoke_button, Qt.Key.Key_Space)
    settle(qtbot, runner)
    (row,) = panel.rows()
    assert row.state is ConsentState.REVOKED and row.revocation_received_how == "Signed letter by post"
    assert panel.list.model.data(panel.list.model.index(0, 1)).startswith("Revoked ")


def test_an_impossible_date_is_shown_at_the_field_and_nothing_is_saved(
    qtbot, clinic_dir: ClinicFixture, runner, monkeypatch
) -> None:
    desk, person, panel = _panel(qtbot, clinic_dir, runner)
    seen: dict[str, str] = {}

    def fill_form(dialog: ConsentDialog) -> int:
        activate(qtbot, dialog)
        dialog.signed_on.clear()
        type_text(dialog.signed_on, "2026-02-30")
        QTest.keyClick(dialog.signed_on, Qt.Key.Key_Tab)  # leaving the field checks it
        seen["field"] = dialog.fields.errors["signed_on"].text()
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        settle(qtbot, runner)
        return 0

    monkeypatch.setattr(ConsentDialog, "exec", fill_form)
    QTest.keyClick(panel.add_button, Qt.Key.Key_Space)
    settle(qtbot, runner)
    assert seen["field"] == "The date signed 2026-02-30 is not a date on the calendar."
    assert consents.list_consents(desk, person.id) == []


def test_a_draft_is_kept_listed_as_not_in_force_and_finished_later(
    qtbot, clinic_dir: ClinicFixture, runner, monkeypatch
) -> None:
    desk, person, panel = _panel(qtbot, clinic_dir, runner)

    def save_draft(dialog: ConsentDialog) -> int:
        activate(qtbot, dialog)
        dialog.kind.setFocus()
        QTest.keyClick(dialog.kind, Qt.Key.Key_Down)  # consent to contact: nothing answered yet
        QTest.keyClick(dialog.save_draft, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: dialog.saved is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(ConsentDialog, "exec", save_draft)
    QTest.keyClick(panel, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot, runner)
    (row,) = panel.rows()
    assert row.state is ConsentState.DRAFT
    assert panel.list.model.data(panel.list.model.index(0, 1)) == "Draft (not in force)"

    def finish(dialog: ConsentDialog) -> int:
        activate(qtbot, dialog)
        assert dialog.current_kind() is ConsentKind.CONTACT and dialog.may_text.isVisibleTo(dialog)
        dialog.may_text.setFocus()
        QTest.keyClick(dialog.may_text, Qt.Key.Key_Down)  # Yes
        dialog.may_voicemail.setFocus()
        QTest.keyClick(dialog.may_voicemail, Qt.Key.Key_Down)
        QTest.keyClick(dialog.may_voicemail, Qt.Key.Key_Down)  # No
        QTest.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: dialog.saved is not None, timeout=20_000)
        return 1

    monkeypatch.setattr(ConsentDialog, "exec", finish)
    panel.list.table.setFocus()
    panel.list.table.selectRow(0)
    QTest.keyClick(panel.list.table, Qt.Key.Key_Return)
    settle(qtbot, runner)
    (row,) = panel.rows()
    assert row.state is ConsentState.ACTIVE and (row.fields.may_text, row.fields.may_voicemail) == (
        True,
        False,
    )
    assert panel.list.model.data(panel.list.model.index(0, 2)) == "Texts: yes · Voicemail: no"
    assert [c.version for c in consents.list_consents(desk, person.id)] == [2]

    # an active consent is not edited: Enter says what to do instead
    panel.list.table.selectRow(0)
    QTest.keyClick(panel.list.table, Qt.Key.Key_Return)
    assert "Revoke it" in panel.message.text()
