"""The plan advisor: for a usage profile, what each plan would cost and which is cheapest.

Each option starts its plan on the registration date (Plus and Pro with their free
trial) and tops up as needed. First pass: buy the fewest whole dollars of credits
on each day demand would go unmet; that is the cheapest schedule, since top-up
credits never expire. Second pass: gather each billing cycle's purchases into one
pack bought on that cycle's first purchase day (the same dollars, bought earlier,
so the balance is never lower), and simulate again with exactly those events. The
options' events, fed back to `simulate` with the same scenario, reproduce their
`usd_total` and `unmet` exactly.
"""

from __future__ import annotations

from datetime import date

from .model import Event, Scenario
from .policy import PLAN_ORDER, Policy
from .simulate import run_account


def plan_events(scenario: Scenario, plan: str, policy: Policy) -> list[Event]:
    if plan == "free":
        return []
    trial = policy.plans[plan].trial_days > 0
    return [Event(index=0, date=scenario.registered, type="subscribe", plan=plan, trial=trial)]


def cycle_packs(account, policy: Policy) -> list[tuple[date, int]]:
    """The first pass's top-ups, one pack (or several at the size limit) per billing cycle."""
    cycle_of = {d.date.isoformat(): d.cycle_start for d in account.days}
    per_cycle: dict[date, list] = {}
    for bought in account.bought:
        day, usd = bought["date"], bought["usd"]
        entry = per_cycle.setdefault(cycle_of[day], [date.fromisoformat(day), 0])
        entry[1] += usd
    largest = policy.bounds["topup_usd"][1]
    packs = []
    for day, usd in per_cycle.values():
        while usd > 0:
            packs.append((day, min(usd, largest)))
            usd -= min(usd, largest)
    return packs


def event_json(event: Event) -> dict:
    if event.type == "subscribe":
        return {"date": event.date.isoformat(), "type": "subscribe", "plan": event.plan, "trial": event.trial}
    return {"date": event.date.isoformat(), "type": "topup", "usd": event.usd}


def price_plan(scenario: Scenario, plan: str, policy: Policy) -> dict:
    events = plan_events(scenario, plan, policy)
    first_pass = run_account(scenario._replace(events=tuple(events)), policy, auto_topup=True)
    for day, usd in cycle_packs(first_pass, policy):
        events.append(Event(index=len(events), date=day, type="topup", usd=usd))
    account = run_account(scenario._replace(events=tuple(events)), policy)
    return {
        "name": plan,
        "plan": plan,
        "label": policy.plans[plan].label,
        "usd_total": sum(c.usd for c in account.charges),
        "unmet": sum(d.unmet for d in account.days),
        "topup_usd": sum(e.usd for e in events),
        "events": [event_json(e) for e in events],
    }


def recommend(scenario: Scenario, policy: Policy) -> dict:
    options = [price_plan(scenario, plan, policy) for plan in PLAN_ORDER]
    # Cheapest first; on a tie the smaller plan first (PLAN_ORDER), as sorted() is stable.
    options.sort(key=lambda o: o["usd_total"])
    meets_all = [o for o in options if o["unmet"] == 0]
    best = meets_all[0] if meets_all else min(options, key=lambda o: o["unmet"])
    return {"schema": 1, "options": options, "recommended": best["name"]}
