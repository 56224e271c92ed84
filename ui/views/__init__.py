"""The work-area views, one per navigation destination."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from hrclinic.services.clinic import UnlockedClinic
from ui.bus import AppBus
from ui.operations import Operations
from ui.tasks import TaskRunner

if TYPE_CHECKING:
    from hrclinic.readmodels.users import Actor


@dataclass(frozen=True)
class ViewContext:
    """What every view is given: the unlocked clinic, the task runner and the bus."""

    clinic: UnlockedClinic
    runner: TaskRunner
    bus: AppBus

    @cached_property
    def ops(self) -> Operations:
        """The session's background operations (the one way a view reads or changes anything)."""
        return Operations(self.clinic, self.runner, self.bus)

    @property
    def actor(self) -> Actor:
        """Who is logged in."""
        return self.ops.actor
