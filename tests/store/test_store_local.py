"""The local store: train -> upload -> fetch byte-identical, immutability, interrupted
uploads, damaged versions, the version source and credentials in messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import CLI
from store_support import embedded_spec, train_out, tree, write_spec

from mlops_spec.main import main
from mlops_spec.spec.validate import validate_file
from mlops_spec.store import open_store
from mlops_spec.store.blobs import LocalBlobs
from mlops_spec.store.manifest import FILENAME

VERSION = "3f2c1a9e0b7d4c6f8a1e2d3c4b5a69788796a5b4"


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    spec_file = write_spec(tmp_path / "repo", embedded_spec())
    return spec_file, train_out(spec_file, tmp_path / "out")


def test_round_trip_into_the_default_store(project: tuple[Path, Path], tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    spec_file, out = project
    code, stdout, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 0, err
    stored = spec_file.parent / ".mlops-spec" / "store" / VERSION
    assert f"at {stored}" in stdout
    manifest = json.loads((stored / FILENAME).read_text())
    assert manifest["format"] == "mlops-spec/manifest/v1"
    assert [f["path"] for f in manifest["files"]] == sorted(tree(out))
    code, stdout, err = run(capsys, "fetch", spec_file, "--version", VERSION,
                            "--to", tmp_path / "fetched")
    assert code == 0, err
    assert tree(tmp_path / "fetched") == tree(out)
    assert not (tmp_path / "fetched" / FILENAME).exists()
    spec = validate_file(spec_file).spec
    assert spec is not None
    store = open_store(spec, spec_file)
    assert store.versions() == [VERSION] and store.exists(VERSION)
    assert not store.exists("other")


def test_version_from_the_environment(project: tuple[Path, Path],
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec_file, out = project
    monkeypatch.delenv("MODEL_VERSION", raising=False)
    code, _, err = run(capsys, "upload", spec_file, "--from", out)
    assert code == 2 and "A002" in err and "MODEL_VERSION" in err
    monkeypatch.setenv("MODEL_VERSION", "<unset>")
    code, _, err = run(capsys, "upload", spec_file, "--from", out)
    assert code == 2 and "'<unset>' is not a model version (MODEL_VERSION)" in err
    monkeypatch.setenv("MODEL_VERSION", "v1.2.0")
    code, _, err = run(capsys, "upload", spec_file, "--from", out)
    assert code == 0, err
    assert (spec_file.parent / ".mlops-spec/store/v1.2.0" / FILENAME).is_file()


def test_same_bytes_are_a_no_op_other_bytes_are_refused(
        project: tuple[Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec_file, out = project
    assert run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)[0] == 0
    manifest = spec_file.parent / ".mlops-spec/store" / VERSION / FILENAME
    before = manifest.stat().st_mtime_ns
    code, stdout, _ = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 0 and "already stored with the same" in stdout
    assert manifest.stat().st_mtime_ns == before
    other = train_out(spec_file, tmp_path / "other", seed=1)
    code, _, err = run(capsys, "upload", spec_file, "--from", other, "--version", VERSION)
    assert code == 2 and "A005" in err and "a version never changes" in err
    fetched = tmp_path / "fetched"
    assert run(capsys, "fetch", spec_file, "--version", VERSION, "--to", fetched)[0] == 0
    assert tree(fetched) == tree(out)


def test_evidence_of_another_spec_is_refused(project: tuple[Path, Path], tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    spec_file, out = project
    data = embedded_spec()
    data["description"] = "Another revision of the spec."
    other_spec = write_spec(tmp_path / "other-repo", data)
    code, _, err = run(capsys, "upload", other_spec, "--from", out, "--version", VERSION)
    assert code == 2 and "A004" in err and "another version of the spec" in err
    assert not (other_spec.parent / ".mlops-spec").exists()
    (out / "model.skops").write_bytes(b"not the model")
    code, _, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 2 and "not the artifact the evaluation describes" in err
    (out / "evaluation.json").unlink()
    code, _, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 2 and "E001" in err


def test_an_interrupted_upload_is_not_a_version(
        project: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec_file, out = project
    real_put = LocalBlobs.put
    calls = []

    def failing_put(self: LocalBlobs, key: str, source: Path) -> None:
        calls.append(key)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")  # the disk fills between files
        real_put(self, key, source)

    monkeypatch.setattr(LocalBlobs, "put", failing_put)
    code, _, err = run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)
    assert code == 2 and "A010" in err and "No space left on device" in err
    stored = spec_file.parent / ".mlops-spec/store" / VERSION
    assert len(list(stored.rglob("*.*"))) == 2 and not (stored / FILENAME).exists()
    code, _, err = run(capsys, "fetch", spec_file, "--version", VERSION,
                       "--to", tmp_path / "fetched")
    assert code == 2 and "A006" in err and "not in the store" in err
    assert not (tmp_path / "fetched").exists()
    spec = validate_file(spec_file).spec
    assert spec is not None
    assert open_store(spec, spec_file).versions() == []
    monkeypatch.setattr(LocalBlobs, "put", real_put)
    (stored / "leftover.bin").write_bytes(b"from the dead upload")
    assert run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)[0] == 0
    assert not (stored / "leftover.bin").exists()
    assert run(capsys, "fetch", spec_file, "--version", VERSION,
               "--to", tmp_path / "fetched")[0] == 0
    assert tree(tmp_path / "fetched") == tree(out)


@pytest.mark.slow
def test_killing_the_upload_process_leaves_no_version(project: tuple[Path, Path],
                                                      tmp_path: Path) -> None:
    import subprocess
    import sys

    spec_file, out = project
    # A real `mlops-spec upload` process, slowed to one file per 0.3 s, killed by SIGKILL
    # once it has written two files.
    slow = ("import sys, time\n"
            "from mlops_spec.store import blobs\n"
            "put = blobs.LocalBlobs.put\n"
            "def slow(self, key, source):\n"
            "    put(self, key, source); print(key, flush=True); time.sleep(0.3)\n"
            "blobs.LocalBlobs.put = slow\n"
            "from mlops_spec.main import console\n"
            "sys.argv = ['mlops-spec', *sys.argv[1:]]\n"
            "console()\n")
    process = subprocess.Popen(
        [sys.executable, "-c", slow, "upload", str(spec_file), "--from", str(out),
         "--version", VERSION], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    process.stdout.readline()
    process.stdout.readline()
    process.kill()
    process.wait()
    stored = spec_file.parent / ".mlops-spec/store" / VERSION
    assert stored.is_dir() and not (stored / FILENAME).exists()
    done = subprocess.run([str(CLI), "fetch", str(spec_file), "--version", VERSION, "--to",
                           str(tmp_path / "fetched")], capture_output=True, text=True)
    assert done.returncode == 2 and "A006" in done.stderr
    assert not (tmp_path / "fetched").exists()


def test_a_damaged_version_is_refused(project: tuple[Path, Path], tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec_file, out = project
    assert run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)[0] == 0
    stored = spec_file.parent / ".mlops-spec/store" / VERSION
    served = stored / "serving" / "model.joblib"
    served.write_bytes(served.read_bytes()[:-1] + b"\x00")
    code, _, err = run(capsys, "fetch", spec_file, "--version", VERSION,
                       "--to", tmp_path / "fetched")
    assert code == 2 and "A007" in err and "serving/model.joblib" in err
    assert not (tmp_path / "fetched").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    (stored / FILENAME).write_text('{"format": "mlops-spec/manifest/v1", "model": "x", '
                                   '"version": "v", "spec_digest": "", "files": '
                                   '[{"path": "../../etc/passwd", "sha256": "' + "0" * 64
                                   + '", "size": 1}]}')
    code, _, err = run(capsys, "fetch", spec_file, "--version", VERSION,
                       "--to", tmp_path / "fetched")
    assert code == 2 and "malformed manifest: files.0.path" in err


def test_fetch_never_overwrites_a_directory_with_content(
        project: tuple[Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec_file, out = project
    assert run(capsys, "upload", spec_file, "--from", out, "--version", VERSION)[0] == 0
    target = tmp_path / "busy"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    code, _, err = run(capsys, "fetch", spec_file, "--version", VERSION, "--to", target)
    assert code == 2 and "A008" in err
    assert [p.name for p in target.iterdir()] == ["mine.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run(capsys, "fetch", spec_file, "--version", VERSION, "--to", empty)[0] == 0
    assert tree(empty) == tree(out)


def test_local_store_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    absolute = tmp_path / "shared-store"
    for store, where in ((f"file://{absolute}", absolute), (str(absolute), absolute),
                         ("models/store", tmp_path / "repo" / "models" / "store")):
        spec_file = write_spec(tmp_path / "repo", embedded_spec(store))
        out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
        train_out(spec_file, out)
        code, _, err = run(capsys, "upload", spec_file, "--from", out, "--version", "v1")
        assert code == 0, err
        assert (where / "v1" / FILENAME).is_file()
        (where / "v1" / FILENAME).unlink()
