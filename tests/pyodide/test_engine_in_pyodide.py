"""The engine wheel under Pyodide (Node, from the npm package) prints exactly what CPython prints.

One Pyodide boot runs every golden scenario, a batch of generated ones (valid and
invalid) and both commands; the outputs must be byte-identical to CPython's
`calculator.api.run`. The runner reports its platform, so this cannot pass by
running CPython by mistake.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator.api import run
from tests.strategies import valid_scenarios

ROOT = Path(__file__).resolve().parents[2]
PYODIDE = ROOT / "node_modules" / "pyodide"
SCENARIOS = ROOT / "tests" / "scenarios"


@pytest.fixture(scope="module")
def vendored(tmp_path_factory) -> Path:
    """The site's assets/pyodide folder, made by the real build hook."""
    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        import pyodide_assets
    finally:
        sys.path.pop(0)
    site = tmp_path_factory.mktemp("site")
    pyodide_assets.on_post_build({"site_dir": str(site)})
    return site / "assets" / "pyodide"


def generated_requests(count: int) -> list[dict]:
    scenarios: list[dict] = []

    @settings(max_examples=count, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(valid_scenarios(max_days=200), st.sampled_from(["ok", "bad-days", "bad-key", "bad-json"]))
    def collect(scenario, damage):
        if damage == "bad-days":
            scenario = {**scenario, "days": -1}
        elif damage == "bad-key":
            scenario = {**scenario, "usage": {"per_day": 3}}
        text = json.dumps(scenario)
        scenarios.append({"command": "simulate", "text": text if damage != "bad-json" else text[:-1]})

    collect()
    return scenarios


def requests() -> list[dict]:
    golden = [{"command": "simulate", "text": json.dumps(json.loads(p.read_text())["scenario"])}
              for p in sorted(SCENARIOS.glob("*.json"))]
    advice = [{"command": "recommend", "text": json.dumps({"registered": "2026-01-10", "days": 365,
                                                           "usage": {"per_active_day": n}})} for n in (100, 600, 4000)]
    return golden + advice + generated_requests(80) + [{"command": "explode", "text": "{}"}]


def run_in_pyodide(folder: Path, batch: list[dict]) -> dict:
    done = subprocess.run(["node", str(Path(__file__).with_name("run_engine.mjs")), str(PYODIDE),
                           str(folder / "pyodide-lock.json"), str(folder)],
                          input=json.dumps(batch), capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_pyodide_prints_exactly_what_cpython_prints(vendored):
    batch = requests()
    answer = run_in_pyodide(vendored, batch)
    assert answer["runtime"]["platform"] == "emscripten"
    assert answer["runtime"]["version"].startswith("3.14")
    assert len(answer["results"]) == len(batch)
    codes = {0: 0, 2: 0}
    for request, (code, output) in zip(batch, answer["results"]):
        assert [code, output] == list(run(request["command"], request["text"])), request["text"][:200]
        codes[code] = codes.get(code, 0) + 1
    assert codes[0] >= 20 and codes[2] >= 20  # both paths were really exercised


def test_the_site_lockfile_names_the_engine_wheel_with_its_hash(vendored):
    lock = json.loads((vendored / "pyodide-lock.json").read_text())
    entry = lock["packages"]["eigent-credit-calculator"]
    wheel = vendored / entry["file_name"]
    assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"]
    assert entry["imports"] == ["calculator"]
    npm_lock = json.loads((PYODIDE / "pyodide-lock.json").read_text())
    assert lock["info"] == npm_lock["info"]
