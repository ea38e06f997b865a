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


def differences(engine: dict, reference: dict, per_part: int = 4) -> list[str]:
    """Where two results disagree, in plain lines (the first `per_part` days and ledger keys)."""
    days: list[str] = []
    for mine, theirs in zip(engine["days"], reference["days"]):
        if mine != theirs:
            fields = [k for k in {**theirs, **mine} if mine.get(k) != theirs.get(k)]
            days.append(f"day {theirs['date']}: " + ", ".join(
                f"{k} engine={mine.get(k)!r} reference={theirs.get(k)!r}" for k in fields))
    if len(engine["days"]) != len(reference["days"]):
        days.append(f"day count engine={len(engine['days'])} reference={len(reference['days'])}")
    money: list[str] = []
    if engine["charges"] != reference["charges"]:
        money.append(f"charges engine={engine['charges']} reference={reference['charges']}")
    if engine["summary"] != reference["summary"]:
        money.append(f"summary engine={engine['summary']} reference={reference['summary']}")
    mine, theirs = ledger_sums(engine), ledger_sums(reference)
    ledger = [f"ledger {key}: engine={mine.get(key)} reference={theirs.get(key)}"
              for key in sorted(set(mine) | set(theirs)) if mine.get(key) != theirs.get(key)]
    return days[:per_part] + money + ledger[:per_part]


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
