"""The plan's life: trial, charge, renewal, cancellation, end.

Pure functions on an immutable `PlanState`. Each returns the next state and a
`Step` saying what the ledger and the money must do; the fold (simulate.py)
applies it. Nothing here knows about credits, so the plan's life can be read
(and compared with the reference model) on its own.

Readings (policy.toml): plan_change (a new plan starts at once, charged in full),
trial_allowance and trial_first_charge (full allowance during the trial, first
charge on the day after its last day), trial_during_paid_plan, late_cancel (runs
to the cycle end), renewal_refund, first_charge_refund (the whole subscription),
refund_of_replacing_plan (back to Free), free_allowance_on_return,
start_free_cycle, refund_window_edge.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date

from .cycles import cycle_bounds
from .errors import ScenarioError
from .model import Event, Moment
from .policy import Policy


class Subscription(namedtuple("Subscription", "plan purchase started trial_end anchor last_charge ends",
                              defaults=(None, None, None, None))):
    """A running subscription to `plan`, bought by the subscribe event `purchase` on
    `started` (None: the plan a `start` scenario begins on, bought before it). During a
    trial `trial_end` is the first charge date and `anchor` is None; once charged,
    `anchor` is the cycle anchor and `last_charge` the latest charge. `ends` is set by
    a late cancel: the day the plan ends."""

    __slots__ = ()


class PlanState(namedtuple("PlanState", "sub cycle_start next_cycle free_anchor")):
    """The plan in force: `sub` (None on Free), the billing cycle in force
    (`cycle_start` .. `next_cycle`, the day of the next cycle step) and `free_anchor`,
    the date Free cycles count from (None until known, for a `start` scenario on a
    paid plan without its registration date)."""

    __slots__ = ()

    @property
    def plan(self) -> str:
        return self.sub.plan if self.sub is not None else "free"

    @property
    def in_trial(self) -> bool:
        return self.sub is not None and self.sub.anchor is None


class Step(namedtuple("Step", "charge allowance drop_allowance new_cycle moment",
                      defaults=(None, None, False, False, None))):
    """What a transition asks of the ledger and the money. `charge`: the plan charged
    in full today. `allowance`: the plan whose monthly allowance replaces what is left
    of the current one, until the new state's `next_cycle`. `drop_allowance`: what is
    left of the allowance is gone, with no new one. `new_cycle`: a billing cycle starts
    (a negative balance may be forgiven). `moment`: what happened, for the timeline."""

    __slots__ = ()

# A cancel resolves, when it happens, to one of these outcomes; a refund's replay
# applies the outcome recorded for each earlier cancel instead of resolving it again,
# so a replay keeps every outcome that already happened.
TRIAL_CANCELLED = "trial_cancelled"   # as if the trial had never started
REFUNDED = "refunded"                 # a charge refunded; the account goes back to Free
LATE = "late"                         # no refund; the plan runs to the end of its cycle
TOPUP_REFUNDED = "topup_refunded"     # an Add-On Pack refunded; the plan is untouched


class Outcome(namedtuple("Outcome", "kind purchase cents plan", defaults=(None, 0, None))):
    """What a cancel or cancel_topup resolved to. `purchase` names what it removed: a
    subscribe event index (the whole subscription), ("renewal", subscribe index, date
    ordinal) or a top-up event index."""

    __slots__ = ()

# --- beginnings ---------------------------------------------------------------------------


def registered_state(registered: date) -> PlanState:
    """A new Free account: its first cycle step (the Free allowance) happens on day one."""
    return PlanState(None, registered, registered, registered)


def opening_state(plan: str, anchor: date, today: date, registered: date | None) -> PlanState:
    """The plan a `start` scenario begins on, in the cycle (counted from `anchor`) that contains today."""
    if plan == "free":  # a Free account's cycles count from its registration date, when known
        free_anchor = registered or anchor
        return PlanState(None, *cycle_bounds(free_anchor, today), free_anchor)
    start, next_start = cycle_bounds(anchor, today)
    sub = Subscription(plan, None, start, anchor=anchor, last_charge=start)
    return PlanState(sub, start, next_start, registered)

# --- the day's cycle step -------------------------------------------------------------------


def cycle_step(state: PlanState, day: date, removed: frozenset, policy: Policy) -> tuple[PlanState, Step]:
    """What happens on `day` when a new cycle is due (`day` == state.next_cycle)."""
    sub = state.sub
    if sub is None:
        start, next_start = cycle_bounds(state.free_anchor, day)
        return (state._replace(cycle_start=start, next_cycle=next_start),
                Step(allowance="free", new_cycle=True, moment=Moment(day, "free_cycle")))
    if sub.trial_end == day:  # the trial ends: the first charge anchors the cycle
        charged = sub._replace(trial_end=None, anchor=day, last_charge=day)
        moment = Moment(day, "charged", (("plan", sub.plan), ("first", True), ("after_trial", True)))
        return _charged(state, charged, day, moment)
    if sub.ends == day or ("renewal", sub.purchase, day.toordinal()) in removed:
        return end_plan(state, day, policy, announce=True)
    moment = Moment(day, "charged", (("plan", sub.plan), ("first", False)))
    return _charged(state, sub._replace(last_charge=day), day, moment)


def _charged(state: PlanState, sub: Subscription, day: date, moment: Moment) -> tuple[PlanState, Step]:
    start, next_start = cycle_bounds(sub.anchor, day)
    return (PlanState(sub, start, next_start, state.free_anchor),
            Step(charge=sub.plan, allowance=sub.plan, new_cycle=True, moment=moment))


def end_plan(state: PlanState, day: date, policy: Policy, announce: bool = False) -> tuple[PlanState, Step]:
    """The paid plan (if any) ends today: back on Free, in the cycle counted from the
    registration date (or from today, when a `start` scenario does not know it). The
    Free allowance arrives at once, or under free_allowance_on_return = next_cycle only
    when today is a cycle date of the registration date."""
    anchor = state.free_anchor or day
    start, next_start = cycle_bounds(anchor, day)
    now = policy.rule("free_allowance_on_return") == "full" or start == day
    moment = None
    if announce:  # a plan that runs out (a refund announces itself)
        moment = Moment(day, "plan_ended", (("plan", state.plan), ("allowance_now", now), ("next_cycle", next_start)))
    return (PlanState(None, start, next_start, anchor),
            Step(allowance="free" if now else None, drop_allowance=not now, new_cycle=True, moment=moment))

# --- events ---------------------------------------------------------------------------------


def subscribe(state: PlanState, day: date, event: Event, policy: Policy) -> tuple[PlanState, Step]:
    plan = policy.plans[event.plan]
    sub = state.sub
    where = ("events", event.index)
    if sub is not None and sub.plan == event.plan and sub.ends is None:
        since = sub.started.isoformat()
        raise ScenarioError(f"already subscribed to {plan.label} since {since}; cancel first or choose another plan",
                            (*where, "plan"))
    if event.trial and plan.trial_days == 0:
        raise ScenarioError(f"the {plan.label} plan has no free trial; set trial to false", (*where, "trial"))
    paid_running = sub is not None and sub.anchor is not None  # a late-cancelled plan still runs
    if event.trial and paid_running and policy.rule("trial_during_paid_plan") == "refused":
        raise ScenarioError(f"a free trial can only start from the Free plan, and "
                            f"{policy.plans[sub.plan].label} is running; set trial to false", (*where, "trial"))
    change = (("from", state.plan),) if state.plan != "free" else ()
    if event.trial:
        trial_end = date.fromordinal(day.toordinal() + plan.trial_days)
        new = Subscription(event.plan, event.index, day, trial_end=trial_end)
        moment = Moment(day, "trial_started", (("plan", event.plan), ("until", trial_end), *change))
        return (PlanState(new, day, trial_end, state.free_anchor),
                Step(allowance=event.plan, new_cycle=True, moment=moment))
    new = Subscription(event.plan, event.index, day, anchor=day, last_charge=day)
    moment = Moment(day, "charged", (("plan", event.plan), ("first", True), *change))
    return _charged(state, new, day, moment)


def within_window(day: date, charged: date, policy: Policy) -> bool:
    age = day.toordinal() - charged.toordinal()
    limit = policy.refund_window_days
    return age <= limit if policy.rule("refund_window_edge") == "inclusive" else age < limit


def resolve_cancel(state: PlanState, day: date, event: Event, policy: Policy) -> Outcome:
    """What a cancel on `day` does: cancel the trial, refund the last charge, or stop at the cycle end."""
    sub = state.sub
    where = ("events", event.index, "type")
    if sub is None:
        raise ScenarioError(f"nothing to cancel on {day.isoformat()}: the account is on the Free plan", where)
    label = policy.plans[sub.plan].label
    if sub.ends is not None:
        raise ScenarioError(f"the {label} plan was already cancelled; it ends on {sub.ends.isoformat()}", where)
    if sub.anchor is None:
        return Outcome(TRIAL_CANCELLED, sub.purchase, plan=sub.plan)
    window = within_window(day, sub.last_charge, policy)
    if sub.purchase is None and sub.last_charge == sub.started:
        # The charge a `start` scenario begins after: its history is unknown, so it cannot be undone.
        if window:
            charged = sub.last_charge.isoformat()
            closes = date.fromordinal(sub.last_charge.toordinal() + policy.refund_window_days + 1).isoformat()
            raise ScenarioError(
                f"this cancel falls within the refund window of the {label} charge of {charged}, made before the "
                "calculator's first day: it may well be refunded, but the calculator cannot recompute the days "
                f"before its first day (a cancel from {closes} on stops the plan at the end of its billing cycle)",
                where)
        return Outcome(LATE, plan=sub.plan)
    # The first charge anchors the cycle; a `start` plan's first charge is history, so
    # every charge it makes in the simulation is a renewal.
    first = sub.purchase is not None and sub.last_charge == sub.anchor
    refundable = first or policy.rule("renewal_refund") == "full"
    if not (refundable and window):
        return Outcome(LATE, plan=sub.plan)
    purchase = sub.purchase if first else ("renewal", sub.purchase, sub.last_charge.toordinal())
    return Outcome(REFUNDED, purchase, policy.plans[sub.plan].price_cents, sub.plan)


def cancel_late(state: PlanState, day: date) -> tuple[PlanState, Moment]:
    """A cancel after the refund window: the plan runs to the end of its paid cycle."""
    sub = state.sub
    return (state._replace(sub=sub._replace(ends=state.next_cycle)),
            Moment(day, "cancelled", (("plan", sub.plan), ("ends", state.next_cycle))))
