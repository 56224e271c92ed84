"""The one way a view reads or changes anything: a background operation (after Anki's ``QueryOp`` and
``CollectionOp`` in qt/aqt/operations/).

A view gets an ``Operations`` (the session as views see it: who is acting, the app bus, and services
run on the worker with the clinic bound) and asks it for an operation::

    ops.query(self, registry.registry_rows, self._on_loaded).with_busy(self.busy).failure_in(
        self.message).run_in_background()

    ops.command(self, lambda clinic: needs.add_need(clinic, person_id, code, note),
                Changed(Kind.NEED, person_id), self._on_need_added).status("Need recorded.").with_busy(
        self.busy).failure_in(self.message).run_in_background()

- ``op`` runs on the one worker thread (``ui.tasks.TaskRunner``) with the unlocked clinic as its only
  argument. It must hold no widget or other Qt object (checked when the operation is made), so nothing
  made on the GUI thread is ever touched, released or deleted on the worker.
- The operation owns the busy indicator it is given (shown while it runs; several operations may share
  one) and the widgets it disables meanwhile.
- A failure is shown where it belongs: a ``HrclinicError`` whose ``field`` the view names goes under
  that field, anything else on the view's message line. With no place given it goes to the status bar.
- After a successful command: the success callback (the view updates itself from the read model the
  service returned), then ONE ``bus.changed`` carrying ``Changed(kind, person_id, origin)`` so the other
  views showing that kind (of that person) refresh, then the status-bar message, if any.
- Each operation is a QObject child of the view that asked: when the view is gone, its outcome is
  dropped. It emits ``succeeded``, ``failed`` and ``finished`` (tests wait on these, never poll), then
  deletes itself (``deleteLater``: on the GUI thread).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from hrclinic.errors import HrclinicError
from ui.tasks import TaskRunner, error_message
from ui.widgets import FieldError, set_invalid

if TYPE_CHECKING:
    from typing import Self

    from hrclinic.readmodels.users import Actor
    from hrclinic.services.clinic import UnlockedClinic
    from ui.bus import AppBus

T = TypeVar("T")


class Kind(StrEnum):
    """What a command changed (views refresh only for the kinds they show)."""

    PERSON = "person"  # registry details, status, registration, merge
    NEED = "need"
    NOTE = "note"
    CONSENT = "consent"
    APPOINTMENT = "appointment"  # bookings, check-ins and the outreach tasks they create
    USER = "user"
    SETTINGS = "settings"


@dataclass(frozen=True)
class Changed:
    """What a successful command changed: a kind, the person (None: not one person, or anyone), and
    the object whose operation it was (so a view that already updated itself can skip its own)."""

    kind: Kind
    person_id: uuid.UUID | None = None
    origin: QObject | None = field(default=None, compare=False, repr=False)

    def about(self, *kinds: Kind, person_id: uuid.UUID | None = None) -> bool:
        """True when this change is of one of ``kinds`` and (given a person) may concern that person."""
        if self.kind not in kinds:
            return False
        return person_id is None or self.person_id is None or self.person_id == person_id

    def came_from(self, widget: QObject) -> bool:
        """True when the operation ran for ``widget`` or for something inside it (a dialog it opened)."""
        current = self.origin
        while current is not None:
            if current is widget:
                return True
            current = current.parent()
        return False


class BusyIndicator(Protocol):
    """Anything shown while work runs; counted, so several operations can share one."""

    def begin(self) -> None: ...

    def end(self) -> None: ...


def show_failure(
    exc: BaseException,
    message: QLabel | None,
    *,
    fields: Mapping[str, FieldError] | None = None,
    inputs: Mapping[str, QWidget] | None = None,
    suffix: str = "",
    field_summary: str | None = None,
) -> None:
    """Show ``exc`` where it belongs: under the field it names (marking and focusing that field's input
    when ``inputs`` has it), else on the ``message`` line. ``field_summary`` is what the message line
    says when the problem went to a field (None: the message line is left alone)."""
    where = exc.field if isinstance(exc, HrclinicError) else None
    target = (fields or {}).get(where or "")
    if target is not None and where is not None:
        target.show_problem(exc.message if isinstance(exc, HrclinicError) else str(exc))
        field_input = (inputs or {}).get(where)
        if field_input is not None:
            set_invalid(field_input, True)
            field_input.setFocus()
        if field_summary is None or message is None:
            return
        text = field_summary
    else:
        text = error_message(exc) + suffix
    if message is not None:
        message.setText(text)
        message.show()


def _qt_objects_held(op: Callable[..., Any]) -> list[object]:
    """The Qt objects ``op`` would carry to the worker (its closure, bound object, partial arguments)."""
    held: list[object] = []
    if isinstance(op, functools.partial):
        held += [op.func, *op.args, *op.keywords.values()]
        op = op.func
    held.append(getattr(op, "__self__", None))
    for cell in getattr(op, "__closure__", None) or ():
        try:
            held.append(cell.cell_contents)
        except ValueError:  # an empty cell (a name not yet bound)
            continue
    held += list(getattr(op, "__defaults__", None) or ())
    held += list((getattr(op, "__kwdefaults__", None) or {}).values())
    return [value for value in held if isinstance(value, QObject)]


def check_worker_safe(op: Callable[..., Any]) -> None:
    """Refuse work that holds a widget: the worker must never hold (let alone release) a Qt object."""
    held = _qt_objects_held(op)
    if held:
        names = ", ".join(type(value).__name__ for value in held)
        raise TypeError(
            f"a background operation must not hold Qt objects ({names}): copy the plain values it "
            "needs into local names first"
        )


class QueryOp(QObject):
    """Work on the worker thread whose result the view shows (``success`` runs on the GUI thread)."""

    succeeded = Signal(object)  # the result, after ``success`` ran
    failed = Signal(object)  # the exception, after it was shown
    finished = Signal()  # after either

    def __init__(
        self,
        runner: TaskRunner,
        bus: AppBus | None,
        parent: QObject,
        work: Callable[[], Any],
        success: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(parent)  # the view keeps it alive; a destroyed view drops the outcome
        self._runner = runner
        self._bus = bus
        self._work: Callable[[], Any] | None = work
        self._success = success
        self._busy: list[BusyIndicator] = []
        self._disabled: list[QWidget] = []
        self._place: dict[str, Any] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._quiet = False
        self.running = False

    # --- how it shows -----------------------------------------------------------------------

    def with_busy(self, indicator: BusyIndicator | None, *disable: QWidget) -> Self:
        """Show ``indicator`` and disable ``disable`` while the work runs."""
        if indicator is not None:
            self._busy.append(indicator)
        self._disabled += disable
        return self

    def failure_in(
        self,
        message: QLabel | None,
        *,
        fields: Mapping[str, FieldError] | None = None,
        inputs: Mapping[str, QWidget] | None = None,
        suffix: str = "",
        field_summary: str | None = None,
    ) -> Self:
        """Show a failure on ``message``, or under the field it names (see ``show_failure``)."""
        self._place = {
            "message": message,
            "fields": fields,
            "inputs": inputs,
            "suffix": suffix,
            "field_summary": field_summary,
        }
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> Self:
        """Also call ``callback`` with the exception (after it was shown, if a place was given)."""
        self._on_failure = callback
        return self

    def quietly(self) -> Self:
        """Nothing to show when it fails (a draft kept in passing: the work on screen goes on)."""
        self._quiet = True
        return self

    # --- running ----------------------------------------------------------------------------

    def run_in_background(self) -> Self:
        """Start: the busy indicator shows, the work is queued on the worker."""
        work, self._work = self._work, None
        if work is None:
            raise RuntimeError("an operation runs once")
        self.running = True
        for indicator in self._busy:
            indicator.begin()
        for widget in self._disabled:
            widget.setEnabled(False)
        self._runner.submit(work, self._on_runner_succeeded, self._on_runner_failed, owner=self)
        return self

    def _settle(self) -> None:
        self.running = False
        for indicator in self._busy:
            if not isinstance(indicator, QObject) or shiboken6.isValid(indicator):
                indicator.end()
        for widget in self._disabled:
            if shiboken6.isValid(widget):
                widget.setEnabled(True)

    def _on_runner_succeeded(self, result: object) -> None:
        self._settle()
        try:
            if self._success is not None:
                self._success(result)
            self._after_success(result)
            self.succeeded.emit(result)
        finally:
            self._done()

    def _after_success(self, result: object) -> None:
        """What a command adds after its success callback (nothing for a query)."""

    def _on_runner_failed(self, exc: BaseException) -> None:
        self._settle()
        try:
            if self._place is not None:
                show_failure(exc, **self._place)
            if self._on_failure is not None:
                self._on_failure(exc)
            if self._place is None and self._on_failure is None and not self._quiet:
                self._runner.failed.emit(error_message(exc))  # the status bar says it
        finally:
            self.failed.emit(exc)
            self._done()

    def _done(self) -> None:
        self.finished.emit()
        # deleted by the GUI thread's event loop, never by a garbage collection that may run on the worker
        self.deleteLater()


class CommandOp(QueryOp):
    """Work that changes something: after ``success``, one ``bus.changed`` and a status message."""

    def __init__(
        self,
        runner: TaskRunner,
        bus: AppBus,
        parent: QObject,
        work: Callable[[], Any],
        changed: Changed | Callable[[Any], Changed | None] | None,
        success: Callable[[Any], None] | None = None,
    ) -> None:
        super().__init__(runner, bus, parent, work, success)
        self._changed = changed
        self._status: str | Callable[[Any], str] | None = None

    def status(self, text: str | Callable[[Any], str]) -> Self:
        """Say quietly in the status bar that it was done (a sentence, or one made from the result)."""
        self._status = text
        return self

    def _after_success(self, result: object) -> None:
        assert self._bus is not None
        changed = self._changed(result) if callable(self._changed) else self._changed
        if changed is not None:
            self._bus.changed.emit(replace(changed, origin=self.parent()))
        if self._status is not None:
            text = self._status(result) if callable(self._status) else self._status
            self._bus.status_message.emit(text)


def background(
    runner: TaskRunner,
    parent: QObject,
    work: Callable[[], T],
    success: Callable[[T], None] | None = None,
) -> QueryOp:
    """An operation outside an unlocked session (log-in, first run): ``work`` takes no clinic."""
    check_worker_safe(work)
    return QueryOp(runner, None, parent, work, success)


class Operations:
    """An unlocked session as the views see it: who is acting, the app bus, and operations that run
    services on the worker with the clinic bound. Views never hold the clinic (its keys, its engine)."""

    def __init__(self, clinic: UnlockedClinic, runner: TaskRunner, bus: AppBus) -> None:
        self.__clinic = clinic
        self._runner = runner
        self._bus = bus

    @property
    def actor(self) -> Actor:
        """Who is logged in."""
        return self.__clinic.actor

    @property
    def bus(self) -> AppBus:
        """The app-wide signal bus."""
        return self._bus

    @property
    def data_dir(self) -> Path:
        """The clinic's data folder (shown in Settings)."""
        return self.__clinic.paths.root

    @property
    def closed(self) -> bool:
        """True once the session was locked."""
        return self.__clinic.closed

    def _bind(self, op: Callable[[UnlockedClinic], T]) -> Callable[[], T]:
        check_worker_safe(op)
        clinic = self.__clinic
        return lambda: op(clinic)

    def query(
        self, parent: QObject, op: Callable[[UnlockedClinic], T], success: Callable[[T], None] | None = None
    ) -> QueryOp:
        """A read: ``op(clinic)`` on the worker, ``success(result)`` on the GUI thread."""
        return QueryOp(self._runner, self._bus, parent, self._bind(op), success)

    def command(
        self,
        parent: QObject,
        op: Callable[[UnlockedClinic], T],
        changed: Changed | Callable[[T], Changed | None] | None,
        success: Callable[[T], None] | None = None,
    ) -> CommandOp:
        """A write: ``op(clinic)`` on the worker; on success ``success(result)``, then ``bus.changed``."""
        return CommandOp(self._runner, self._bus, parent, self._bind(op), changed, success)

    def bound(self, fn: Callable[..., T]) -> Callable[..., T]:
        """``fn`` with the clinic as its first argument, for a dialog that runs a plain callable on the
        worker (changing one's password)."""
        check_worker_safe(fn)
        clinic = self.__clinic
        return lambda *args, **kwargs: fn(clinic, *args, **kwargs)
