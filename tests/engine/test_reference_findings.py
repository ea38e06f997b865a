"""Disagreements the reference model (tests/reference) found with the engine, shrunk to
minimal scenarios. Each test states the written rules it rests on; each fails while the
engine contradicts them.
"""

from __future__ import annotations

import pytest

from calculator.api import simulate
from calculator.errors import ScenarioError
from tests.engine.rules import DAILY, FREE, PLUS_USD, charges, day


def test_a_free_start_counts_its_cycles_from_the_registration_date():
    """Free accounts count months from the registration date, always from that anchor
    (Jan 30 -> Feb 29 -> Mar 30). A Free account that starts from today on Feb 29 and says
    it registered on Jan 30 gets its next Free allowance on Mar 30, not Mar 29."""
    result = simulate({"start": {"date": "2028-02-29", "plan": "free", "registered": "2028-01-30",
                                 "cycle_start": "2028-02-29", "credits": {"total": 300}}, "days": 32})
    assert day(result, "2028-03-29")["cycle_start"] == "2028-02-29"
    assert day(result, "2028-03-29")["buckets"]["monthly"] == 300
    assert day(result, "2028-03-30")["cycle_start"] == "2028-03-30"
    assert day(result, "2028-03-30")["buckets"]["monthly"] == FREE


def test_a_refunded_renewal_of_the_start_plan_ends_the_plan_on_the_renewal_date():
    """A renewal cancelled within the refund window is refunded, and the account is
    recomputed as if that renewal had never been made: the plan ends on the renewal date
    (renewal_refund=full), with the Free allowance from then on; every day's consumption
    is kept. The renewal here happens inside the simulation (only the charge of the
    cycle the dashboard shows is history), so it is refundable like any other."""
    result = simulate({"start": {"date": "2026-05-31", "plan": "plus", "registered": "2026-05-01",
                                 "renews_on": "2026-06-16", "credits": {"total": 0}},
                       "days": 21, "usage": {"by_date": {"2026-06-18": 300}},
                       "events": [{"date": "2026-06-20", "type": "cancel"}]})
    assert charges(result) == [("2026-06-16", "subscription", PLUS_USD), ("2026-06-20", "refund", -PLUS_USD)]
    after = day(result, "2026-06-20")
    assert (after["plan"], after["cycle_start"]) == ("free", "2026-06-01")
    # Free from 06-16: the 300 credits of 06-18 were the day's 200 and 100 of the Free allowance
    assert after["buckets"]["monthly"] == FREE - (300 - DAILY)


def test_without_a_registration_date_free_cycles_count_from_the_refunded_renewal_date():
    """start_free_cycle=from_plan_end: without a registration date, Free cycles count from
    the day the plan ends; a refunded renewal ends the plan on that renewal's date."""
    result = simulate({"start": {"date": "2029-06-10", "plan": "plus", "renews_on": "2029-06-13",
                                 "credits": {"total": 0}},
                       "days": 40, "events": [{"date": "2029-06-20", "type": "cancel"}]})
    assert day(result, "2029-06-20")["cycle_start"] == "2029-06-13"
    assert day(result, "2029-07-13")["cycle_start"] == "2029-07-13"


def test_a_renewal_of_the_start_plan_is_not_refunded_under_renewal_refund_none():
    """renewal_refund=none: only first purchases and Add-On Packs are refunded; cancelling
    after a renewal stops the plan at the end of that billing cycle. The start plan's
    renewal inside the simulation is a renewal, not a first purchase."""
    result = simulate({"start": {"date": "2024-01-29", "plan": "plus", "renews_on": "2024-02-06",
                                 "credits": {"total": 0}},
                       "days": 40, "policy": {"renewal_refund": "none"},
                       "events": [{"date": "2024-02-06", "type": "cancel"}]})
    assert charges(result) == [("2024-02-06", "subscription", PLUS_USD)]
    assert day(result, "2024-03-05")["plan"] == "plus"
    assert day(result, "2024-03-06")["plan"] == "free"


def test_under_trial_during_paid_plan_refused_a_cancelled_plan_still_running_refuses_a_trial():
    """trial_during_paid_plan=refused: "A free trial can only start from the Free plan;
    while a paid plan runs, a change of plan is charged at once." A plan cancelled after
    the refund window "keeps running until the end of the billing cycle you paid for", so
    until then a trial cannot start (the days still show the paid plan)."""
    scenario = {"registered": "2026-04-30", "days": 40, "policy": {"trial_during_paid_plan": "refused"},
                "events": [{"date": "2026-05-01", "type": "subscribe", "plan": "plus"},
                           {"date": "2026-05-20", "type": "cancel"},
                           {"date": "2026-05-25", "type": "subscribe", "plan": "pro", "trial": True}]}
    assert day(simulate({**scenario, "events": scenario["events"][:2]}), "2026-05-25")["plan"] == "plus"
    with pytest.raises(ScenarioError) as error:
        simulate(scenario)
    assert error.value.path == ("events", 2, "trial")
