"""Whole-result comparison of the engine and the reference model.

Compared: every day (every field), every charge, the summary, and the ledger summed per
(date, kind, bucket). The ledger is compared in aggregate because how a grant or a spend
splits into entries (one per block) is presentation; what each kind did to each bucket on
each day is the rule.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta
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
    refused: bool        # both refused the scenario (on the same field, if `lines` is empty)
    lines: list[str]     # where they disagree ([] = they agree)
    features: set[str]   # what the scenario exercised (see `features`)


def features(scenario: dict, result: dict, stops: list) -> set[str]:
    """What a simulated scenario exercised, to show how far the generators reach."""
    out = set()
    plan_on = {d["date"]: d["plan"] for d in result["days"]}
    events = scenario.get("events", [])
    for stop in stops:
        if stop.what == "trial":
            out.add("trial cancelled over a paid plan" if stop.over_paid else "trial cancelled")
        elif stop.what == "topup":
            out.add("Add-On Pack refunded while subscribed" if plan_on[stop.moment.day.isoformat()] != "free"
                    else "Add-On Pack refunded")
        else:
            out.add("renewal refunded" if stop.renewal else "first charge refunded")
    if sum(s.what == "refund" for s in stops) >= 2:
        out.add("second refund")
    kinds = {e["kind"] for e in result["ledger"]}
    if any(d["balance"] < 0 for d in result["days"]):
        out.add("negative balance")
    if "forgive" in kinds:
        out.add("deficit forgiven")
    if len({c["plan"] for c in result["charges"] if c["kind"] == "subscription"}) > 1:
        out.add("plan change")
    if any(e.get("trial") for e in events):
        out.add("trial")
    if "start" in scenario:
        out.add("start from today")
    if "prices" in scenario:
        out.add("own prices")
    if any("id" in e for e in events):
        out.add("top-up ids")
    return out


def compare(scenario: dict) -> Comparison:
    """The engine and the reference on one scenario."""
    stops: list = []
    engine = outcome(engine_simulate, scenario)
    reference = outcome(lambda data: model.simulate(data, stops), scenario)
    if isinstance(engine, tuple) and isinstance(reference, tuple):
        same = engine[1] == reference[1]
        return Comparison(True, [] if same else [f"errors differ: engine={engine[2]!r} reference={reference[2]!r}"],
                          set())
    if isinstance(engine, tuple):
        return Comparison(False, [f"only the engine refuses the scenario: {engine[2]}"], set())
    if isinstance(reference, tuple):
        return Comparison(False, [f"only the reference refuses the scenario: {reference[2]}"], set())
    late = {t["kind"] for t in engine.get("timeline", [])} & {"cancelled", "plan_ended"}
    return Comparison(False, differences(engine, reference),
                      features(scenario, reference, stops) | {f"timeline: {k}" for k in late})


def describe(scenario: dict, lines: list[str]) -> str:
    return json.dumps(scenario) + "\n  " + "\n  ".join(lines)
