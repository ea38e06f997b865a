"""The whole data model: typed, immutable records.

Scenario side (validated input): Scenario, Start, Usage, Event.
Ledger side (what the engine derives): Block (a credit grant), Entry (one ledger
line), DayState (one simulated day), Charge (money), Moment (a day that matters).

Records are `collections.namedtuple`s rather than frozen dataclasses or
`typing.NamedTuple`s: just as immutable, several times cheaper to create, and with
nothing more to import (`dataclasses` imports `inspect`; `typing` alone costs a fifth
of a bare interpreter start). The CLI's whole run is budgeted against a bare Python
start, so import time counts (benchmarks/engine_cli.py). Each docstring names the
fields and what they hold.
"""

from __future__ import annotations

from collections import namedtuple
from datetime import date
from enum import StrEnum


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


class Usage(namedtuple("Usage", "per_active_day weekdays by_date", defaults=(0, frozenset(range(7)), ()))):
    """Credits wanted per day: `per_active_day` on active weekdays (`weekdays`,
    0 = Monday), and `by_date` overriding the pattern on exact dates (0 = unused)."""

    __slots__ = ()


class Event(namedtuple("Event", "index date type plan trial usd of id",
                       defaults=(None, False, 0, None, None))):
    """One thing the user does on `date`. `type` is subscribe | topup | cancel |
    cancel_topup; `plan` and `trial` go with subscribe, `usd` (and an optional `id`)
    with topup, `of` (the top-up's date) or `id` with cancel_topup. `index` is its
    place in the input list (the advisor's own events use negative indices)."""

    __slots__ = ()


class Start(namedtuple("Start", "date plan anchor cycle_start credits daily_granted trial_used registered")):
    """"Start from today": the account as the dashboard shows it on `date`, before that
    day's usage. `anchor` is the billing-cycle date the plan's cycles count from (the
    given cycle start or next renewal); `credits` is the opening balance per bucket in
    BUCKETS order; `daily_granted` says today's daily credits are already in it;
    `registered` (optional) anchors the Free cycle after a paid plan ends."""

    __slots__ = ()


class Scenario(namedtuple("Scenario", "registered days usage invites events policy start prices pack_usd",
                          defaults=((), None, (), None))):
    """A validated scenario, simulated for `days` days from `first_day`: the
    registration date, or `start.date` for a scenario that starts from today.
    `policy` holds the setting overrides, `prices` the plan prices (cents) the
    scenario gives, `pack_usd` the advisor's pack size."""

    __slots__ = ()

    @property
    def first_day(self) -> date:
        return self.start.date if self.start is not None else self.registered


class Block(namedtuple("Block", "key bucket granted expires")):
    """A credit grant: credits put in `bucket` on `granted`, gone on `expires` (the
    first day they are no longer there; None = never). `key` orders blocks within a
    bucket (oldest first). What is left of a block lives in the ledger, not here."""

    __slots__ = ()


class Entry(namedtuple("Entry", "date kind bucket credits balance_after")):
    """One ledger line: `credits` (signed) into or out of `bucket` on `date`;
    `balance_after` is the running total of all entries so far."""

    __slots__ = ()


class Charge(namedtuple("Charge", "date kind cents plan", defaults=(None,))):
    """Money: `kind` is subscription | topup | refund; `cents` is signed (refunds
    negative). `plan` names the plan of a subscription charge or of its refund."""

    __slots__ = ()


class DayState(namedtuple("DayState", "date plan cycle_start wanted consumed unmet buckets restricted")):
    """A simulated day's end-of-day state, before that night's expiries."""

    __slots__ = ()


class Moment(namedtuple("Moment", "date kind facts", defaults=((),))):
    """A day that matters, for the timeline: `kind` names what happened and `facts`
    holds what the words need (plan keys, cents, credits, dates)."""

    __slots__ = ()
