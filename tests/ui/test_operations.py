"""The background-operation API: work on the worker, the busy indicator, failures in place, and one
``changed`` on the bus after a command."""

from __future__ import annotations

import threading
import uuid

import pytest
from PySide6.QtWidgets import QLineEdit, QWidget

from hrclinic.errors import ValidationError
from tests.conftest import FRONT_DESK, ClinicFixture
from ui.bus import AppBus
from ui.operations import Changed, Kind, Operations, background
from ui.widgets import BusyBar, FieldError, label


class _View(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.busy = BusyBar("test_busy")
        self.message = label("", "error", name="test_message")
        self.message.hide()
        self.name = QLineEdit()
        self.name_error = FieldError("name_error")
        self.button = QLineEdit()


@pytest.fixture
def ops(clinic_dir: ClinicFixture, runner) -> Operations:
    return Operations(clinic_dir.login(FRONT_DESK), runner, AppBus())


@pytest.fixture
def view(qtbot) -> _View:
    widget = _View()
    qtbot.addWidget(widget)
    return widget


def test_a_query_runs_on_the_worker_with_the_clinic_and_shows_busy_meanwhile(qtbot, ops, view) -> None:
    release = threading.Event()
    gui = threading.current_thread()
    seen: dict[str, object] = {}

    def work(clinic) -> str:
        seen["thread"] = threading.current_thread()
        release.wait(10)
        return clinic.actor.username

    op = ops.query(view, work, lambda name: seen.setdefault("name", name)).with_busy(view.busy, view.button)
    op.run_in_background()
    assert view.busy.isVisibleTo(view) and not view.button.isEnabled()
    with qtbot.waitSignal(op.succeeded) as done:
        release.set()
    assert done.args == ["frontdesk"] and seen["name"] == "frontdesk"
    assert seen["thread"] is not gui
    assert not view.busy.isVisibleTo(view) and view.button.isEnabled()


def test_the_busy_bar_stays_while_any_operation_of_it_runs(qtbot, ops, view) -> None:
    first, second = threading.Event(), threading.Event()
    one = ops.query(view, lambda _c: first.wait(10)).with_busy(view.busy).run_in_background()
    two = ops.query(view, lambda _c: second.wait(10)).with_busy(view.busy).run_in_background()
    with qtbot.waitSignal(one.finished):
        first.set()
    assert view.busy.isVisibleTo(view)
    with qtbot.waitSignal(two.finished):
        second.set()
    assert not view.busy.isVisibleTo(view)


def test_a_failure_goes_under_the_field_it_names_else_to_the_message_line(qtbot, ops, view) -> None:
    def refuse(_clinic) -> None:
        raise ValidationError("Enter the name.", field="name")

    op = ops.query(view, refuse).failure_in(
        view.message,
        fields={"name": view.name_error},
        inputs={"name": view.name},
        field_summary="Some answers need attention.",
    )
    with qtbot.waitSignal(op.failed):
        op.run_in_background()
    assert view.name_error.text() == "Enter the name." and view.name.property("invalid") is True
    assert view.message.text() == "Some answers need attention."

    def elsewhere(_clinic) -> None:
        raise ValidationError("The record changed meanwhile.", field="version")

    fields = {"name": view.name_error}
    op = ops.query(view, elsewhere).failure_in(view.message, fields=fields, suffix=" (kept)")
    with qtbot.waitSignal(op.failed):
        op.run_in_background()
    assert view.message.text() == "The record changed meanwhile. (kept)" and view.message.isVisibleTo(view)


def test_a_failure_with_no_place_reaches_the_status_bar(qtbot, ops, view, runner) -> None:
    def broken(_clinic) -> None:
        raise ValidationError("No such thing.")

    with qtbot.waitSignal(runner.failed) as said:
        ops.query(view, broken).run_in_background()
    assert said.args == ["No such thing."]


def test_a_command_emits_one_changed_with_kind_person_and_origin_then_the_status(qtbot, ops, view) -> None:
    person = uuid.uuid4()
    heard: list[object] = []
    ops.bus.changed.connect(heard.append)
    ops.bus.status_message.connect(heard.append)
    order: list[str] = []
    op = ops.command(
        view, lambda _c: "done", Changed(Kind.NOTE, person), lambda _r: order.append("success")
    ).status(lambda result: f"Note {result}.")
    op.succeeded.connect(lambda _r: order.append("succeeded"))
    with qtbot.waitSignal(op.finished):
        op.run_in_background()
    [change, said] = heard
    assert isinstance(change, Changed) and change == Changed(Kind.NOTE, person)
    assert change.origin is view and change.came_from(view) and said == "Note done."
    assert change.about(Kind.NOTE, person_id=person) and not change.about(Kind.NOTE, person_id=uuid.uuid4())
    assert not change.about(Kind.PERSON)
    assert order == ["success", "succeeded"]


def test_a_failed_command_changes_nothing_on_the_bus(qtbot, ops, view) -> None:
    heard: list[object] = []
    ops.bus.changed.connect(heard.append)

    def refuse(_clinic) -> None:
        raise ValidationError("No.")

    op = ops.command(view, refuse, Changed(Kind.PERSON)).failure_in(view.message)
    with qtbot.waitSignal(op.failed):
        op.run_in_background()
    assert heard == [] and view.message.text() == "No."


def test_the_outcome_of_a_closed_view_is_dropped(qtbot, ops, runner) -> None:
    release = threading.Event()
    widget = _View()
    seen: list[object] = []
    ops.query(widget, lambda _c: release.wait(10), seen.append).run_in_background()
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget))
    with qtbot.waitSignal(runner.busy_changed):
        release.set()
    assert seen == []


def _alive(widget: QWidget) -> bool:
    import shiboken6

    return shiboken6.isValid(widget)


def test_work_that_holds_a_widget_is_refused(ops, view, runner) -> None:
    with pytest.raises(TypeError, match="must not hold Qt objects"):
        ops.query(view, lambda _c: view.name.text())
    with pytest.raises(TypeError, match="QLineEdit"):
        background(runner, view, view.name.text)
    text = view.name.text()
    ops.query(view, lambda _c: text)  # a plain value copied first is fine
