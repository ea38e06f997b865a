"""The plan advisor: options per plan, reproducible by simulate, cheapest recommended."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from calculator.api import recommend, simulate
from calculator.errors import ScenarioError
from tests.strategies import valid_scenarios

FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None)


@FAST
@given(valid_scenarios(max_days=400, with_events=False))
def test_each_options_events_reproduce_its_figures(profile):
    advice = recommend(profile)
    assert {o["plan"] for o in advice["options"]} == {"free", "plus", "pro"}
    for option in advice["options"]:
        result = simulate({**profile, "events": option["events"]})
        assert result["summary"]["usd_total"] == option["usd_total"]
        assert result["summary"]["unmet"] == option["unmet"]
    totals = [o["usd_total"] for o in advice["options"]]
    assert totals == sorted(totals)
    served = [o for o in advice["options"] if o["unmet"] == 0]
    assert advice["recommended"] == (served[0] if served else min(advice["options"], key=lambda o: o["unmet"]))["name"]


def test_light_use_recommends_free_and_heavy_use_a_plan():
    light = recommend({"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": 150}})
    assert light["recommended"] == "free" and light["options"][0]["usd_total"] == 0
    heavy = recommend({"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": 3000}})
    assert heavy["recommended"] == "pro"
    assert all(o["unmet"] == 0 for o in heavy["options"])


def test_ties_go_to_the_smaller_plan():
    advice = recommend({"registered": "2026-01-10", "days": 5})  # every plan is free inside the trial
    assert [o["usd_total"] for o in advice["options"]] == [0, 0, 0]
    assert [o["plan"] for o in advice["options"]] == ["free", "plus", "pro"]
    assert advice["recommended"] == "free"


def test_top_ups_are_bought_once_per_cycle():
    advice = recommend({"registered": "2026-01-10", "days": 90, "usage": {"per_active_day": 600}})
    free = next(o for o in advice["options"] if o["plan"] == "free")
    dates = [e["date"] for e in free["events"] if e["type"] == "topup"]
    assert len(dates) == 3 and len({d[:7] for d in dates}) == 3


def test_events_are_not_allowed_in_a_profile():
    with pytest.raises(ScenarioError) as error:
        recommend({"registered": "2026-01-10", "days": 30, "events": []})
    assert error.value.path == ("events",)
