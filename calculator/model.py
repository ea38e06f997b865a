"""The whole data model: typed, immutable records.

Scenario side (validated input): Scenario, Start, Usage, Event.
Ledger side (what the engine derives): Block (a credit grant), Entry (one ledger
line), DayState (one simulated day), Charge (money), Moment (a day that matters).

Records are NamedTuples rather than frozen dataclasses: just as immutable and
typed, several times cheaper to create, and `typing` loads in a fraction of the
time `dataclasses` takes (it imports `inspect`). The CLI's whole run is budgeted
against a bare Python start, so import time counts (benchmarks/engine_cli.py).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import NamedTuple


class Bucket(StrEnum):
    """Where credits sit. Spending draws from them in the policy's spending order."""

    DAILY = "daily"      # the day's free credits; gone that night
    MONTHLY = "monthly"  # the plan's allowance for the current cycle
    BONUS = "bonus"      # sign-up and invitation bonuses
    TOPUP = "topup"      # Add-On Packs; never expire (a negative balance is kept here)


BUCKETS = tuple(Bucket)


class Kind(StrEnum):
    """What a ledger entry records (the dashboard's Credits History labels, and ours)."""

    START = "start"        # the balance a `start` scenario begins with
    REGISTER = "register"  # sign-up bonus
    INVITE = "invite"      # a friend registered with the user's code
    MONTHLY = "monthly"    # the plan's allowance at a cycle start (or a plan start)
    DAILY = "daily"        # the day's credits
    TOPUP = "topup"        # an Add-On Pack
    CONSUME = "consume"    # credits spent
    EXPIRE = "expire"      # credits gone: daily at night, allowance at cycle end, replaced allowance
    REFUND = "refund"      # the account recomputed after a refunded purchase or cancelled trial
    FORGIVE = "forgive"    # a negative balance written off at a new cycle (policy: forgive)


class Usage(NamedTuple):
    """Credits wanted per day: `per_active_day` on active weekdays (`weekdays`,
    0 = Monday), and `by_date` overriding the pattern on exact dates (0 = unused)."""

    per_active_day: int = 0
    weekdays: frozenset[int] = frozenset(range(7))
    by_date: tuple[tuple[date, int], ...] = ()


class Event(NamedTuple):
    """One thing the user does on `date`. `type` is subscribe | topup | cancel |
    cancel_topup; `plan` and `trial` go with subscribe, `usd` (and an optional `id`)
    with topup, `of` (the top-up's date) or `id` with cancel_topup. `index` is its
    place in the input list (the advisor's own events use negative indices)."""

    index: int
    date: date
    type: str
    plan: str | None = None
    trial: bool = False
    usd: int = 0
    of: date | None = None
    id: str | None = None


class Start(NamedTuple):
    """"Start from today": the account as the dashboard shows it on `date`, before that
    day's usage. `anchor` is the billing-cycle date the plan's cycles count from (the
    given cycle start or next renewal); `credits` is the opening balance per bucket in
    BUCKETS order; `daily_granted` says today's daily credits are already in it;
    `registered` (optional) anchors the Free cycle after a paid plan ends."""

    date: date
    plan: str
    anchor: date
    cycle_start: date
    credits: tuple[int, int, int, int]
    daily_granted: bool
    trial_used: bool
    registered: date | None


class Scenario(NamedTuple):
    """A validated scenario, simulated for `days` days from `first_day`: the
    registration date, or `start.date` for a scenario that starts from today.
    `policy` holds the setting overrides, `prices` the plan prices (cents) the
    scenario gives, `pack_usd` the advisor's pack size."""

    registered: date | None
    days: int
    usage: Usage
    invites: tuple[date, ...]
    events: tuple[Event, ...]
    policy: tuple[tuple[str, str], ...] = ()
    start: Start | None = None
    prices: tuple[tuple[str, int], ...] = ()
    pack_usd: int | None = None

    @property
    def first_day(self) -> date:
        return self.start.date if self.start is not None else self.registered


class Block(NamedTuple):
    """A credit grant: credits put in `bucket` on `granted`, gone on `expires` (the
    first day they are no longer there; None = never). `key` orders blocks within a
    bucket (oldest first). What is left of a block lives in the ledger, not here."""

    key: int
    bucket: Bucket
    granted: date
    expires: date | None


class Entry(NamedTuple):
    """One ledger line: `credits` (signed) into or out of `bucket` on `date`;
    `balance_after` is the running total of all entries so far."""

    date: date
    kind: Kind
    bucket: Bucket
    credits: int
    balance_after: int


class Charge(NamedTuple):
    """Money: `kind` is subscription | topup | refund; `cents` is signed (refunds
    negative). `plan` names the plan of a subscription charge or of its refund."""

    date: date
    kind: str
    cents: int
    plan: str | None = None


class DayState(NamedTuple):
    """A simulated day's end-of-day state, before that night's expiries."""

    date: date
    plan: str
    cycle_start: date
    wanted: int
    consumed: int
    unmet: int
    buckets: tuple[int, int, int, int]  # in BUCKETS order
    restricted: bool


class Moment(NamedTuple):
    """A day that matters, for the timeline: `kind` names what happened and `facts`
    holds what the words need (plan keys, cents, credits, dates)."""

    date: date
    kind: str
    facts: tuple[tuple[str, object], ...] = ()
