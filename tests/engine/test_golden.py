"""Golden scenarios: each `tests/scenarios/NAME.json` simulated through the CLI must print
exactly `NAME.expected.json`. The expected files were generated once and checked by hand;
regenerate them only on purpose, with `UPDATE_GOLDEN=1 ./dev test tests/engine/test_golden.py`,
and read the diff before committing it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calculator.api import run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
NAMES = sorted(p.name[:-5] for p in SCENARIOS.glob("*.json") if not p.name.endswith(".expected.json"))


def expected_path(name: str) -> Path:
    return SCENARIOS / f"{name}.expected.json"


@pytest.mark.parametrize("name", NAMES)
def test_golden_scenario(name):
    code, output = run("simulate", (SCENARIOS / f"{name}.json").read_text())
    assert code == 0, output
    pretty = json.dumps(json.loads(output), indent=1, ensure_ascii=False) + "\n"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        expected_path(name).write_text(pretty)
    assert pretty == expected_path(name).read_text()


def test_golden_through_the_real_cli():
    name = "plus-trial-cancelled-day-5"
    done = subprocess.run([sys.executable, "-m", "calculator", "simulate", str(SCENARIOS / f"{name}.json")],
                          capture_output=True, text=True, cwd=SCENARIOS.parent.parent)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(expected_path(name).read_text())


def test_every_scenario_has_an_expected_output():
    assert len(NAMES) >= 8
    assert all(expected_path(n).exists() for n in NAMES)
