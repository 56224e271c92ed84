"""The ``hrclinic`` console script: the core command line with the desktop shell plugged in.

Qt is imported only when the GUI (or its self-test) actually runs, so ``hrclinic verify``
and ``hrclinic init`` stay fast and work where no display libraries exist.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hrclinic.cli import Frontend
from hrclinic.cli import main as core_main


def _run_gui(data_dir: Path, demo: bool) -> int:
    if os.environ.get("HRCLINIC_BENCH_LOGIN_PROBE"):  # hrclinic bench's cold start (ui.bench)
        from ui.bench import arm_login_shown_probe

        arm_login_shown_probe()
    from ui.main import run_app

    return run_app(data_dir, demo=demo)


def _gui_self_test() -> str:
    from ui.selftest import run_gui_self_test

    return run_gui_self_test()


def _bench_gui(request: Any) -> dict[str, dict[str, list[float]]]:
    from ui.bench import run_gui_bench

    return run_gui_bench(request)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``hrclinic`` command."""
    return core_main(
        argv, frontend=Frontend(run_gui=_run_gui, gui_self_test=_gui_self_test, bench_gui=_bench_gui)
    )


if __name__ == "__main__":
    sys.exit(main())
