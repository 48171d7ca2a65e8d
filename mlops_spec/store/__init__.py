"""The model store: versions of one model under ``model.artifact.store`` (docs/store.md).

``open_store(spec, spec_file)`` picks the backend from the store URI (``location.BACKENDS``)
and returns a ``Store`` with ``upload``, ``fetch``, ``exists`` and ``versions``. Heavy
packages (fsspec and its backends, mlflow) are imported only when a store needs them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlops_spec.store.errors import StoreError

if TYPE_CHECKING:
    from mlops_spec.spec.sections import Spec
    from mlops_spec.store.versions import Store

__all__ = ["StoreError", "open_store"]


def open_store(spec: Spec, spec_file: Path, needed_for: str = "the model store") -> Store:
    from mlops_spec.store.blobs import open_blobs
    from mlops_spec.store.location import store_location
    from mlops_spec.store.versions import Store

    location = store_location(spec, spec_file)
    return Store(spec, spec_file, location, open_blobs(location, needed_for))
