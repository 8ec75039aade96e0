"""``python -m planner``: the CLI (``python -m planner gui`` opens the window)."""

import sys

from planner.cli.main import main

sys.exit(main())
