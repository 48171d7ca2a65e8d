"""Data on object stores (``s3://``, ``gs://``, ``az://``) for training and monitoring.

A URI names one object (``s3://bucket/current.csv``) or, ending in ``/``, a prefix whose
CSV and Parquet objects are read in name order and concatenated. Each object is streamed
in 1 MiB chunks to a temporary file, read there by the local readers (which keep their
own bounded-memory reading), and removed before the next: memory holds the chunk and the
columns read, never a whole object. Diagnostics name the URI, not the temporary file.
The backend package comes from the store's table (``mlops_spec.store.location.BACKENDS``).
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_spec.diagnostics import Diagnostic, InputError

if TYPE_CHECKING:
    from mlops_spec.data.readers import Table
    from mlops_spec.drift.columns import ColumnType

CHUNK = 1024 * 1024
SUFFIXES = (".csv", ".parquet", ".pq")


def is_remote(location: str | Path) -> bool:
    return isinstance(location, str) and "://" in location and not location.startswith(
        "file://")


def _error(uri: str, message: str, hint: str | None = None) -> InputError:
    return InputError([Diagnostic(code="D003", message=message, file=uri, hint=hint)])


@contextlib.contextmanager
def _reading(uri: str, scheme: str) -> Iterator[None]:
    from mlops_spec.store.blobs import backend_errors
    from mlops_spec.store.errors import redact

    try:
        yield
    except InputError:
        raise
    except backend_errors(scheme) as exc:
        raise _error(uri, redact(f"cannot read: {type(exc).__name__}: {exc}")[:500],
                     "check the URI and the credentials in the environment "
                     "(AWS_*, GOOGLE_APPLICATION_CREDENTIALS, AZURE_STORAGE_*)") from None


def objects(fs: Any, uri: str, root: str) -> list[str]:
    """The object paths ``uri`` stands for: itself, or the data objects under a prefix."""
    if not uri.endswith("/") and fs.isfile(root):
        return [root]
    found = sorted(path for path in fs.find(root.rstrip("/"))
                   if path.lower().endswith(SUFFIXES))
    if not found:
        raise _error(uri, "no CSV or Parquet objects found",
                     "a prefix ends with '/' and holds .csv or .parquet objects")
    return found


def read_remote(uri: str, wanted: Mapping[str, ColumnType],
                optional: Mapping[str, ColumnType],
                read_local: Callable[..., Table],
                on_chunk: Callable[[bytes], None] | None = None) -> Table:
    """The columns of every object ``uri`` names, as one table labelled with ``uri``.
    ``on_chunk`` sees every byte read, objects in name order (train digests and bounds
    the data with it; it may raise to stop reading)."""
    import numpy as np

    from mlops_spec.data.readers import Table
    from mlops_spec.store.blobs import filesystem

    scheme, root = uri.split("://", 1)
    fs = filesystem(scheme, f"reading {scheme}:// data")
    tables = []
    with _reading(uri, scheme), tempfile.TemporaryDirectory(prefix="mlops-spec-data-") as tmp:
        for path in objects(fs, uri, root):
            object_uri = f"{scheme}://{path}"
            local = Path(tmp) / Path(path).name
            with fs.open(path, "rb", block_size=CHUNK) as src, local.open("wb") as out:
                while chunk := src.read(CHUNK):
                    if on_chunk is not None:
                        on_chunk(chunk)
                    out.write(chunk)
            try:
                tables.append(read_local(local, wanted, optional))
            except InputError as exc:
                raise InputError([d._replace(file=object_uri) for d in exc.diagnostics]
                                 ) from None
            finally:
                local.unlink()
    names = [name for name in tables[0].columns if all(name in t.columns for t in tables)]
    columns = {name: np.concatenate([t.columns[name] for t in tables]) for name in names}
    return Table(file=uri, rows=sum(t.rows for t in tables), columns=columns)
