"""``mlops-spec upload``: store the directory ``train --out`` wrote as one model version.

    MODEL_VERSION=$GITHUB_SHA mlops-spec upload [SPEC] --from DIR
    mlops-spec upload [SPEC] --from DIR --version V
    mlops-spec upload [SPEC] --from DIR --run RUN     # what a cluster training Job hands back

Writes ``<store>/<version>/`` (every file, then ``manifest.json``), and registers the
version in the MLflow registry when ``model.registry`` is set. Exit 0 stored or already
stored with the same bytes; 2 refused (other bytes under that version, evidence of another
spec, missing files) or the store is unreachable. See docs/store.md.

``--run RUN`` (the training Job of ``submit-training``) writes ``<store>/_runs/<RUN>/``
instead: not a version (never registered, never served), fetched and removed by
``submit-training``, which hands the directory to the pipeline's own ``upload``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mlops_spec.commands._spec import add_spec_argument, load_valid_spec
from mlops_spec.render.kubernetes.common import VERSION_KEY
from mlops_spec.store.errors import StoreError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_spec_argument(parser)
    parser.add_argument("--from", dest="from_dir", required=True, metavar="DIR",
                        help="the directory `mlops-spec train --out DIR` wrote")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--version", metavar="V",
                       help=f"the version to store (default: ${VERSION_KEY}), usually the "
                            "commit the model was trained at")
    which.add_argument("--run", metavar="RUN",
                       help="store it as training run RUN under <store>/_runs/ instead (what "
                            "the Job of `submit-training` does): not a version")
    parser.add_argument("--allow-sklearn-mismatch", action="store_true",
                        help="upload (with a warning) an artifact trained with another "
                             "scikit-learn than the serving runtime carries; the servers "
                             "may fail to load it")


def version_from(args_version: str | None) -> str:
    from mlops_spec.store.versions import check_version

    if args_version:
        return check_version(args_version)
    value = os.environ.get(VERSION_KEY, "")
    if not value:
        raise StoreError.single("A002", f"no version: pass --version or set {VERSION_KEY}",
                                "<command line>",
                                hint=f"e.g. {VERSION_KEY}=$(git rev-parse HEAD)")
    return check_version(value, given_as=VERSION_KEY)


def run(args: argparse.Namespace) -> int:
    from mlops_spec.store import open_store
    from mlops_spec.store.artifacts import check_runtime

    if args.run:
        return _upload_run(args)
    version = version_from(args.version)
    spec_file, spec = load_valid_spec(Path(args.spec), "uploading")
    check_runtime(spec, Path(args.from_dir), args.allow_sklearn_mismatch)
    store = open_store(spec, spec_file, "mlops-spec upload")
    uploaded = store.upload(version, Path(args.from_dir))
    count = len(uploaded.manifest.files)
    size = sum(entry.size for entry in uploaded.manifest.files)
    if uploaded.status == "unchanged":
        print(f"{uploaded.uri}: already stored with the same {count} files (nothing to do)")
    else:
        print(f"stored {spec.name} version {version} at {uploaded.uri} ({count} files, "
              f"{size:,} bytes)")
    if uploaded.registered is not None:
        print(f"registered {uploaded.registered}")
    return 0


def _upload_run(args: argparse.Namespace) -> int:
    """A run is checked as an artifact set of this spec; the runtime skew (A014) is left to
    the pipeline's ``upload`` of the version, which is what a cluster serves."""
    from mlops_spec.store import open_store
    from mlops_spec.store.versions import check_version

    run = check_version(args.run, given_as="--run")
    spec_file, spec = load_valid_spec(Path(args.spec), "uploading")
    store = open_store(spec, spec_file, "mlops-spec upload").runs()
    uploaded = store.upload(run, Path(args.from_dir))
    print(f"stored training run {run} of {spec.name} at {uploaded.uri} "
          f"({len(uploaded.manifest.files)} files)")
    return 0
