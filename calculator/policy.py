"""The policy: every number and rule choice, read from policy.toml.

`load_policy()` reads the file shipped inside the package once; `Policy.with_overrides`
applies a scenario's `policy` block. Texts in policy.toml may name numbers as
`{daily_credits}`; they are filled in here so that no text repeats a number by hand.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

PLAN_ORDER = ("free", "plus", "pro")


@dataclass(frozen=True)
class Plan:
    """One cloud plan: `key` (free/plus/pro), display `label`, `monthly_credits`,
    `price_usd` (an operator setting for paid plans), `trial_days` (0 = no trial)."""

    key: str
    label: str
    monthly_credits: int
    price_usd: int
    trial_days: int
    audience: str


@dataclass(frozen=True)
class Setting:
    """A named rule choice: its `default`, every implemented value in `choices`,
    and the `text` / `alternatives` shown to readers (numbers already filled in)."""

    key: str
    default: str
    choices: tuple[str, ...]
    text: str
    alternatives: str


@dataclass(frozen=True)
class Policy:
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
    values: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> str:
        return self.values[key]

    def with_overrides(self, overrides: dict[str, str]) -> "Policy":
        return replace(self, values={**self.values, **overrides})

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
    return replace(base, settings=settings, values={k: s.default for k, s in settings.items()})


@cache
def load_policy() -> Policy:
    """The policy shipped with the package (calculator/policy.toml)."""
    return parse_policy(resources.files(__package__).joinpath("policy.toml").read_text("utf-8"))


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
