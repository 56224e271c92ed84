"""Entry point of the PyInstaller bundle (see hrclinic.spec).

It runs exactly what the wheel's ``hrclinic`` console script runs: the target named in
pyproject.toml's ``[project.scripts]``, looked up in the package metadata the spec copies into
the bundle, so the bundle and ``pip install`` can never start different code.
"""

import sys
from importlib.metadata import entry_points


def _console_script():
    found = entry_points(group="console_scripts", name="hrclinic")
    if not found:
        sys.exit("hrclinic: this bundle lacks its package metadata; rebuild it from hrclinic.spec.")
    return next(iter(found)).load()


if __name__ == "__main__":
    sys.exit(_console_script()())
