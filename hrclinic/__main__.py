"""``python -m hrclinic``."""

import sys

from hrclinic.cli import main

sys.exit(main())
