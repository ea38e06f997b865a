"""Whole-result comparison of the engine and the reference model.

Compared: every day (every field), every charge, the summary, and the ledger summed per
(date, kind, bucket). The ledger is compared in aggregate because how a grant or a spend
splits into entries (one per block) is presentation; what each kind did to each bucket on
each day is the rule.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import NamedTuple

from calculator.api import simulate as engine_simulate
from calculator.errors import ScenarioError

from . import model


def ledger_sums(result: dict) -> dict[tuple[str, str, str], int]:
    sums: Counter = Counter()
    for entry in result["ledger"]:
        sums[(entry["date"], entry["kind"], entry["bucket"])] += entry["credits"]
    return {key: credits for key, credits in sorted(sums.items()) if credits}


def differences(engine: dict, reference: dict, limit: int = 8) -> list[str]:
    """Where two results disagree, in plain lines (at most `limit` of them)."""
    out: list[str] = []
    for mine, theirs in zip(engine["days"], reference["days"]):
        if mine != theirs:
            fields = [k for k in theirs if mine.get(k) != theirs[k]]
            out.append(f"day {theirs['date']}: " + ", ".join(
                f"{k} engine={mine.get(k)!r} reference={theirs[k]!r}" for k in fields))
    if len(engine["days"]) != len(reference["days"]):
        out.append(f"day count engine={len(engine['days'])} reference={len(reference['days'])}")
    if any("plan" not in c for c in engine["charges"]):  # engine v1: charges did not name the plan yet
        reference = {**reference, "charges": [{k: v for k, v in c.items() if k != "plan"} for c in reference["charges"]]}
    if engine["charges"] != reference["charges"]:
        out.append(f"charges engine={engine['charges']} reference={reference['charges']}")
    if engine["summary"] != reference["summary"]:
        out.append(f"summary engine={engine['summary']} reference={reference['summary']}")
    mine, theirs = ledger_sums(engine), ledger_sums(reference)
    for key in sorted(set(mine) | set(theirs)):
        if mine.get(key) != theirs.get(key):
            out.append(f"ledger {key}: engine={mine.get(key)} reference={theirs.get(key)}")
    return out[:limit]


def outcome(simulate, scenario: dict):
    """The result, or the input error as ('error', path)."""
    try:
        return simulate(scenario)
    except ScenarioError as error:
        return ("error", error.path, str(error))


class Comparison(NamedTuple):
    refused: bool     # both refused the scenario (on the same field, if `lines` is empty)
    lines: list[str]  # where they disagree ([] = they agree)


def compare(scenario: dict) -> Comparison:
    """The engine and the reference on one scenario."""
    engine = outcome(engine_simulate, scenario)
    reference = outcome(model.simulate, scenario)
    if isinstance(engine, tuple) and isinstance(reference, tuple):
        same = engine[1] == reference[1]
        return Comparison(True, [] if same else [f"errors differ: engine={engine[2]!r} reference={reference[2]!r}"])
    if isinstance(engine, tuple):
        return Comparison(False, [f"only the engine refuses the scenario: {engine[2]}"])
    if isinstance(reference, tuple):
        return Comparison(False, [f"only the reference refuses the scenario: {reference[2]}"])
    return Comparison(False, differences(engine, reference))


def describe(scenario: dict, lines: list[str]) -> str:
    return json.dumps(scenario) + "\n  " + "\n  ".join(lines)
