"""The reference model itself: it meets every hand-checked golden expectation, and its
calendar is the one the rules describe. (An oracle that is wrong in the same way as the
engine would hide a bug, so it is held to the written expectations too.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.engine.test_golden import NAMES, golden, unmet_expectations
from tests.reference import model


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_meets_the_golden_expectation(name):
    case = golden(name)
    assert unmet_expectations(model.simulate(case["scenario"]), case["expect"]) == []


def test_months_count_from_the_anchor_and_clamp_to_short_months():
    anchor = date(2024, 1, 31)
    assert [model.add_months(anchor, k) for k in range(5)] == [
        date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30), date(2024, 5, 31)]
    assert model.add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert model.add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


def test_cycle_start_and_next_cycle_date_agree_with_counting_month_by_month():
    for offset in range(0, 1200, 7):
        anchor = date(2024, 1, 29) + timedelta(offset % 400)
        day = anchor + timedelta(offset)
        months = 0
        while model.add_months(anchor, months + 1) <= day:
            months += 1
        assert model.cycle_start(anchor, day) == model.add_months(anchor, months)
        assert model.next_cycle_date(anchor, day) == model.add_months(anchor, months + 1)
        assert model.is_cycle_date(anchor, day) == (day == model.add_months(anchor, months))


def test_a_refund_rewrites_the_history_and_keeps_earlier_outcomes():
    history = model.History((model.Step(0, date(2026, 2, 11), "subscribe", "plus"),
                             model.Step(1, date(2026, 2, 15), "subscribe", "pro"),
                             model.Step(2, date(2026, 2, 15), "cancel")))
    stop = model.Stop(model.Moment(date(2026, 2, 15), model.EVENT, 2), "refund", cancel=2, purchase=1,
                      cents=10000, plan="pro")
    rewritten = model.rewrite(history, stop)
    assert [(s.index, s.kind) for s in rewritten.steps] == [(0, "subscribe"), (2, "to_free")]
