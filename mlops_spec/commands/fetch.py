"""``mlops-spec fetch``: restore a stored model version into a directory, verified.

    mlops-spec fetch [SPEC] --version V --to DIR
    mlops-spec fetch [SPEC] --champion --to DIR     # the version production serves

Every file's size and sha256 is checked against the version's manifest before DIR appears
(downloaded to a temporary directory beside it, then renamed). ``--champion`` resolves the
version as ``train`` does (``store.champion``). Exit 0 fetched, or production serves no
version yet (a notice on stderr, nothing written); 2 no such version (or one whose upload
never finished, or production's pinned version is not stored), a file that does not match,
DIR not empty.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mlops_spec.commands._spec import add_spec_argument, load_valid_spec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_spec_argument(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--version", metavar="V", help="the version to fetch")
    which.add_argument("--champion", action="store_true",
                       help="the version production serves: its model_version pin, else "
                            "deploy/<production>/model-version.env")
    parser.add_argument("--to", dest="to_dir", required=True, metavar="DIR",
                        help="a new (or empty) directory to write the version into")


def run(args: argparse.Namespace) -> int:
    from mlops_spec.store import open_store
    from mlops_spec.store.champion import not_served, stored_champion
    from mlops_spec.store.versions import check_version

    spec_file, spec = load_valid_spec(Path(args.spec), "fetching")
    if args.champion:
        found = stored_champion(spec, spec_file, "mlops-spec fetch --champion")
        if found is None:
            print(f"notice: {not_served(spec, spec_file)}; nothing fetched", file=sys.stderr)
            return 0
        store, version = found
    else:
        version = check_version(args.version)
        store = open_store(spec, spec_file, "mlops-spec fetch")
    manifest = store.fetch(version, Path(args.to_dir))
    size = sum(entry.size for entry in manifest.files)
    print(f"fetched {spec.name} version {version} from {store.version_uri(version)} into "
          f"{args.to_dir} ({len(manifest.files)} files, {size:,} bytes, all digests verified)")
    return 0
