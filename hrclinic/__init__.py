"""hrclinic: the Qt-free core of the harm-reduction clinic record."""

from __future__ import annotations

__version__ = "0.1.0"
