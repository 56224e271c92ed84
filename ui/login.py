"""The log-in page: the first thing every person sees, and the lock screen."""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hrclinic.app import ClinicApp
from hrclinic.errors import HrclinicError, TooManyAttempts, WrongCredentials
from hrclinic.services.clinic import UnlockedClinic
from ui.account_dialogs import RecoveryResetDialog
from ui.icons import icon
from ui.operations import background
from ui.tasks import TaskRunner, error_message
from ui.text import isolate
from ui.theme import colours
from ui.widgets import BusyBar, PasswordField, label, primary_button, title


class _Refused(HrclinicError):
    """A log-in that did not match, with the wait it brought (read on the worker, not in a slot)."""

    def __init__(self, message: str, wait: int) -> None:
        super().__init__(message)
        self.wait = wait


def _attempt(app: ClinicApp, username: str, password: str) -> UnlockedClinic:
    """Runs on the worker: try the log-in; when it does not match, say how long to wait now."""
    try:
        return app.unlock(username, password)
    except TooManyAttempts:
        raise
    except WrongCredentials as exc:
        raise _Refused(exc.message, app.login_wait(username)) from exc


class LoginPage(QWidget):
    """User name and password; a growing wait after repeated failures; never freezes."""

    unlocked = Signal(object)  # UnlockedClinic

    def __init__(
        self,
        clinic_app: ClinicApp,
        runner: TaskRunner,
        clinic_name: str,
        demo_hint: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("login_page")
        self._app = clinic_app
        self._runner = runner
        self._wait_left = 0
        self._refusal = ""  # what the wait follows (the sentence shown before the countdown)
        self._computer_user: str | None = None
        self._countdown = QTimer(self)
        self._countdown.setInterval(1000)
        self._countdown.timeout.connect(self._on_countdown_timeout)
        card = self._build_card(clinic_name, demo_hint)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card, 3)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)

        self.login_button.clicked.connect(self._on_login_clicked)
        self.password.returnPressed.connect(self._on_login_clicked)
        self.username.returnPressed.connect(self.password.setFocus)
        self.username.textEdited.connect(self._on_username_text_edited)
        self.computer_button.clicked.connect(self._on_computer_clicked)
        self.forgot_button.clicked.connect(self._on_forgot_clicked)
        self.refresh_computer_login()

    def _build_card(self, clinic_name: str, demo_hint: str | None) -> QFrame:
        """The log-in card: the clinic, user name and password, the button, the other ways in."""
        card = QFrame()
        card.setObjectName("login_card")
        card.setProperty("role", "card")
        card.setMaximumWidth(440)
        box = QVBoxLayout(card)
        box.setContentsMargins(32, 28, 32, 24)
        box.setSpacing(10)
        badge = label("")
        badge.setPixmap(icon("shield-check", colours().accent).pixmap(40, 40))
        box.addWidget(badge)
        self.clinic_label = title(isolate(clinic_name), 1.5, name="clinic_name")
        box.addWidget(self.clinic_label)
        self.state = label("Log in to open the clinic's records.", "muted", name="login_state")
        box.addWidget(self.state)

        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setAccessibleName("User name")
        self.password = PasswordField("password", "Password")
        form = QFormLayout()
        form.setSpacing(8)
        form.addRow("User name", self.username)
        form.addRow("Password", self.password)
        box.addLayout(form)
        self.error = label("", "error", name="login_error")
        self.error.hide()
        box.addWidget(self.error)
        self.busy = BusyBar("login_busy")
        box.addWidget(self.busy)
        self.login_button = primary_button("Log in", "log_in")
        box.addWidget(self.login_button)

        links = QHBoxLayout()
        self.computer_button = QPushButton("Unlock with my computer log-in")
        self.computer_button.setObjectName("computer_login")
        self.computer_button.setProperty("link", True)
        self.forgot_button = QPushButton("Forgot your password?")
        self.forgot_button.setObjectName("forgot_password")
        self.forgot_button.setProperty("link", True)
        links.addWidget(self.computer_button)
        links.addStretch(1)
        links.addWidget(self.forgot_button)
        box.addLayout(links)

        self.demo_hint = label("", "muted", name="demo_hint")
        if demo_hint:
            self.demo_hint.setText(
                "Demo clinic: every name and record is fictional.\nLog in as:\n" + demo_hint
            )
            self.demo_hint.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.demo_hint.setVisible(bool(demo_hint))
        box.addWidget(self.demo_hint)
        return card

    # --- states -------------------------------------------------------------------------

    def reset(self, *, username: str = "", message: str = "Log in to open the clinic's records.") -> None:
        """Show the page fresh (start, lock, log-out): no password kept."""
        self.password.clear()
        self.username.setText(username)
        self.state.setText(message)
        self._end_wait()
        self.error.hide()
        self._set_busy(False)
        self.refresh_computer_login()
        (self.password if username else self.username).setFocus()

    def refresh_computer_login(self) -> None:
        """Offer the computer log-in only where it is turned on (the key ring is read on the worker)."""
        self.computer_button.setVisible(self._computer_user is not None)
        background(
            self._runner, self, self._app.computer_login_user, self._on_computer_user_loaded
        ).quietly().run_in_background()

    def _on_computer_user_loaded(self, user: str | None) -> None:
        self._computer_user = user
        self.computer_button.setVisible(user is not None)

    def _set_busy(self, busy: bool) -> None:
        self.busy.set_busy(busy)
        waiting = self._wait_left > 0
        self.login_button.setEnabled(not busy and not waiting)
        self.username.setEnabled(not busy)
        self.password.setEnabled(not busy)
        self.login_button.setText("Unlocking…" if busy else "Log in")

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    # --- log in -------------------------------------------------------------------------

    def _on_login_clicked(self) -> None:
        if self._runner.busy and not self.login_button.isEnabled():
            return
        username, password = self.username.text().strip(), self.password.text()
        if not username:
            self._show_error("Enter your user name.")
            self.username.setFocus()
            return
        if not password:
            self._show_error("Enter your password.")
            self.password.setFocus()
            return
        if self._wait_left > 0:
            return
        self.error.hide()
        self._set_busy(True)
        app = self._app
        background(
            self._runner, self, lambda: _attempt(app, username, password), self._on_unlocked
        ).on_failure(self._on_login_failed).run_in_background()

    def _on_unlocked(self, clinic: UnlockedClinic) -> None:
        self.password.clear()
        self._set_busy(False)
        self.unlocked.emit(clinic)

    def _on_login_failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.password.clear()
        self.password.setFocus()
        if isinstance(exc, TooManyAttempts):
            self._start_wait("Several attempts did not match.", exc.seconds)
        elif isinstance(exc, _Refused) and exc.wait > 0:
            self._start_wait(exc.message, exc.wait)
        else:
            self._show_error(error_message(exc))

    def _start_wait(self, refusal: str, seconds: int) -> None:
        """Count down the seconds the core asked for; the next attempt after it is really tried."""
        self._refusal, self._wait_left = refusal, seconds
        self._show_wait()
        self._countdown.start()
        self._set_busy(False)

    def _show_wait(self) -> None:
        left = f"You can try again in {self._wait_left} s." if self._wait_left else "You can try again now."
        self._show_error(f"{self._refusal} {left}")

    def _end_wait(self) -> None:
        self._countdown.stop()
        self._wait_left, self._refusal = 0, ""

    def _on_countdown_timeout(self) -> None:
        self._wait_left = max(0, self._wait_left - 1)
        self._show_wait()
        if self._wait_left == 0:
            self._countdown.stop()
            self._set_busy(False)

    def _on_username_text_edited(self, _text: str) -> None:
        # the wait belongs to one account: someone else may try at once (the core says if not)
        if self._wait_left:
            self._end_wait()
            self.error.hide()
            self._set_busy(False)

    @property
    def wait_left(self) -> int:
        """Seconds before the next attempt is allowed."""
        return self._wait_left

    # --- other ways in ------------------------------------------------------------------

    def _on_computer_clicked(self) -> None:
        user = self._computer_user
        if user is None:
            return
        self._set_busy(True)
        app = self._app
        background(
            self._runner, self, lambda: app.unlock_with_computer_login(user), self._on_unlocked
        ).on_failure(self._on_login_failed).run_in_background()

    def _on_forgot_clicked(self) -> None:
        dialog = RecoveryResetDialog(
            self._app.reset_with_recovery_key,
            self._runner,
            username=self.username.text().strip(),
            parent=self,
        )
        if dialog.exec() and isinstance(dialog.result, UnlockedClinic):
            self.unlocked.emit(dialog.result)
