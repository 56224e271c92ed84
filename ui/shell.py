"""The main window: the log-in page while locked, the workspace while unlocked."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
)

from hrclinic.app import ClinicApp
from hrclinic.domain.audit import AuditAction
from hrclinic.readmodels.clinic import ClinicSummary
from hrclinic.readmodels.drafts import DraftRow
from hrclinic.services import drafts
from hrclinic.services.clinic import UnlockedClinic
from hrclinic.services.settings import clinic_summary
from ui.account_dialogs import ChangePasswordDialog
from ui.bus import AppBus
from ui.drafts import kept_drafts_notice
from ui.help_dialogs import AboutDialog, ShortcutsDialog
from ui.icons import icon
from ui.idle import IdleWatcher, LockKeys
from ui.login import LoginPage
from ui.operations import Changed, Kind, Operations, background
from ui.resealing import LegacyResealing
from ui.rotation import watch_after_login
from ui.tasks import TaskRunner
from ui.text import isolate
from ui.views import ViewContext
from ui.workspace import Workspace


class ShellWindow(QMainWindow):
    """One window; locking destroys every view so no client data stays on screen or in widgets."""

    def __init__(
        self,
        clinic_app: ClinicApp,
        runner: TaskRunner,
        bus: AppBus,
        *,
        demo_hint: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.setObjectName("main_window")
        self.setWindowTitle("hrclinic")
        self.setWindowIcon(icon("heart-handshake"))
        self.resize(1180, 760)
        self.setMinimumSize(900, 600)
        self._app = clinic_app
        self.runner = runner
        self.bus = bus
        self.session: UnlockedClinic | None = None
        self.ops: Operations | None = None  # the session as views see it (no keys)
        self.workspace: Workspace | None = None
        # the folder's name until the key ring's is read on the worker (no file is read on this thread)
        self._clinic_name = clinic_app.data_dir.name

        self.login = LoginPage(clinic_app, runner, self._clinic_name, demo_hint)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.login)
        self.setCentralWidget(self.stack)

        self.idle = IdleWatcher(10, clock=clock, parent=self)
        QApplication.instance().installEventFilter(self.idle)
        self._build_menus()
        self.lock_keys = LockKeys(self.lock_action.shortcut(), parent=self)
        QApplication.instance().installEventFilter(self.lock_keys)
        self._build_status_bar()

        self.login.unlocked.connect(self.enter)
        self.idle.timed_out.connect(self._on_idle_timed_out)
        self.lock_keys.activated.connect(self.lock)
        bus.lock_requested.connect(self.lock)  # the Lock button every client-data dialog carries
        bus.status_message.connect(self._on_bus_status_message)
        bus.changed.connect(self._on_bus_changed)
        runner.failed.connect(self._on_runner_failed)
        self._restore_geometry()
        self._show_locked_state("Log in to open the clinic's records.")
        self.naming = background(runner, self, clinic_app.clinic_name, self._on_clinic_name_loaded)
        self.naming.quietly().run_in_background()

    def _on_clinic_name_loaded(self, name: str) -> None:
        self._clinic_name = name
        self.login.clinic_label.setText(isolate(name))
        self.clinic_label.setText(isolate(name))
        if self.session is None:
            self.setWindowTitle(f"hrclinic · {isolate(name)}")

    # --- chrome ---------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.lock_action = QAction(icon("lock"), "&Lock now", self)
        self.lock_action.setObjectName("lock_action")
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.lock_action.triggered.connect(self.lock)
        self.change_password_action = QAction(icon("key"), "&Change my password…", self)
        self.change_password_action.triggered.connect(self.change_password)
        self.logout_action = QAction(icon("logout"), "Log &out", self)
        self.logout_action.triggered.connect(self.log_out)
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for action in (self.lock_action, self.change_password_action, self.logout_action):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        shortcuts = QAction(icon("keyboard"), "&Keyboard shortcuts", self)
        shortcuts.setShortcut(QKeySequence.StandardKey.HelpContents)
        shortcuts.triggered.connect(lambda: ShortcutsDialog(self).exec())
        about = QAction(icon("info-circle"), "&About hrclinic", self)
        about.setObjectName("about_action")
        about.triggered.connect(lambda: AboutDialog(self._app.data_dir, self).exec())
        help_menu.addAction(shortcuts)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel()
        self.user_label.setObjectName("status_user")
        self.clinic_label = QLabel(isolate(self._clinic_name))
        self.clinic_label.setObjectName("status_clinic")
        self.lock_label = QLabel()
        self.lock_label.setObjectName("status_lock")
        self.lock_button = QPushButton(icon("lock"), "Lock")
        self.lock_button.setObjectName("lock_button")
        self.lock_button.setToolTip("Lock now (Ctrl+L)")
        self.lock_button.setFlat(True)
        self.lock_button.clicked.connect(self.lock)
        bar.addPermanentWidget(self.user_label)
        bar.addPermanentWidget(self.clinic_label)
        bar.addPermanentWidget(self.lock_label)
        bar.addPermanentWidget(self.lock_button)

    def _show_locked_state(self, message: str, username: str = "") -> None:
        self.stack.setCurrentWidget(self.login)
        self.login.reset(username=username, message=message)
        for action in (self.lock_action, self.change_password_action, self.logout_action):
            action.setEnabled(False)
        self.lock_button.setVisible(False)
        self.user_label.setText("Not logged in")
        self.lock_label.setText("Locked")
        self.setWindowTitle(f"hrclinic · {isolate(self._clinic_name)}")

    # --- unlock / lock ------------------------------------------------------------------------

    def enter(self, clinic: UnlockedClinic) -> None:
        """Show the workspace for a newly unlocked session."""
        self.session = clinic
        self.lock_keys.enabled = True
        ctx = ViewContext(Operations(clinic, self.runner, self.bus))
        self.ops = ctx.ops
        if clinic.actor.must_change_password and not self._forced_password_change(ctx):
            self.log_out()
            return
        if self.workspace is not None:
            self._discard_workspace()
        self.workspace = Workspace(ctx)
        self.stack.addWidget(self.workspace)
        self.stack.setCurrentWidget(self.workspace)
        for action in (self.lock_action, self.change_password_action, self.logout_action):
            action.setEnabled(True)
        self.lock_button.setVisible(True)
        actor = clinic.actor
        self.user_label.setText(f"{isolate(actor.display_name)} · {actor.role.label}")
        self.setWindowTitle(f"hrclinic · {isolate(self._clinic_name)} · {isolate(actor.display_name)}")
        self.idle.start()
        self._reload_settings()
        self._tell_kept_drafts()
        self.bus.session_unlocked.emit(ctx.ops)
        LegacyResealing(ctx.ops, self.workspace).start()
        watch_after_login(ctx.ops)  # finishes or starts a key rotation
        if clinic.audit_alerts:
            self._show_audit_alerts(clinic.audit_alerts)

    def _show_audit_alerts(self, alerts: list[str]) -> None:
        """Log-in found the audit log shorter or other than a witness saw it: say so plainly (the
        finding is already in the audit log); work goes on."""
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The audit log was changed",
            "The audit log is not as it was when it was last seen. Someone with access to the "
            "clinic's files may have removed or rewritten entries. Tell the clinic's owner; "
            "`hrclinic verify` lists what was found.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setObjectName("audit_alert")
        box.setDetailedText("\n".join(alerts))
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()

    def _forced_password_change(self, ctx: ViewContext) -> bool:
        return bool(ChangePasswordDialog(ctx.ops, forced=True, parent=self).exec())

    def _on_bus_changed(self, change: Changed) -> None:
        if change.about(Kind.SETTINGS):
            self._reload_settings()

    def _reload_settings(self) -> None:
        if self.session is None or self.ops is None:
            return
        self.ops.query(self, clinic_summary, self._on_settings_loaded).run_in_background()

    def _tell_kept_drafts(self) -> None:
        """After log-in: say what unsaved typing was kept (a lock or a crash), without names."""
        if self.ops is not None:
            self.ops.query(self, drafts.list_drafts, self._on_kept_drafts_loaded).run_in_background()

    def _on_kept_drafts_loaded(self, kept: list[DraftRow]) -> None:
        text = kept_drafts_notice(kept)
        if text and self.session is not None:
            self.statusBar().showMessage(text, 20000)

    def _on_settings_loaded(self, summary: ClinicSummary) -> None:
        self.idle.set_minutes(summary.idle_lock_minutes)
        self.clinic_label.setText(isolate(summary.name))
        self.lock_label.setText(f"Locks after {summary.idle_lock_minutes} idle min")

    def _discard_workspace(self) -> None:
        if self.workspace is not None:
            workspace, self.workspace = self.workspace, None
            self.stack.removeWidget(workspace)
            workspace.hide()
            workspace.setParent(None)  # out of the window at once, not at the next event loop turn
            workspace.deleteLater()

    def lock(
        self, *, message: str = "Locked. Log in to continue.", reason: AuditAction = AuditAction.LOCK
    ) -> None:
        """Hide every record now, then audit the lock and forget the keys in the background.

        Works from anywhere (Ctrl+L through ``LockKeys``, the idle timer, the Lock button), with any
        dialog open: editors first stash their unsaved text (``bus.locking``: each submits a sealed
        draft save, which the one worker runs before the lock itself); then every other window
        closes, modal ones included (their exec() loops end), and nothing left names a person.
        """
        if self.session is None:
            return
        username = self.session.actor.username
        self.bus.locking.emit()
        self.session = None
        self.ops = None
        self.lock_keys.enabled = False
        self.idle.stop()
        self._close_other_windows()
        self._discard_workspace()
        app = self._app
        self.runner.submit(lambda: app.lock(reason=reason))
        self.statusBar().clearMessage()
        self._show_locked_state(message, username)
        self.bus.session_locked.emit()

    def _close_other_windows(self) -> None:
        """Close every window but this one: records, forms, questions, menus, wherever they hang."""
        for window in QApplication.topLevelWidgets():
            if window is self or not window.isVisible():
                continue
            if isinstance(window, QDialog):
                window.done(QDialog.DialogCode.Rejected)  # ends exec(); asks nothing (drafts are kept)
            else:
                window.close()

    def _on_bus_status_message(self, text: str) -> None:
        if self.session is not None:  # a late message about someone never reaches the lock screen
            self.statusBar().showMessage(text, 6000)

    def _on_runner_failed(self, text: str) -> None:
        if self.session is not None:
            self.statusBar().showMessage(text, 10000)

    def log_out(self) -> None:
        """Lock and clear the user name: someone else may log in next."""
        self.lock(message="Logged out.", reason=AuditAction.LOGOUT)
        self.login.username.clear()
        self.login.username.setFocus()

    def _on_idle_timed_out(self) -> None:
        self.lock(message=f"Locked after {self.idle.minutes} idle minutes. Log in to continue.")

    def change_password(self) -> None:
        """File > Change my password."""
        if self.session is None or self.workspace is None:
            return
        dialog = ChangePasswordDialog(self.workspace.ctx.ops, parent=self)
        if dialog.exec():
            self.statusBar().showMessage("Your password was changed.", 6000)

    # --- window -------------------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        saved = QSettings().value("main_window/geometry")
        if isinstance(saved, QByteArray):
            self.restoreGeometry(saved)

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue("main_window/geometry", self.saveGeometry())
        self.lock(reason=AuditAction.LOGOUT)
        self.runner.wait_for_done()
        QApplication.instance().removeEventFilter(self.idle)
        QApplication.instance().removeEventFilter(self.lock_keys)
        super().closeEvent(event)
