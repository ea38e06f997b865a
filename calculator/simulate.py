"""The engine: a validated scenario in, a day-by-day credit ledger out.

`simulate(scenario, policy)` is a pure function. Inside, a `Fold` walks the days,
applying the plan's life (plan.py) and the scenario's events to a ledger of credit
grants (ledger.py); every balance is a sum of ledger entries. The fold is a local
accumulator that never escapes: callers only see the returned document.

Order within a day (the one total order the engine applies):
1. yesterday's expiries (entries dated today, the first day the credits are gone);
2. the day's cycle step (Free cycle, first charge after a trial, renewal, end of a plan);
3. grants: sign-up bonus, invitation bonuses, the daily credits;
4. the day's events, in date order, same-day events in the order listed;
5. the day's spending, in the policy's spending order, oldest block first.

Refunds are a replay of the same fold without the purchase. A refunded purchase (a
cancelled trial, a refunded charge, a refunded Add-On Pack) is added to `removed`;
the fold runs again from the first day to the cancel, with every earlier day's
consumption forced to what really happened (into a negative balance if need be) and
every earlier cancel applying the outcome it resolved to at the time, so the replay
removes exactly the refunded purchase and keeps every other outcome. The difference
between the replayed credits and the real ones is written as `refund` entries.
"""

from __future__ import annotations

import json
from collections import Counter, namedtuple
from datetime import date

from .cycles import add_months
from .errors import ScenarioError
from .ledger import Ledger
from .model import BUCKETS, Charge, DayState, Event, Kind, Moment, Scenario
from .plan import (LATE, REFUNDED, TOPUP_REFUNDED, TRIAL_CANCELLED, Outcome, PlanState, Step, cancel_late,
                   cycle_step, end_plan, opening_state, registered_state, resolve_cancel, subscribe, within_window)
from .policy import Policy, usd_value
from .timeline import timeline

DAILY, MONTHLY, BONUS, TOPUP = BUCKETS

SPENDING_ORDERS = {
    "daily_monthly_bonus_topup": (DAILY, MONTHLY, BONUS, TOPUP),
    "daily_bonus_monthly_topup": (DAILY, BONUS, MONTHLY, TOPUP),
}

# Entry kinds that add credits; `credits_added` in the summary sums these (refunds signed; a
# written-off deficit counts), so the end balance is credits added - consumed - expired.
CONSUME = Kind.CONSUME
GRANT_KINDS = frozenset({Kind.START, Kind.REGISTER, Kind.INVITE, Kind.MONTHLY, Kind.DAILY, Kind.TOPUP, Kind.REFUND,
                         Kind.FORGIVE})


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class TopUp(namedtuple("TopUp", "event date usd id")):
    """An Add-On Pack still on the account: bought by event `event` on `date` for `usd`."""

    __slots__ = ()


class Fold:
    """One pass over the days. The real run resolves cancels (recording each outcome in
    `outcomes`) and keeps the history (days, charges, moments); a replay (`forced` set)
    spends exactly the real consumption and applies recorded outcomes; of its history it
    keeps only the charges, which a refund compares with the real ones.
    `pack_usd` makes the advisor's first pass buy packs whenever a day would go unserved."""

    def __init__(self, scenario: Scenario, policy: Policy, *, removed: frozenset = frozenset(),
                 outcomes: dict[int, Outcome] | None = None, forced: dict[int, int] | None = None,
                 pack_usd: int = 0) -> None:
        self.scenario = scenario
        self.policy = policy
        self.order = SPENDING_ORDERS[policy.rule("spending_order")]
        self.removed = removed
        self.outcomes = {} if outcomes is None else outcomes
        self.forced = forced
        self.pack_usd = pack_usd
        self.ledger = Ledger()
        start = scenario.start
        if start is None:
            self.state = registered_state(scenario.registered)
        else:
            self.state = opening_state(start.plan, start.anchor, start.date, start.registered)
        self.topups: list[TopUp] = []
        self.charges: list[Charge] = []
        # history (the real run only)
        self.days: list[DayState] = []
        self.moments: list[Moment] = []
        self.consumed: dict[int, int] = {}
        self.bought: list[tuple[date, int]] = []  # packs bought by the advisor's first pass

    @property
    def replay(self) -> bool:
        return self.forced is not None

    # applying the plan's steps -----------------------------------------------------------

    def apply_step(self, day: date, state: PlanState, step: Step) -> None:
        self.state = state
        if step.new_cycle and self.policy.rule("deficit_at_new_cycle") == "forgive":
            self.ledger.forgive(day)
        if step.allowance is not None or step.drop_allowance:
            self.ledger.expire_bucket(day, MONTHLY)
        if step.allowance is not None:
            self.ledger.grant(day, Kind.MONTHLY, MONTHLY, self.policy.plans[step.allowance].monthly_credits,
                              state.next_cycle)
        if step.charge is not None:
            self.charges.append(Charge(day, "subscription", self.policy.plans[step.charge].price_cents, step.charge))
        if step.moment is not None and not self.replay:
            self.moments.append(step.moment)

    def bonus_expiry(self) -> date | None:
        """Bonus credits last to the end of the cycle they arrive in (or never, by policy)."""
        if self.policy.rule("bonus_expiry") == "never":
            return None
        if self.state.in_trial:
            # A trial is not a billing cycle: the cycle in force is the one its first charge starts.
            return add_months(self.state.sub.trial_end, 1)
        return self.state.next_cycle

    # events ------------------------------------------------------------------------------

    def apply(self, day: date, event: Event, position: int) -> None:
        if event.type == "subscribe":
            if event.index not in self.removed:
                self.apply_step(day, *subscribe(self.state, day, event, self.policy))
        elif event.type == "topup":
            if event.index not in self.removed:
                self.buy_topup(day, event.usd, event.index, event.id)
        elif event.type in ("cancel", "cancel_topup"):
            outcome = self.outcomes.get(event.index)
            if outcome is None:  # the real run: resolve it now
                self.resolve(day, event, position)
            else:
                self.reapply(day, outcome)
        else:  # the validator admits no other type
            raise ScenarioError(f"unknown event type {event.type!r}", ("events", event.index, "type"))

    def buy_topup(self, day: date, usd: int, index: int, id: str | None) -> None:
        credits = usd * self.policy.credits_per_usd
        self.topups.append(TopUp(index, day, usd, id))
        repaid = self.ledger.grant(day, Kind.TOPUP, TOPUP, credits, None)
        self.charges.append(Charge(day, "topup", usd * 100))
        if not self.replay:
            self.moments.append(Moment(day, "topup", (("usd", usd), ("credits", credits), ("repaid", repaid))))

    def resolve(self, day: date, event: Event, position: int) -> None:
        if event.type == "cancel_topup":
            topup = self.find_topup(day, event)
            self.refund(day, event, position, Outcome(TOPUP_REFUNDED, topup.event, topup.usd * 100))
            self.moments.append(Moment(day, "topup_refunded", (("usd", topup.usd), ("bought", topup.date),
                                                               ("credits", topup.usd * self.policy.credits_per_usd))))
            return
        outcome = resolve_cancel(self.state, day, event, self.policy)
        if outcome.kind == LATE:
            self.outcomes[event.index] = outcome
            self.state, moment = cancel_late(self.state, day)
            self.moments.append(moment)
            return
        self.refund(day, event, position, outcome)
        facts = (("plan", outcome.plan), ("back_to", self.state.plan))
        if outcome.kind == REFUNDED:
            renewal = isinstance(outcome.purchase, tuple)
            facts += (("usd_cents", outcome.cents), ("renewal", renewal))
        self.moments.append(Moment(day, outcome.kind, facts))

    def reapply(self, day: date, outcome: Outcome) -> None:
        """A replay meets an earlier cancel: it does what the cancel did then."""
        if outcome.kind == REFUNDED and self.state.sub is not None:
            self.apply_step(day, *end_plan(self.state, day, self.policy))
        elif outcome.kind == LATE and self.state.sub is not None and self.state.sub.ends is None:
            self.state, _ = cancel_late(self.state, day)
        # TRIAL_CANCELLED and TOPUP_REFUNDED only removed their purchase, which the replay skips.

    def find_topup(self, day: date, event: Event) -> TopUp:
        where = ("events", event.index, "id" if event.id is not None else "of")
        if event.id is not None:
            live = [t for t in self.topups if t.id == event.id]
            name = f"the Add-On Pack with id {event.id!r}"
            bought = any(e.type == "topup" and e.id == event.id for e in self.scenario.events)
        else:
            live = [t for t in self.topups if t.date == event.of]
            name = f"the Add-On Pack of {event.of.isoformat()}"
            bought = any(e.type == "topup" and e.date == event.of for e in self.scenario.events)
            if len(live) > 1:
                raise ScenarioError(f"{len(live)} Add-On Packs were bought on {event.of.isoformat()}; give each top-up "
                                    "an id and cancel it by id", where)
        if not live:
            raise ScenarioError(f"{name} was already cancelled" if bought else f"no top-up matches {name}", where)
        topup = live[0]
        if not within_window(day, topup.date, self.policy):
            age = day.toordinal() - topup.date.toordinal()
            raise ScenarioError(
                f"{name} was bought {plural(age, 'day')} earlier; an Add-On Pack can be cancelled only within "
                f"{plural(self.policy.refund_window_days, 'day')}", where)
        return topup

    def refund(self, day: date, event: Event, position: int, outcome: Outcome) -> None:
        """Recompute the account as if `outcome.purchase` had never been made: replay the fold
        without it up to this cancel, then take over its credits and plan."""
        self.removed = self.removed | {outcome.purchase}
        replay = Fold(self.scenario, self.policy, removed=self.removed, outcomes=self.outcomes,
                      forced=self.consumed)
        replay.run(stop=(day.toordinal(), position))
        if outcome.kind == REFUNDED and replay.state.sub is not None:
            # Without the refunded purchase a plan it replaced would still run: it ends too
            # (refund_of_replacing_plan). Already on Free, nothing changes.
            replay.apply_step(day, *end_plan(replay.state, day, self.policy))
        self.outcomes[event.index] = outcome
        self.ledger.adopt(day, replay.ledger)
        self.state = replay.state
        self.topups = [t for t in self.topups if t.event != outcome.purchase]
        # Money follows the recomputed history too: a renewal it makes that the real one did
        # not (a paid plan that runs on under a cancelled trial) is charged on its date.
        missed = Counter(replay.charges) - Counter(self.charges)
        for charge in replay.charges:
            if missed[charge]:
                missed[charge] -= 1
                self.charges.append(charge)
                self.moments.append(Moment(charge.date, "charged", (("plan", charge.plan), ("first", False))))
        if outcome.kind != TRIAL_CANCELLED:
            self.charges.append(Charge(day, "refund", -outcome.cents, outcome.plan))

    # the day loop ------------------------------------------------------------------------

    def run(self, stop: tuple[int, int] | None = None) -> None:
        """Simulate every day, or (for a replay) up to event position stop[1] of day stop[0]."""
        scenario, policy, ledger = self.scenario, self.policy, self.ledger
        first = scenario.first_day.toordinal()
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
        start = scenario.start
        if start is None:
            self.open_registered()
        else:
            self.open_start()
        skip_daily = start is not None and start.daily_granted

        replay = self.replay
        stop_day, stop_position = stop if stop is not None else (None, None)
        totals = ledger.totals
        for t in range(first, last + 1):
            day = date.fromordinal(t)
            if ledger.next_expiry <= t:
                ledger.expire_due(day)
            if self.state.next_cycle == day:
                self.apply_step(day, *cycle_step(self.state, day, self.removed, policy))
            if t == first and start is None:
                ledger.grant(day, Kind.REGISTER, BONUS, policy.signup_bonus, self.bonus_expiry())
            for _ in range(invites.get(t, 0)):
                ledger.grant(day, Kind.INVITE, BONUS, policy.invite_bonus, self.bonus_expiry())
                if not replay:
                    self.moments.append(Moment(day, "invite", (("credits", policy.invite_bonus),)))
            wanted = by_date.get(t, per_day if (t + 6) % 7 in weekdays else 0)
            if (wanted > 0 or daily_every_day) and not (skip_daily and t == first):
                ledger.grant(day, Kind.DAILY, DAILY, policy.daily_credits, date.fromordinal(t + 1))
            if t in events:
                for position, event in enumerate(events[t]):
                    if t == stop_day and position == stop_position:
                        return
                    self.apply(day, event, position)
            if t == stop_day:
                return

            if replay:  # spend what was really spent
                ledger.spend(day, self.forced[t], self.order, overdraft=True)
                continue
            if self.pack_usd and wanted > max(ledger.balance, 0):
                self.buy_packs(day, wanted - max(ledger.balance, 0))
            consumed = ledger.spend(day, wanted, self.order, overdraft=not deny)
            self.consumed[t] = consumed
            state = self.state
            self.days.append(DayState(day, state.plan, state.cycle_start, wanted, consumed, wanted - consumed,
                                      (totals[DAILY], totals[MONTHLY], totals[BONUS], totals[TOPUP]),
                                      wanted > consumed or ledger.balance < 0))

    def open_registered(self) -> None:
        if not self.replay:
            self.moments.append(Moment(self.scenario.registered, "registered",
                                       (("bonus", self.policy.signup_bonus),)))

    def open_start(self) -> None:
        """The opening balance of a `start` scenario, one `start` entry per bucket."""
        start = self.scenario.start
        day = start.date
        expiries = {DAILY: date.fromordinal(day.toordinal() + 1), MONTHLY: self.state.next_cycle,
                    BONUS: self.bonus_expiry(), TOPUP: None}
        for bucket, credits in zip(BUCKETS, start.credits):
            self.ledger.grant(day, Kind.START, bucket, credits, expiries[bucket])
        if not self.replay:
            renews = self.state.next_cycle if start.plan != "free" else None
            self.moments.append(Moment(day, "start", (("plan", start.plan), ("credits", start.credits),
                                                      ("renews", renews))))

    def buy_packs(self, day: date, credits: int) -> None:
        """The advisor's first pass: the fewest packs of `pack_usd` that cover `credits`."""
        per_pack = self.pack_usd * self.policy.credits_per_usd
        packs = -(-credits // per_pack)
        self.bought.append((day, packs * self.pack_usd))
        self.ledger.grant(day, Kind.TOPUP, TOPUP, packs * per_pack, None)
        self.charges.append(Charge(day, "topup", packs * self.pack_usd * 100))

# --- the public function -----------------------------------------------------------------


def check_trials(scenario: Scenario, policy: Policy) -> None:
    """Under trial_limit = once_per_account, a second trial request is an input error."""
    if policy.rule("trial_limit") != "once_per_account":
        return
    used = scenario.start is not None and scenario.start.trial_used
    first = None
    for event in scenario.events:
        if event.type == "subscribe" and event.trial:
            if used:
                raise ScenarioError("the account already had its free trial (start.trial_used); set trial to false",
                                    ("events", event.index, "trial"))
            if first is not None:
                raise ScenarioError(
                    f"the account already had its free trial (events[{first.index}] on "
                    f"{first.date.isoformat()}); set trial to false", ("events", event.index, "trial"))
            first = event


def run_fold(scenario: Scenario, policy: Policy, *, pack_usd: int = 0) -> Fold:
    check_trials(scenario, policy)
    fold = Fold(scenario, policy, pack_usd=pack_usd)
    fold.run()
    return fold


def simulate_json(scenario: Scenario, policy: Policy) -> str:
    """The result document (schema 1) for a validated scenario under `policy`, as JSON text."""
    return render(run_fold(scenario, policy), policy)


def simulate(scenario: Scenario, policy: Policy) -> dict:
    """The same result document, as Python data."""
    return json.loads(simulate_json(scenario, policy))

# --- the result document -------------------------------------------------------------------
# Written straight to compact JSON text with f-strings: for a ten-year simulation this is
# several times faster than building dicts and calling json.dumps, and the CLI's run time
# is budgeted. Every value written raw below is an int or a fixed ASCII word (dates,
# plans, kinds, buckets); free text goes through json.dumps.


def usd_number(cents: int) -> str:
    """Cents as JSON number text of USD, rounded to cents (see usd_value)."""
    return repr(usd_value(cents))


def render(fold: Fold, policy: Policy) -> str:
    names: dict[date, str] = {}  # each date's ISO text, made once
    days = []
    first_restricted = None
    unmet_total = 0
    for day, plan, cycle, wanted, consumed, unmet, (daily, monthly, bonus, topup), restricted in fold.days:
        text = names[day] = day.isoformat()
        cycle_text = names.get(cycle) or cycle.isoformat()
        balance = daily + monthly + bonus + topup
        days.append(
            f'{{"date":"{text}","plan":"{plan}","cycle_start":"{cycle_text}","wanted":{wanted},'
            f'"consumed":{consumed},"unmet":{unmet},"buckets":{{"daily":{daily},"monthly":{monthly},'
            f'"bonus":{bonus},"topup":{topup}}},"balance":{balance},'
            f'"displayed_balance":{balance if balance > 0 else 0},"restricted":{"true" if restricted else "false"}}}')
        unmet_total += unmet
        if restricted and first_restricted is None:
            first_restricted = text
    added = consumed_total = 0
    ledger = []
    middles: dict[tuple, str] = {}  # (kind, bucket) -> the JSON between date and credits, made once
    for day, kind, bucket, credits, after in fold.ledger.entries:
        text = names.get(day) or names.setdefault(day, day.isoformat())
        middle = middles.get((kind, bucket))
        if middle is None:
            middle = middles[kind, bucket] = f'","kind":"{kind}","bucket":"{bucket}","credits":'
        ledger.append(f'{{"date":"{text}{middle}{credits},"balance_after":{after}}}')
        if kind is CONSUME:
            consumed_total -= credits
        elif kind in GRANT_KINDS:
            added += credits
    charges = [f'{{"date":"{c.date.isoformat()}","kind":"{c.kind}","usd":{usd_number(c.cents)},'
               f'"plan":{json.dumps(c.plan)}}}' for c in sorted(fold.charges, key=lambda c: c.date)]
    summary = (f'{{"usd_total":{usd_number(sum(c.cents for c in fold.charges))},"credits_added":{added},'
               f'"credits_consumed":{consumed_total},"unmet":{unmet_total},'
               f'"first_restricted_day":{json.dumps(first_restricted)},"end_balance":{fold.ledger.balance}}}')
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    story = timeline(fold.moments, fold.days, fold.ledger.entries, fold.scenario.first_day, policy)
    return "".join((
        '{"schema":1,"assumptions":', json.dumps(policy.assumptions(), **compact),
        ',"days":[', ",".join(days),
        '],"ledger":[', ",".join(ledger),
        '],"charges":[', ",".join(charges),
        '],"timeline":', json.dumps(story, **compact),
        ',"summary":', summary, "}",
    ))
