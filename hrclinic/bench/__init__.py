"""``hrclinic bench``: a deterministic synthetic clinic and the timings the performance issue asks for.

``data`` builds (and caches) the clinic, ``run`` measures the core operations on it and on an
unencrypted copy; the desktop shell measures its own widgets through ``GuiBenchRequest``.
"""

from __future__ import annotations
