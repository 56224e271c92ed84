"""Users (owner): add a user with a role, reset a password, deactivate (never delete)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hrclinic.domain.accounts import display_name_problem, username_problem
from hrclinic.domain.roles import Role
from hrclinic.errors import HrclinicError
from hrclinic.readmodels.users import UserSummary
from hrclinic.services import passwords, users
from ui.account_dialogs import NewPasswordForm, _FormDialog
from ui.first_run import suggest_username
from ui.models import Column
from ui.operations import Changed, Kind, QueryOp
from ui.rotation import RotationProgressView, SessionRotation
from ui.tasks import error_message
from ui.text import isolate
from ui.views import ViewContext
from ui.views.table import FilterableTable, date_text
from ui.widgets import BusyBar, EmptyState, FieldError, page_header, primary_button, set_invalid

ROLE_HELP = {
    Role.OWNER: "Everything, including users, settings and backups.",
    Role.CLINICIAN: "All clinical work; their own private psychotherapy notes.",
    Role.FRONT_DESK: "Registration, scheduling, check-in and consents; no clinical content.",
}

USER_COLUMNS: list[Column[UserSummary]] = [
    Column("Name", lambda u: u.display_name),
    Column("User name", lambda u: u.username),
    Column("Role", lambda u: u.role.label),
    Column("Status", lambda u: "Active" if u.active else "Deactivated"),
    Column(
        "Password",
        lambda u: "Temporary: must change" if u.must_change_password else "Set by the user",
        searchable=False,
    ),
    Column("Added", lambda u: date_text(u.created_at), lambda u: u.created_at, searchable=False),
]


class UsersView(QWidget):
    """Everyone with an account; actions act on the selected user."""

    def __init__(self, ctx: ViewContext) -> None:
        super().__init__()
        self.setObjectName("users_view")
        self._ctx = ctx
        self.add_button = primary_button("Add a user", "add_user")
        self.add_button.setToolTip("Add a user (Ctrl+N)")
        self.reset_button = QPushButton("Reset password…")
        self.reset_button.setObjectName("reset_password")
        self.deactivate_button = QPushButton("Deactivate…")
        self.deactivate_button.setObjectName("deactivate_user")
        self.list = FilterableTable(
            "users",
            USER_COLUMNS,
            placeholder="Filter users",
            empty=EmptyState("users", "No users", "Add a user (Ctrl+N).", "users_empty"),
        )
        self.busy = BusyBar("users_busy")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(
            page_header(
                "Users",
                "Deactivated accounts stay listed: their names remain on what they wrote.",
                self.reset_button,
                self.deactivate_button,
                self.add_button,
            )
        )
        layout.addWidget(self.busy)
        self.rotation = SessionRotation.of(ctx.ops)
        self.rotation_progress = RotationProgressView(self.rotation, "users_rotation")
        layout.addWidget(self.rotation_progress)
        layout.addWidget(self.list, 1)
        self.add_button.clicked.connect(self.add_user)
        self.reset_button.clicked.connect(self.reset_password)
        self.deactivate_button.clicked.connect(self.deactivate)
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.add_user)
        self.list.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.list.activated.connect(lambda _user: self.reset_password())
        ctx.bus.changed.connect(self._on_bus_changed)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> QueryOp:
        """Reload in the background."""
        return (
            self._ctx.ops.query(self, users.list_users, self._on_loaded)
            .with_busy(self.busy)
            .run_in_background()
        )

    def _on_bus_changed(self, change: Changed) -> None:
        if change.about(Kind.USER):
            self.refresh()

    def _on_loaded(self, rows: list[UserSummary]) -> None:
        self.list.set_rows(rows)
        self._update_buttons()

    def _update_buttons(self) -> None:
        user = self.list.selected()
        me = self._ctx.actor.user_id
        usable = user is not None and user.active and user.id != me
        self.reset_button.setEnabled(usable)
        self.deactivate_button.setEnabled(usable)

    def add_user(self) -> None:
        """Open the add-user dialog."""
        AddUserDialog(self._ctx, self).exec()

    def reset_password(self) -> None:
        """Set a temporary password for the selected user."""
        user = self.list.selected()
        if user is None or not self.reset_button.isEnabled():
            return
        ResetPasswordDialog(self._ctx, user, self).exec()

    def deactivate(self) -> None:
        """Deactivate the selected user after a confirmation."""
        user = self.list.selected()
        if user is None or not self.deactivate_button.isEnabled():
            return
        answer = QMessageBox.question(
            self,
            "Deactivate user",
            f"Deactivate {isolate(user.display_name)} ({user.username})?\n\nThey will not be able to log in. "
            "Nothing they wrote is removed, and their name stays on it. Every key they held is then "
            "changed in the background, so a copy of their key ring opens nothing.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        user_id = user.id
        self._ctx.ops.command(
            self,
            lambda clinic: users.deactivate_user(clinic, user_id),
            Changed(Kind.USER),
            self._on_deactivated,
        ).status(
            lambda done: (
                f"{isolate(done.display_name)} was deactivated; the keys they held are being changed."
            )
        ).with_busy(self.busy).on_failure(self._on_deactivate_failed).run_in_background()

    def _on_deactivated(self, _user: UserSummary) -> None:
        self.rotation.start()  # the deactivation makes a rotation owed; it runs in the background

    def _on_deactivate_failed(self, exc: BaseException) -> None:
        QMessageBox.warning(self, "Not done", error_message(exc))


class AddUserDialog(_FormDialog):
    """Name, user name, role and a temporary password."""

    def __init__(self, ctx: ViewContext, parent: QWidget | None = None) -> None:
        super().__init__(
            "add_user_dialog",
            "Add a user",
            "They choose their own password the first time they log in.",
            "Add user",
            parent,
        )
        self._ctx = ctx
        self._username_edited = False
        self.display_name = QLineEdit()
        self.display_name.setObjectName("display_name")
        self.display_name.setAccessibleName("Name")
        self.username = QLineEdit()
        self.username.setObjectName("username")
        self.username.setAccessibleName("User name")
        self.role = QComboBox()
        self.role.setObjectName("role")
        self.role.setAccessibleName("Role")
        for role in (Role.CLINICIAN, Role.FRONT_DESK, Role.OWNER):
            self.role.addItem(role.label, role)
        self.role_help = FieldError("role_help")
        self.role_help.setProperty("role", "muted")
        self.name_error = FieldError("display_name_error")
        self.username_error = FieldError("username_error")
        form = QFormLayout()
        form.addRow("Name", self.display_name)
        form.addRow("", self.name_error)
        form.addRow("User name", self.username)
        form.addRow("", self.username_error)
        form.addRow("Role", self.role)
        form.addRow("", self.role_help)
        self.body.addLayout(form)
        self.password = NewPasswordForm("", prefix="temporary_password")
        self.body.addWidget(self.password)
        self.display_name.textEdited.connect(self._on_display_name_text_edited)
        self.username.textEdited.connect(lambda _t: setattr(self, "_username_edited", True))
        self.display_name.editingFinished.connect(self._check_name)
        self.username.editingFinished.connect(self._check_username)
        self.role.currentIndexChanged.connect(self._on_role_changed)
        self._on_role_changed()

    def _on_display_name_text_edited(self, text: str) -> None:
        if not self._username_edited:
            self.username.setText(suggest_username(text))

    def _on_role_changed(self) -> None:
        self.role_help.show_problem(ROLE_HELP[Role(self.role.currentData())])

    def _check_name(self) -> bool:
        problem = display_name_problem(self.display_name.text())
        self.name_error.show_problem(problem)
        set_invalid(self.display_name, problem is not None)
        return problem is None

    def _check_username(self) -> bool:
        problem = username_problem(self.username.text())
        self.username_error.show_problem(problem)
        set_invalid(self.username, problem is not None)
        return problem is None

    def _on_ok_clicked(self) -> None:
        if not all([self._check_name(), self._check_username(), self.password.valid()]):
            return
        args = dict(
            username=self.username.text(),
            display_name=self.display_name.text(),
            role=self.role.currentData(),
            password=self.password.password.text(),
        )
        self.run(
            self._ctx.ops.command(
                self, lambda clinic: users.add_user(clinic, **args), Changed(Kind.USER), self._on_added
            ).status(lambda user: f"Added {isolate(user.display_name)} ({user.role.label.lower()}).")
        )

    def _on_added(self, _user: UserSummary) -> None:
        self.accept()

    def show_error(self, exc: BaseException) -> None:
        """Service errors go beside their field."""
        if isinstance(exc, HrclinicError) and exc.field == "username":
            self.username_error.show_problem(exc.message)
        elif isinstance(exc, HrclinicError) and exc.field == "password":
            self.password.error.show_problem(exc.message)
        else:
            super().show_error(exc)


class ResetPasswordDialog(_FormDialog):
    """The owner sets a temporary password for someone who forgot theirs."""

    def __init__(self, ctx: ViewContext, user: UserSummary, parent: QWidget | None = None) -> None:
        super().__init__(
            "reset_password_dialog",
            f"Reset the password of {isolate(user.display_name)}",
            "They will choose their own password at next log-in. Their private psychotherapy notes "
            "stay sealed until they (with the owner) restore them with the recovery key.",
            "Reset password",
            parent,
        )
        self._ctx = ctx
        self._user = user
        self.password = NewPasswordForm(user.username, prefix="temporary_password")
        self.body.addWidget(self.password)

    def _on_ok_clicked(self) -> None:
        if not self.password.valid():
            return
        user_id, new, name = self._user.id, self.password.password.text(), isolate(self._user.display_name)
        self.run(
            self._ctx.ops.command(
                self,
                lambda clinic: passwords.reset_password(clinic, user_id, new),
                Changed(Kind.USER),
                self._on_reset,
            ).status(f"{name} has a temporary password and will choose their own at next log-in.")
        )

    def _on_reset(self, _user: object) -> None:
        self.accept()
