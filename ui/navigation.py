"""Where each role can go: the navigation rail's destinations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from hrclinic.domain.roles import Permission, Role, may
from ui.views import ViewContext


@dataclass(frozen=True)
class Destination:
    """One entry of the navigation rail."""

    key: str
    label: str
    icon: str
    permission: Permission
    hint: str
    factory: Callable[[ViewContext], QWidget]


def _today(ctx: ViewContext) -> QWidget:
    from ui.views.today import TodayView

    return TodayView(ctx)


def _clients(ctx: ViewContext) -> QWidget:
    from ui.views.clients import ClientsView

    return ClientsView(ctx)


def _caseload(ctx: ViewContext) -> QWidget:
    from ui.views.caseload import CaseloadView

    return CaseloadView(ctx)


def _flags(ctx: ViewContext) -> QWidget:
    from ui.views.flags import FlagsView

    return FlagsView(ctx)


def _users(ctx: ViewContext) -> QWidget:
    from ui.views.users import UsersView

    return UsersView(ctx)


def _settings(ctx: ViewContext) -> QWidget:
    from ui.views.settings import SettingsView

    return SettingsView(ctx)


# The order is the rail's order.
DESTINATIONS = [
    Destination("today", "Today", "calendar-event", Permission.VIEW_REGISTRY, "The day at a glance", _today),
    Destination(
        "clients", "Clients", "address-book", Permission.VIEW_REGISTRY, "Find and register people", _clients
    ),
    Destination(
        "caseload", "Caseload", "briefcase", Permission.READ_CLINICAL, "The people you work with", _caseload
    ),
    Destination(
        "flags", "Flags", "flag", Permission.READ_CLINICAL, "Safety flags and proposals to review", _flags
    ),
    Destination("users", "Users", "users", Permission.MANAGE_USERS, "Accounts and roles", _users),
    Destination("settings", "Settings", "settings", Permission.MANAGE_CLINIC, "Clinic settings", _settings),
]


def destinations_for(role: Role) -> list[Destination]:
    """The destinations a role may open, in rail order."""
    return [d for d in DESTINATIONS if may(role, d.permission)]
