"""The policy: every number and rule choice, read from policy.toml.

`load_policy()` reads the file shipped inside the package once; `Policy.with_overrides`
applies a scenario's `policy` block and `Policy.with_prices` its `prices`. Texts in
policy.toml may name numbers as `{daily_credits}`; they are filled in here so that no
text repeats a number by hand.
"""

from __future__ import annotations

import json
import os
from binascii import crc32
from collections import namedtuple
from functools import cache

PLAN_ORDER = ("free", "plus", "pro")
BASES = ("published", "reading")


def usd_value(cents: int) -> int | float:
    """Cents as a USD number for JSON, rounded to cents: 2000 -> 20, 1999 -> 19.99, -1990 -> -19.9."""
    return cents // 100 if cents % 100 == 0 else cents / 100


class Plan(namedtuple("Plan", "key label monthly_credits price_cents trial_days audience")):
    """One cloud plan: `key` (free/plus/pro), display `label`, `monthly_credits`,
    `price_cents` (an operator setting for paid plans, or the scenario's own price),
    `trial_days` (0 = no trial) and the `audience` it is made for."""

    __slots__ = ()

    @property
    def price_usd(self) -> int | float:
        """The price in USD as a number (see usd_value)."""
        return usd_value(self.price_cents)


class Setting(namedtuple("Setting", "key title basis source default choices others")):
    """A named rule choice. `title` says what it is about in the customer's words;
    `basis` is "published" (Eigent states it; `source` quotes the fact) or "reading"
    (the calculator's choice where the source is silent). `choices` maps every value
    the engine implements to the sentence stating it (numbers filled in); `others`
    names readings the engine does not implement."""

    __slots__ = ()

    @property
    def text(self) -> str:
        """The sentence stating the default."""
        return self.choices[self.default]


class Policy(namedtuple("Policy", "credits_per_usd daily_credits signup_bonus invite_bonus refund_window_days "
                                  "pack_usd plans bounds settings values")):
    """Numbers and rule choices in force for one simulation. `values` maps each
    setting key to the value in force (the default unless a scenario overrides it)."""

    __slots__ = ()

    def rule(self, key: str) -> str:
        """The value in force of the setting `key`."""
        return self.values[key]

    def with_overrides(self, overrides: dict[str, str]) -> "Policy":
        return self._replace(values={**self.values, **overrides})

    def with_prices(self, cents: dict[str, int]) -> "Policy":
        """The policy with some plans' prices replaced (in cents), e.g. the prices the app shows."""
        plans = {key: plan._replace(price_cents=cents.get(key, plan.price_cents)) for key, plan in self.plans.items()}
        return self._replace(plans=plans)

    def number_names(self) -> dict[str, int]:
        """The numbers a text may quote by name."""
        low, high = self.bounds["topup_usd"]
        return {
            "credits_per_usd": self.credits_per_usd,
            "daily_credits": self.daily_credits,
            "signup_bonus": self.signup_bonus,
            "invite_bonus": self.invite_bonus,
            "refund_window_days": self.refund_window_days,
            "topup_usd_min": low,
            "topup_usd_max": high,
            "pack_usd": self.pack_usd,
        }

    def assumptions(self) -> list[dict]:
        """Every setting in force, as `{key, value, basis, title, text}`, in policy.toml order;
        `text` states the value in force."""
        return [
            {"key": key, "value": self.values[key], "basis": setting.basis, "title": setting.title,
             "text": setting.choices[self.values[key]]}
            for key, setting in self.settings.items()
        ]


def parse_setting(key: str, entry: dict, names: dict[str, str]) -> Setting:
    where = f"policy.toml: settings.{key}"
    if entry.get("basis") not in BASES:
        raise ValueError(f"{where}.basis must be one of {', '.join(BASES)}")
    if entry["basis"] == "published" and not entry.get("source"):
        raise ValueError(f"{where}: a published rule needs a `source` quoting the product fact")
    choices = {value: text.format_map(names) for value, text in entry["choices"].items()}
    if entry["default"] not in choices:
        raise ValueError(f"{where}.default {entry['default']!r} is not one of its choices")
    return Setting(key=key, title=entry["title"], basis=entry["basis"], source=entry.get("source", ""),
                   default=entry["default"], choices=choices, others=entry.get("others", "").format_map(names))


def parse_policy(text: str) -> Policy:
    """Build a Policy from the text of a policy.toml."""
    import tomllib  # only here: see read_policy_file

    return build_policy(tomllib.loads(text))


def build_policy(raw: dict) -> Policy:
    """Build a Policy from the parsed contents of a policy.toml."""
    plans = {}
    for key in PLAN_ORDER:
        entry = dict(raw["plans"][key])
        plans[key] = Plan(key=key, price_cents=round(entry.pop("price_usd") * 100), **entry)
    bounds = {k: tuple(v) if isinstance(v, list) else v for k, v in raw["bounds"].items()}
    base = Policy(
        credits_per_usd=raw["currency"]["credits_per_usd"],
        daily_credits=raw["grants"]["daily_credits"],
        signup_bonus=raw["grants"]["signup_bonus"],
        invite_bonus=raw["grants"]["invite_bonus"],
        refund_window_days=raw["refunds"]["window_days"],
        pack_usd=raw["advisor"]["pack_usd"],
        plans=plans,
        bounds=bounds,
        settings={},
        values={},
    )
    names = {key: f"{value:,}" for key, value in base.number_names().items()}  # as a reader sees them: 10,000
    settings = {key: parse_setting(key, entry, names) for key, entry in raw["settings"].items()}
    return base._replace(settings=settings, values={k: s.default for k, s in settings.items()})


@cache
def load_policy() -> Policy:
    """The policy shipped with the package (calculator/policy.toml)."""
    # A plain file read: importlib.resources alone would double the CLI's start-up time.
    return build_policy(read_policy_file(os.path.join(os.path.dirname(__file__), "policy.toml")))


def read_policy_file(path: str) -> dict:
    """The parsed policy.toml. Importing tomllib (and the typing module it pulls in) takes
    half as long as a bare interpreter start, and the CLI is budgeted against one; so, like
    Python's own .pyc files, the parsed data is cached as JSON in __pycache__, named by the
    size and checksum of the TOML text. policy.toml stays the only source: an edited file
    has another name and is parsed afresh. Where the cache cannot be written, nothing is
    cached."""
    with open(path, "rb") as file:
        data = file.read()
    folder = os.path.join(os.path.dirname(path), "__pycache__")
    cached = os.path.join(folder, f"policy.{len(data)}-{crc32(data):08x}.json")
    try:
        with open(cached, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError):
        pass
    import tomllib

    raw = tomllib.loads(data.decode("utf-8"))
    try:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            if name.startswith("policy.") and name.endswith(".json"):
                os.remove(os.path.join(folder, name))
        partial = f"{cached}.{os.getpid()}.tmp"
        with open(partial, "w", encoding="utf-8") as file:
            json.dump(raw, file)
        os.replace(partial, cached)
    except OSError:
        pass
    return raw


def policy_document(policy: Policy) -> dict:
    """The policy as plain JSON data, for the calculator page (written into the built site)."""
    return {
        "numbers": policy.number_names(),
        "plans": {
            key: {"label": p.label, "monthly_credits": p.monthly_credits, "price_usd": p.price_usd,
                  "trial_days": p.trial_days, "audience": p.audience}
            for key, p in policy.plans.items()
        },
        "bounds": {key: list(v) if isinstance(v, tuple) else v for key, v in policy.bounds.items()},
        "settings": [
            {"key": s.key, "title": s.title, "basis": s.basis, "source": s.source, "default": s.default,
             "choices": [{"value": value, "text": text} for value, text in s.choices.items()], "others": s.others}
            for s in policy.settings.values()
        ],
    }
