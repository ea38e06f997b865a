"""Scenario validation: JSON text in, a `Scenario` out, or one error naming the field.

Checks are small functions that raise `ScenarioError` without knowing where they
are; each level that calls them adds its key (`error.within(key)`), so locations
are built bottom-up, as jsonschema does. Every bound comes from policy.toml.
"""

from __future__ import annotations

import json
from datetime import date

from .cycles import add_months, cycle_bounds
from .errors import ScenarioError
from .model import Event, Scenario, Start, Usage
from .policy import PLAN_ORDER, Policy

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PATTERNS = {"every_day": range(7), "weekdays": range(5), "weekends": range(5, 7)}
TOP_KEYS = ("registered", "start", "days", "usage", "invites", "events", "prices", "pack_usd", "policy")
USAGE_KEYS = ("per_active_day", "active_days", "by_date")
START_KEYS = ("date", "plan", "cycle_start", "renews_on", "credits", "trial_used", "registered")
CREDIT_KEYS = ("total", "topup", "bonus", "daily")
PRICED_PLANS = ("plus", "pro")
EVENT_KEYS = {
    "subscribe": ("date", "type", "plan", "trial"),
    "topup": ("date", "type", "usd", "id"),
    "cancel": ("date", "type"),
    "cancel_topup": ("date", "type", "of", "id"),
}
OPTIONAL_EVENT_KEYS = ("trial", "id", "of")


# --- JSON text -------------------------------------------------------------------------------

class NonFinite:
    """NaN or Infinity in the input: kept as a value so the check that meets it names the field."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


def parse_json(text: str, policy: Policy) -> object:
    """Parse JSON text, refusing NaN/Infinity and nesting deeper than the policy bound."""
    limit = policy.bounds["json_depth"]
    depth = 0
    in_string = escaped = False
    for char in text:  # a cheap bracket count before json.loads can recurse too deep
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                raise ScenarioError(f"input is nested more than {limit} levels deep")
        elif char in "]}":
            depth -= 1
    try:
        return json.loads(text, parse_constant=NonFinite)
    except json.JSONDecodeError as error:
        raise ScenarioError(f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}") from None
    except RecursionError:
        raise ScenarioError(f"input is nested more than {limit} levels deep") from None


# --- leaf checks ----------------------------------------------------------------------------

def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, NonFinite):
        return "a non-finite number"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string",
            list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def check_object(value: object, keys: tuple[str, ...], what: str) -> dict:
    if not isinstance(value, dict):
        raise ScenarioError(f"expected {what}, got {type_name(value)}")
    for key in value:
        if key not in keys:
            expected = ", ".join(keys[:-1]) + " or " + keys[-1] if len(keys) > 1 else keys[0]
            raise ScenarioError(f"unknown key {key!r} (expected {expected})", (key,))
    return value


def check_list(value: object, bound: tuple[int, int], what: str) -> list:
    if not isinstance(value, list):
        raise ScenarioError(f"expected a list of {what}, got {type_name(value)}")
    if len(value) > bound[1]:
        raise ScenarioError(f"too many {what}: {len(value)} (at most {bound[1]:,})")
    return value


def check_int(value: object, bound: tuple[int, int]) -> int:
    low, high = bound
    expected = f"a whole number from {low:,} to {high:,}"
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            raise ScenarioError(f"expected {expected} without a decimal point, got {value!r}")
        raise ScenarioError(f"expected {expected}, got {type_name(value)} {value!r}")
    if not low <= value <= high:
        raise ScenarioError(f"{value:,} is out of range (expected {expected})")
    return value


def check_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(f"expected true or false, got {type_name(value)} {value!r}")
    return value


def check_cents(value: object, bound: tuple[int, int]) -> int:
    """A USD amount with at most two decimals, as integer cents."""
    low, high = bound
    expected = f"an amount in USD from {low:,} to {high:,}, with at most two decimals"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"expected {expected}, got {type_name(value)} {value!r}")
    if value != value or value in (float("inf"), float("-inf")):  # 1e400 parses as infinity
        raise ScenarioError(f"expected {expected}, got {type_name(value)} {value!r}")
    if not low <= value <= high:
        raise ScenarioError(f"{value:,} is out of range (expected {expected})")
    cents = round(value * 100)
    if abs(value * 100 - cents) > 1e-6:
        raise ScenarioError(f"{value!r} has more than two decimals (expected {expected})")
    return cents


def check_date(value: object, policy: Policy) -> date:
    if not isinstance(value, str):
        raise ScenarioError(f"expected a date as 'YYYY-MM-DD', got {type_name(value)} {value!r}")
    shape = len(value) == 10 and value[4] == "-" and value[7] == "-"
    if not (shape and value[:4].isdigit() and value[5:7].isdigit() and value[8:].isdigit()
            and value.isascii()):
        raise ScenarioError(f"{value!r} is not a date of the form 'YYYY-MM-DD'")
    try:
        day = date(int(value[:4]), int(value[5:7]), int(value[8:]))
    except ValueError:
        raise ScenarioError(f"{value!r} is not a real calendar date") from None
    first, last = policy.bounds["date_years"]
    if not first <= day.year <= last:
        raise ScenarioError(f"{value!r} is out of range (expected a year from {first} to {last})")
    return day


class Window:
    """The simulated dates: registered .. registered + days - 1."""

    def __init__(self, first: date, days: int) -> None:
        self.first = first.toordinal()
        self.last = self.first + days - 1

    def check(self, day: date) -> date:
        if not self.first <= day.toordinal() <= self.last:
            first = date.fromordinal(self.first).isoformat()
            last = date.fromordinal(self.last).isoformat()
            raise ScenarioError(f"{day.isoformat()} is outside the simulated window {first} to {last}")
        return day


def within(key: str | int, check, *args):
    """Run `check(*args)`, adding `key` to the location of any error."""
    try:
        return check(*args)
    except ScenarioError as error:
        raise error.within(key) from None


# --- structure ------------------------------------------------------------------------------

def parse_usage(value: object, policy: Policy, window: Window) -> Usage:
    data = check_object(value, USAGE_KEYS, "an object with per_active_day, active_days and by_date")
    bound = policy.bounds["credits_per_day"]
    per_day = within("per_active_day", check_int, data.get("per_active_day", 0), bound)
    weekdays = within("active_days", parse_active_days, data.get("active_days", "every_day"))
    by_date = within("by_date", parse_by_date, data.get("by_date", {}), policy, window)
    return Usage(per_day, weekdays, by_date)


def parse_active_days(value: object) -> frozenset[int]:
    if isinstance(value, str):
        if value not in PATTERNS:
            raise ScenarioError(f"unknown pattern {value!r} (expected every_day, weekdays, weekends "
                                "or a list of mon, tue, wed, thu, fri, sat, sun)")
        return frozenset(PATTERNS[value])
    if not isinstance(value, list) or not value:
        raise ScenarioError("expected every_day, weekdays, weekends or a non-empty list of day names, "
                            f"got {type_name(value)}")
    days = set()
    for i, name in enumerate(value):
        if name not in WEEKDAYS:
            raise ScenarioError(f"unknown day {name!r} (expected mon, tue, wed, thu, fri, sat or sun)", (i,))
        if WEEKDAYS.index(name) in days:
            raise ScenarioError(f"{name!r} is listed twice", (i,))
        days.add(WEEKDAYS.index(name))
    return frozenset(days)


def parse_by_date(value: object, policy: Policy, window: Window) -> tuple[tuple[date, int], ...]:
    if not isinstance(value, dict):
        raise ScenarioError(f"expected an object of date: credits, got {type_name(value)}")
    bound = policy.bounds["by_date"]
    if len(value) > bound[1]:
        raise ScenarioError(f"too many dates: {len(value)} (at most {bound[1]:,})")
    pairs = []
    for key, credits in value.items():
        try:
            day = window.check(check_date(key, policy))
            pairs.append((day, check_int(credits, policy.bounds["credits_per_day"])))
        except ScenarioError as error:
            raise error.within(key) from None
    return tuple(sorted(pairs))


def parse_event(value: object, index: int, policy: Policy, window: Window) -> Event:
    if not isinstance(value, dict):
        raise ScenarioError(f"expected an event object, got {type_name(value)}")
    kind = value.get("type")
    if kind not in EVENT_KEYS:
        if "type" not in value:
            raise ScenarioError("missing (expected subscribe, topup, cancel or cancel_topup)", ("type",))
        raise ScenarioError(f"unknown event type {kind!r} (expected subscribe, topup, cancel or cancel_topup)",
                            ("type",))
    allowed = EVENT_KEYS[kind]
    for key in value:
        if key not in allowed:
            raise ScenarioError(f"not allowed in a {kind} event (expected {', '.join(allowed)})", (key,))
    for key in allowed:
        if key not in value and key not in OPTIONAL_EVENT_KEYS:
            needed = ", ".join(k for k in allowed if k not in OPTIONAL_EVENT_KEYS)
            raise ScenarioError(f"missing (a {kind} event needs {needed})", (key,))
    day = within("date", lambda: window.check(check_date(value["date"], policy)))
    if kind == "subscribe":
        plan = value["plan"]
        if plan not in PLAN_ORDER:
            raise ScenarioError(f"unknown plan {plan!r} (expected free, plus or pro)", ("plan",))
        if plan == "free":
            raise ScenarioError("you cannot subscribe to 'free'; a cancel event returns the account to Free",
                                ("plan",))
        trial = within("trial", check_bool, value.get("trial", False))
        return Event(index, day, kind, plan=plan, trial=trial)
    if kind == "topup":
        usd = within("usd", check_int, value["usd"], policy.bounds["topup_usd"])
        topup_id = within("id", check_id, value["id"], policy) if "id" in value else None
        return Event(index, day, kind, usd=usd, id=topup_id)
    if kind == "cancel_topup":
        if "of" in value and "id" in value:
            raise ScenarioError("give either of (the date the Add-On Pack was bought) or id (the top-up's id), "
                                "not both", ("id",))
        if "of" not in value and "id" not in value:
            raise ScenarioError("missing (a cancel_topup event needs of, the date the Add-On Pack was bought, "
                                "or id, the top-up's id)", ("of",))
        if "id" in value:
            return Event(index, day, kind, id=within("id", check_id, value["id"], policy))
        of = within("of", lambda: window.check(check_date(value["of"], policy)))
        if of > day:
            raise ScenarioError(f"{of.isoformat()} is after this event's date {day.isoformat()}", ("of",))
        return Event(index, day, kind, of=of)
    return Event(index, day, kind)


def check_id(value: object, policy: Policy) -> str:
    low, high = policy.bounds["id_length"]
    if not isinstance(value, str) or not low <= len(value) <= high:
        raise ScenarioError(f"expected a text of {low} to {high} characters, got {type_name(value)} {value!r}")
    return value


def check_references(events: list[Event]) -> None:
    """Ids are unique, and each cancel_topup names a top-up listed before it (in date order)."""
    ids: dict[str, Event] = {}
    bought: set = set()
    for event in events:
        if event.type == "topup":
            if event.id is not None:
                if event.id in ids:
                    raise ScenarioError(f"{event.id!r} is already the id of events[{ids[event.id].index}]",
                                        (event.index, "id"))
                ids[event.id] = event
                bought.add(event.id)
            bought.add(event.date)
        elif event.type == "cancel_topup":
            if event.id is not None and event.id not in bought:
                raise ScenarioError(f"no top-up with id {event.id!r} is bought on or before {event.date.isoformat()}",
                                    (event.index, "id"))
            if event.of is not None and event.of not in bought:
                raise ScenarioError(f"no top-up event on {event.of.isoformat()} comes before this one",
                                    (event.index, "of"))


def parse_policy_overrides(value: object, policy: Policy) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict):
        raise ScenarioError(f"expected an object of setting: value, got {type_name(value)}")
    pairs = []
    for key, choice in value.items():
        setting = policy.settings.get(key)
        if setting is None:
            raise ScenarioError(f"unknown setting {key!r} (see the assumptions for the list)", (key,))
        if choice not in setting.choices:
            raise ScenarioError(f"unknown value {choice!r} (expected {' or '.join(setting.choices)})", (key,))
        pairs.append((key, choice))
    return tuple(pairs)


def parse_scenario(data: object, policy: Policy, *, allow_events: bool = True) -> Scenario:
    """Validate scenario data (already parsed from JSON) into a `Scenario`."""
    top = check_object(data, TOP_KEYS, "a scenario object")
    if "registered" in top and "start" in top:
        raise ScenarioError("give either registered (a new account) or start (an account as it is today), not both",
                            ("start",))
    if "registered" not in top and "start" not in top:
        raise ScenarioError("missing (a scenario needs registered or start, and days)", ("registered",))
    if "days" not in top:
        raise ScenarioError("missing (a scenario needs registered or start, and days)", ("days",))
    # An empty list is allowed: the calculator's share links always carry one.
    if not allow_events and top.get("events", []) != []:
        raise ScenarioError("not allowed for recommend (the advisor chooses the events)", ("events",))
    overrides = within("policy", parse_policy_overrides, top.get("policy", {}), policy)
    start = None
    if "start" in top:
        start = within("start", parse_start, top["start"], policy)
        registered, first = None, start.date
    else:
        registered = first = within("registered", check_date, top["registered"], policy)
    days = within("days", check_int, top["days"], policy.bounds["days"])
    window = Window(first, days)
    if date.fromordinal(window.last).year > policy.bounds["date_years"][1]:
        raise ScenarioError(f"the simulation would run past {policy.bounds['date_years'][1]}", ("days",))
    usage = within("usage", parse_usage, top.get("usage", {}), policy, window)
    invites = tuple(within("invites", parse_invites, top.get("invites", []), policy, window))
    events = within("events", parse_events, top.get("events", []), policy, window)
    prices = within("prices", parse_prices, top.get("prices", {}), policy)
    pack_usd = None
    if "pack_usd" in top:
        pack_usd = within("pack_usd", check_int, top["pack_usd"], policy.bounds["topup_usd"])
    return Scenario(registered, days, usage, invites, events, overrides, start, prices, pack_usd)


def parse_prices(value: object, policy: Policy) -> tuple[tuple[str, int], ...]:
    if not isinstance(value, dict):
        raise ScenarioError(f"expected an object of plan: price in USD, got {type_name(value)}")
    out = []
    for key, price in value.items():
        if key not in PRICED_PLANS:
            raise ScenarioError(f"unknown plan {key!r} (expected plus or pro)", (key,))
        out.append((key, within(key, check_cents, price, policy.bounds["price_usd"])))
    return tuple(out)


def parse_start(value: object, policy: Policy) -> Start:
    data = check_object(value, START_KEYS, "an object with date, plan, cycle_start or renews_on, and credits")
    for key in ("date", "plan", "credits"):
        if key not in data:
            raise ScenarioError("missing (start needs date, plan, cycle_start or renews_on, and credits)", (key,))
    today = within("date", check_date, data["date"], policy)
    plan = data["plan"]
    if plan not in PLAN_ORDER:
        raise ScenarioError(f"unknown plan {plan!r} (expected free, plus or pro)", ("plan",))
    if "cycle_start" in data and "renews_on" in data:
        raise ScenarioError("give either cycle_start or renews_on, not both", ("renews_on",))
    if "cycle_start" not in data and "renews_on" not in data:
        raise ScenarioError("missing (give cycle_start, the day the current billing cycle began, or renews_on, "
                            "the next renewal date)", ("cycle_start",))
    if "cycle_start" in data:
        anchor = within("cycle_start", check_date, data["cycle_start"], policy)
        if not anchor <= today < add_months(anchor, 1):
            raise ScenarioError(f"{anchor.isoformat()} is not the start of the billing cycle in force on "
                                f"{today.isoformat()} (expected a date on or before it, less than a month earlier)",
                                ("cycle_start",))
    else:
        anchor = within("renews_on", check_date, data["renews_on"], policy)
        if anchor == today:  # a dashboard may still show today's renewal as the next one
            raise ScenarioError(f"{anchor.isoformat()} is today: a plan that renews today starts a new billing cycle "
                                f"today (give {add_months(today, 1).isoformat()} as the next renewal, or today as the "
                                "day the billing cycle started)", ("renews_on",))
        if not add_months(anchor, -1) <= today < anchor:
            raise ScenarioError(f"{anchor.isoformat()} is not the next renewal after {today.isoformat()} "
                                "(expected a date after it, at most a month later)", ("renews_on",))
    cycle_start = cycle_bounds(anchor, today)[0]
    registered = None
    if "registered" in data:
        registered = within("registered", check_date, data["registered"], policy)
        if registered > today:
            raise ScenarioError(f"{registered.isoformat()} is after start.date {today.isoformat()}", ("registered",))
        if plan == "free" and cycle_bounds(registered, today)[0] != cycle_start:
            expected = cycle_bounds(registered, today)[0].isoformat()
            raise ScenarioError(f"a Free account's billing cycle counts from its registration date: the cycle in "
                                f"force began on {expected}, not {cycle_start.isoformat()} as given for the current "
                                "billing cycle (change one of the two)", ("registered",))
    credits = within("credits", parse_start_credits, data["credits"], policy, plan)
    trial_used = within("trial_used", check_bool, data.get("trial_used", False))
    return Start(today, plan, anchor, cycle_start, credits[0], credits[1], trial_used, registered)


def parse_start_credits(value: object, policy: Policy, plan: str) -> tuple[tuple[int, int, int, int], bool]:
    """The opening balance per bucket (daily, monthly, bonus, topup), split by start_balance_split,
    and whether today's daily credits are already in it."""
    data = check_object(value, CREDIT_KEYS, "an object with total, and optionally topup, bonus and daily")
    if "total" not in data:
        raise ScenarioError("missing (the Total Credits your dashboard shows)", ("total",))
    bound = policy.bounds["start_credits"]
    total = within("total", check_int, data["total"], bound)
    topup = within("topup", check_int, data.get("topup", 0), bound)
    bonus = within("bonus", check_int, data.get("bonus", 0), bound)
    daily = within("daily", check_int, data.get("daily", 0), (0, policy.daily_credits))
    if topup + bonus + daily > total:
        raise ScenarioError(f"the parts (Add-On Pack {topup:,}, bonus {bonus:,}, daily {daily:,}) add up to more "
                            f"than total {total:,}")
    rest = total - topup - bonus - daily
    monthly = min(rest, policy.plans[plan].monthly_credits)
    return (daily, monthly, bonus + rest - monthly, topup), "daily" in data


def parse_invites(value: object, policy: Policy, window: Window) -> list[date]:
    items = check_list(value, policy.bounds["invites"], "invitation dates")
    return [within(i, lambda v=v: window.check(check_date(v, policy))) for i, v in enumerate(items)]


def parse_events(value: object, policy: Policy, window: Window) -> tuple[Event, ...]:
    """Events in any order; they happen in date order, same-day events in the order listed."""
    items = check_list(value, policy.bounds["events"], "events")
    events = sorted((within(i, parse_event, item, i, policy, window) for i, item in enumerate(items)),
                    key=lambda e: e.date)  # stable: same-day events keep their listed order
    check_references(events)
    return tuple(events)
