"""The work-area views, one per navigation destination."""

from __future__ import annotations

from dataclasses import dataclass

from hrclinic.services.clinic import UnlockedClinic
from ui.bus import AppBus
from ui.tasks import TaskRunner


@dataclass(frozen=True)
class ViewContext:
    """What every view is given: the unlocked clinic, the task runner and the bus."""

    clinic: UnlockedClinic
    runner: TaskRunner
    bus: AppBus
