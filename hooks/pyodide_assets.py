"""Vendors Pyodide and the engine wheel into the built site.

After each build, `assets/pyodide/` in the site holds:

- the Pyodide core files, copied from the npm package pinned in package-lock.json
  (never fetched from a CDN);
- the engine's wheel, built from this repository;
- `pyodide-lock.json`: the npm package's lockfile plus the engine wheel, added by
  `pyodide lockfile add-wheels`, so Pyodide loads the engine by name and checks
  its sha256;
- `engine-<key>.snapshot`: a memory snapshot of Pyodide with the engine imported,
  made in Node by make_snapshot.mjs (so the build needs Node), stamped with the
  Pyodide version and the wheel's sha256 (the wheel holds policy.toml, so the
  policy is covered), its non-zero pages gzip-compressed after a one-line JSON header;
- `boot.json`: what the worker needs before it starts: the snapshot's file name, the
  lockfile cut down to the engine's entry, and the size of every file the boot
  downloads (for an honest progress bar).

The worker finds these files relative to its own URL, so the site works from any
sub-path. Wheel, lockfile and snapshot are cached under build/ keyed by a hash of
their inputs: `mkdocs serve` rebuilds stay fast, and a new engine gets a new
snapshot by itself.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
CACHE = ROOT / "build" / "engine-wheel"
SNAPSHOT_CACHE = ROOT / "build" / "engine-snapshot"
SNAPSHOT_MAKER = Path(__file__).with_name("make_snapshot.mjs")
SNAPSHOT_FORMAT = "eigent-engine-snapshot/2"
LOCK_NAME = "pyodide-lock.json"
BOOT_NAME = "boot.json"
PACKAGE = "eigent-credit-calculator"


class VendorError(Exception):
    pass


def on_post_build(config, **kwargs) -> None:
    if not (PYODIDE_NPM / "package.json").is_file():
        raise VendorError("node_modules/pyodide is missing: run `npm ci` (./dev serve and ./dev test do it)")
    target = Path(config["site_dir"]) / "assets" / "pyodide"
    target.mkdir(parents=True, exist_ok=True)
    for name in CORE_FILES:
        copy_if_changed(PYODIDE_NPM / name, target / name)
    wheel, lock = engine_wheel_and_lock()
    for stale in target.glob("*.whl"):
        if stale.name != wheel.name:
            stale.unlink()
    copy_if_changed(wheel, target / wheel.name)
    copy_if_changed(lock, target / LOCK_NAME)
    snapshot = engine_snapshot(wheel)
    for stale in target.glob("*.snapshot"):
        if stale.name != snapshot.name:
            stale.unlink()
    copy_if_changed(snapshot, target / snapshot.name)
    full_lock = json.loads(lock.read_text("utf-8"))
    boot = {
        "pyodide": pyodide_version(),
        "engine": sha256(wheel),
        "snapshot": snapshot.name,
        # The lockfile as the worker needs it: the site ships one package, and the full
        # lockfile (119 kB, for Pyodide's whole distribution) would be a download and a
        # parse on the way to every first answer.
        "lock": {"info": full_lock["info"], "packages": {PACKAGE: full_lock["packages"][PACKAGE]}},
        # Every file the worker may download, with its uncompressed size (a host may
        # compress in transit, and fetch counts decoded bytes). The service worker keeps
        # these for offline use (hooks/offline.py).
        "sizes": {path.name: path.stat().st_size
                  for path in [*(target / name for name in CORE_FILES), wheel, snapshot]},
    }
    (target / BOOT_NAME).write_text(json.dumps(boot, indent=1) + "\n", encoding="utf-8")


def copy_if_changed(source: Path, target: Path) -> None:
    if target.exists():
        a, b = source.stat(), target.stat()
        if a.st_size == b.st_size and a.st_mtime_ns <= b.st_mtime_ns:
            return
    shutil.copy2(source, target)


def inputs_hash() -> str:
    """Everything the wheel and the lock are made from."""
    digest = hashlib.sha256()
    files = sorted(p for p in (ROOT / "calculator").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in [*files, ROOT / "pyproject.toml", ROOT / "README.md", PYODIDE_NPM / LOCK_NAME]:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def engine_wheel_and_lock() -> tuple[Path, Path]:
    folder = CACHE / inputs_hash()
    lock = folder / LOCK_NAME
    wheels = list(folder.glob("*.whl"))
    if lock.is_file() and len(wheels) == 1:
        return wheels[0], lock
    if CACHE.exists():
        shutil.rmtree(CACHE)
    folder.mkdir(parents=True)
    # --no-isolation: the build backend (hatchling) is already in the virtualenv, and an
    # isolated build would download it again on every build.
    run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(folder), str(ROOT)])
    wheels = list(folder.glob("*.whl"))
    if len(wheels) != 1:
        raise VendorError(f"expected one engine wheel in {folder}, found {len(wheels)}")
    pyodide_cli = Path(sys.executable).parent / "pyodide"
    run([str(pyodide_cli), "lockfile", "add-wheels", "--input", str(PYODIDE_NPM / LOCK_NAME),
         "--output", str(lock), "--base-path", str(folder), str(wheels[0])])
    return wheels[0], lock


def pyodide_version() -> str:
    return json.loads((PYODIDE_NPM / "package.json").read_text("utf-8"))["version"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def engine_snapshot(wheel: Path) -> Path:
    """The snapshot for this Pyodide and this wheel, made once per pair."""
    stamp = {"format": SNAPSHOT_FORMAT, "pyodide": pyodide_version(), "engine": sha256(wheel)}
    key = hashlib.sha256(json.dumps(stamp, sort_keys=True).encode() + SNAPSHOT_MAKER.read_bytes()).hexdigest()[:16]
    snapshot = SNAPSHOT_CACHE / f"engine-{key}.snapshot"
    if snapshot.is_file():
        return snapshot
    node = shutil.which("node")
    if node is None:
        raise VendorError("Node.js is needed to build the site: the engine's memory snapshot is made by running "
                          "Pyodide in Node (hooks/make_snapshot.mjs). Install Node 20 or newer and build again.")
    if SNAPSHOT_CACHE.exists():
        shutil.rmtree(SNAPSHOT_CACHE)
    SNAPSHOT_CACHE.mkdir(parents=True)
    partial = snapshot.with_suffix(".partial")
    run([node, str(SNAPSHOT_MAKER), str(PYODIDE_NPM), str(wheel), str(partial), json.dumps(stamp)])
    partial.rename(snapshot)
    return snapshot


def run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise VendorError(f"{' '.join(command[:4])} … failed:\n{done.stdout}\n{done.stderr[-4000:]}")
