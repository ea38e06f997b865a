"""The reference model: the credit rules written for clarity, not speed.

Built from the written rules only (shared/product-facts.md, the sentence of each
setting value in calculator/policy.toml, calculator/README.md, the engine v2
contract), never from the engine's code, so that it can disagree with it.
Only input parsing is shared (`calculator.scenario.parse_scenario`).

Shape. The account is a pure function of two things: the *history* (the scenario's
events as they stand after the cancellations resolved so far) and the consumption
already observed. `fold` derives the whole account from its first day with
one history, from scratch. A cancel that needs the account recomputed (a trial
cancelled, a charge or an Add-On Pack refunded) stops the fold; the history is
rewritten (the purchase taken out, the outcome written in as a marker) and the
account is folded again from scratch, spending on every earlier day exactly what
was consumed that day. The result is stitched from those folds at the cancel
moments, and the refund entries are the per-bucket difference of the ledgers at
that moment. No state is carried from one fold to the next.
"""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import date, timedelta
from typing import NamedTuple

from calculator.errors import ScenarioError
from calculator.policy import Policy, load_policy
from calculator.scenario import parse_scenario

BUCKETS = ("daily", "monthly", "bonus", "topup")
GRANT_KINDS = ("start", "register", "invite", "monthly", "daily", "topup")
SPENDING_ORDERS = {
    "daily_monthly_bonus_topup": ("daily", "monthly", "bonus", "topup"),
    "daily_bonus_monthly_topup": ("daily", "bonus", "monthly", "topup"),
}

# The steps of a day, in order (calculator/README.md, "Order within a day"); OPEN is the
# opening balance of a `start` scenario, before anything else on its first day.
OPEN, EXPIRE, CYCLE, GRANT, EVENT, SPEND = 0, 1, 2, 3, 4, 5


class Moment(NamedTuple):
    """When something happens: the day, the step of the day, and for events their
    place in the scenario's list (same-day events run in listed order)."""

    day: date
    step: int
    position: int = 0


# --- calendar ------------------------------------------------------------------------------

def days_in_month(year: int, month: int) -> int:
    return calendar.mdays[month] + (month == 2 and calendar.isleap(year))


def add_months(anchor: date, months: int) -> date:
    """`anchor` plus whole months, counted from the anchor, clamped to the month's end."""
    index = anchor.month - 1 + months
    year, month = anchor.year + index // 12, index % 12 + 1
    return date(year, month, min(anchor.day, days_in_month(year, month)))


def cycle_start(anchor: date, day: date) -> date:
    """The start of the cycle (counted from `anchor`) that `day` falls in."""
    months = (day.year - anchor.year) * 12 + day.month - anchor.month
    return add_months(anchor, months) if add_months(anchor, months) <= day else add_months(anchor, months - 1)


def next_cycle_date(anchor: date, day: date) -> date:
    """The first cycle date (counted from `anchor`) after `day`."""
    months = (day.year - anchor.year) * 12 + day.month - anchor.month
    return add_months(anchor, months) if add_months(anchor, months) > day else add_months(anchor, months + 1)


def is_cycle_date(anchor: date, day: date) -> bool:
    return day >= anchor and cycle_start(anchor, day) == day


# --- the history ---------------------------------------------------------------------------

class Step(NamedTuple):
    """One item of the history: a scenario event, or a marker a resolved cancel left.

    kind: subscribe | topup | cancel | cancel_topup (the user's events), or
          to_free    (a refund's outcome: the account is on Free from this moment),
          trial_used (a removed subscription whose trial still counts as used)."""

    index: int
    date: date
    kind: str
    plan: str | None = None
    trial: bool = False
    usd: int = 0
    of: date | None = None
    id: str | None = None


class History(NamedTuple):
    steps: tuple[Step, ...]
    no_renewal: frozenset[date] = frozenset()  # refunded renewals: the plan ends on that date instead


def history_of(events) -> History:
    return History(tuple(Step(e.index, e.date, e.type, e.plan, e.trial, e.usd, e.of, getattr(e, "id", None))
                         for e in events))


class Stop(NamedTuple):
    """A cancel that needs the account recomputed, met at `moment` by a fold."""

    moment: Moment
    what: str                  # trial | refund | topup
    cancel: int                # the cancel event's index
    purchase: int              # the subscribe or topup event it undoes
    cents: int = 0             # money refunded
    plan: str | None = None    # the refunded plan (None for a top-up)
    renewal: date | None = None  # the refunded charge was the renewal of this date
    over_paid: bool = False    # a cancelled trial that had started while a paid plan ran


def rewrite(history: History, stop: Stop) -> History:
    """The history as if the undone purchase had never been made, keeping every other outcome."""
    steps, no_renewal = [], history.no_renewal
    for step in history.steps:
        if step.index == stop.purchase and stop.renewal is None:
            if step.kind == "subscribe" and step.trial:
                steps.append(Step(step.index, step.date, "trial_used"))
        elif step.index == stop.cancel:
            if stop.what == "refund":
                steps.append(Step(step.index, step.date, "to_free"))
        else:
            steps.append(step)
    if stop.renewal is not None:
        no_renewal = no_renewal | {stop.renewal}
    return History(tuple(steps), no_renewal)


# --- one fold: the account derived from scratch with one history -------------------------

class Entry(NamedTuple):
    moment: Moment
    kind: str
    bucket: str
    credits: int


class Charge(NamedTuple):
    moment: Moment
    kind: str    # subscription | topup | refund
    cents: int
    plan: str | None


class Day(NamedTuple):
    date: date
    plan: str
    cycle_start: date
    wanted: int
    consumed: int
    unmet: int
    buckets: dict
    restricted: bool


class Plan(NamedTuple):
    """The plan in force. status: free | trial | paid."""

    name: str = "free"
    status: str = "free"
    index: int = -1                 # the subscribe event that started it
    trial_start: date | None = None
    trial_end: date | None = None   # the first charge falls on this day
    anchor: date | None = None      # the first successful charge
    ends: date | None = None        # cancelled late: back to Free on this day
    charged: date | None = None     # the last charge
    charged_cents: int = 0
    first_charge: bool = True       # the last charge is the subscription's first
    history: bool = False           # the last charge was made before a `start` scenario begins
    over_paid: bool = False         # a trial that started while a paid plan ran


FREE = Plan()


class Fold(NamedTuple):
    entries: list[Entry]
    charges: list[Charge]
    days: list[Day]
    stop: Stop | None


class Block:
    """A grant still (partly) there: `amount` credits in `bucket`, gone on `expires`."""

    __slots__ = ("bucket", "amount", "expires")

    def __init__(self, bucket: str, amount: int, expires: date | None) -> None:
        self.bucket, self.amount, self.expires = bucket, amount, expires


class Account:
    """The credits of one fold: blocks (oldest first) and a deficit kept in `topup`."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.deficit = 0
        self.entries: list[Entry] = []

    def write(self, moment: Moment, kind: str, bucket: str, credits: int) -> None:
        if credits:
            self.entries.append(Entry(moment, kind, bucket, credits))

    def grant(self, moment: Moment, kind: str, bucket: str, amount: int, expires: date | None) -> None:
        """Credits arriving: they pay off a negative balance first (deficit_repayment=first)."""
        repaid = min(self.deficit, amount)
        self.deficit -= repaid
        self.write(moment, kind, "topup", repaid)
        if amount - repaid:
            self.blocks.append(Block(bucket, amount - repaid, expires))
            self.write(moment, kind, bucket, amount - repaid)

    def expire_due(self, moment: Moment, today: date) -> None:
        for block in self.blocks:
            if block.expires == today:
                self.write(moment, "expire", block.bucket, -block.amount)
        self.blocks = [b for b in self.blocks if b.expires != today and b.amount]

    def expire_bucket(self, moment: Moment, bucket: str) -> None:
        for block in self.blocks:
            if block.bucket == bucket:
                self.write(moment, "expire", bucket, -block.amount)
        self.blocks = [b for b in self.blocks if b.bucket != bucket and b.amount]

    def forgive(self, moment: Moment) -> None:
        self.write(moment, "forgive", "topup", self.deficit)
        self.deficit = 0

    def spend(self, moment: Moment, amount: int, order: tuple[str, ...], overdraw: bool) -> int:
        """Spend up to `amount` (all of it if `overdraw`), oldest block first in each bucket."""
        left = amount
        for bucket in order:
            for block in self.blocks:
                if block.bucket == bucket and left and block.amount:
                    taken = min(block.amount, left)
                    block.amount -= taken
                    left -= taken
                    self.write(moment, "consume", bucket, -taken)
        if left and overdraw:
            self.deficit += left
            self.write(moment, "consume", "topup", -left)
            left = 0
        self.blocks = [b for b in self.blocks if b.amount]
        return amount - left

    def buckets(self) -> dict:
        out = {bucket: sum(b.amount for b in self.blocks if b.bucket == bucket) for bucket in BUCKETS}
        out["topup"] -= self.deficit
        return out


def refund_window_open(policy: Policy, bought: date, today: date) -> bool:
    elapsed = (today - bought).days
    if policy.rule("refund_window_edge") == "inclusive":
        return elapsed <= policy.refund_window_days
    return elapsed < policy.refund_window_days


class Opening(NamedTuple):
    """How the account stands on the first simulated day, before that day's steps."""

    plan: Plan
    free_anchor: date | None       # Free cycles count from here (None: from the day a plan ends)
    trial_used: bool
    credits: dict[str, int]        # the opening balance per bucket (a `start` scenario)
    daily_granted: bool            # today's daily credits are in the opening balance


def opening(data: dict, scenario, policy: Policy) -> Opening:
    """A new account opens on Free on its registration date. A `start` scenario opens as its
    dashboard reads (the contract's "start from today"), split as start_balance_split says:
    Add-On Pack, bonus and daily credits as given, the rest monthly up to the plan's
    allowance, anything above that bonus. Read from the raw input on purpose: only the
    validation is shared with the engine."""
    if scenario.start is None:
        return Opening(FREE, scenario.registered, False, {}, False)
    raw = data["start"]
    given = raw["credits"]
    name = raw["plan"]
    anchor = date.fromisoformat(raw.get("cycle_start") or raw["renews_on"])
    today = date.fromisoformat(raw["date"])
    rest = given["total"] - given.get("topup", 0) - given.get("bonus", 0) - given.get("daily", 0)
    monthly = min(rest, policy.plans[name].monthly_credits)
    credits = {"daily": given.get("daily", 0), "monthly": monthly, "bonus": given.get("bonus", 0) + rest - monthly,
               "topup": given.get("topup", 0)}
    registered = date.fromisoformat(raw["registered"]) if "registered" in raw else None
    if name == "free":
        plan, free_anchor = FREE, registered or anchor
    else:
        plan = Plan(name, "paid", anchor=anchor, charged=cycle_start(anchor, today),
                    charged_cents=policy.plans[name].price_cents, history=True)
        free_anchor = registered
    return Opening(plan, free_anchor, raw.get("trial_used", False), credits, "daily" in given)


def fail(index: int, field: str, message: str) -> ScenarioError:
    return ScenarioError(message, ("events", index, field))


def fold(scenario, policy: Policy, opened: Opening, history: History, kept: dict[date, int]) -> Fold:
    """The whole account under `history`, from the first day, from scratch.

    On a day in `kept`, exactly that much is spent (into a negative balance if need be):
    the consumption that really happened. Stops at the first cancel that needs a
    recomputation, before applying it."""
    account = Account()
    first_day = scenario.start.date if scenario.start is not None else scenario.registered
    rule = policy.rule
    order = SPENDING_ORDERS[rule("spending_order")]
    charges: list[Charge] = []
    days: list[Day] = []
    plan, free_anchor, trial_used = opened.plan, opened.free_anchor, opened.trial_used
    live_topups: dict[int, Step] = {}
    by_date = dict(scenario.usage.by_date)
    invites = list(scenario.invites)
    steps_on: dict[date, list[Step]] = {}
    for step in history.steps:
        steps_on.setdefault(step.date, []).append(step)

    def price(name: str) -> int:
        return policy.plans[name].price_cents

    def bonus_expiry(today: date) -> date | None:
        """The end of the cycle in force when granted; in a trial, the end of the first paid cycle."""
        if rule("bonus_expiry") == "never":
            return None
        if plan.status == "trial":
            return add_months(plan.trial_end, 1)
        if plan.status == "paid":
            return next_cycle_date(plan.anchor, today)
        return next_cycle_date(free_anchor, today)

    def new_cycle(moment: Moment) -> None:
        if rule("deficit_at_new_cycle") == "forgive" and account.deficit:
            account.forgive(moment)

    def free_allowance(moment: Moment, today: date) -> None:
        account.grant(moment, "monthly", "monthly", policy.plans["free"].monthly_credits,
                      next_cycle_date(free_anchor, today))

    def back_to_free(moment: Moment, today: date) -> Plan:
        """A plan ends: the account is on Free (a cycle start, README), with the Free allowance
        at once, or (next_cycle) from the next registration cycle date unless this is one.
        Without a registration date (a `start` scenario), Free cycles count from this day."""
        nonlocal free_anchor
        if free_anchor is None:
            free_anchor = today
        account.expire_bucket(moment, "monthly")
        new_cycle(moment)
        if rule("free_allowance_on_return") == "full" or is_cycle_date(free_anchor, today):
            free_allowance(moment, today)
        return FREE

    def paid_allowance(moment: Moment, name: str, anchor: date, today: date) -> None:
        new_cycle(moment)
        account.grant(moment, "monthly", "monthly", policy.plans[name].monthly_credits,
                      next_cycle_date(anchor, today))

    if scenario.start is not None:  # the opening balance, one entry per bucket
        moment = Moment(first_day, OPEN)
        expiries = {"daily": first_day + timedelta(1),
                    "monthly": next_cycle_date(plan.anchor if plan.status == "paid" else free_anchor, first_day),
                    "bonus": bonus_expiry(first_day), "topup": None}
        for bucket in BUCKETS:
            account.grant(moment, "start", bucket, opened.credits[bucket], expiries[bucket])

    for n in range(scenario.days):
        today = first_day + timedelta(n)
        opening_day = scenario.start is not None and n == 0  # steps 1 and 2 are in the opening balance

        # 1. expiries dated today (the first day the credits are gone)
        account.expire_due(Moment(today, EXPIRE), today)

        # 2. the day's cycle start
        moment = Moment(today, CYCLE)
        if opening_day:
            pass
        elif plan.status == "trial" and today == plan.trial_end:
            charges.append(Charge(moment, "subscription", price(plan.name), plan.name))
            plan = plan._replace(status="paid", anchor=today, charged=today, charged_cents=price(plan.name),
                                 first_charge=True)
            paid_allowance(moment, plan.name, today, today)
        elif plan.status == "paid" and today > plan.charged and is_cycle_date(plan.anchor, today):
            if today == plan.ends or today in history.no_renewal:
                plan = back_to_free(moment, today)
            else:
                charges.append(Charge(moment, "subscription", price(plan.name), plan.name))
                plan = plan._replace(charged=today, charged_cents=price(plan.name), first_charge=False, history=False)
                paid_allowance(moment, plan.name, plan.anchor, today)
        elif plan.status == "free" and is_cycle_date(free_anchor, today):
            new_cycle(moment)
            free_allowance(moment, today)

        # 3. grants
        moment = Moment(today, GRANT)
        wanted = by_date.get(today, scenario.usage.per_active_day if today.weekday() in scenario.usage.weekdays
                             else 0)
        if today == scenario.registered:
            account.grant(moment, "register", "bonus", policy.signup_bonus, bonus_expiry(today))
        for _ in range(invites.count(today)):
            account.grant(moment, "invite", "bonus", policy.invite_bonus, bonus_expiry(today))
        if (wanted > 0 or rule("daily_grant") == "every_day") and not (opening_day and opened.daily_granted):
            account.grant(moment, "daily", "daily", policy.daily_credits, today + timedelta(1))

        # 4. the day's events, in listed order
        for step in steps_on.get(today, []):
            moment = Moment(today, EVENT, step.index)
            if step.kind == "subscribe":
                if step.plan == plan.name and plan.status != "free" and plan.ends is None:
                    raise fail(step.index, "plan", f"the account is already on {step.plan}")
                if step.trial:
                    if rule("trial_limit") == "once_per_account" and trial_used:
                        raise fail(step.index, "trial", "the account already had its free trial")
                    if rule("trial_during_paid_plan") == "refused" and plan.status == "paid":
                        raise fail(step.index, "trial", "a trial cannot start while a paid plan runs")
                    trial_used = True
                    account.expire_bucket(moment, "monthly")
                    end = today + timedelta(policy.plans[step.plan].trial_days)
                    plan = Plan(step.plan, "trial", step.index, trial_start=today, trial_end=end,
                                over_paid=plan.status == "paid")
                    new_cycle(moment)
                    account.grant(moment, "monthly", "monthly", policy.plans[step.plan].monthly_credits, end)
                else:
                    charges.append(Charge(moment, "subscription", price(step.plan), step.plan))
                    account.expire_bucket(moment, "monthly")
                    plan = Plan(step.plan, "paid", step.index, anchor=today, charged=today,
                                charged_cents=price(step.plan), first_charge=True)
                    paid_allowance(moment, step.plan, today, today)
            elif step.kind == "trial_used":
                trial_used = True
            elif step.kind == "to_free":
                if plan.status != "free":
                    plan = back_to_free(moment, today)
            elif step.kind == "topup":
                charges.append(Charge(moment, "topup", step.usd * 100, None))
                account.grant(moment, "topup", "topup", step.usd * policy.credits_per_usd, None)
                live_topups[step.index] = step
            elif step.kind == "cancel_topup":
                field = "id" if step.id is not None else "of"
                bought = [t for t in live_topups.values()
                          if (t.id == step.id if step.id is not None else t.date == step.of)]
                if not bought:
                    raise fail(step.index, field, "no such top-up is still live")
                if len(bought) > 1:
                    raise fail(step.index, field, "two top-ups that day: give them ids")
                if not refund_window_open(policy, bought[0].date, today):
                    raise fail(step.index, field, "outside the refund window")
                return Fold(account.entries, charges, days,
                            Stop(moment, "topup", step.index, bought[0].index, bought[0].usd * 100))
            elif step.kind == "cancel":
                if plan.status == "free":
                    raise fail(step.index, "type", "nothing to cancel")
                if plan.status == "trial":
                    return Fold(account.entries, charges, days,
                                Stop(moment, "trial", step.index, plan.index, over_paid=plan.over_paid))
                if plan.ends is not None:
                    raise fail(step.index, "type", "the plan is already cancelled")
                if plan.history and refund_window_open(policy, plan.charged, today):
                    raise fail(step.index, "type", "this would refund a charge made before the simulation starts")
                refundable = refund_window_open(policy, plan.charged, today) and (
                    plan.first_charge or rule("renewal_refund") == "full")
                if refundable:
                    return Fold(account.entries, charges, days,
                                Stop(moment, "refund", step.index, plan.index, plan.charged_cents, plan.name,
                                     None if plan.first_charge else plan.charged))
                plan = plan._replace(ends=next_cycle_date(plan.anchor, today))  # runs to the end of the paid cycle
            else:
                raise AssertionError(step)

        # 5. spending
        moment = Moment(today, SPEND)
        if today in kept:
            consumed = account.spend(moment, kept[today], order, overdraw=True)
        else:
            consumed = account.spend(moment, wanted, order, overdraw=rule("overdraft") == "allow")
        buckets = account.buckets()
        cycle = (plan.trial_start if plan.status == "trial" else
                 cycle_start(plan.anchor, today) if plan.status == "paid" else cycle_start(free_anchor, today))
        unmet = wanted - consumed
        days.append(Day(today, plan.name, cycle, wanted, consumed, unmet, buckets,
                        unmet > 0 or sum(buckets.values()) < 0))
    return Fold(account.entries, charges, days, None)


# --- the result, stitched from the folds --------------------------------------------------

def usd(cents: int) -> int | float:
    return cents // 100 if cents % 100 == 0 else round(cents / 100, 2)


def totals(entries) -> dict[str, int]:
    out = dict.fromkeys(BUCKETS, 0)
    for entry in entries:
        out[entry.bucket] += entry.credits
    return out


def policy_for(data: dict) -> tuple:
    base = load_policy()
    scenario = parse_scenario(data, base)
    policy = base.with_overrides(dict(scenario.policy))
    prices = getattr(scenario, "prices", None)
    if prices:
        policy = policy.with_prices(dict(prices))
    return scenario, policy


def simulate(data: dict, trace: list | None = None) -> dict:
    """The simulate result (days, ledger, charges, summary) for scenario data; raises ScenarioError.
    Every cancel that recomputed the account is appended to `trace` (a Stop), if given."""
    scenario, policy = policy_for(data)
    opened = opening(data, scenario, policy)
    if opened.trial_used and policy.rule("trial_limit") == "once_per_account":
        for event in scenario.events:  # the dashboard says the trial is used: any trial is refused up front
            if event.type == "subscribe" and event.trial:
                raise fail(event.index, "trial", "the account already had its free trial (start.trial_used)")
    history = history_of(scenario.events)
    entries: list[Entry] = []
    charges: list[Charge] = []
    days: list[Day] = []
    resumed: Stop | None = None
    while True:
        kept = {d.date: d.consumed for d in days}
        folded = fold(scenario, policy, opened, history, kept)
        if resumed is not None:
            # the refund entries: recomputed minus real, per bucket, at the cancel's moment
            recomputed = totals(e for e in folded.entries if e.moment <= resumed.moment)
            real = totals(entries)
            entries += [Entry(resumed.moment, "refund", b, recomputed[b] - real[b]) for b in BUCKETS
                        if recomputed[b] != real[b]]
            # Money follows the recomputed history: a charge it makes before the cancel that the
            # real history did not (a renewal of a paid plan under a cancelled trial) is charged.
            missed = Counter(c for c in folded.charges if c.moment <= resumed.moment) - Counter(charges)
            charges += list(missed.elements())
            # A cancelled trial costs nothing; a refund is listed even of 0 USD (a plan priced 0).
            if resumed.what != "trial":
                charges.append(Charge(resumed.moment, "refund", -resumed.cents, resumed.plan))
        after = (lambda m: m > resumed.moment) if resumed is not None else (lambda m: True)
        entries += [e for e in folded.entries if after(e.moment)]
        charges += [c for c in folded.charges if after(c.moment)]
        days += [d for d in folded.days if resumed is None or d.date >= resumed.moment.day]
        if folded.stop is None:
            break
        resumed = folded.stop
        history = rewrite(history, folded.stop)
        if trace is not None:
            trace.append(folded.stop)
    return render(entries, charges, days)


def render(entries: list[Entry], charges: list[Charge], days: list[Day]) -> dict:
    ledger, balance = [], 0
    for e in entries:
        balance += e.credits
        ledger.append({"date": e.moment.day.isoformat(), "kind": e.kind, "bucket": e.bucket,
                       "credits": e.credits, "balance_after": balance})
    day_docs = []
    for d in days:
        balance = sum(d.buckets.values())
        day_docs.append({"date": d.date.isoformat(), "plan": d.plan, "cycle_start": d.cycle_start.isoformat(),
                         "wanted": d.wanted, "consumed": d.consumed, "unmet": d.unmet, "buckets": d.buckets,
                         "balance": balance, "displayed_balance": max(0, balance), "restricted": d.restricted})
    restricted = [d.date.isoformat() for d in days if d.restricted]
    summary = {
        "usd_total": usd(sum(c.cents for c in charges)),
        "credits_added": sum(e.credits for e in entries if e.kind in GRANT_KINDS or e.kind in ("refund", "forgive")),
        "credits_consumed": sum(d.consumed for d in days),
        "unmet": sum(d.unmet for d in days),
        "first_restricted_day": restricted[0] if restricted else None,
        "end_balance": day_docs[-1]["balance"],
    }
    return {
        "days": day_docs,
        "ledger": ledger,
        "charges": [{"date": c.moment.day.isoformat(), "kind": c.kind, "usd": usd(c.cents), "plan": c.plan}
                    for c in sorted(charges, key=lambda c: c.moment.day)],
        "summary": summary,
    }
