"""Vendors Pyodide and the engine wheel into the built site.

After each build, `assets/pyodide/` in the site holds:

- the Pyodide core files, copied from the npm package pinned in package-lock.json
  (never fetched from a CDN);
- the engine's wheel, built from this repository;
- `pyodide-lock.json`: the npm package's lockfile plus the engine wheel, added by
  `pyodide lockfile add-wheels`, so Pyodide loads the engine by name and checks
  its sha256.

The worker finds these files relative to its own URL, so the site works from any
sub-path. Wheel and lockfile are cached under build/ keyed by a hash of their
inputs: `mkdocs serve` rebuilds stay fast.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYODIDE_NPM = ROOT / "node_modules" / "pyodide"
CORE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
CACHE = ROOT / "build" / "engine-wheel"
LOCK_NAME = "pyodide-lock.json"


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


def run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise VendorError(f"{' '.join(command[:4])} … failed:\n{done.stdout}\n{done.stderr}")
