from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def build_site(source: Path, out: Path, site_url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if site_url:
        env["SITE_URL"] = site_url
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                          cwd=source, capture_output=True, text=True, env=env)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The site built once for the whole session, with --strict."""
    out = tmp_path_factory.mktemp("site")
    done = build_site(ROOT, out)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def copy_project(target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("mkdocs.yml", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("docs", "hooks", "calculator", "includes"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    (target / "node_modules").symlink_to(ROOT / "node_modules")
    return target
