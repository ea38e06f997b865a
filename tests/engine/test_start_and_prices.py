"""Starting from today's dashboard (`start`), own prices (`prices`), and the timeline."""

from __future__ import annotations

import pytest

from calculator.api import simulate
from calculator.errors import ScenarioError
from tests.engine.rules import DAILY, FREE, PLUS, PLUS_USD, day


def plus_today(**changes) -> dict:
    start = {"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-10",
             "credits": {"total": 1700, "topup": 500}, "trial_used": True}
    start.update(changes)
    return {"start": start, "days": 60}


# --- start ----------------------------------------------------------------------------------

def test_start_opens_with_the_dashboard_balance_split_into_buckets():
    result = simulate(plus_today())
    first = result["days"][0]
    assert (first["date"], first["plan"], first["cycle_start"]) == ("2026-11-26", "plus", "2026-11-10")
    # Add-On Pack as given, the rest is this cycle's allowance (under the plan's 2,000)
    assert first["buckets"] == {"daily": 0, "monthly": 1200, "bonus": 0, "topup": 500}
    assert [(e["kind"], e["bucket"], e["credits"]) for e in result["ledger"][:2]] == [
        ("start", "monthly", 1200), ("start", "topup", 500)]
    assert result["timeline"][0]["kind"] == "start" and result["timeline"][0]["day"] == 1


def test_a_start_balance_above_the_allowance_counts_as_bonus():
    result = simulate(plus_today(credits={"total": PLUS + 300}))
    assert result["days"][0]["buckets"] == {"daily": 0, "monthly": PLUS, "bonus": 300, "topup": 0}


def test_the_plan_renews_on_its_cycle_date_and_the_allowance_resets():
    result = simulate(plus_today())
    assert [(c["date"], c["kind"], c["usd"]) for c in result["charges"]] == [
        ("2026-12-10", "subscription", PLUS_USD), ("2027-01-10", "subscription", PLUS_USD)]
    assert day(result, "2026-12-10")["buckets"]["monthly"] == PLUS


def test_a_next_renewal_date_anchors_month_end_renewals():
    result = simulate({"start": {"date": "2027-02-10", "plan": "plus", "renews_on": "2027-02-28",
                                 "credits": {"total": 0}}, "days": 60})
    # one month before 28 Feb is 28 Jan; the anchor stays the 28th
    assert result["days"][0]["cycle_start"] == "2027-01-28"
    assert [c["date"] for c in result["charges"]] == ["2027-02-28", "2027-03-28"]


def test_todays_daily_credits_already_on_the_dashboard_are_not_granted_again():
    result = simulate({**plus_today(credits={"total": 1700, "daily": 150}), "usage": {"per_active_day": 100}})
    first = result["days"][0]
    assert first["buckets"]["daily"] == 50 and first["buckets"]["monthly"] == 1550
    assert [e for e in result["ledger"] if e["kind"] == "daily" and e["date"] == "2026-11-26"] == []
    assert day(result, "2026-11-27")["buckets"]["daily"] == DAILY - 100  # tomorrow's arrive as usual


def test_no_sign_up_bonus_when_starting_from_today():
    result = simulate(plus_today())
    assert [e for e in result["ledger"] if e["kind"] == "register"] == []


def test_a_late_cancel_ends_the_plan_at_the_cycle_end_and_free_counts_from_the_registration():
    events = [{"date": "2026-11-27", "type": "cancel"}]
    without = simulate({**plus_today(), "events": events})
    assert day(without, "2026-12-09")["plan"] == "plus"
    # without a registration date, the Free cycle counts from the day the plan ends (start_free_cycle)
    assert (day(without, "2026-12-10")["plan"], day(without, "2026-12-10")["cycle_start"]) == ("free", "2026-12-10")
    known = simulate({**plus_today(registered="2025-03-04"), "events": events})
    assert day(known, "2026-12-10")["cycle_start"] == "2026-12-04"
    assert day(known, "2027-01-04")["cycle_start"] == "2027-01-04"


def test_a_refund_of_the_charge_before_the_start_is_an_input_error_that_says_why():
    with pytest.raises(ScenarioError) as error:
        simulate({**plus_today(cycle_start="2026-11-22"), "events": [{"date": "2026-11-27", "type": "cancel"}]})
    assert error.value.path == ("events", 0, "type")
    assert "within the refund window of the Plus charge of 2026-11-22, made before the calculator's first day" \
        in error.value.message


def test_a_renewal_inside_the_simulation_can_be_refunded():
    result = simulate({**plus_today(), "events": [{"date": "2026-12-12", "type": "cancel"}]})
    assert [(c["date"], c["kind"], c["usd"]) for c in result["charges"]] == [
        ("2026-12-10", "subscription", PLUS_USD), ("2026-12-12", "refund", -PLUS_USD)]
    assert day(result, "2026-12-12")["plan"] == "free"


def test_trial_used_refuses_a_second_trial():
    with pytest.raises(ScenarioError) as error:
        simulate({**plus_today(), "events": [{"date": "2026-11-28", "type": "subscribe", "plan": "pro", "trial": True}]})
    assert error.value.path == ("events", 0, "trial") and "start.trial_used" in error.value.message


def test_a_free_account_starts_on_its_registration_cycle():
    result = simulate({"start": {"date": "2026-11-26", "plan": "free", "cycle_start": "2026-11-04",
                                 "credits": {"total": 300}}, "days": 20})
    assert result["days"][0]["buckets"]["monthly"] == 300
    assert day(result, "2026-12-04")["buckets"]["monthly"] == FREE


@pytest.mark.parametrize("start, path", [
    ({"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-10-01", "credits": {"total": 1}}, "start.cycle_start"),
    ({"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-27", "credits": {"total": 1}}, "start.cycle_start"),
    ({"date": "2026-11-26", "plan": "plus", "renews_on": "2026-11-26", "credits": {"total": 1}}, "start.renews_on"),
    ({"date": "2026-11-26", "plan": "gold", "cycle_start": "2026-11-10", "credits": {"total": 1}}, "start.plan"),
    ({"date": "2026-11-26", "plan": "plus", "credits": {"total": 1}}, "start.cycle_start"),
    ({"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-10"}, "start.credits"),
    ({"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-10", "credits": {"total": -1}}, "start.credits.total"),
    ({"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-10", "credits": {"total": 5, "topup": 9}}, "start.credits"),
    ({"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-10", "credits": {"total": 900, "daily": 201}}, "start.credits.daily"),
    ({"date": "2026-11-26", "plan": "free", "cycle_start": "2026-11-10", "credits": {"total": 1},
      "registered": "2025-03-04"}, "start.registered"),
    ({"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-10", "credits": {"total": 1},
      "trial_used": "yes"}, "start.trial_used"),
])
def test_bad_start_values_name_the_field(start, path):
    with pytest.raises(ScenarioError) as error:
        simulate({"start": start, "days": 30})
    assert error.value.location == path or error.value.location.startswith(path + "."), str(error.value)


def test_dates_before_the_start_are_outside_the_window():
    with pytest.raises(ScenarioError) as error:
        simulate({**plus_today(), "invites": ["2026-11-25"]})
    assert str(error.value).startswith("invites[0]: 2026-11-25 is outside the simulated window 2026-11-26")


def test_registered_and_start_are_exclusive():
    with pytest.raises(ScenarioError) as error:
        simulate({**plus_today(), "registered": "2026-01-01"})
    assert error.value.path == ("start",)


# --- prices ---------------------------------------------------------------------------------

def test_own_prices_are_charged_to_the_cent():
    result = simulate({"registered": "2026-01-10", "days": 40, "prices": {"plus": 19.99},
                       "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "plus"},
                                  {"date": "2026-02-11", "type": "cancel"}]})
    assert [(c["date"], c["usd"]) for c in result["charges"]] == [
        ("2026-01-10", 19.99), ("2026-02-10", 19.99), ("2026-02-11", -19.99)]
    assert result["summary"]["usd_total"] == 19.99
    assert "19.99 USD" in result["timeline"][1]["text"]


def test_sums_of_cents_stay_exact():
    result = simulate({"registered": "2026-01-10", "days": 95, "prices": {"pro": 0.1},
                       "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "pro"}]})
    assert [c["usd"] for c in result["charges"]] == [0.1, 0.1, 0.1, 0.1]
    assert result["summary"]["usd_total"] == 0.4  # not 0.4000000000000001


@pytest.mark.parametrize("prices, message", [
    ({"plus": 19.999}, "prices.plus: 19.999 has more than two decimals"),
    ({"plus": -1}, "prices.plus: -1 is out of range"),
    ({"plus": 10000.01}, "prices.plus: 10,000.01 is out of range"),
    ({"plus": "20"}, "prices.plus: expected an amount in USD"),
    ({"plus": True}, "prices.plus: expected an amount in USD"),
    ({"free": 1}, "prices.free: unknown plan 'free' (expected plus or pro)"),
    ([], "prices: expected an object"),
])
def test_bad_prices_name_the_field(prices, message):
    with pytest.raises(ScenarioError) as error:
        simulate({"registered": "2026-01-10", "days": 3, "prices": prices})
    assert str(error.value).startswith(message)


# --- the timeline ---------------------------------------------------------------------------

def test_the_timeline_names_the_days_that_matter_in_order():
    result = simulate({"registered": "2026-03-02", "days": 45, "usage": {"per_active_day": 900},
                       "events": [{"date": "2026-03-02", "type": "subscribe", "plan": "plus", "trial": True},
                                  {"date": "2026-03-20", "type": "topup", "usd": 10},
                                  {"date": "2026-03-22", "type": "cancel_topup", "of": "2026-03-20"}]})
    kinds = [(t["date"], t["kind"]) for t in result["timeline"] if t["kind"] not in ("restricted", "served_again")]
    assert kinds[:4] == [("2026-03-02", "registered"), ("2026-03-02", "trial_started"),
                         ("2026-03-02", "expired"),  # Free's allowance, replaced by the trial's
                         ("2026-03-09", "charged")]
    assert ("2026-03-20", "topup") in kinds and ("2026-03-22", "topup_refunded") in kinds
    restricted = [t for t in result["timeline"] if t["kind"] == "restricted"]
    assert restricted and restricted[0]["date"] == result["summary"]["first_restricted_day"]
    charged = next(t for t in result["timeline"] if t["kind"] == "charged")
    assert charged["day"] == 8 and charged["plan"] == "plus"
    assert "first charge" in charged["text"] and "2,000" in charged["text"]
    assert all(t["text"] and "_" not in t["text"] for t in result["timeline"])  # words, not keys


def test_the_timeline_says_how_far_below_zero_the_balance_goes():
    # Plus bought and used heavily (1,500 + 1,500 + 500), then refunded on day 4: Free's
    # 500 + 1,000 bonus + three days of 200 daily credits cover 2,100 of the 3,500 used, and
    # day 4's daily credits pay 200 of the 1,400 back: the balance stands at -1,200.
    result = simulate({"registered": "2026-01-10", "days": 12,
                       "usage": {"per_active_day": 150,
                                 "by_date": {"2026-01-10": 1500, "2026-01-11": 1500, "2026-01-12": 500}},
                       "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "plus", "trial": False},
                                  {"date": "2026-01-13", "type": "cancel"}]})
    restricted = [t for t in result["timeline"] if t["kind"] == "restricted"]
    assert [t["date"] for t in restricted] == ["2026-01-13"]
    assert restricted[0]["text"].startswith("The balance goes below zero, to \u22121,200 credits; the dashboard shows 0.")
    assert "150 credits of the day's usage cannot be served" in restricted[0]["text"]


def test_a_restricted_spell_is_not_ended_by_days_without_usage():
    # 800 credits each weekday on Free: short every weekday from 14 Jan to the next cycle and
    # beyond. The weekends ask for nothing: they neither end the spell nor start a new one.
    result = simulate({"registered": "2026-01-10", "days": 60,
                       "usage": {"per_active_day": 800, "active_days": "weekdays"}})
    spells = [(t["date"], t["kind"]) for t in result["timeline"] if t["kind"] in ("restricted", "served_again")]
    assert spells == [("2026-01-14", "restricted")]
    assert "The daily credits still arrive" in next(t["text"] for t in result["timeline"] if t["kind"] == "restricted")


def test_the_timeline_says_which_credits_expire_unused():
    # Plus renewing on 10 Dec with 5,000 credits and no Add-On Pack credits given: 2,000 count
    # as this cycle's allowance and 3,000 as bonus (start_balance_split), all gone on 10 Dec.
    # 14 weekdays of 300 from 26 Nov to 9 Dec, with 200 daily credits each, take 1,000 of them.
    result = simulate({"start": {"date": "2026-11-26", "plan": "plus", "renews_on": "2026-12-10",
                                 "credits": {"total": 5000}},
                       "days": 40, "usage": {"per_active_day": 300, "active_days": "weekdays"}})
    on_renewal = [(t["kind"], t["text"]) for t in result["timeline"] if t["date"] == "2026-12-10"]
    assert on_renewal[0][0] == "charged"  # the renewal first, then what it ended
    assert on_renewal[1] == ("expired", "4,000 credits expire unused: 1,000 of the previous monthly allowance "
                                        "and 3,000 bonus credits.")
    # Every expiry of allowance or bonus credits in the ledger is told, on its day.
    told = {t["date"]: t for t in result["timeline"] if t["kind"] == "expired"}
    gone: dict[str, int] = {}
    for entry in result["ledger"]:
        if entry["kind"] == "expire" and entry["bucket"] in ("monthly", "bonus"):
            gone[entry["date"]] = gone.get(entry["date"], 0) - entry["credits"]
    assert set(told) == set(gone)
    assert all(told[d]["text"].startswith(f"{n:,} ") for d, n in gone.items())


def test_the_timeline_names_each_new_free_cycle_after_the_first():
    result = simulate({"registered": "2026-01-31", "days": 75, "usage": {"per_active_day": 0}})
    cycles = [t["date"] for t in result["timeline"] if t["kind"] == "free_cycle"]
    assert cycles == ["2026-02-28", "2026-03-31"]  # not on the day of registration, which its own line covers
    assert f"resets to {FREE:,} credits" in next(t["text"] for t in result["timeline"] if t["kind"] == "free_cycle")


def test_a_renewal_date_of_today_says_what_to_enter_instead():
    with pytest.raises(ScenarioError) as error:
        simulate({"start": {"date": "2026-11-26", "plan": "plus", "renews_on": "2026-11-26", "credits": {"total": 1}},
                  "days": 30})
    assert error.value.location == "start.renews_on"
    assert "give 2026-12-26 as the next renewal, or today as the day the billing cycle started" in error.value.message


def test_a_recompute_says_how_the_balance_moves():
    # A Plus trial from registration, 300 a day, cancelled on day 5: before the day's usage the
    # balance holds the trial's 2,000 less four days' use plus the bonus and the day's credits;
    # recomputed as on Free it keeps 500 + 1,000 + the day's 200 less what four days used.
    result = simulate({"registered": "2026-03-02", "days": 10, "usage": {"per_active_day": 300},
                       "events": [{"date": "2026-03-02", "type": "subscribe", "plan": "plus", "trial": True},
                                  {"date": "2026-03-06", "type": "cancel"}]})
    cancelled = next(t for t in result["timeline"] if t["kind"] == "trial_cancelled")
    assert cancelled["text"].endswith("Your balance goes from 2,800 to 1,300 credits.")
    # Both figures are the ledger's own: the running balance around that day's refund entries.
    refunds = [e for e in result["ledger"] if e["kind"] == "refund" and e["date"] == "2026-03-06"]
    assert refunds[0]["balance_after"] - refunds[0]["credits"] == 2800 and refunds[-1]["balance_after"] == 1300


def test_two_refunds_on_one_day_give_the_balance_once():
    result = simulate({"registered": "2026-01-10", "days": 5, "usage": {"per_active_day": 0},
                       "events": [{"date": "2026-01-10", "type": "topup", "usd": 5, "id": "a"},
                                  {"date": "2026-01-10", "type": "topup", "usd": 7, "id": "b"},
                                  {"date": "2026-01-12", "type": "cancel_topup", "id": "a"},
                                  {"date": "2026-01-12", "type": "cancel_topup", "id": "b"}]})
    lines = [t["text"] for t in result["timeline"] if t["kind"] == "topup_refunded"]
    assert len(lines) == 2
    assert "Your balance goes from" not in lines[0]
    assert lines[1].endswith("Your balance goes from 2,700 to 1,500 credits.")
