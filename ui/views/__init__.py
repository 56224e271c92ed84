"""The work-area views, one per navigation destination."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ui.operations import Operations

if TYPE_CHECKING:
    from hrclinic.readmodels.users import Actor
    from ui.bus import AppBus


@dataclass(frozen=True)
class ViewContext:
    """What every view is given: the session's operations (who is acting, the app bus, services run on
    the worker with the clinic bound). Never the unlocked clinic itself: no keys, no engine, no session."""

    ops: Operations

    @property
    def actor(self) -> Actor:
        """Who is logged in."""
        return self.ops.actor

    @property
    def bus(self) -> AppBus:
        """The app-wide signal bus."""
        return self.ops.bus
