"""``mlops-spec fetch``: restore a stored model version into a directory, verified.

    mlops-spec fetch [SPEC] --version V --to DIR

Every file's size and sha256 is checked against the version's manifest before DIR appears
(downloaded to a temporary directory beside it, then renamed). Exit 0 fetched; 2 no such
version (or one whose upload never finished), a file that does not match, DIR not empty.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mlops_spec.commands._spec import add_spec_argument, load_valid_spec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_spec_argument(parser)
    parser.add_argument("--version", required=True, metavar="V", help="the version to fetch")
    parser.add_argument("--to", dest="to_dir", required=True, metavar="DIR",
                        help="a new (or empty) directory to write the version into")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.store import open_store
    from mlops_spec.store.versions import check_version

    version = check_version(args.version)
    spec_file, spec = load_valid_spec(Path(args.spec), "fetching")
    store = open_store(spec, spec_file, "mlops-spec fetch")
    manifest = store.fetch(version, Path(args.to_dir))
    size = sum(entry.size for entry in manifest.files)
    print(f"fetched {spec.name} version {version} from {store.version_uri(version)} into "
          f"{args.to_dir} ({len(manifest.files)} files, {size:,} bytes, all digests verified)")
    return 0
