"""Scenario validation: JSON text in, a `Scenario` out, or one error naming the field.

Checks are small functions that raise `ScenarioError` without knowing where they
are; each level that calls them adds its key (`error.within(key)`), so locations
are built bottom-up, as jsonschema does. Every bound comes from policy.toml.
"""

from __future__ import annotations

import json
from datetime import date

from .errors import ScenarioError
from .model import Event, Scenario, Usage
from .policy import PLAN_ORDER, Policy

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PATTERNS = {"every_day": range(7), "weekdays": range(5), "weekends": range(5, 7)}
TOP_KEYS = ("registered", "days", "usage", "invites", "events", "policy")
USAGE_KEYS = ("per_active_day", "active_days", "by_date")
EVENT_KEYS = {
    "subscribe": ("date", "type", "plan", "trial"),
    "topup": ("date", "type", "usd"),
    "cancel": ("date", "type"),
    "cancel_topup": ("date", "type", "of"),
}


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
    depth = deepest = 0
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


def parse_event(value: object, index: int, policy: Policy, window: Window,
                topup_dates: set[date]) -> Event:
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
        if key not in value and key != "trial":
            raise ScenarioError(f"missing (a {kind} event needs {', '.join(allowed)})", (key,))
    day = within("date", lambda: window.check(check_date(value["date"], policy)))
    if kind == "subscribe":
        plan = value["plan"]
        if plan not in PLAN_ORDER:
            raise ScenarioError(f"unknown plan {plan!r} (expected free, plus or pro)", ("plan",))
        if plan == "free":
            raise ScenarioError("you cannot subscribe to 'free'; a cancel event returns the account to Free",
                                ("plan",))
        trial = value.get("trial", False)
        if not isinstance(trial, bool):
            raise ScenarioError(f"expected true or false, got {type_name(trial)} {trial!r}", ("trial",))
        return Event(index, day, kind, plan=plan, trial=trial)
    if kind == "topup":
        usd = within("usd", check_int, value["usd"], policy.bounds["topup_usd"])
        topup_dates.add(day)
        return Event(index, day, kind, usd=usd)
    if kind == "cancel_topup":
        of = within("of", lambda: window.check(check_date(value["of"], policy)))
        if of > day:
            raise ScenarioError(f"{of.isoformat()} is after this event's date {day.isoformat()}", ("of",))
        if of not in topup_dates:
            raise ScenarioError(f"no top-up event on {of.isoformat()} is listed before this one", ("of",))
        return Event(index, day, kind, of=of)
    return Event(index, day, kind)


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
    for key in ("registered", "days"):
        if key not in top:
            raise ScenarioError("missing (a scenario needs registered and days)", (key,))
    if not allow_events and "events" in top:
        raise ScenarioError("not allowed for recommend (the advisor chooses the events)", ("events",))
    registered = within("registered", check_date, top["registered"], policy)
    days = within("days", check_int, top["days"], policy.bounds["days"])
    window = Window(registered, days)
    if date.fromordinal(window.last).year > policy.bounds["date_years"][1]:
        raise ScenarioError(f"the simulation would run past {policy.bounds['date_years'][1]}", ("days",))
    usage = within("usage", parse_usage, top.get("usage", {}), policy, window)
    invites = tuple(within("invites", parse_invites, top.get("invites", []), policy, window))
    events = within("events", parse_events, top.get("events", []), policy, window)
    overrides = within("policy", parse_policy_overrides, top.get("policy", {}), policy)
    return Scenario(registered, days, usage, invites, events, overrides)


def parse_invites(value: object, policy: Policy, window: Window) -> list[date]:
    items = check_list(value, policy.bounds["invites"], "invitation dates")
    return [within(i, lambda v=v: window.check(check_date(v, policy))) for i, v in enumerate(items)]


def parse_events(value: object, policy: Policy, window: Window) -> tuple[Event, ...]:
    items = check_list(value, policy.bounds["events"], "events")
    topup_dates: set[date] = set()
    events = [within(i, parse_event, item, i, policy, window, topup_dates) for i, item in enumerate(items)]
    # Same-day events keep their listed order (a stable sort); days are taken in date order.
    return tuple(sorted(events, key=lambda e: e.date))
