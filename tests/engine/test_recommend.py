"""The plan advisor: options per plan in sensible packs, reproducible by simulate, the
cheapest recommended, with the break-even usage between neighbouring plans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculator.api import recommend, simulate
from calculator.errors import ScenarioError
from calculator.policy import load_policy
from tests.strategies import valid_scenarios

POLICY = load_policy()
FAST = settings(max_examples=40, deadline=None, derandomize=True, database=None)


def option(advice: dict, plan: str) -> dict:
    return next(o for o in advice["options"] if o["plan"] == plan)


@st.composite
def profiles(draw) -> dict:
    profile = draw(valid_scenarios(max_days=200, with_events=False))
    if draw(st.booleans()):
        profile["prices"] = {"plus": draw(st.sampled_from([0, 9.99, 20, 35.5])),
                             "pro": draw(st.sampled_from([49, 100, 149.99]))}
    if draw(st.booleans()):
        profile["pack_usd"] = draw(st.sampled_from([1, 5, 10, 25]))
    return profile


@FAST
@given(profiles())
def test_each_options_events_reproduce_its_figures_and_packs_come_whole(profile):
    advice = recommend(profile)
    assert {o["plan"] for o in advice["options"]} == {"free", "plus", "pro"}
    pack = profile.get("pack_usd", POLICY.pack_usd)
    assert advice["pack_usd"] == pack
    for o in advice["options"]:
        result = simulate({**profile, "events": o["events"]})
        assert result["summary"]["usd_total"] == o["usd_total"]
        assert result["summary"]["unmet"] == o["unmet"] == 0
        topups = [e["usd"] for e in o["events"] if e["type"] == "topup"]
        assert all(usd % pack == 0 for usd in topups) and sum(topups) == o["topup_usd"] == o["packs"] * pack
        assert o["why"] and "_" not in o["why"]
    totals = [o["usd_total"] for o in advice["options"]]
    assert totals == sorted(totals)
    assert advice["recommended"] == advice["options"][0]["name"]


def test_light_use_recommends_free_and_heavy_use_a_plan():
    light = recommend({"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": 150}})
    assert light["recommended"] == "free" and light["options"][0]["usd_total"] == 0
    heavy = recommend({"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": 3000}})
    assert heavy["recommended"] == "pro"


def test_ties_go_to_the_smaller_plan():
    advice = recommend({"registered": "2026-01-10", "days": 5})  # every plan is free inside the trial
    assert [o["usd_total"] for o in advice["options"]] == [0, 0, 0]
    assert [o["plan"] for o in advice["options"]] == ["free", "plus", "pro"]
    assert advice["recommended"] == "free"


def test_packs_are_gathered_once_per_billing_cycle():
    advice = recommend({"registered": "2026-01-10", "days": 90, "usage": {"per_active_day": 600}})
    free = option(advice, "free")
    dates = [e["date"] for e in free["events"] if e["type"] == "topup"]
    assert len(dates) == 3 and len({d[:7] for d in dates}) == 3


def test_horizon_and_cost_per_month():
    advice = recommend({"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": 450}})
    assert advice["horizon"] == {"from": "2026-01-10", "to": "2027-01-09", "days": 365, "months": 12}
    pro = option(advice, "pro")
    assert pro["usd_per_month"] == round(pro["usd_total"] / 12, 2)
    assert "a free trial" in pro["why"]


def credit_for_credit_usd(profile: dict, plan: str, per_day: int) -> float:
    """What `plan` costs over the horizon with the credits it leaves unserved bought one by one,
    worked out through `simulate` alone (no advisor): charges plus unserved credits at 100 a dollar."""
    scenario = {**profile, "usage": {**profile["usage"], "per_active_day": per_day}}
    if plan != "free":
        scenario["events"] = [{"date": profile["registered"], "type": "subscribe", "plan": plan, "trial": True}]
    result = simulate(scenario)
    return result["summary"]["usd_total"] + sum(d["unmet"] for d in result["days"]) / 100


def test_break_even_is_where_the_bigger_plan_starts_to_cost_less():
    profile = {"registered": "2026-01-10", "days": 182, "usage": {"per_active_day": 100, "active_days": "weekdays"},
               "prices": {"plus": 12, "pro": 60}}
    advice = recommend(profile)
    cost = lambda plan, u: credit_for_credit_usd(profile, plan, u)  # noqa: E731
    for pair in advice["break_even"]:
        u = pair["per_active_day"]
        assert u is not None and u > 0, pair
        assert cost(pair["to"], u) < cost(pair["from"], u)
        assert cost(pair["to"], u - 1) >= cost(pair["from"], u - 1)


def test_break_even_holds_above_it_and_agrees_with_the_options_within_a_pack():
    # Found in review: at the operator prices Plus credits cost about what pack credits
    # cost, so in whole packs the Free and Plus totals tied or differed by one pack at
    # random as usage changed; bisecting on them gave 9,663 credits a day while the
    # options at 2,000 a day already showed Plus cheaper.
    profile = {"registered": "2026-11-26", "days": 90, "usage": {"per_active_day": 2000, "active_days": "weekdays"}}
    advice = recommend(profile)
    free_plus = advice["break_even"][0]
    assert free_plus["from"] == "free" and free_plus["to"] == "plus"
    u = free_plus["per_active_day"]
    assert u is not None and u < 2000
    for above in (u, u + 1, u + 37, 1000, 2000, 4321, 9000):
        assert credit_for_credit_usd(profile, "plus", above) < credit_for_credit_usd(profile, "free", above), above
    # The options, in packs of pack_usd, may differ from that by one pack at most.
    assert option(advice, "plus")["usd_total"] <= option(advice, "free")["usd_total"] + advice["pack_usd"]


def test_break_even_is_null_when_the_bigger_plan_never_costs_less():
    # At the operator prices a Plus credit costs what a pack credit costs, and expires.
    advice = recommend({"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": 300}})
    assert advice["break_even"][0] == {"from": "free", "to": "plus", "per_active_day": None}


def test_from_today_options_stay_switch_or_go_back_to_free():
    profile = {"start": {"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-24", "credits": {"total": 900},
                         "trial_used": True},
               "days": 120, "usage": {"per_active_day": 600}}
    advice = recommend(profile)
    assert option(advice, "plus")["events"][:1] != [{"type": "subscribe"}]
    assert not [e for e in option(advice, "plus")["events"] if e["type"] != "topup"]
    assert [e for e in option(advice, "pro")["events"] if e["type"] == "subscribe"] == [
        {"date": "2026-11-26", "type": "subscribe", "plan": "pro", "trial": False}]
    # Free: cancel once the refund window of the current charge has closed; the plan runs out
    assert [e for e in option(advice, "free")["events"] if e["type"] == "cancel"] == [
        {"date": "2026-12-02", "type": "cancel"}]
    for o in advice["options"]:
        assert simulate({**profile, "events": o["events"]})["summary"]["usd_total"] == o["usd_total"]


def test_events_and_a_bad_pack_size_are_input_errors():
    with pytest.raises(ScenarioError) as error:
        recommend({"registered": "2026-01-10", "days": 30, "events": [{"date": "2026-01-12", "type": "cancel"}]})
    assert error.value.path == ("events",)
    with pytest.raises(ScenarioError) as error:
        recommend({"registered": "2026-01-10", "days": 30, "pack_usd": 0})
    assert error.value.path == ("pack_usd",)


def test_a_share_links_empty_event_list_is_accepted_and_any_event_refused():
    # The calculator's links always carry "events": []: the advisor answers them as they are.
    profile = {"registered": "2026-01-10", "days": 60, "usage": {"per_active_day": 300}}
    assert recommend({**profile, "events": []}) == recommend(profile)
    with pytest.raises(ScenarioError) as error:
        recommend({**profile, "events": [{"date": "2026-01-12", "type": "topup", "usd": 5}]})
    assert error.value.location == "events"
