"""The engine's memory snapshot, restored in Node as the browser's worker restores it:
it answers byte for byte what CPython answers, has the engine already imported, and is
stamped with the Pyodide and the wheel it was made from. Without Node the build stops
and says why."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from calculator.api import run
from tests.pyodide.test_engine_in_pyodide import PYODIDE, requests

pytestmark = pytest.mark.pyodide
ROOT = Path(__file__).resolve().parents[2]


def hook():
    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        import pyodide_assets
    finally:
        sys.path.pop(0)
    return pyodide_assets


@pytest.fixture(scope="module")
def vendored(tmp_path_factory) -> Path:
    """The site's assets/pyodide folder, made by the real build hook."""
    site = tmp_path_factory.mktemp("site")
    hook().on_post_build({"site_dir": str(site)})
    return site / "assets" / "pyodide"


def snapshot_file(folder: Path) -> Path:
    return folder / json.loads((folder / "boot.json").read_text())["snapshot"]


def wheel_file(folder: Path) -> Path:
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    return folder / lock["packages"]["eigent-credit-calculator"]["file_name"]


@pytest.fixture(scope="module")
def restored(vendored) -> dict:
    batch = requests()  # the golden scenarios, advice, generated valid and invalid ones
    done = subprocess.run(["node", str(Path(__file__).with_name("run_snapshot.mjs")), str(PYODIDE),
                           str(snapshot_file(vendored)), str(wheel_file(vendored))],
                          input=json.dumps(batch), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return {"batch": batch, **json.loads(done.stdout)}


def test_the_restored_snapshot_prints_exactly_what_cpython_prints(restored):
    assert restored["runtime"]["platform"] == "emscripten"
    assert len(restored["results"]) == len(restored["batch"])
    codes = {0: 0, 2: 0}
    for request, (code, output) in zip(restored["batch"], restored["results"]):
        assert [code, output] == list(run(request["command"], request["text"])), request["text"][:200]
        codes[code] = codes.get(code, 0) + 1
    assert codes[0] >= 20 and codes[2] >= 20  # both paths were really exercised


def test_the_snapshot_already_has_every_module_the_worker_calls(restored):
    # Imported when the snapshot was made, so the browser imports nothing of the engine.
    assert {"calculator.api", "calculator.simulate", "calculator.recommend"} <= set(restored["before"])


def test_the_stamp_names_this_pyodide_and_this_wheel(vendored, restored):
    stamp = restored["stamp"]
    package = json.loads((PYODIDE / "package.json").read_text())
    lock = json.loads((vendored / "pyodide-lock.json").read_text())
    assert stamp["format"] == "eigent-engine-snapshot/2"
    assert stamp["pyodide"] == package["version"]
    assert stamp["engine"] == lock["packages"]["eigent-credit-calculator"]["sha256"]
    assert stamp["engine"] == hashlib.sha256(wheel_file(vendored).read_bytes()).hexdigest()
    # The wheel carries the policy, so the wheel's hash stamps the policy too.
    with zipfile.ZipFile(wheel_file(vendored)) as wheel:
        shipped = wheel.read("calculator/policy.toml")
    assert shipped == (ROOT / "calculator" / "policy.toml").read_bytes()


def test_boot_json_gives_the_worker_the_snapshot_its_lock_entry_and_every_size(vendored):
    boot = json.loads((vendored / "boot.json").read_text())
    assert (vendored / boot["snapshot"]).is_file()
    worker_files = ["pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                    wheel_file(vendored).name, boot["snapshot"]]
    assert boot["sizes"] == {name: (vendored / name).stat().st_size for name in worker_files}
    assert boot["engine"] == hashlib.sha256(wheel_file(vendored).read_bytes()).hexdigest()
    lock = json.loads((vendored / "pyodide-lock.json").read_text())
    assert boot["lock"] == {"info": lock["info"],
                            "packages": {"eigent-credit-calculator": lock["packages"]["eigent-credit-calculator"]}}


def test_without_node_the_build_stops_and_says_why(vendored, tmp_path, monkeypatch):
    assets = hook()
    monkeypatch.setattr(assets, "SNAPSHOT_CACHE", tmp_path / "no-cache")
    monkeypatch.setattr(assets.shutil, "which", lambda name: None)
    with pytest.raises(assets.VendorError, match="Node.js is needed to build the site"):
        assets.engine_snapshot(wheel_file(vendored))
