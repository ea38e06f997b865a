"""The policy: every number and rule choice, read from policy.toml.

`load_policy()` reads the file shipped inside the package once; `Policy.with_overrides`
applies a scenario's `policy` block. Texts in policy.toml may name numbers as
`{daily_credits}`; they are filled in here so that no text repeats a number by hand.
"""

from __future__ import annotations

import os
import tomllib
from functools import cache
from typing import NamedTuple

PLAN_ORDER = ("free", "plus", "pro")


class Plan(NamedTuple):
    """One cloud plan: `key` (free/plus/pro), display `label`, `monthly_credits`,
    `price_usd` (an operator setting for paid plans), `trial_days` (0 = no trial)."""

    key: str
    label: str
    monthly_credits: int
    price_usd: int
    trial_days: int
    audience: str


class Setting(NamedTuple):
    """A named rule choice: its `default`, every implemented value in `choices`,
    and the `text` / `alternatives` shown to readers (numbers already filled in)."""

    key: str
    default: str
    choices: tuple[str, ...]
    text: str
    alternatives: str


class Policy(NamedTuple):
    """Numbers and rule choices in force for one simulation. `values` maps each
    setting key to the value in force (the default unless a scenario overrides it)."""

    credits_per_usd: int
    daily_credits: int
    signup_bonus: int
    invite_bonus: int
    refund_window_days: int
    plans: dict[str, Plan]
    bounds: dict[str, tuple[int, int] | int]
    settings: dict[str, Setting]
    values: dict[str, str]

    def rule(self, key: str) -> str:
        """The value in force of the setting `key`."""
        return self.values[key]

    def with_overrides(self, overrides: dict[str, str]) -> "Policy":
        return self._replace(values={**self.values, **overrides})

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
        }

    def assumptions(self) -> list[dict]:
        """Every setting in force, as `{key, value, text}`, in policy.toml order."""
        return [
            {"key": key, "value": self.values[key], "text": setting.text}
            for key, setting in self.settings.items()
        ]


def parse_policy(text: str) -> Policy:
    """Build a Policy from the text of a policy.toml."""
    raw = tomllib.loads(text)
    plans = {key: Plan(key=key, **raw["plans"][key]) for key in PLAN_ORDER}
    bounds = {k: tuple(v) if isinstance(v, list) else v for k, v in raw["bounds"].items()}
    base = Policy(
        credits_per_usd=raw["currency"]["credits_per_usd"],
        daily_credits=raw["grants"]["daily_credits"],
        signup_bonus=raw["grants"]["signup_bonus"],
        invite_bonus=raw["grants"]["invite_bonus"],
        refund_window_days=raw["refunds"]["window_days"],
        plans=plans,
        bounds=bounds,
        settings={},
        values={},
    )
    names = base.number_names()
    settings = {}
    for key, entry in raw["settings"].items():
        choices = tuple(entry["choices"])
        if entry["default"] not in choices:
            raise ValueError(f"policy.toml: settings.{key}.default {entry['default']!r} is not one of its choices")
        settings[key] = Setting(
            key=key,
            default=entry["default"],
            choices=choices,
            text=entry["text"].format_map(names),
            alternatives=entry["alternatives"].format_map(names),
        )
    return base._replace(settings=settings, values={k: s.default for k, s in settings.items()})


@cache
def load_policy() -> Policy:
    """The policy shipped with the package (calculator/policy.toml)."""
    # A plain file read: importlib.resources alone would double the CLI's start-up time.
    with open(os.path.join(os.path.dirname(__file__), "policy.toml"), encoding="utf-8") as file:
        return parse_policy(file.read())


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
            {"key": s.key, "default": s.default, "choices": list(s.choices), "text": s.text,
             "alternatives": s.alternatives}
            for s in policy.settings.values()
        ],
    }
