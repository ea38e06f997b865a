"""One test per rule of the default policy, each on real dates (month ends, a leap year).

Every test states its scenario inline, then asserts on the engine's result. Numbers
come from policy.toml through `POLICY`, so a changed policy value changes the
expectation instead of breaking the test.
"""

from __future__ import annotations

import pytest

from calculator.api import simulate
from calculator.errors import ScenarioError
from tests.engine.rules import (DAILY, FREE, INVITE, PER_USD, PLUS, PLUS_USD, POLICY, PRO, PRO_USD, SIGNUP, WINDOW,
                                charges, day, entries)


def buckets_from(result: dict, iso: str) -> list[tuple]:
    return [(d["date"], d["buckets"]) for d in result["days"] if d["date"] >= iso]


# --- daily credits -------------------------------------------------------------------------

def test_daily_credits_arrive_on_a_used_day_and_are_gone_the_next_morning():
    result = simulate({"registered": "2026-01-10", "days": 3,
                       "usage": {"by_date": {"2026-01-11": 50}}, "policy": {"bonus_expiry": "never"}})
    assert entries(result, kind="daily") == [("2026-01-11", "daily", "daily", DAILY)]
    assert day(result, "2026-01-11")["buckets"]["daily"] == DAILY - 50
    # the expiry is dated the first day the credits are gone
    assert entries(result, kind="expire") == [("2026-01-12", "expire", "daily", -(DAILY - 50))]
    assert day(result, "2026-01-12")["buckets"]["daily"] == 0


def test_no_daily_credits_on_a_day_without_usage_unless_policy_says_every_day():
    scenario = {"registered": "2026-01-10", "days": 2}
    assert entries(simulate(scenario), kind="daily") == []
    every_day = simulate({**scenario, "policy": {"daily_grant": "every_day"}})
    assert [e[0] for e in entries(every_day, kind="daily")] == ["2026-01-10", "2026-01-11"]


# --- spending order ------------------------------------------------------------------------

def test_spending_order_is_daily_monthly_bonus_topup():
    wanted = DAILY + FREE + SIGNUP + 300
    result = simulate({"registered": "2026-01-10", "days": 1,
                       "usage": {"by_date": {"2026-01-10": wanted}},
                       "events": [{"date": "2026-01-10", "type": "topup", "usd": 5}]})
    assert [(b, c) for _, _, b, c in entries(result, kind="consume")] == [
        ("daily", -DAILY), ("monthly", -FREE), ("bonus", -SIGNUP), ("topup", -300)]
    assert day(result, "2026-01-10")["buckets"] == {
        "daily": 0, "monthly": 0, "bonus": 0, "topup": 5 * PER_USD - 300}


def test_spending_order_can_put_bonus_before_the_monthly_allowance():
    result = simulate({"registered": "2026-01-10", "days": 1,
                       "usage": {"by_date": {"2026-01-10": DAILY + SIGNUP + 100}},
                       "policy": {"spending_order": "daily_bonus_monthly_topup"}})
    assert [(b, c) for _, _, b, c in entries(result, kind="consume")] == [
        ("daily", -DAILY), ("bonus", -SIGNUP), ("monthly", -100)]


# --- monthly allowance and cycles ----------------------------------------------------------

def test_free_cycle_counts_from_registration_and_clamps_to_month_ends():
    result = simulate({"registered": "2026-01-31", "days": 90, "policy": {"bonus_expiry": "never"}})
    assert [e[0] for e in entries(result, kind="monthly")] == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"]
    # the unused allowance expires at the cycle end, the day the next one arrives
    assert entries(result, kind="expire")[:2] == [
        ("2026-02-28", "expire", "monthly", -FREE), ("2026-03-31", "expire", "monthly", -FREE)]
    assert day(result, "2026-03-30")["cycle_start"] == "2026-02-28"
    assert day(result, "2026-03-31")["cycle_start"] == "2026-03-31"


def test_leap_year_cycle_falls_on_february_29():
    result = simulate({"registered": "2028-01-31", "days": 35})
    assert [e[0] for e in entries(result, kind="monthly")] == ["2028-01-31", "2028-02-29"]


def test_subscriber_cycle_counts_from_the_first_charge_and_clamps_to_month_ends():
    result = simulate({"registered": "2026-01-20", "days": 110,
                       "events": [{"date": "2026-01-31", "type": "subscribe", "plan": "pro"}]})
    assert charges(result) == [("2026-01-31", "subscription", PRO_USD), ("2026-02-28", "subscription", PRO_USD),
                               ("2026-03-31", "subscription", PRO_USD), ("2026-04-30", "subscription", PRO_USD)]
    assert day(result, "2026-02-27")["cycle_start"] == "2026-01-31"
    assert day(result, "2026-04-29")["cycle_start"] == "2026-03-31"


def test_starting_a_plan_replaces_the_monthly_allowance():
    result = simulate({"registered": "2026-01-10", "days": 10,
                       "usage": {"by_date": {"2026-01-12": DAILY + 100}},
                       "events": [{"date": "2026-01-15", "type": "subscribe", "plan": "plus"}]})
    assert entries(result, date="2026-01-15") == [
        ("2026-01-15", "expire", "monthly", -(FREE - 100)), ("2026-01-15", "monthly", "monthly", PLUS)]
    assert day(result, "2026-01-15")["buckets"]["monthly"] == PLUS
    assert day(result, "2026-01-15")["plan"] == "plus"


# --- bonuses -------------------------------------------------------------------------------

def test_signup_and_invite_bonuses_go_to_bonus_and_expire_at_the_cycle_end():
    result = simulate({"registered": "2026-01-10", "days": 35, "invites": ["2026-01-20", "2026-01-20"]})
    assert entries(result, bucket="bonus") == [
        ("2026-01-10", "register", "bonus", SIGNUP), ("2026-01-20", "invite", "bonus", INVITE),
        ("2026-01-20", "invite", "bonus", INVITE),
        # one expiry entry per grant
        ("2026-02-10", "expire", "bonus", -SIGNUP), ("2026-02-10", "expire", "bonus", -INVITE),
        ("2026-02-10", "expire", "bonus", -INVITE)]


def test_bonus_credits_can_be_kept_forever():
    result = simulate({"registered": "2026-01-10", "days": 70, "invites": ["2026-01-20"],
                       "policy": {"bonus_expiry": "never"}})
    assert entries(result, kind="expire", bucket="bonus") == []
    assert day(result, "2026-03-20")["buckets"]["bonus"] == SIGNUP + INVITE


# --- overdraft and negative balances -------------------------------------------------------

def test_what_the_balance_cannot_cover_is_unmet_and_restricts_the_day():
    have = DAILY + FREE + SIGNUP
    result = simulate({"registered": "2026-01-10", "days": 2, "usage": {"by_date": {"2026-01-10": have + 300}}})
    first = day(result, "2026-01-10")
    assert (first["consumed"], first["unmet"], first["balance"], first["restricted"]) == (have, 300, 0, True)
    assert day(result, "2026-01-11")["restricted"] is False
    assert result["summary"]["first_restricted_day"] == "2026-01-10"


def test_overdraft_allowed_goes_negative_shows_zero_and_is_paid_off_by_the_next_grant():
    have = DAILY + FREE + SIGNUP
    result = simulate({"registered": "2026-01-10", "days": 32, "usage": {"by_date": {"2026-01-10": have + 300}},
                       "policy": {"overdraft": "allow"}})
    first = day(result, "2026-01-10")
    assert (first["consumed"], first["unmet"], first["balance"], first["displayed_balance"]) == (have + 300, 0, -300, 0)
    assert first["buckets"]["topup"] == -300 and first["restricted"] is True
    assert day(result, "2026-02-09")["restricted"] is True  # carried until credits arrive
    assert entries(result, date="2026-02-10", kind="monthly") == [
        ("2026-02-10", "monthly", "topup", 300), ("2026-02-10", "monthly", "monthly", FREE - 300)]
    assert day(result, "2026-02-10")["balance"] == FREE - 300
    assert day(result, "2026-02-10")["restricted"] is False


def test_a_deficit_can_be_forgiven_at_the_new_cycle():
    have = DAILY + FREE + SIGNUP
    result = simulate({"registered": "2026-01-10", "days": 32, "usage": {"by_date": {"2026-01-10": have + 300}},
                       "policy": {"overdraft": "allow", "deficit_at_new_cycle": "forgive"}})
    assert entries(result, date="2026-02-10")[:2] == [
        ("2026-02-10", "forgive", "topup", 300), ("2026-02-10", "monthly", "monthly", FREE)]
    assert day(result, "2026-02-10")["balance"] == FREE


# --- trials --------------------------------------------------------------------------------

def test_a_trial_is_free_then_the_first_charge_anchors_the_cycle_with_a_fresh_allowance():
    result = simulate({"registered": "2026-03-02", "days": 45,
                       "usage": {"per_active_day": 100},
                       "events": [{"date": "2026-03-02", "type": "subscribe", "plan": "plus", "trial": True}]})
    trial_days = POLICY.plans["plus"].trial_days
    assert trial_days == 7
    assert charges(result) == [("2026-03-09", "subscription", PLUS_USD), ("2026-04-09", "subscription", PLUS_USD)]
    assert day(result, "2026-03-02")["buckets"]["monthly"] == PLUS
    assert day(result, "2026-03-08")["cycle_start"] == "2026-03-02"
    assert entries(result, date="2026-03-09", bucket="monthly") == [
        ("2026-03-09", "expire", "monthly", -PLUS), ("2026-03-09", "monthly", "monthly", PLUS)]
    assert day(result, "2026-03-09")["cycle_start"] == "2026-03-09"
    assert day(result, "2026-04-08")["cycle_start"] == "2026-03-09"


def test_a_trial_cancelled_on_day_5_costs_nothing_and_is_as_if_it_never_started():
    usage = {"per_active_day": 250, "active_days": "weekdays"}
    trial = simulate({"registered": "2026-03-02", "days": 45, "usage": usage,
                      "events": [{"date": "2026-03-02", "type": "subscribe", "plan": "plus", "trial": True},
                                 {"date": "2026-03-06", "type": "cancel"}]})
    never = simulate({"registered": "2026-03-02", "days": 45, "usage": usage})
    assert charges(trial) == []
    assert day(trial, "2026-03-05")["plan"] == "plus"
    assert {d["plan"] for d in trial["days"] if d["date"] >= "2026-03-06"} == {"free"}
    assert buckets_from(trial, "2026-03-06") == buckets_from(never, "2026-03-06")
    assert day(trial, "2026-03-06")["cycle_start"] == "2026-03-02"


def test_only_one_trial_per_account():
    events = [{"date": "2026-03-02", "type": "subscribe", "plan": "plus", "trial": True},
              {"date": "2026-03-03", "type": "cancel"},
              {"date": "2026-03-10", "type": "subscribe", "plan": "pro", "trial": True}]
    with pytest.raises(ScenarioError) as error:
        simulate({"registered": "2026-03-02", "days": 30, "events": events})
    assert error.value.path == ("events", 2, "trial")
    allowed = simulate({"registered": "2026-03-02", "days": 30, "events": events,
                        "policy": {"trial_limit": "unlimited"}})
    assert charges(allowed) == [("2026-03-17", "subscription", PRO_USD)]


# --- refunds -------------------------------------------------------------------------------

def test_cancel_within_the_window_refunds_in_full_and_recomputes_under_free_rules():
    usage = {"per_active_day": 400}
    paid = simulate({"registered": "2026-01-10", "days": 40, "usage": usage,
                     "events": [{"date": "2026-01-12", "type": "subscribe", "plan": "plus"},
                                {"date": "2026-01-16", "type": "cancel"}]})
    never = simulate({"registered": "2026-01-10", "days": 40, "usage": usage})
    assert charges(paid) == [("2026-01-12", "subscription", PLUS_USD), ("2026-01-16", "refund", -PLUS_USD)]
    assert paid["summary"]["usd_total"] == 0
    assert day(paid, "2026-01-15")["plan"] == "plus" and day(paid, "2026-01-16")["plan"] == "free"
    assert day(paid, "2026-01-16")["cycle_start"] == "2026-01-10"
    assert buckets_from(paid, "2026-01-16") == buckets_from(never, "2026-01-16")
    assert {e[1] for e in entries(paid, date="2026-01-16")} >= {"refund"}


def test_a_refund_keeps_what_was_consumed_and_a_shortfall_becomes_a_negative_balance():
    extra = 700  # beyond the daily credits, every day
    result = simulate({"registered": "2026-01-10", "days": 4,
                       "usage": {"per_active_day": DAILY + extra},
                       "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "plus"},
                                  {"date": "2026-01-13", "type": "cancel"}]})
    # As if Plus had never been bought: Free allowance + sign-up bonus, minus 3 days already consumed,
    # then the refund day's daily credits pay part of the deficit.
    deficit = FREE + SIGNUP - 3 * extra + DAILY
    assert deficit < 0
    refund_day = day(result, "2026-01-13")
    assert refund_day["plan"] == "free"
    assert refund_day["balance"] == deficit and refund_day["displayed_balance"] == 0
    assert refund_day["buckets"]["topup"] == deficit
    assert (refund_day["consumed"], refund_day["restricted"]) == (0, True)
    assert sum(e["credits"] for e in result["ledger"]) == result["days"][-1]["balance"]


def test_a_top_up_cancelled_within_the_window_is_refunded_as_if_never_bought():
    usage = {"per_active_day": 300}
    bought = simulate({"registered": "2026-01-10", "days": 30, "usage": usage,
                       "events": [{"date": "2026-01-15", "type": "topup", "usd": 10},
                                  {"date": "2026-01-18", "type": "cancel_topup", "of": "2026-01-15"}]})
    never = simulate({"registered": "2026-01-10", "days": 30, "usage": usage})
    assert charges(bought) == [("2026-01-15", "topup", 10), ("2026-01-18", "refund", -10)]
    assert buckets_from(bought, "2026-01-18") == buckets_from(never, "2026-01-18")
    assert entries(bought, kind="refund") == [("2026-01-18", "refund", "topup", -10 * PER_USD)]


def test_a_top_up_cannot_be_cancelled_after_the_window():
    late = f"2026-01-{15 + WINDOW + 1}"
    with pytest.raises(ScenarioError) as error:
        simulate({"registered": "2026-01-10", "days": 30,
                  "events": [{"date": "2026-01-15", "type": "topup", "usd": 10},
                             {"date": late, "type": "cancel_topup", "of": "2026-01-15"}]})
    assert error.value.path == ("events", 1, "of")


def test_the_last_day_of_the_window_is_inside_it_unless_policy_says_exclusive():
    edge = f"2026-01-{15 + WINDOW}"
    scenario = {"registered": "2026-01-10", "days": 30,
                "events": [{"date": "2026-01-15", "type": "topup", "usd": 10},
                           {"date": edge, "type": "cancel_topup", "of": "2026-01-15"}]}
    assert charges(simulate(scenario))[-1] == (edge, "refund", -10)
    with pytest.raises(ScenarioError):
        simulate({**scenario, "policy": {"refund_window_edge": "exclusive"}})


def test_cancel_after_the_window_keeps_the_plan_to_the_end_of_the_paid_cycle():
    result = simulate({"registered": "2026-01-05", "days": 70,
                       "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "plus"},
                                  {"date": "2026-01-25", "type": "cancel"}]})
    assert charges(result) == [("2026-01-10", "subscription", PLUS_USD)]
    assert day(result, "2026-02-09")["plan"] == "plus"
    back = day(result, "2026-02-10")
    assert back["plan"] == "free" and back["cycle_start"] == "2026-02-05"
    # back on Free: the Free allowance for the rest of the registration-date cycle
    assert entries(result, date="2026-02-10", kind="monthly") == [("2026-02-10", "monthly", "monthly", FREE)]
    assert [e[0] for e in entries(result, kind="monthly")][-1] == "2026-03-05"


def test_returning_to_free_can_wait_for_the_next_registration_cycle():
    result = simulate({"registered": "2026-01-05", "days": 70,
                       "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "plus"},
                                  {"date": "2026-01-25", "type": "cancel"}],
                       "policy": {"free_allowance_on_return": "next_cycle"}})
    assert entries(result, date="2026-02-10", kind="monthly") == []
    assert day(result, "2026-02-10")["buckets"]["monthly"] == 0
    assert ("2026-03-05", "monthly", "monthly", FREE) in entries(result, kind="monthly")


def test_a_renewal_cancelled_within_the_window_is_refunded_unless_policy_says_none():
    scenario = {"registered": "2026-01-10", "days": 70,
                "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "plus"},
                           {"date": "2026-02-12", "type": "cancel"}]}
    full = simulate(scenario)
    assert charges(full) == [("2026-01-10", "subscription", PLUS_USD), ("2026-02-10", "subscription", PLUS_USD),
                             ("2026-02-12", "refund", -PLUS_USD)]
    assert day(full, "2026-02-12")["plan"] == "free"
    kept = simulate({**scenario, "policy": {"renewal_refund": "none"}})
    assert charges(kept) == charges(full)[:2]
    assert day(kept, "2026-03-09")["plan"] == "plus" and day(kept, "2026-03-10")["plan"] == "free"


def test_changing_plan_starts_the_new_one_at_once_without_proration():
    result = simulate({"registered": "2026-01-10", "days": 45,
                       "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "plus"},
                                  {"date": "2026-01-20", "type": "subscribe", "plan": "pro"}]})
    assert charges(result) == [("2026-01-10", "subscription", PLUS_USD), ("2026-01-20", "subscription", PRO_USD),
                               ("2026-02-20", "subscription", PRO_USD)]
    assert entries(result, date="2026-01-20", bucket="monthly") == [
        ("2026-01-20", "expire", "monthly", -PLUS), ("2026-01-20", "monthly", "monthly", PRO)]


# --- order within a day ------------------------------------------------------------------

def test_a_top_up_bought_on_a_day_pays_for_that_days_spending():
    have = DAILY + FREE + SIGNUP
    result = simulate({"registered": "2026-01-10", "days": 1, "usage": {"by_date": {"2026-01-10": have + 300}},
                       "events": [{"date": "2026-01-10", "type": "topup", "usd": 3}]})
    assert day(result, "2026-01-10")["unmet"] == 0


def test_yesterdays_expiry_comes_before_todays_cycle_start_and_grants():
    result = simulate({"registered": "2026-01-10", "days": 33, "usage": {"by_date": {"2026-02-09": 10,
                                                                                   "2026-02-10": 10}}})
    kinds = [(e[1], e[2]) for e in entries(result, date="2026-02-10")]
    assert kinds == [("expire", "daily"), ("expire", "monthly"), ("expire", "bonus"),
                     ("monthly", "monthly"), ("daily", "daily"), ("consume", "daily")]


def test_events_that_make_no_sense_are_input_errors_naming_the_event():
    with pytest.raises(ScenarioError) as error:
        simulate({"registered": "2026-01-10", "days": 30, "events": [{"date": "2026-01-12", "type": "cancel"}]})
    assert error.value.path == ("events", 0, "type")
    with pytest.raises(ScenarioError) as error:
        simulate({"registered": "2026-01-10", "days": 30,
                  "events": [{"date": "2026-01-12", "type": "subscribe", "plan": "plus"},
                             {"date": "2026-01-13", "type": "subscribe", "plan": "plus"}]})
    assert error.value.path == ("events", 1, "plan")


# --- where two features meet (issue: engine v2; each failed on the first release) ----------

def test_refunding_a_top_up_never_touches_a_running_plan():
    result = simulate({"registered": "2027-09-21", "days": 10, "events": [
        {"date": "2027-09-25", "type": "subscribe", "plan": "plus", "trial": False},
        {"date": "2027-09-29", "type": "topup", "usd": 5},
        {"date": "2027-09-30", "type": "cancel_topup", "of": "2027-09-29"}]})
    refund_day = day(result, "2027-09-30")
    assert (refund_day["plan"], refund_day["cycle_start"]) == ("plus", "2027-09-25")
    assert refund_day["buckets"]["monthly"] == PLUS and refund_day["buckets"]["topup"] == 0
    assert charges(result) == [("2027-09-25", "subscription", PLUS_USD), ("2027-09-29", "topup", 5),
                               ("2027-09-30", "refund", -5)]
    assert entries(result, kind="refund") == [("2027-09-30", "refund", "topup", -5 * PER_USD)]


@pytest.mark.parametrize("bought", ["2026-03-02", "2026-03-04"])  # the day the trial starts, and during it
def test_refunding_a_top_up_during_a_trial_keeps_the_trial(bought):
    result = simulate({"registered": "2026-03-01", "days": 40, "events": [
        {"date": "2026-03-02", "type": "subscribe", "plan": "pro", "trial": True},
        {"date": bought, "type": "topup", "usd": 7},
        {"date": "2026-03-06", "type": "cancel_topup", "of": bought}]})
    assert day(result, "2026-03-06")["plan"] == "pro" and day(result, "2026-03-06")["buckets"]["monthly"] == PRO
    assert charges(result)[1:3] == [("2026-03-06", "refund", -7), ("2026-03-09", "subscription", PRO_USD)]
    assert day(result, "2026-03-09")["cycle_start"] == "2026-03-09"


def test_a_top_up_bought_the_day_a_plan_starts_is_refunded_alone():
    result = simulate({"registered": "2026-01-10", "days": 20, "events": [
        {"date": "2026-01-12", "type": "subscribe", "plan": "plus"},
        {"date": "2026-01-12", "type": "topup", "usd": 3},
        {"date": "2026-01-14", "type": "cancel_topup", "of": "2026-01-12"}]})
    assert [(d["plan"], d["cycle_start"]) for d in result["days"] if d["date"] >= "2026-01-14"] == \
        [("plus", "2026-01-12")] * 16


def test_a_cancelled_trial_started_over_a_paid_plan_leaves_the_paid_plan_running():
    result = simulate({"registered": "2026-05-31", "days": 45, "events": [
        {"date": "2026-06-10", "type": "subscribe", "plan": "plus", "trial": False},
        {"date": "2026-06-12", "type": "subscribe", "plan": "pro", "trial": True},
        {"date": "2026-06-14", "type": "cancel"}]})
    assert day(result, "2026-06-13")["plan"] == "pro"
    after = day(result, "2026-06-14")
    assert (after["plan"], after["cycle_start"], after["buckets"]["monthly"]) == ("plus", "2026-06-10", PLUS)
    assert charges(result) == [("2026-06-10", "subscription", PLUS_USD), ("2026-07-10", "subscription", PLUS_USD)]


def test_a_trial_over_a_paid_plan_can_be_refused_by_policy():
    with pytest.raises(ScenarioError) as error:
        simulate({"registered": "2026-05-31", "days": 20, "policy": {"trial_during_paid_plan": "refused"},
                  "events": [{"date": "2026-06-10", "type": "subscribe", "plan": "plus"},
                             {"date": "2026-06-12", "type": "subscribe", "plan": "pro", "trial": True}]})
    assert error.value.path == ("events", 1, "trial")


def test_a_second_refund_keeps_the_plan_an_earlier_refund_ended():
    result = simulate({"registered": "2026-02-08", "days": 31, "usage": {"by_date": {"2026-03-08": 3000}},
                       "events": [{"date": "2026-02-11", "type": "subscribe", "plan": "plus", "trial": False},
                                  {"date": "2026-02-15", "type": "subscribe", "plan": "pro", "trial": False},
                                  {"date": "2026-02-15", "type": "cancel"},
                                  {"date": "2026-03-07", "type": "subscribe", "plan": "plus", "trial": False},
                                  {"date": "2026-03-10", "type": "cancel"}]})
    refund_day = day(result, "2026-03-10")
    assert (refund_day["plan"], refund_day["balance"], refund_day["restricted"]) == ("free", -1500, True)
    assert {d["plan"] for d in result["days"] if "2026-02-15" <= d["date"] < "2026-03-07"} == {"free"}
    assert result["summary"]["usd_total"] == PLUS_USD  # the 02-11 Plus charge was never refunded


def test_next_cycle_return_gets_the_free_allowance_when_the_plan_ends_on_a_cycle_date():
    result = simulate({"registered": "2026-03-01", "days": 40, "policy": {"free_allowance_on_return": "next_cycle"},
                       "events": [{"date": "2026-03-01", "type": "subscribe", "plan": "plus", "trial": False},
                                  {"date": "2026-03-15", "type": "cancel"}]})
    assert entries(result, date="2026-04-01", kind="monthly") == [("2026-04-01", "monthly", "monthly", FREE)]
    assert day(result, "2026-04-01")["plan"] == "free"


# --- top-up ids and event order ----------------------------------------------------------

def test_two_top_ups_on_one_day_are_told_apart_by_id():
    events = [{"date": "2026-01-12", "type": "topup", "usd": 5, "id": "small"},
              {"date": "2026-01-12", "type": "topup", "usd": 50, "id": "big"},
              {"date": "2026-01-13", "type": "cancel_topup", "id": "big"}]
    result = simulate({"registered": "2026-01-10", "days": 5, "events": events})
    assert charges(result)[-1] == ("2026-01-13", "refund", -50)
    assert day(result, "2026-01-13")["buckets"]["topup"] == 5 * PER_USD
    with pytest.raises(ScenarioError) as error:  # by date, the two cannot be told apart
        simulate({"registered": "2026-01-10", "days": 5,
                  "events": events[:2] + [{"date": "2026-01-13", "type": "cancel_topup", "of": "2026-01-12"}]})
    assert error.value.path == ("events", 2, "of") and "give each top-up an id" in error.value.message


def test_events_may_be_listed_in_any_order_and_same_day_events_keep_theirs():
    ordered = [{"date": "2026-01-12", "type": "subscribe", "plan": "plus"},
               {"date": "2026-01-20", "type": "topup", "usd": 5},
               {"date": "2026-01-20", "type": "cancel_topup", "of": "2026-01-20"}]
    shuffled = [ordered[1], ordered[0], ordered[2]]
    assert simulate({"registered": "2026-01-10", "days": 20, "events": ordered})["days"] == \
        simulate({"registered": "2026-01-10", "days": 20, "events": shuffled})["days"]
    with pytest.raises(ScenarioError) as error:  # a cancel listed before its same-day top-up
        simulate({"registered": "2026-01-10", "days": 20, "events": [ordered[2], ordered[1]]})
    assert error.value.path == ("events", 0, "of")


def test_a_renewal_the_recomputed_history_makes_is_charged_on_its_date():
    # Plus renews on 02-10, inside a Pro trial over it; cancelling the trial puts the account
    # back as if the trial had never started, so that renewal happened, and is charged.
    result = simulate({"registered": "2026-01-10", "days": 40, "events": [
        {"date": "2026-01-10", "type": "subscribe", "plan": "plus"},
        {"date": "2026-02-07", "type": "subscribe", "plan": "pro", "trial": True},
        {"date": "2026-02-12", "type": "cancel"}]})
    assert charges(result) == [("2026-01-10", "subscription", PLUS_USD), ("2026-02-10", "subscription", PLUS_USD)]
    assert (day(result, "2026-02-12")["plan"], day(result, "2026-02-12")["cycle_start"]) == ("plus", "2026-02-10")
    renewals = [t for t in result["timeline"] if t["kind"] == "charged" and t["date"] == "2026-02-10"]
    assert len(renewals) == 1 and "renews" in renewals[0]["text"]


def test_a_refund_of_a_plan_priced_0_is_listed_like_its_charge():
    result = simulate({"registered": "2026-01-10", "days": 10, "prices": {"plus": 0},
                       "events": [{"date": "2026-01-10", "type": "subscribe", "plan": "plus"},
                                  {"date": "2026-01-12", "type": "cancel"}]})
    assert charges(result) == [("2026-01-10", "subscription", 0), ("2026-01-12", "refund", 0)]
