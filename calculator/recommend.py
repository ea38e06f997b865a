"""The plan advisor: for a usage profile, what each plan would cost and which is cheapest.

Each option is one plan: for a new account it starts on the registration date (Plus
and Pro with their free trial); for a `start` scenario it is the plan you are on
(nothing to do), a switch to another paid plan on the start date, or Free (cancel the
paid plan so that it ends with its billing cycle). Add-On Packs come in multiples of
`pack_usd` (the scenario's, or policy.toml's [advisor] pack_usd).

First pass: simulate with the option's events, buying the fewest packs on each day
whose usage the balance would not cover; top-up credits never expire, so that is the
cheapest schedule. Second pass: gather each billing cycle's packs into one purchase on
that cycle's first purchase day (the same dollars, bought earlier, so the balance is
never lower) and simulate again with exactly those events: feeding an option's events
back to `simulate` with the same scenario reproduces its `usd_total` and `unmet`.

`break_even` compares neighbouring plans (Free and Plus, Plus and Pro): the usage per
active day from which the bigger plan costs less over the horizon, found by bisection
over `per_active_day` with the rest of the scenario fixed, or None when the bigger
plan is not cheaper even at the top of the search range (beyond it every active day
uses up every credit except top-ups, so the difference no longer changes). Here the
credits a plan does not cover are priced credit for credit (100 credits a dollar), not
in whole packs: pack rounding moves the two totals up and down by a pack with every
small change of usage, which gave thresholds that the options' own totals contradicted
(when a plan's credits cost about what pack credits cost, the totals tie within a
pack at any usage). Credit for credit, the difference grows with usage in practice, so
there is one crossing to find; the options' totals, in whole packs, can still differ
by up to a pack either way near it.
"""

from __future__ import annotations

from datetime import date

from .cycles import add_months
from .model import Bucket, Event, Kind, Scenario
from .policy import PLAN_ORDER, Policy, usd_value
from .simulate import Fold, run_fold
from .timeline import day_text, money_text

ADVISOR = -1  # event indices of the advisor's own events count down from here


def option_events(scenario: Scenario, plan: str, policy: Policy) -> list[Event]:
    """The events that put the account on `plan`."""
    start = scenario.start
    if start is None:
        if plan == "free":
            return []
        trial = policy.plans[plan].trial_days > 0
        return [Event(ADVISOR, scenario.registered, "subscribe", plan=plan, trial=trial)]
    if plan == start.plan:
        return []
    if plan == "free":  # cancel once the refund window of the current charge is over: the plan runs out
        closed = date.fromordinal(start.cycle_start.toordinal() + policy.refund_window_days + 1)
        when = max(start.date, closed)
        last = date.fromordinal(start.date.toordinal() + scenario.days - 1)
        return [Event(ADVISOR, when, "cancel")] if when <= last else []
    trial_ok = (policy.plans[plan].trial_days > 0
                and not (start.trial_used and policy.rule("trial_limit") == "once_per_account")
                and (start.plan == "free" or policy.rule("trial_during_paid_plan") == "allowed"))
    return [Event(ADVISOR, start.date, "subscribe", plan=plan, trial=trial_ok)]


def with_events(scenario: Scenario, events: list[Event]) -> Scenario:
    return scenario._replace(events=tuple(sorted(events, key=lambda e: e.date)))


def first_pass(scenario: Scenario, events: list[Event], policy: Policy, pack_usd: int) -> Fold:
    return run_fold(with_events(scenario, events), policy, pack_usd=pack_usd)


def cycle_packs(fold: Fold, policy: Policy) -> list[tuple[date, int]]:
    """The first pass's packs, gathered into one purchase per billing cycle (split at the size limit)."""
    cycle_of = {d.date: d.cycle_start for d in fold.days}
    per_cycle: dict[date, list] = {}
    for day, usd in fold.bought:
        per_cycle.setdefault(cycle_of[day], [day, 0])[1] += usd
    largest = policy.bounds["topup_usd"][1]
    packs = []
    for day, usd in per_cycle.values():
        while usd > 0:
            packs.append((day, min(usd, largest)))
            usd -= min(usd, largest)
    return packs


def event_json(event: Event) -> dict:
    day = event.date.isoformat()
    if event.type == "subscribe":
        return {"date": day, "type": "subscribe", "plan": event.plan, "trial": event.trial}
    if event.type == "cancel":
        return {"date": day, "type": "cancel"}
    return {"date": day, "type": "topup", "usd": event.usd}


def horizon_months(first: date, days: int) -> float:
    """The horizon in months counted from its first day (a month's part counts by its days)."""
    end = first.toordinal() + days
    whole = 0
    while add_months(first, whole + 1).toordinal() <= end:
        whole += 1
    begin, after = add_months(first, whole).toordinal(), add_months(first, whole + 1).toordinal()
    return whole + (end - begin) / (after - begin)


def price_option(scenario: Scenario, plan: str, policy: Policy, pack_usd: int, months: float) -> dict:
    events = option_events(scenario, plan, policy)
    packs = cycle_packs(first_pass(scenario, events, policy, pack_usd), policy)
    events += [Event(ADVISOR - 1 - k, day, "topup", usd=usd) for k, (day, usd) in enumerate(packs)]
    fold = run_fold(with_events(scenario, events), policy)
    cents = sum(c.cents for c in fold.charges)
    topup_usd = sum(usd for _, usd in packs)
    unmet = sum(d.unmet for d in fold.days)
    return {
        "name": plan,
        "plan": plan,
        "label": policy.plans[plan].label,
        "usd_total": cents,
        "usd_per_month": round(cents / months) if months else cents,
        "topup_usd": topup_usd,
        "packs": topup_usd // pack_usd,
        "unmet": unmet,
        "why": why(scenario, plan, events, fold, policy, pack_usd, months, topup_usd, unmet),
        "events": sorted(events, key=lambda e: e.date),
    }


def why(scenario: Scenario, plan: str, events: list[Event], fold: Fold, policy: Policy, pack_usd: int,
        months: float, topup_usd: int, unmet: int) -> str:
    """One line in plain words: what the plan costs, how much of the usage it covers, what packs add."""
    label = policy.plans[plan].label
    per_month = max(months, 1e-9)
    wanted = sum(d.wanted for d in fold.days)
    from_packs = -sum(e.credits for e in fold.ledger.entries if e.kind is Kind.CONSUME and e.bucket is Bucket.TOPUP)
    covered = sum(d.consumed for d in fold.days) - from_packs
    moves = {e.type: e for e in events if e.type != "topup"}
    if "cancel" in moves:
        current = policy.plans[scenario.start.plan].label
        head = (f"Cancel {current} on {day_text(moves['cancel'].date)}: it runs to the end of its billing cycle, "
                "then you are on Free.")
    elif plan == "free":
        head = "Free has no monthly fee."
    else:
        trial = " after a free trial" if "subscribe" in moves and moves["subscribe"].trial else ""
        switch = "Stay on" if "subscribe" not in moves and scenario.start is not None else (
            "Switch to" if scenario.start is not None else "")
        price = money_text(policy.plans[plan].price_cents)
        head = f"{switch + ' ' if switch else ''}{label}: {price} a month{trial}."
    if wanted == 0:
        return f"{head} You use no credits in this horizon."
    cover = (f" Its allowance and the daily credits cover about {covered / per_month:,.0f} of the "
             f"{wanted / per_month:,.0f} credits you use a month")
    packs = topup_usd // pack_usd
    rest = (f"; the rest is {money_text(topup_usd * 100)} of Add-On Packs ({packs} {'pack' if packs == 1 else 'packs'}"
            f" of {money_text(pack_usd * 100)})." if topup_usd else ", with no Add-On Packs needed.")
    short = f" {unmet:,} credits of usage still go unserved." if unmet else ""
    return head + cover + rest + short


# --- break-even ------------------------------------------------------------------------------

def search_top(scenario: Scenario, policy: Policy) -> int:
    """Usage per active day at which every active day uses up every credit but top-ups, on any plan."""
    start_credits = sum(scenario.start.credits) if scenario.start is not None else 0
    most = max(p.monthly_credits for p in policy.plans.values())
    bonuses = policy.signup_bonus + policy.invite_bonus * len(scenario.invites)
    return min(policy.bounds["credits_per_day"][1], most + policy.daily_credits + bonuses + start_credits)


def break_even(scenario: Scenario, policy: Policy) -> list[dict]:
    costs: dict[tuple[str, int], int] = {}

    def cost(plan: str, per_day: int) -> int:
        """The plan's charges over the horizon and what it leaves unserved, bought credit for credit
        (in cents times credits_per_usd, so that no fraction of a cent is rounded away)."""
        if (plan, per_day) not in costs:
            profile = scenario._replace(usage=scenario.usage._replace(per_active_day=per_day))
            fold = run_fold(with_events(profile, option_events(profile, plan, policy)), policy)
            unserved = sum(d.unmet for d in fold.days)
            costs[plan, per_day] = sum(c.cents for c in fold.charges) * policy.credits_per_usd + unserved * 100
        return costs[plan, per_day]

    top = search_top(scenario, policy)
    out = []
    for small, big in zip(PLAN_ORDER, PLAN_ORDER[1:]):
        cheaper = lambda u: cost(big, u) < cost(small, u)  # noqa: E731
        if not cheaper(top):
            found = None
        elif cheaper(0):
            found = 0
        else:
            low, high = 0, top  # not cheaper at low, cheaper at high
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (low, middle) if cheaper(middle) else (middle, high)
            found = high
        out.append({"from": small, "to": big, "per_active_day": found})
    return out


# --- the public function -------------------------------------------------------------------

def recommend(scenario: Scenario, policy: Policy) -> dict:
    pack_usd = scenario.pack_usd or policy.pack_usd
    first = scenario.first_day
    months = horizon_months(first, scenario.days)
    options = [price_option(scenario, plan, policy, pack_usd, months) for plan in PLAN_ORDER]
    # Cheapest first; on a tie the smaller plan first (PLAN_ORDER), as sorted() is stable.
    options.sort(key=lambda o: o["usd_total"])
    meets_all = [o for o in options if o["unmet"] == 0]
    best = meets_all[0] if meets_all else min(options, key=lambda o: o["unmet"])
    for option in options:
        option["usd_total"] = usd_value(option["usd_total"])
        option["usd_per_month"] = usd_value(option["usd_per_month"])
        option["events"] = [event_json(e) for e in option["events"]]
    last = date.fromordinal(first.toordinal() + scenario.days - 1)
    return {
        "schema": 1,
        "horizon": {"from": first.isoformat(), "to": last.isoformat(), "days": scenario.days,
                    "months": int(months) if months == int(months) else round(months, 2)},
        "pack_usd": pack_usd,
        "options": options,
        "recommended": best["name"],
        "break_even": break_even(scenario, policy),
    }
