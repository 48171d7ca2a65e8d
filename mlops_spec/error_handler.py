"""Turn failures into clear messages and exit codes; never a traceback for bad input."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable


def guarded(run: Callable[[], int]) -> int:
    try:
        return run()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed: not an error of ours.
        sys.stderr.close()
        return 0
    except SystemExit as exc:  # argparse: --help (0) and usage errors (2)
        return exc.code if isinstance(exc.code, int) else 2
    except Exception as exc:
        if os.environ.get("MLOPS_SPEC_DEBUG"):
            raise
        print(f"mlops-spec: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in mlops-spec, not in your spec; please report it with the "
              "command you ran. Set MLOPS_SPEC_DEBUG=1 to see the traceback.",
              file=sys.stderr)
        return 3
