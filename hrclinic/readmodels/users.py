"""Who is acting, and the users as the Users view lists them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hrclinic.domain.roles import Role


@dataclass(frozen=True)
class Actor:
    """The person acting in an unlocked clinic."""

    user_id: uuid.UUID
    username: str
    display_name: str
    role: Role
    must_change_password: bool = False


@dataclass(frozen=True)
class UserSummary:
    """A user as the Users view lists them."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    active: bool
    must_change_password: bool
    created_at: datetime
    computer_login: bool
