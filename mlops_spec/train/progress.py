"""Progress lines on stderr for steps that take more than a moment.

Shown only on an interactive terminal: ``--quiet``, a redirected stderr or a ``CI``
environment variable (set by GitHub Actions, Jenkins and most CI systems) silence them, so
CI logs keep only the results.
"""

from __future__ import annotations

import os
import sys
import time


class Progress:
    def __init__(self, quiet: bool = False) -> None:
        self.enabled = (not quiet and not os.environ.get("CI")
                        and hasattr(sys.stderr, "isatty") and sys.stderr.isatty())
        self._started = time.monotonic()

    def step(self, message: str) -> None:
        if self.enabled:
            elapsed = time.monotonic() - self._started
            print(f"[{elapsed:6.1f}s] {message}", file=sys.stderr, flush=True)
