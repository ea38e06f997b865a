"""What the engine tests share: the default policy's figures, read from policy.toml (a
changed value changes the expectations instead of breaking them), and small readers of
a simulate result."""

from __future__ import annotations

from calculator.policy import load_policy

POLICY = load_policy()
DAILY = POLICY.daily_credits
FREE = POLICY.plans["free"].monthly_credits
PLUS = POLICY.plans["plus"].monthly_credits
PRO = POLICY.plans["pro"].monthly_credits
PLUS_USD = POLICY.plans["plus"].price_usd
PRO_USD = POLICY.plans["pro"].price_usd
SIGNUP = POLICY.signup_bonus
INVITE = POLICY.invite_bonus
PER_USD = POLICY.credits_per_usd
WINDOW = POLICY.refund_window_days


def day(result: dict, iso: str) -> dict:
    return next(d for d in result["days"] if d["date"] == iso)


def entries(result: dict, **match) -> list[tuple]:
    """Ledger entries matching every given field, as (date, kind, bucket, credits)."""
    return [(e["date"], e["kind"], e["bucket"], e["credits"]) for e in result["ledger"]
            if all(e[k] == v for k, v in match.items())]


def charges(result: dict) -> list[tuple]:
    return [(c["date"], c["kind"], c["usd"]) for c in result["charges"]]
