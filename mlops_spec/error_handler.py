"""Turn failures into clear messages and exit codes; never a traceback for bad input."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from mlops_spec.diagnostics import Diagnostic, MissingExtra, UserError

# Top-level modules of optional dependencies -> the extra that installs them.
_EXTRA_OF = {
    "numpy": "train", "scipy": "drift", "sklearn": "train", "skops": "train",
    "pyarrow": "drift", "github3": "bot", "fsspec": "s3", "s3fs": "s3", "gcsfs": "gcs",
    "adlfs": "azure", "mlflow": "mlflow", "skl2onnx": "onnx", "onnxruntime": "onnx",
}


def describe(diagnostics: list[Diagnostic], sources: dict[str, Any] | None = None) -> str:
    """The text every user-facing error is shown as (also for one spec of a batch, whose
    failure is that spec's outcome while the others go on), with source excerpts where
    the loaded file is known."""
    from mlops_spec.diagnostics.formatters import FORMATTERS

    return FORMATTERS["text"](diagnostics, sources or {})


def _print(diagnostics: list[Diagnostic], sources: dict[str, Any] | None = None) -> None:
    sys.stderr.write(describe(diagnostics, sources))


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
    except UserError as exc:
        _print(exc.diagnostics, exc.sources)
        return exc.exit_code
    except ModuleNotFoundError as exc:
        # An optional dependency imported without ``diagnostics.require`` first.
        name = (exc.name or "").split(".")[0]
        extra = _EXTRA_OF.get(name)
        if extra is None:
            return _internal(exc)
        _print(MissingExtra(extra, name, "this command").diagnostics)
        return 2
    except Exception as exc:
        return _internal(exc)


def _internal(exc: Exception) -> int:
    if os.environ.get("MLOPS_SPEC_DEBUG"):
        raise exc
    print(f"mlops-spec: internal error: {type(exc).__name__}: {exc}\n"
          "This is a bug in mlops-spec, not in your spec; please report it with the "
          "command you ran. Set MLOPS_SPEC_DEBUG=1 to see the traceback.",
          file=sys.stderr)
    return 3
