"""A local store needs no extra: upload and fetch import no fsspec, mlflow or numpy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from store_support import embedded_spec, train_out, write_spec

PROBE = """
import json, sys
from mlops_spec.main import main
spec, out, to = sys.argv[1:4]
codes = [main(["upload", spec, "--from", out, "--version", "v1"]),
         main(["fetch", spec, "--version", "v1", "--to", to])]
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"fsspec", "s3fs", "mlflow", "numpy",
               "sklearn", "botocore", "boto3", "jinja2"})
print(json.dumps({"codes": codes, "heavy": heavy}))
"""


def test_local_upload_and_fetch_import_nothing_heavy(tmp_path: Path) -> None:
    spec_file = write_spec(tmp_path / "repo", embedded_spec())
    out = train_out(spec_file, tmp_path / "out")
    done = subprocess.run([sys.executable, "-c", PROBE, str(spec_file), str(out),
                           str(tmp_path / "fetched")], capture_output=True, text=True,
                          check=True)
    result = json.loads(done.stdout.splitlines()[-1])
    assert result == {"codes": [0, 0], "heavy": []}
