"""Golden scenarios: hand-checked expectations, not snapshots.

Each `tests/scenarios/NAME.json` is `{"scenario": {...}, "expect": {...}}`. The expect
block was written by a person reasoning from the rules (policy.toml, product facts), and
says only what matters for that scenario:

- `why`: the story, in one or two sentences;
- `days`: for some dates, some fields of that day (`buckets` may name only some buckets);
- `charges`: the complete list of charges, each `[date, kind, usd, plan]`;
- `ledger` (optional): `[date, kind, bucket, credits]`, the sum of the ledger entries of
  that date, kind and bucket;
- `summary`: some fields of the summary.

The engine's full output is compared byte for byte between CPython and Pyodide in
tests/pyodide, so no stored snapshot is needed here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from calculator.api import run

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
NAMES = sorted(p.stem for p in SCENARIOS.glob("*.json"))


def golden(name: str) -> dict:
    return json.loads((SCENARIOS / f"{name}.json").read_text())


def unmet_expectations(result: dict, expect: dict) -> list[str]:
    """Every way `result` (a simulate result) falls short of `expect`, as plain lines."""
    out = []
    days = {d["date"]: d for d in result["days"]}
    for date, fields in expect.get("days", {}).items():
        if date not in days:
            out.append(f"{date}: not a simulated day")
            continue
        for key, want in fields.items():
            got = days[date][key]
            if isinstance(want, dict):
                got = {k: got[k] for k in want}
            if got != want:
                out.append(f"{date} {key}: expected {want!r}, got {got!r}")
    charges = [[c["date"], c["kind"], c["usd"], c["plan"]] for c in result["charges"]]
    if "charges" in expect and charges != expect["charges"]:
        out.append(f"charges: expected {expect['charges']!r}, got {charges!r}")
    sums: Counter = Counter()
    for e in result["ledger"]:
        sums[(e["date"], e["kind"], e["bucket"])] += e["credits"]
    for date, kind, bucket, credits in expect.get("ledger", []):
        if sums[(date, kind, bucket)] != credits:
            out.append(f"ledger {date} {kind} {bucket}: expected {credits}, got {sums[(date, kind, bucket)]}")
    for key, want in expect.get("summary", {}).items():
        if result["summary"][key] != want:
            out.append(f"summary {key}: expected {want!r}, got {result['summary'][key]!r}")
    return out


@pytest.mark.parametrize("name", NAMES)
def test_golden_scenario_meets_its_hand_checked_expectation(name):
    case = golden(name)
    code, output = run("simulate", json.dumps(case["scenario"]))
    assert code == 0, output
    assert unmet_expectations(json.loads(output), case["expect"]) == []


def test_golden_through_the_real_cli(tmp_path):
    case = golden("refund-with-shortfall")
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(case["scenario"]))
    done = subprocess.run([sys.executable, "-m", "calculator", "simulate", str(path)],
                          capture_output=True, text=True, cwd=SCENARIOS.parent.parent)
    assert done.returncode == 0, done.stderr
    assert unmet_expectations(json.loads(done.stdout), case["expect"]) == []


@pytest.mark.parametrize("name", NAMES)
def test_every_golden_file_has_a_scenario_and_a_written_expectation(name):
    case = golden(name)
    assert sorted(case) == ["expect", "scenario"]
    assert {"why", "days", "charges", "summary"} <= set(case["expect"])
    assert set(case["expect"]) <= {"why", "days", "charges", "ledger", "summary"}
    assert len(case["expect"]["why"]) > 20 and case["expect"]["days"]


def test_the_checker_notices_a_wrong_expectation():
    case = golden("refund-with-shortfall")
    result = json.loads(run("simulate", json.dumps(case["scenario"]))[1])
    wrong = json.loads(json.dumps(case["expect"]))
    wrong["days"]["2026-01-13"]["buckets"]["topup"] = -399
    wrong["ledger"][0][3] = -199
    wrong["summary"]["usd_total"] = 20
    wrong["charges"] = wrong["charges"][:1]
    assert len(unmet_expectations(result, wrong)) == 4
    assert unmet_expectations(result, {"days": {"1999-01-01": {"plan": "free"}}}) == ["1999-01-01: not a simulated day"]
