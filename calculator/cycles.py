"""Billing-cycle dates: months counted from an anchor, clamped to short months.

A cycle renews on the anchor's day of the month; in a month too short for that day,
on the month's last day, and every date is counted from the anchor itself, so a
short month never shifts the later ones (Jan 31 -> Feb 28 -> Mar 31).
Policy: month_end_renewal.
"""

from __future__ import annotations

from datetime import date


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def add_months(anchor: date, months: int) -> date:
    """The cycle date `months` (may be negative) after `anchor`, clamped to the month's end."""
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


def is_cycle_date(anchor: date, day: date) -> bool:
    """Whether a cycle counted from `anchor` starts on `day`."""
    return cycle_bounds(anchor, day)[0] == day
