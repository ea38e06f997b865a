"""The engine: a validated scenario in, a day-by-day credit ledger out.

`simulate(scenario, policy)` is a pure function. Inside, one `_Account` folds
the scenario day by day into an append-only ledger of entries against credit
grants (blocks); every balance is a sum of ledger entries. The account is a
local accumulator that never escapes: callers only see the returned dict.

Order within a day (the one total order the engine applies):
1. yesterday's expiries (entries dated today, the first day the credits are gone);
2. the day's cycle start (Free cycle, trial conversion, renewal, return to Free);
3. grants: sign-up bonus, invitation bonuses, the daily credits;
4. the day's events, in the order listed;
5. the day's spending, in the policy's spending order, oldest block first.

A refund (a cancel inside the refund window, a cancelled trial, a cancelled
top-up) recomputes the account as if the purchase had never been made: the
history is replayed from registration without it, with each earlier day's
consumption kept exactly as it happened. The difference between the replayed
buckets and the real ones is written to the ledger as `refund` entries, so the
ledger stays append-only and still sums to the balance.
"""

from __future__ import annotations

import json
from datetime import date
from typing import NamedTuple

from .errors import ScenarioError
from .model import BUCKETS, Block, Bucket, Charge, DayState, Entry, Event, Kind, Scenario
from .policy import Policy

DAILY, MONTHLY, BONUS, TOPUP = BUCKETS

SPENDING_ORDERS = {
    "daily_monthly_bonus_topup": (DAILY, MONTHLY, BONUS, TOPUP),
    "daily_bonus_monthly_topup": (DAILY, BONUS, MONTHLY, TOPUP),
}

# Entry kinds that add credits; `credits_added` in the summary sums these (and refunds, signed).
GRANT_KINDS = frozenset({Kind.REGISTER, Kind.INVITE, Kind.MONTHLY, Kind.DAILY, Kind.TOPUP, Kind.REFUND})

NEVER = 1 << 40  # an ordinal later than any date


# --- calendar --------------------------------------------------------------------------------

def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def add_months(anchor: date, months: int) -> date:
    """The cycle date `months` after `anchor`: same day of month, clamped to the month's end
    (an anchor of Jan 31 gives Feb 28 or 29, then Mar 31 — always counted from the anchor)."""
    year, month0 = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    month = month0 + 1
    return date(year, month, min(anchor.day, days_in_month(year, month)))


def cycle_bounds(anchor: date, today: date) -> tuple[date, date]:
    """The billing cycle counted from `anchor` that contains `today`: (start, next start)."""
    k = (today.year - anchor.year) * 12 + today.month - anchor.month
    start = add_months(anchor, k)
    if start > today:
        k -= 1
        start = add_months(anchor, k)
    return start, add_months(anchor, k + 1)


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# --- account state ---------------------------------------------------------------------------

class Subscription(NamedTuple):
    """A running subscription, started by the subscribe event `event` on `started`.
    During a trial `trial_end` is the first charge date and `anchor` is None; after the
    first successful charge `anchor` is its date (the cycle anchor) and `last_charge`
    the latest charge. `cancelled_on` is set by a cancel outside the refund window:
    the plan then runs to the end of the paid cycle."""

    plan: str
    event: int
    started: date
    trial_end: date | None = None
    anchor: date | None = None
    last_charge: date | None = None
    cancelled_on: date | None = None


class TopUp(NamedTuple):
    """A top-up still on the account: bought by event `event` on `date` for `usd`."""

    event: int
    date: date
    usd: int


class _Account:
    """The day-by-day fold. `skip` names purchases treated as never made (subscribe and
    top-up event indices, the cancels that refunded them, and ("renewal", event, ordinal)
    for refunded renewals). `forced` maps a day's ordinal to the credits consumed that day
    in the real history: a replay spends exactly that, into a negative balance if need be."""

    def __init__(self, scenario: Scenario, policy: Policy, *, skip: frozenset = frozenset(),
                 forced: dict[int, int] | None = None, auto_topup: bool = False) -> None:
        self.scenario = scenario
        self.policy = policy
        self.order = SPENDING_ORDERS[policy.rule("spending_order")]
        self.skip = skip
        self.forced = forced
        self.auto_topup = auto_topup
        self.registered = scenario.registered
        # ledger
        self.entries: list[Entry] = []
        self.balance = 0                      # running sum of the entries
        self.totals = dict.fromkeys(BUCKETS, 0)  # running sum of the entries per bucket
        self.blocks: dict[Bucket, list[Block]] = {b: [] for b in BUCKETS}
        self.left: dict[int, int] = {}        # block key -> its entries' sum
        self.next_key = 0
        self.next_expiry = NEVER              # earliest expiry among live blocks (ordinal)
        self.debt: Block | None = None        # the negative block, kept in `topup`
        # plan
        self.plan = "free"
        self.sub: Subscription | None = None
        self.cycle_start = scenario.registered
        self.next_cycle = scenario.registered.toordinal()  # the first day begins the first cycle
        self.topups: list[TopUp] = []
        # history (the real run only)
        self.days: list[DayState] = []
        self.charges: list[Charge] = []
        self.consumed: dict[int, int] = {}
        self.bought: list[dict] = []          # top-ups bought by auto_topup, as scenario events

    # ledger primitives ---------------------------------------------------------------

    def _post(self, day: date, kind: Kind, block: Block, credits: int) -> None:
        self.balance += credits
        self.totals[block.bucket] += credits
        self.left[block.key] += credits
        self.entries.append(Entry(day, kind, block.bucket, credits, self.balance))

    def _new_block(self, day: date, bucket: Bucket, expires: date | None) -> Block:
        block = Block(self.next_key, bucket, 0, day, expires)
        self.next_key += 1
        self.blocks[bucket].append(block)
        self.left[block.key] = 0
        if expires is not None:
            self.next_expiry = min(self.next_expiry, expires.toordinal())
        return block

    def _drop(self, block: Block) -> None:
        self.blocks[block.bucket].remove(block)
        del self.left[block.key]
        if block is self.debt:
            self.debt = None

    def grant(self, day: date, kind: Kind, bucket: Bucket, credits: int, expires: date | None) -> None:
        """Add credits; a negative balance is paid off first, in an entry of the same kind."""
        if credits <= 0:
            return
        if self.debt is not None:
            repaid = min(credits, -self.left[self.debt.key])
            self._post(day, kind, self.debt, repaid)
            if self.left[self.debt.key] == 0:
                self._drop(self.debt)
            credits -= repaid
            if credits == 0:
                return
        self._post(day, kind, self._new_block(day, bucket, expires), credits)

    def expire(self, day: date, block: Block) -> None:
        if self.left[block.key] > 0:
            self._post(day, Kind.EXPIRE, block, -self.left[block.key])
        self._drop(block)

    def expire_due(self, day: date) -> None:
        today = day.toordinal()
        upcoming = NEVER
        for bucket in self.order:
            for block in list(self.blocks[bucket]):
                if block.expires is None:
                    continue
                when = block.expires.toordinal()
                if when <= today:
                    self.expire(day, block)
                else:
                    upcoming = min(upcoming, when)
        self.next_expiry = upcoming

    def spend(self, day: date, wanted: int, overdraft: bool) -> int:
        """Consume up to `wanted` in spending order; with `overdraft` the rest goes negative."""
        if wanted == 0:
            return 0
        need = wanted
        for bucket in self.order:
            for block in list(self.blocks[bucket]):
                left = self.left[block.key]
                if left <= 0:
                    continue
                take = left if left < need else need
                self._post(day, Kind.CONSUME, block, -take)
                if take == left:
                    self._drop(block)
                need -= take
                if need == 0:
                    return wanted
        if overdraft and need > 0:
            if self.debt is None:
                self.debt = self._new_block(day, TOPUP, None)
            self._post(day, Kind.CONSUME, self.debt, -need)
            need = 0
        return wanted - need

    def bucket_totals(self) -> tuple[int, int, int, int]:
        totals = self.totals
        return (totals[DAILY], totals[MONTHLY], totals[BONUS], totals[TOPUP])

    # plan and cycles ---------------------------------------------------------------------

    def begin_cycle(self, day: date, start: date, next_start: date) -> None:
        self.cycle_start = start
        self.next_cycle = next_start.toordinal()
        if self.debt is not None and self.policy.rule("deficit_at_new_cycle") == "forgive":
            self._post(day, Kind.FORGIVE, self.debt, -self.left[self.debt.key])
            self._drop(self.debt)

    def replace_allowance(self, day: date, plan: str) -> None:
        """Expire what is left of the monthly allowance and grant `plan`'s, to the cycle's end."""
        for block in list(self.blocks[MONTHLY]):
            self.expire(day, block)
        self.grant(day, Kind.MONTHLY, MONTHLY, self.policy.plans[plan].monthly_credits,
                   date.fromordinal(self.next_cycle))

    def charge_subscription(self, day: date, sub: Subscription) -> None:
        self.charges.append(Charge(day, "subscription", self.policy.plans[sub.plan].price_usd, sub.plan))
        anchor = sub.anchor or day
        self.sub = sub._replace(trial_end=None, anchor=anchor, last_charge=day)
        self.begin_cycle(day, day, cycle_bounds(anchor, day)[1])
        self.replace_allowance(day, sub.plan)

    def return_to_free(self, day: date) -> None:
        """The plan ends today: back on Free, in the cycle counted from the registration date."""
        self.sub = None
        self.plan = "free"
        self.begin_cycle(day, *cycle_bounds(self.registered, day))
        for block in list(self.blocks[MONTHLY]):
            self.expire(day, block)
        if self.policy.rule("free_allowance_on_return") == "full":
            self.replace_allowance(day, "free")

    def start_of_day_cycle(self, day: date) -> None:
        sub = self.sub
        if sub is None:
            self.begin_cycle(day, *cycle_bounds(self.registered, day))
            self.replace_allowance(day, "free")
        elif sub.trial_end == day:
            self.charge_subscription(day, sub)
        elif sub.cancelled_on is not None or ("renewal", sub.event, day.toordinal()) in self.skip:
            self.return_to_free(day)
        else:
            self.charge_subscription(day, sub)

    # events ------------------------------------------------------------------------------

    def apply(self, day: date, event: Event, position: int) -> None:
        if event.type == "subscribe":
            self.subscribe(day, event)
        elif event.type == "topup":
            self.buy_topup(day, event.usd, event.index)
        elif event.type == "cancel":
            self.cancel(day, event, position)
        elif event.type == "cancel_topup":
            self.cancel_topup(day, event, position)
        else:  # the validator admits no other type
            raise ScenarioError(f"unknown event type {event.type!r}", ("events", event.index, "type"))

    def subscribe(self, day: date, event: Event) -> None:
        plan = self.policy.plans[event.plan]
        sub = self.sub
        if sub is not None and sub.plan == event.plan and sub.cancelled_on is None:
            since = sub.started.isoformat()
            raise ScenarioError(
                f"already subscribed to {plan.label} since {since}; cancel first or choose another plan",
                ("events", event.index, "plan"))
        if event.trial and plan.trial_days == 0:
            raise ScenarioError(f"the {plan.label} plan has no free trial; set trial to false",
                                ("events", event.index, "trial"))
        # A plan change ends the old subscription at once, without a refund (policy: plan_change).
        self.plan = event.plan
        if event.trial:
            trial_end = date.fromordinal(day.toordinal() + plan.trial_days)
            self.sub = Subscription(event.plan, event.index, day, trial_end=trial_end)
            self.begin_cycle(day, day, trial_end)
            self.replace_allowance(day, event.plan)
        else:
            self.charge_subscription(day, Subscription(event.plan, event.index, day))

    def buy_topup(self, day: date, usd: int, index: int) -> None:
        self.charges.append(Charge(day, "topup", usd))
        self.topups.append(TopUp(index, day, usd))
        self.grant(day, Kind.TOPUP, TOPUP, usd * self.policy.credits_per_usd, None)

    def within_window(self, day: date, charged: date) -> bool:
        age = day.toordinal() - charged.toordinal()
        limit = self.policy.refund_window_days
        return age <= limit if self.policy.rule("refund_window_edge") == "inclusive" else age < limit

    def cancel(self, day: date, event: Event, position: int) -> None:
        sub = self.sub
        where = ("events", event.index, "type")
        if sub is None:
            raise ScenarioError(f"nothing to cancel on {day.isoformat()}: the account is on the Free plan", where)
        label = self.policy.plans[sub.plan].label
        if sub.cancelled_on is not None:
            raise ScenarioError(
                f"the {label} plan was already cancelled on {sub.cancelled_on.isoformat()}; "
                f"it ends on {date.fromordinal(self.next_cycle).isoformat()}", where)
        if sub.anchor is None:  # still in its trial: free to cancel, as if never started
            self.refund(day, event, position, {sub.event}, 0)
            return
        first = sub.last_charge == sub.anchor
        refundable = first or self.policy.rule("renewal_refund") == "full"
        if refundable and self.within_window(day, sub.last_charge):
            token = sub.event if first else ("renewal", sub.event, sub.last_charge.toordinal())
            self.refund(day, event, position, {token}, self.policy.plans[sub.plan].price_usd)
        else:
            self.sub = sub._replace(cancelled_on=day)

    def cancel_topup(self, day: date, event: Event, position: int) -> None:
        where = ("events", event.index, "of")
        of = event.of.isoformat()
        live = [t for t in self.topups if t.date == event.of]
        if not live:
            bought = any(e.type == "topup" and e.date == event.of for e in self.scenario.events)
            raise ScenarioError(f"the top-up of {of} was already cancelled" if bought
                                else f"no top-up was bought on {of}", where)
        topup = live[-1]
        if not self.within_window(day, topup.date):
            age = day.toordinal() - topup.date.toordinal()
            raise ScenarioError(
                f"the top-up of {of} was bought {plural(age, 'day')} earlier; a top-up can be "
                f"cancelled only within {plural(self.policy.refund_window_days, 'day')}", where)
        self.refund(day, event, position, {topup.event}, topup.usd)

    def refund(self, day: date, event: Event, position: int, purchases: set, usd: int) -> None:
        """Recompute the account as if `purchases` had never been made, keeping every earlier
        day's consumption as it happened, and write the difference as `refund` entries."""
        self.skip = self.skip | purchases | {event.index}
        history = self.forced if self.forced is not None else self.consumed
        replay = _Account(self.scenario, self.policy, skip=self.skip, forced=history)
        replay.run(stop=(day.toordinal(), position))
        if replay.sub is not None:  # a plan it had replaced: the cancel ends that one too
            replay.return_to_free(day)
        before = self.bucket_totals()
        after = replay.bucket_totals()
        for bucket, old, new in zip(BUCKETS, before, after):
            if new != old:
                self.balance += new - old
                self.totals[bucket] += new - old
                self.entries.append(Entry(day, Kind.REFUND, bucket, new - old, self.balance))
        if usd:
            self.charges.append(Charge(day, "refund", -usd))
        # take over the recomputed state; history (entries, days, charges) stays as it was
        self.blocks, self.left, self.debt = replay.blocks, replay.left, replay.debt
        self.next_key = max(self.next_key, replay.next_key)
        self.next_expiry = replay.next_expiry
        self.plan, self.sub, self.topups = replay.plan, replay.sub, replay.topups
        self.cycle_start, self.next_cycle = replay.cycle_start, replay.next_cycle

    # the day loop ------------------------------------------------------------------------

    def run(self, stop: tuple[int, int] | None = None) -> None:
        """Simulate every day, or (for a replay) up to event position stop[1] of day stop[0]."""
        scenario, policy = self.scenario, self.policy
        first = scenario.registered.toordinal()
        last = first + scenario.days - 1 if stop is None else stop[0]
        usage = scenario.usage
        per_day, weekdays = usage.per_active_day, usage.weekdays
        by_date = {d.toordinal(): credits for d, credits in usage.by_date}
        invites: dict[int, int] = {}
        for d in scenario.invites:
            invites[d.toordinal()] = invites.get(d.toordinal(), 0) + 1
        events: dict[int, list[Event]] = {}
        for event in scenario.events:
            events.setdefault(event.date.toordinal(), []).append(event)
        daily_every_day = policy.rule("daily_grant") == "every_day"
        deny = policy.rule("overdraft") == "deny"

        for t in range(first, last + 1):
            day = date.fromordinal(t)
            if self.next_expiry <= t:
                self.expire_due(day)
            if self.next_cycle == t:
                self.start_of_day_cycle(day)
            if t == first:
                self.grant(day, Kind.REGISTER, BONUS, policy.signup_bonus, self.bonus_expiry())
            for _ in range(invites.get(t, 0)):
                self.grant(day, Kind.INVITE, BONUS, policy.invite_bonus, self.bonus_expiry())
            wanted = by_date.get(t, per_day if (t + 6) % 7 in weekdays else 0)
            if wanted > 0 or daily_every_day:
                self.grant(day, Kind.DAILY, DAILY, policy.daily_credits, date.fromordinal(t + 1))
            for position, event in enumerate(events.get(t, ())):
                if stop is not None and t == stop[0] and position == stop[1]:
                    return
                if event.index not in self.skip:
                    self.apply(day, event, position)
            if stop is not None and t == stop[0]:
                return

            if self.forced is not None:  # a replay: spend what was really spent
                self.spend(day, self.forced[t], overdraft=True)
                continue
            if self.auto_topup and wanted > max(self.balance, 0):
                self.buy_missing(day, wanted - max(self.balance, 0))
            consumed = self.spend(day, wanted, overdraft=not deny)
            self.consumed[t] = consumed
            balance = self.balance
            self.days.append(DayState(day, self.plan, self.cycle_start, wanted, consumed,
                                      wanted - consumed, self.bucket_totals(),
                                      wanted > consumed or balance < 0))

    def bonus_expiry(self) -> date | None:
        """Bonus credits last to the end of the cycle they arrive in (or never, by policy)."""
        if self.policy.rule("bonus_expiry") == "never":
            return None
        if self.sub is not None and self.sub.anchor is None:
            # A trial is not a billing cycle: the cycle in force is the one its first charge starts.
            return add_months(self.sub.trial_end, 1)
        return date.fromordinal(self.next_cycle)

    def buy_missing(self, day: date, credits: int) -> None:
        """The advisor's top-up: the fewest whole dollars that cover `credits`."""
        per_usd = self.policy.credits_per_usd
        usd = -(-credits // per_usd)
        largest = self.policy.bounds["topup_usd"][1]
        while usd > 0:
            pack = min(usd, largest)
            self.bought.append({"date": day.isoformat(), "type": "topup", "usd": pack})
            self.buy_topup(day, pack, -1)
            usd -= pack


# --- the public function -----------------------------------------------------------------

def check_trials(scenario: Scenario, policy: Policy) -> None:
    """Under trial_limit = once_per_account, a second trial request is an input error."""
    if policy.rule("trial_limit") != "once_per_account":
        return
    first = None
    for event in scenario.events:
        if event.type == "subscribe" and event.trial:
            if first is not None:
                raise ScenarioError(
                    f"the account already had its free trial (events[{first.index}] on "
                    f"{first.date.isoformat()}); set trial to false", ("events", event.index, "trial"))
            first = event


def run_account(scenario: Scenario, policy: Policy, *, auto_topup: bool = False) -> _Account:
    check_trials(scenario, policy)
    account = _Account(scenario, policy, auto_topup=auto_topup)
    account.run()
    return account


def simulate_json(scenario: Scenario, policy: Policy) -> str:
    """The result document (schema 1) for a validated scenario under `policy`, as JSON text."""
    return render(run_account(scenario, policy), policy)


def simulate(scenario: Scenario, policy: Policy) -> dict:
    """The same result document, as Python data."""
    return json.loads(simulate_json(scenario, policy))


# --- the result document -------------------------------------------------------------------
# Written straight to compact JSON text: for a ten-year simulation this is three times
# faster than building dicts and calling json.dumps, and the CLI's run time is budgeted.
# Every value written with %d or %s below is an int or a fixed ASCII word (dates, plans,
# kinds, buckets); free text goes through json.dumps.

DAY_JSON = ('{"date":"%s","plan":"%s","cycle_start":"%s","wanted":%d,"consumed":%d,"unmet":%d,'
            '"buckets":{"daily":%d,"monthly":%d,"bonus":%d,"topup":%d},'
            '"balance":%d,"displayed_balance":%d,"restricted":%s}')
ENTRY_JSON = '{"date":"%s","kind":"%s","bucket":"%s","credits":%d,"balance_after":%d}'
CHARGE_JSON = '{"date":"%s","kind":"%s","usd":%d}'


def render(account: _Account, policy: Policy) -> str:
    # Every date in the document is a simulated day: name each once.
    names = {d.date: d.date.isoformat() for d in account.days}
    for c in account.charges:
        names.setdefault(c.date, c.date.isoformat())
    for e in account.entries:
        if e.date not in names:
            names[e.date] = e.date.isoformat()
    for d in account.days:
        names.setdefault(d.cycle_start, d.cycle_start.isoformat())
    iso = names.__getitem__
    days = []
    first_restricted = None
    unmet = 0
    for d in account.days:
        daily, monthly, bonus, topup = d.buckets
        balance = daily + monthly + bonus + topup
        days.append(DAY_JSON % (
            iso(d.date), d.plan, iso(d.cycle_start), d.wanted, d.consumed, d.unmet,
            daily, monthly, bonus, topup, balance, balance if balance > 0 else 0,
            "true" if d.restricted else "false"))
        unmet += d.unmet
        if d.restricted and first_restricted is None:
            first_restricted = iso(d.date)
    added = consumed = 0
    ledger = []
    for e in account.entries:
        ledger.append(ENTRY_JSON % (names[e.date], e.kind, e.bucket, e.credits, e.balance_after))
        if e.kind in GRANT_KINDS:
            added += e.credits
        elif e.kind is Kind.CONSUME:
            consumed -= e.credits
    charges = [CHARGE_JSON % (iso(c.date), c.kind, c.usd) for c in account.charges]
    summary = {
        "usd_total": sum(c.usd for c in account.charges),
        "credits_added": added,
        "credits_consumed": consumed,
        "unmet": unmet,
        "first_restricted_day": first_restricted,
        "end_balance": account.balance,
    }
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    return "".join((
        '{"schema":1,"assumptions":', json.dumps(policy.assumptions(), **compact),
        ',"days":[', ",".join(days),
        '],"ledger":[', ",".join(ledger),
        '],"charges":[', ",".join(charges),
        '],"summary":', json.dumps(summary, **compact), "}",
    ))
