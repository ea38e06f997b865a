"""The engine against the reference model on whole results, over generated scenarios.

Four families of mixed scenarios (tests/strategies.py `FOCUS`): plan changes and
refunds, Add-On Packs and negative balances, month ends and leap days, and every
value of every setting. Each scenario is simulated by both; every day, every charge,
the summary and the ledger per (date, kind, bucket) must agree, and a scenario one
refuses the other must refuse on the same field. A failure prints the scenario
(Hypothesis shrinks it first) and the first lines where the two disagree.
"""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings

from tests.reference.compare import compare, describe
from tests.strategies import FOCUS, mixed_scenarios

EXAMPLES = {"plans": 550, "topups": 450, "calendar": 450, "policy": 400, "start": 350}

# Read by tests/reference/conftest.py for the lines in pytest's summary.
TALLY: Counter = Counter()
FEATURES: Counter = Counter()  # how many compared scenarios exercised each feature


def check(scenario: dict) -> None:
    refused, lines, exercised = compare(scenario)
    TALLY["compared"] += 1
    TALLY["refused"] += refused
    TALLY["differences"] += bool(lines)
    FEATURES.update(exercised)
    assert not lines, describe(scenario, lines)


def differential_test(focus: str):
    @settings(max_examples=EXAMPLES[focus], derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(mixed_scenarios(FOCUS[focus]))
    def test(scenario):
        check(scenario)

    test.__doc__ = f"Engine equals reference: {focus} ({EXAMPLES[focus]} scenarios)."
    return test


test_plans_trials_and_refunds = differential_test("plans")
test_topups_and_negative_balances = differential_test("topups")
test_month_ends_and_leap_days = differential_test("calendar")
test_every_setting_value = differential_test("policy")
test_start_from_today_and_own_prices = differential_test("start")
