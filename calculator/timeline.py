"""The timeline: the days that matter, in the customer's words.

The fold records `Moment`s as things happen (a trial starts, a charge, a refund, a
plan ends, an Add-On Pack); restricted spells are read off the days. Each becomes
`{date, day, kind, text}` (plus `plan` where one applies), where `day`
counts from 1 and `text` is one plain sentence without the date, so the calculator
page and the worked examples on the site say the same thing.
"""

from __future__ import annotations

from datetime import date

from .model import Bucket, DayState, Entry, Kind, Moment
from .policy import Policy

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_text(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def signed_text(number: int) -> str:
    """A credit figure with a true minus sign: −1,200."""
    return f"\u2212{-number:,}" if number < 0 else f"{number:,}"


def money_text(cents: int) -> str:
    whole, part = divmod(abs(cents), 100)
    return f"{whole:,} USD" if part == 0 else f"{whole:,}.{part:02d} USD"


class Words:
    """Sentences for each kind of moment, with the plan names and numbers of `policy`."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def label(self, plan: str) -> str:
        return self.policy.plans[plan].label

    def allowance(self, plan: str) -> str:
        return f"{self.policy.plans[plan].monthly_credits:,}"

    def price(self, plan: str) -> str:
        return money_text(self.policy.plans[plan].price_cents)

    def registered(self, bonus: int) -> str:
        return (f"You register on the Free plan: {bonus:,} bonus credits to start with, and a monthly "
                f"allowance of {self.allowance('free')} credits.")

    def start(self, plan: str, credits: tuple, renews: date | None) -> str:
        daily, monthly, bonus, topup = credits
        parts = [f"{n:,} {what}" for n, what in ((monthly, "monthly allowance"), (bonus, "bonus"),
                                                   (topup, "Add-On Pack"), (daily, "today's daily credits")) if n]
        held = f" ({', '.join(parts)})" if parts else ""
        renewal = f"; it renews on {day_text(renews)}" if renews else ""
        return f"Your account today: the {self.label(plan)} plan, {sum(credits):,} credits{held}{renewal}."

    def trial_started(self, plan: str, until: date, **facts) -> str:
        instead = f" in place of {self.label(facts['from'])}" if "from" in facts else ""
        return (f"The {self.label(plan)} free trial starts{instead}: {self.allowance(plan)} credits, and the first "
                f"charge on {day_text(until)} unless you cancel before.")

    def charged(self, plan: str, first: bool, after_trial: bool = False, **facts) -> str:
        if after_trial:
            return (f"The trial ends: first charge for {self.label(plan)}, {self.price(plan)}. Your billing cycle "
                    f"starts today, with a fresh allowance of {self.allowance(plan)} credits.")
        if first and "from" in facts:
            return (f"You switch from {self.label(facts['from'])} to {self.label(plan)}: {self.price(plan)} charged "
                    f"in full, nothing prorated. A new billing cycle starts today with {self.allowance(plan)} credits.")
        if first:
            return (f"You subscribe to {self.label(plan)}: {self.price(plan)} charged. Your billing cycle starts "
                    f"today with {self.allowance(plan)} credits.")
        return (f"{self.label(plan)} renews: {self.price(plan)} charged; the monthly allowance resets to "
                f"{self.allowance(plan)} credits.")

    def trial_cancelled(self, plan: str, back_to: str) -> str:
        return (f"You cancel the {self.label(plan)} trial: nothing is charged, and your credits are recomputed as "
                f"if it had never started. You are on {self.label(back_to)}.")

    def refunded(self, plan: str, back_to: str, usd_cents: int, renewal: bool) -> str:
        what = "its renewal" if renewal else "the charge"
        return (f"You cancel {self.label(plan)} within {self.policy.refund_window_days} days of {what}: "
                f"{money_text(usd_cents)} refunded. The account is back on Free, with its credits recomputed as if "
                f"that purchase had never been made; credits already used stay used.")

    def cancelled(self, plan: str, ends: date) -> str:
        return (f"You cancel {self.label(plan)} after the refund window: no refund. It runs until "
                f"{day_text(ends)}, then the account moves to Free.")

    def plan_ended(self, plan: str, allowance_now: bool, next_cycle: date) -> str:
        if allowance_now:
            return (f"{self.label(plan)} ends: the account is on Free, with a monthly allowance of "
                    f"{self.allowance('free')} credits.")
        return (f"{self.label(plan)} ends: the account is on Free; its monthly allowance arrives on "
                f"{day_text(next_cycle)}.")

    def topup(self, usd: int, credits: int, repaid: int) -> str:
        paid_off = f"; {repaid:,} of them pay off the negative balance" if repaid else ""
        return f"You buy an Add-On Pack: {money_text(usd * 100)} for {credits:,} credits{paid_off}."

    def topup_refunded(self, usd: int, bought: date, credits: int) -> str:
        return (f"You cancel the Add-On Pack of {day_text(bought)}: {money_text(usd * 100)} refunded and its "
                f"{credits:,} credits taken back. Your plan stays as it is.")

    def free_cycle(self) -> str:
        return f"A new billing cycle on Free: the monthly allowance resets to {self.allowance('free')} credits."

    def expired(self, monthly: int, bonus: int) -> str:
        if not bonus:
            return f"{monthly:,} credits of the previous monthly allowance expire unused."
        if not monthly:
            return f"{bonus:,} bonus credits expire unused."
        return (f"{monthly + bonus:,} credits expire unused: {monthly:,} of the previous monthly allowance and "
                f"{bonus:,} bonus credits.")

    def invite(self, credits: int) -> str:
        return f"A friend registers with your invitation code: {credits:,} bonus credits."

    def restricted(self, unmet: int, balance: int) -> str:
        if balance < 0:
            below = f"The balance goes below zero, to {signed_text(balance)} credits; the dashboard shows 0."
            if unmet:
                return f"{below} The service is restricted: {unmet:,} credits of the day's usage cannot be served."
            return f"{below} The service may be restricted until credits are added."
        return (f"Your credits run out: {unmet:,} credits of the day's usage cannot be served. The daily credits "
                "still arrive on each day you use the app, but usage beyond the credits you have is cut short: "
                "the service is restricted.")

    def served_again(self) -> str:
        return "All of the day's usage is served again: the service is no longer restricted."


def restricted_spells(days: list[DayState]) -> list[Moment]:
    """The first day of each restricted spell, and the first day after it on which usage is
    served. A day without usage and without a negative balance neither ends nor starts a
    spell: nothing was asked of the account, so it says nothing about the restriction."""
    out = []
    before = False
    for d in days:
        if d.restricted and not before:
            out.append(Moment(d.date, "restricted", (("unmet", d.unmet), ("balance", sum(d.buckets)))))
        elif before and not d.restricted:
            if d.wanted == 0:
                continue  # an idle day: the spell is neither over nor renewed
            out.append(Moment(d.date, "served_again"))
        before = d.restricted
    return out


def expiries(entries: list[Entry]) -> list[Moment]:
    """The days on which monthly allowance or bonus credits expire unused (daily credits go
    every night and say nothing): read off the ledger, so credits never vanish unseen."""
    gone: dict[date, dict[Bucket, int]] = {}
    expire, monthly, bonus = Kind.EXPIRE, Bucket.MONTHLY, Bucket.BONUS
    for day, kind, bucket, credits, _ in entries:  # a ten-year ledger holds ~20,000 entries: unpacked, not by name
        if kind is expire and (bucket is monthly or bucket is bonus):
            per_bucket = gone.setdefault(day, {monthly: 0, bonus: 0})
            per_bucket[bucket] -= credits
    return [Moment(day, "expired", (("monthly", lost[Bucket.MONTHLY]), ("bonus", lost[Bucket.BONUS])))
            for day, lost in gone.items()]


RECOMPUTING = ("trial_cancelled", "refunded", "topup_refunded")  # moments whose recompute the ledger records


def recomputed_balances(entries: list[Entry]) -> dict[date, tuple[int, int]]:
    """Per day with `refund` entries (a recompute after a refund or a cancelled trial): the
    balance just before the first of them and just after the last."""
    out: dict[date, tuple[int, int]] = {}
    refund = Kind.REFUND
    for day, kind, _, credits, after in entries:
        if kind is refund:
            before = out[day][0] if day in out else after - credits
            out[day] = (before, after)
    return out


def timeline(moments: list[Moment], days: list[DayState], entries: list[Entry], first_day: date,
             policy: Policy) -> list[dict]:
    words = Words(policy)
    first = first_day.toordinal()
    # A day's expiries follow what caused them (a renewal, a new plan); spells describe the
    # day's end: after that day's other moments (sorted() is stable).
    merged = sorted(moments + expiries(entries) + restricted_spells(days), key=lambda m: m.date)
    balances = recomputed_balances(entries)
    # Two refunds on one day share one recompute figure: it follows the last of them.
    last_recompute = {m.date: i for i, m in enumerate(merged) if m.kind in RECOMPUTING}
    out = []
    for index, moment in enumerate(merged):
        if moment.kind == "free_cycle" and moment.date == first_day:
            continue  # the opening line already gives the first cycle's allowance
        facts = dict(moment.facts)
        item = {"date": moment.date.isoformat(), "day": moment.date.toordinal() - first + 1, "kind": moment.kind}
        if facts.get("plan"):
            item["plan"] = facts["plan"]
        item["text"] = getattr(words, moment.kind)(**facts)
        if last_recompute.get(moment.date) == index and moment.date in balances:
            before, after = balances[moment.date]  # what the recompute took back (or gave back), as a figure
            item["text"] += f" Your balance goes from {signed_text(before)} to {signed_text(after)} credits."
        out.append(item)
    return out
