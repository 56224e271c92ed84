"""Key rotation as the Keys settings and the log-in progress show it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RotationProgress:
    """Where a rotation is (``done`` of ``total`` values re-sealed while re-sealing)."""

    step: str  # started | rekeyed | resealing | completed | waiting
    done: int = 0
    total: int = 0
    finished: bool = False


@dataclass(frozen=True)
class RotationSummary:
    """What a rotation (or the resumption of one) did."""

    started: tuple[uuid.UUID, ...]
    completed: tuple[uuid.UUID, ...]
    delivered: int
    unreachable: tuple[str, ...]  # user names that got no delivery: an owner must reset their password
    resealed: int
    unopenable: int
    waiting: str | None  # why the rotation is not complete yet, in a sentence (None: complete)
