"""Properties of every simulation, over generated scenarios."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from calculator.api import run, simulate
from calculator.errors import ScenarioError
from tests.strategies import POLICY, valid_scenarios

FAST = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


def simulated(scenario: dict) -> dict:
    try:
        return simulate(scenario)
    except ScenarioError:
        assume(False)  # a sequence that makes no sense in time (rare by construction)


@FAST
@given(valid_scenarios())
def test_ledger_days_and_buckets_agree(scenario):
    result = simulated(scenario)
    ledger, days = result["ledger"], result["days"]
    assert sum(e["credits"] for e in ledger) == days[-1]["balance"] == result["summary"]["end_balance"]
    running = 0
    for e in ledger:
        running += e["credits"]
        assert e["balance_after"] == running
    # each day's balance is the balance after its last entry (expiries are dated the next day)
    last_by_date: dict[str, int] = {}
    for e in ledger:
        last_by_date[e["date"]] = e["balance_after"]
    balance = 0
    for d in days:
        balance = last_by_date.get(d["date"], balance)
        assert d["balance"] == balance
        assert sum(d["buckets"].values()) == d["balance"]
        assert d["consumed"] + d["unmet"] == d["wanted"]
        assert d["displayed_balance"] == max(0, d["balance"])
        if d["balance"] >= 0:
            assert min(d["buckets"].values()) >= 0, d
    assert result["summary"]["usd_total"] == sum(c["usd"] for c in result["charges"])
    assert result["summary"]["credits_consumed"] == sum(d["consumed"] for d in days)
    expired = -sum(e["credits"] for e in ledger if e["kind"] == "expire")
    summary = result["summary"]
    assert summary["end_balance"] == summary["credits_added"] - summary["credits_consumed"] - expired
    assert result["summary"]["unmet"] == sum(d["unmet"] for d in days)


@FAST
@given(valid_scenarios())
def test_same_scenario_same_json_whatever_the_key_order(scenario):
    code, first = run("simulate", json.dumps(scenario))
    assume(code == 0)
    shuffled = dict(reversed(list(scenario.items())))
    assert run("simulate", json.dumps(shuffled)) == (0, first)
    assert run("simulate", json.dumps(scenario)) == (0, first)


@st.composite
def refunded_purchases(draw):
    """A no-usage scenario with one purchase refunded inside the window, and the same without it."""
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
    days = draw(st.integers(30, 100))
    bought = draw(st.integers(0, days - 1 - POLICY.refund_window_days))
    after = draw(st.integers(0, POLICY.refund_window_days))
    when, refund = (start + timedelta(bought)).isoformat(), (start + timedelta(bought + after)).isoformat()
    kind = draw(st.sampled_from(["topup", "plus", "pro", "plus-trial"]))
    if kind == "topup":
        purchase = [{"date": when, "type": "topup", "usd": draw(st.integers(1, 50))},
                    {"date": refund, "type": "cancel_topup", "of": when}]
    else:
        purchase = [{"date": when, "type": "subscribe", "plan": kind[:4].rstrip("-"), "trial": kind.endswith("trial")},
                    {"date": refund, "type": "cancel"}]
    base = {"registered": start.isoformat(), "days": days,
            "invites": [(start + timedelta(draw(st.integers(0, days - 1)))).isoformat()] if draw(st.booleans()) else []}
    if draw(st.booleans()):
        base["policy"] = {"bonus_expiry": "never"}
    return base, purchase, refund


@FAST
@given(refunded_purchases())
def test_a_refunded_purchase_leaves_the_account_as_if_it_never_happened(case):
    base, purchase, refund = case
    with_refund = simulate({**base, "events": purchase})
    without = simulate(base)
    after = lambda r: [(d["date"], d["plan"], d["cycle_start"], d["buckets"]) for d in r["days"] if d["date"] >= refund]
    assert after(with_refund) == after(without)
    assert with_refund["summary"]["usd_total"] == without["summary"]["usd_total"] == 0


MUTATIONS = [
    (("registered",), "2026-13-01"), (("registered",), 5), (("days",), 0), (("days",), True), (("days",), 1.5),
    (("days",), 99999), (("usage",), []), (("usage", "per_active_day"), -5), (("usage", "per_active_day"), "x"),
    (("usage", "active_days"), "often"), (("usage", "nope"), 1), (("nope",), 1), (("invites",), "2026-01-01"),
    (("policy", "overdraft"), "maybe"), (("policy", "unknown_setting"), "x"), (("events",), {}),
]


@st.composite
def invalid_scenarios(draw):
    scenario = draw(valid_scenarios(max_days=60))
    path, value = draw(st.sampled_from(MUTATIONS))
    target = scenario
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return scenario, path


@FAST
@given(invalid_scenarios())
def test_every_invalid_scenario_exits_2_naming_the_field(case):
    scenario, path = case
    code, message = run("simulate", json.dumps(scenario))
    assert code == 2
    assert message.startswith(".".join(path) + ":"), message
    assert "\n" not in message


def test_a_batch_of_random_event_mutations_never_crashes():
    rng = random.Random(7)
    for _ in range(300):
        scenario = {"registered": "2026-01-10", "days": 60,
                    "events": [{"date": f"2026-01-{rng.randint(10, 31):02d}",
                                "type": rng.choice(["subscribe", "topup", "cancel", "cancel_topup", "x"]),
                                rng.choice(["plan", "usd", "of", "trial"]): rng.choice(["plus", 5, "2026-01-12", True, None])}
                               for _ in range(rng.randint(1, 4))]}
        code, message = run("simulate", json.dumps(scenario))
        assert code in (0, 2), message
        if code == 2:
            assert message.startswith("events["), message
