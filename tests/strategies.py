"""Hypothesis strategies for scenarios in the engine's JSON contract.

`valid_scenarios()` draws scenarios that pass validation; most also make sense in
time (events are built so that cancels follow subscriptions and cancelled top-ups
exist), and the few that don't raise ScenarioError, which callers may assume away.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

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


# --- mixed scenarios: where features meet (the reference model's differential test) -------

# Registration dates where calendars bite: month ends, leap days, the turn of a year.
AWKWARD_DATES = [date(2024, 1, 29), date(2024, 1, 30), date(2024, 1, 31), date(2024, 2, 29), date(2028, 2, 29),
                 date(2027, 1, 29), date(2027, 1, 31), date(2026, 3, 31), date(2026, 5, 31), date(2026, 8, 31),
                 date(2026, 10, 31), date(2026, 12, 31), date(2026, 2, 28), date(2026, 4, 30), date(2027, 12, 30)]
SPIKES = [300, 1200, 2500, 4000, 9000, 20000]  # by_date usage that outruns a balance


class Focus(NamedTuple):
    """What a family of mixed scenarios leans on: relative weights of the user's actions,
    the gaps between events (days), how often the first day is awkward (1 in
    `awkward_odds` is not), how often each many-valued setting is overridden, how often
    the scenario starts from today (1 in `start_odds`; 0 = never) and gives its own
    prices (1 in `prices_odds`)."""

    subscribe: int = 2
    topup: int = 1
    cancel: int = 2
    cancel_topup: int = 2
    gaps: tuple[int, ...] = (0, 0, 1, 2, 3, 4, 6, 7, 8, 10, 14, 20, 27, 30, 31, 33)
    awkward_odds: int = 3
    policy_odds: int = 3
    overdraft_allow: bool = False
    start_odds: int = 6
    prices_odds: int = 5
    motifs: int = 1      # in 6, the next events are one of the MOTIFS


FOCUS = {
    # plan changes, trials (also over a paid plan), refunds of each, a second refund
    "plans": Focus(subscribe=3, topup=1, cancel=3, cancel_topup=1, gaps=(0, 0, 1, 2, 3, 5, 7, 8, 12, 30), motifs=2),
    # Add-On Packs bought and refunded around plans, negative balances
    "topups": Focus(subscribe=1, topup=3, cancel=1, cancel_topup=3, gaps=(0, 0, 1, 2, 4, 7, 8, 15, 31),
                    overdraft_allow=True),
    # renewals, late cancels and returns to Free on month ends and leap days
    "calendar": Focus(subscribe=2, topup=1, cancel=2, cancel_topup=1,
                      gaps=(0, 1, 3, 7, 8, 20, 27, 28, 29, 30, 31, 33, 45, 60), awkward_odds=1, motifs=2),
    # every setting's every value
    "policy": Focus(policy_odds=2),
    # an account as its dashboard shows it today, with its own prices
    "start": Focus(subscribe=2, topup=2, cancel=3, cancel_topup=1, start_odds=1, prices_odds=2, motifs=2),
}


def months_later(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the month's end (a test helper, not the engine's)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(1)).day
    return date(year, month, min(day.day, last))


@st.composite
def first_days(draw, awkward_odds: int = 3) -> date:
    if draw(st.integers(0, awkward_odds)) == 0:
        return draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31)))
    return draw(st.sampled_from(AWKWARD_DATES))


registration_dates = first_days


@st.composite
def mixed_usage(draw, start: date, days: int) -> dict:
    out: dict = {"per_active_day": draw(st.sampled_from([0, 0, 50, 150, 250, 400, 800, 3000]))}
    if draw(st.booleans()):
        out["active_days"] = draw(st.one_of(st.sampled_from(["every_day", "weekdays", "weekends"]),
                                            st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=3, unique=True)))
    spikes = draw(st.lists(st.tuples(st.integers(0, days - 1), st.sampled_from(SPIKES + [0])), max_size=3))
    if spikes:
        out["by_date"] = {iso(start + timedelta(d)): credits for d, credits in spikes}
    return out


@st.composite
def start_from_today(draw, today: date) -> dict:
    """A `start` block: a plan, its cycle (cycle_start or renews_on), a split balance."""
    plan = draw(st.sampled_from(["free", "plus", "pro"]))
    out: dict = {"date": iso(today), "plan": plan}
    registered = None
    if draw(st.booleans()):
        registered = today - timedelta(draw(st.sampled_from([0, 1, 15, 29, 30, 31, 59, 200, 400])))
        out["registered"] = iso(registered)
    if plan == "free" and registered is not None:
        months = (today.year - registered.year) * 12 + today.month - registered.month
        cycle = max(m for m in (months - 1, months) if months_later(registered, m) <= today)
        anchor = months_later(registered, cycle)
    else:
        anchor = today - timedelta(draw(st.integers(0, 30)))
        if months_later(anchor, 1) <= today:
            anchor = today
    if (plan == "free" and registered is not None) or draw(st.booleans()):
        out["cycle_start"] = iso(anchor)
    else:
        out["renews_on"] = iso(months_later(anchor, 1))
    total = draw(st.sampled_from([0, 150, 300, 1700, 2500, 12000]))
    credits: dict = {"total": total}
    left = total
    for part, most in (("daily", 200), ("topup", left), ("bonus", left)):
        if draw(st.booleans()):
            credits[part] = draw(st.integers(0, min(left, most)))
            left -= credits[part]
    out["credits"] = credits
    if draw(st.booleans()):
        out["trial_used"] = draw(st.booleans())
    return out


# Short sequences where refunds meet other features: (gap in days, action[, plan, trial]).
MOTIFS = {
    # a trial over a paid plan, then cancelled (in the trial, or just after its first charge)
    "trial over paid": [((0, 1, 3), "subscribe", "paid"), ((0, 1, 4, 10, 25), "subscribe", "trial"),
                        ((0, 1, 2, 4, 6, 7, 8), "cancel")],
    # a cancel around a renewal: inside its refund window or just after
    "around a renewal": [((0, 1), "subscribe", "paid"), ((29, 30, 31, 33, 35, 37, 38, 39), "cancel")],
    # a plan replacing another, refunded; then a second purchase refunded
    "replace and refund": [((0, 2), "subscribe", "paid"), ((0, 1, 5), "subscribe", "paid"),
                           ((0, 3, 7), "cancel"), ((0, 1, 9, 20), "subscribe", "paid"), ((0, 2, 7, 8), "cancel")],
}


@st.composite
def mixed_events(draw, start: date, days: int, focus: Focus, trial_once: bool, opening: dict | None = None) -> list[dict]:
    """Subscriptions (with and without trials, plan changes, trials over a paid plan),
    top-ups (some with ids, some on one day) and cancellations of each inside and outside
    the refund window, with same-day sequences, and now and then one of the `MOTIFS`;
    from a `start` block's plan if given. A rough model of the account keeps most
    sequences meaningful; the rest are input errors, which the engine and the reference
    must agree on."""
    out: list[dict] = []
    day = 0
    plan = None          # the plan we believe is running
    status = "free"      # free | trial | paid | ending
    anchor = None        # day of the first charge (months count from it)
    trial_used = False
    if opening is not None and opening["plan"] != "free":
        plan, status = opening["plan"], "paid"
        anchor = (date.fromisoformat(opening.get("cycle_start") or opening["renews_on"]) - start).days
        trial_used = opening.get("trial_used", False)
    topups: list[tuple[int, str | None]] = []
    pending: list[tuple] = []

    def last_charge(today: int) -> int:
        months = 0
        while (months_later(start + timedelta(anchor), months + 1) - start).days <= today:
            months += 1
        return (months_later(start + timedelta(anchor), months) - start).days

    for n in range(draw(st.integers(1, 8))):
        if not pending and draw(st.integers(0, 5)) < focus.motifs:
            pending = list(draw(st.sampled_from(sorted(MOTIFS.values()))))
        if pending:
            gaps, kind, *how = pending.pop(0)
            day += draw(st.sampled_from(gaps))
        else:
            day += draw(st.sampled_from(focus.gaps))
            choices = ["subscribe"] * focus.subscribe + ["topup"] * focus.topup
            if status != "free":
                choices += ["cancel"] * focus.cancel
            if topups:
                choices += ["cancel_topup"] * focus.cancel_topup
            kind, how = draw(st.sampled_from(choices)), []
        if day >= days:
            break
        if status == "trial" and day >= anchor:
            status = "paid"  # the trial ended: its first charge fell on `anchor`
        when = iso(start + timedelta(day))
        if kind == "subscribe":
            others = [p for p in ("plus", "pro") if p != plan or status in ("free", "ending")]
            new = draw(st.sampled_from(others))
            can_trial = not trial_used or not trial_once
            trial = can_trial and (how == ["trial"] or (not how and draw(st.booleans())))
            out.append({"date": when, "type": "subscribe", "plan": new, "trial": trial})
            plan, trial_used = new, trial_used or trial
            status, anchor = ("trial", day + POLICY.plans[new].trial_days) if trial else ("paid", day)
        elif kind == "topup":
            event = {"date": when, "type": "topup", "usd": draw(st.sampled_from([1, 5, 10, 30, 100]))}
            if draw(st.integers(0, 2)) == 0:
                event["id"] = f"pack-{n}"
            out.append(event)
            topups.append((day, event.get("id")))
        elif kind == "cancel":
            out.append({"date": when, "type": "cancel"})
            if status == "trial" or (status == "paid" and day - last_charge(day) <= POLICY.refund_window_days):
                status, plan = "free", None
            elif status == "paid":
                status = "ending"
        else:
            bought, pack = topups.pop(draw(st.integers(0, len(topups) - 1)))
            if day - bought > POLICY.refund_window_days + 1:
                continue
            if pack is not None and draw(st.integers(0, 3)):
                out.append({"date": when, "type": "cancel_topup", "id": pack})
            else:
                out.append({"date": when, "type": "cancel_topup", "of": iso(start + timedelta(bought))})
    if len(out) > 1 and draw(st.integers(0, 5)) == 0:
        out = draw(st.permutations(out))  # listed in any order: they happen in date order
    return out


MANY_VALUED = sorted(key for key, setting in POLICY.settings.items() if len(setting.choices) > 1)
PRICES = [0, 0.01, 9.99, 19.99, 20, 89, 100.5, 10000]


@st.composite
def mixed_policy(draw, focus: Focus) -> dict:
    """Overrides of the settings that have more than one value, each value equally likely."""
    keys = draw(st.lists(st.sampled_from(MANY_VALUED), unique=True,
                         max_size=max(1, len(MANY_VALUED) * 2 // focus.policy_odds)))
    chosen = {key: draw(st.sampled_from(sorted(POLICY.settings[key].choices))) for key in sorted(keys)}
    if focus.overdraft_allow and draw(st.booleans()):
        chosen["overdraft"] = "allow"
    return chosen


@st.composite
def mixed_scenarios(draw, focus: Focus = FOCUS["policy"], max_days: int = 150) -> dict:
    """Scenarios aimed where features meet (see `FOCUS`)."""
    first = draw(first_days(focus.awkward_odds))
    days = draw(st.integers(1, max_days))
    opening = None
    if focus.start_odds and draw(st.integers(1, focus.start_odds)) == 1:
        opening = draw(start_from_today(first))
        scenario: dict = {"start": opening, "days": days}
    else:
        scenario = {"registered": iso(first), "days": days}
    if draw(st.integers(0, 4)):
        scenario["usage"] = draw(mixed_usage(first, days))
    invites = draw(st.lists(st.integers(0, days - 1), max_size=3))
    if invites:
        scenario["invites"] = [iso(first + timedelta(d)) for d in invites]
    policy = draw(mixed_policy(focus))
    if policy:
        scenario["policy"] = policy
    if focus.prices_odds and draw(st.integers(1, focus.prices_odds)) == 1:
        scenario["prices"] = draw(st.dictionaries(st.sampled_from(["plus", "pro"]), st.sampled_from(PRICES),
                                                  min_size=1))
    trial_once = policy.get("trial_limit", POLICY.settings["trial_limit"].default) == "once_per_account"
    drawn = draw(mixed_events(first, days, focus, trial_once, opening))
    if drawn:
        scenario["events"] = drawn
    return scenario
