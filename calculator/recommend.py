"""The plan advisor: for a usage profile, what each plan would cost and which is cheapest.

Each option starts its plan on the registration date (Plus and Pro with their free
trial) and buys the fewest whole-dollar top-ups needed, on the day they are needed:
top-up credits never expire, so buying later or less can only leave demand unmet.
The options' events, fed back to `simulate` with the same scenario, reproduce their
`usd_total` and `unmet` exactly (the advisor's top-ups are the last events of their day).
"""

from __future__ import annotations

from .model import Event, Scenario
from .policy import PLAN_ORDER, Policy
from .simulate import run_account


def plan_events(scenario: Scenario, plan: str, policy: Policy) -> tuple[Event, ...]:
    if plan == "free":
        return ()
    trial = policy.plans[plan].trial_days > 0
    return (Event(index=0, date=scenario.registered, type="subscribe", plan=plan, trial=trial),)


def recommend(scenario: Scenario, policy: Policy) -> dict:
    options = []
    for plan in PLAN_ORDER:
        events = plan_events(scenario, plan, policy)
        account = run_account(scenario._replace(events=events), policy, auto_topup=True)
        listed = [{"date": e.date.isoformat(), "type": e.type, "plan": e.plan, "trial": e.trial}
                  for e in events] + account.bought
        options.append({
            "name": plan,
            "plan": plan,
            "label": policy.plans[plan].label,
            "usd_total": sum(c.usd for c in account.charges),
            "unmet": sum(d.unmet for d in account.days),
            "topup_usd": sum(e["usd"] for e in account.bought),
            "events": listed,
        })
    # Cheapest first; on a tie the smaller plan first (PLAN_ORDER), as sorted() is stable.
    options.sort(key=lambda o: o["usd_total"])
    meets_all = [o for o in options if o["unmet"] == 0]
    best = meets_all[0] if meets_all else min(options, key=lambda o: o["unmet"])
    return {"schema": 1, "options": options, "recommended": best["name"]}
