"""Hypothesis strategies for scenarios in the engine's JSON contract.

`valid_scenarios()` draws scenarios that pass validation; most also make sense in
time (events are built so that cancels follow subscriptions and cancelled top-ups
exist), and the few that don't raise ScenarioError, which callers may assume away.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from calculator.policy import load_policy

POLICY = load_policy()
WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def iso(day: date) -> str:
    return day.isoformat()


@st.composite
def usage(draw, start: date, days: int) -> dict:
    out: dict = {}
    if draw(st.booleans()):
        out["per_active_day"] = draw(st.sampled_from([0, 50, 150, 200, 250, 400, 800, 3000]))
    if draw(st.booleans()):
        out["active_days"] = draw(st.one_of(st.sampled_from(["every_day", "weekdays", "weekends"]),
                                            st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)))
    overrides = draw(st.lists(st.tuples(st.integers(0, days - 1), st.integers(0, 5000)), max_size=4))
    if overrides:
        out["by_date"] = {iso(start + timedelta(d)): credits for d, credits in overrides}
    return out


@st.composite
def events(draw, start: date, days: int) -> list[dict]:
    """A plausible sequence: subscriptions, trials, top-ups and their cancellations."""
    out: list[dict] = []
    day = 0
    subscribed = False
    trial_used = False
    topups: list[int] = []
    for _ in range(draw(st.integers(0, 6))):
        day += draw(st.integers(0, 20))
        if day >= days:
            break
        choices = ["topup", "subscribe"] + (["cancel"] if subscribed else []) + (["cancel_topup"] if topups else [])
        kind = draw(st.sampled_from(choices))
        when = iso(start + timedelta(day))
        if kind == "subscribe":
            plan = draw(st.sampled_from(["plus", "pro"]))
            trial = draw(st.booleans()) and not trial_used
            trial_used |= trial
            out.append({"date": when, "type": "subscribe", "plan": plan, "trial": trial})
            subscribed = True
        elif kind == "topup":
            out.append({"date": when, "type": "topup", "usd": draw(st.sampled_from([1, 5, 10, 25, 100]))})
            topups.append(day)
        elif kind == "cancel":
            out.append({"date": when, "type": "cancel"})
            subscribed = False
        else:
            bought = topups.pop(draw(st.integers(0, len(topups) - 1)))
            if day - bought > POLICY.refund_window_days:
                continue
            out.append({"date": when, "type": "cancel_topup", "of": iso(start + timedelta(bought))})
    return out


@st.composite
def valid_scenarios(draw, max_days: int = 120, with_events: bool = True) -> dict:
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
    days = draw(st.integers(1, max_days))
    scenario: dict = {"registered": iso(start), "days": days}
    if draw(st.booleans()):
        scenario["usage"] = draw(usage(start, days))
    invites = draw(st.lists(st.integers(0, days - 1), max_size=3))
    if invites:
        scenario["invites"] = [iso(start + timedelta(d)) for d in invites]
    if with_events:
        drawn = draw(events(start, days))
        if drawn:
            scenario["events"] = drawn
    overrides = draw(st.dictionaries(st.sampled_from(sorted(POLICY.settings)), st.none(), max_size=3))
    if overrides:
        scenario["policy"] = {k: draw(st.sampled_from(sorted(POLICY.settings[k].choices))) for k in overrides}
    return scenario
