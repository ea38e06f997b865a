"""Renders every figure on the pages from calculator/policy.toml and the engine.

Pages write placeholders in double braces; this hook replaces them before the
Markdown is rendered, so no page states a number the policy holds:

    {{ plans.plus.monthly_credits }}      a value (numbers get thousands separators)
    {{ numbers.daily_credits }}           a named number (see Policy.number_names)
    {{ plan_table() }}                    the cloud plan comparison table
    {{ assumptions() }}                   one section per policy setting, anchored by its key
    {{ example("plus-trial-cancelled-day-5", days=8) }}   a worked example from a preset
    {{ preset_gallery() }}                every preset's outcome (the calculator page's fallback)
    {{ calculator_link("free-300-a-day") }}               a link opening the calculator on a preset

A placeholder the hook does not know fails the build: text is never passed
through unchanged.
"""

from __future__ import annotations

import ast
import json
import re
from functools import cache
from html import escape
from pathlib import Path

from calculator.api import simulate
from calculator.policy import PLAN_ORDER, Policy, load_policy

PLACEHOLDER = re.compile(r"\{\{\s*(.+?)\s*\}\}")
PRESETS_FILE = Path(__file__).resolve().parent.parent / "calculator" / "presets.json"


class FigureError(Exception):
    pass


# --- MkDocs events -----------------------------------------------------------------------------

def on_page_markdown(markdown: str, page, **kwargs) -> str:
    def substitute(match: re.Match) -> str:
        try:
            return render(match.group(1), page.url)
        except FigureError as error:
            raise FigureError(f"{page.file.src_uri}: {{{{ {match.group(1)} }}}}: {error}") from None

    return PLACEHOLDER.sub(substitute, markdown)


# --- placeholders --------------------------------------------------------------------------------

def render(expression: str, page_url: str) -> str:
    policy = load_policy()
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        raise FigureError("not a placeholder this hook understands") from None
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name) and tree.func.id in MACROS:
        try:
            args = [ast.literal_eval(a) for a in tree.args]
            kwargs = {k.arg: ast.literal_eval(k.value) for k in tree.keywords}
        except ValueError:
            raise FigureError("macro arguments must be literals") from None
        return MACROS[tree.func.id](Context(policy, page_url), *args, **kwargs)
    return format_value(lookup(policy, expression))


def lookup(policy: Policy, path: str):
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "plans" and parts[1] in policy.plans:
        plan = policy.plans[parts[1]]
        if parts[2] in plan._fields or parts[2] == "price_usd":
            return getattr(plan, parts[2])
    if len(parts) == 2 and parts[0] == "numbers" and parts[1] in policy.number_names():
        return policy.number_names()[parts[1]]
    if len(parts) == 2 and parts[0] == "settings" and parts[1] in policy.settings:
        return policy.settings[parts[1]].default
    raise FigureError(f"unknown value {path!r}")


def format_value(value) -> str:
    if isinstance(value, bool):
        raise FigureError("not a printable value")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def usd(amount: int) -> str:
    return f"−{-amount:,} USD" if amount < 0 else f"{amount:,} USD"


# --- macros ----------------------------------------------------------------------------------------

class Context:
    """What a macro may use: the policy, and the page's URL (for relative links)."""

    def __init__(self, policy: Policy, page_url: str) -> None:
        self.policy = policy
        self.root = "../" * page_url.count("/")  # from the page to the site root, sub-path safe


def plan_table(ctx: Context) -> str:
    policy = ctx.policy
    plans = [policy.plans[k] for k in PLAN_ORDER]
    per_usd = policy.credits_per_usd
    rows = [
        "| | " + " | ".join(p.label for p in plans) + " | Add-On Pack |",
        "|---|" + "---|" * (len(plans) + 1),
        "| Credits each month | " + " | ".join(f"{p.monthly_credits:,}" for p in plans) + " | none: bought when needed |",
        "| Price per month[^price] | " + " | ".join("free" if p.price_usd == 0 else f"{p.price_usd:,} USD"
                                                    for p in plans) + f" | {per_usd:,} credits per USD |",
        "| Free trial | " + " | ".join(f"{p.trial_days} days" if p.trial_days else "not needed"
                                      for p in plans) + " | none |",
        "| Unused credits at the end of the month | " + " | ".join("expire" for p in plans)
        + " | carry over, never expire |",
        "| Made for | " + " | ".join(p.audience for p in plans) + " | running out before the month ends |",
    ]
    note = ("\n\n[^price]: Eigent does not publish prices for Plus and Pro. The prices here are settings "
            "of this calculator (`price_usd` in `calculator/policy.toml`), used only to add up costs; "
            "check the real price in the Eigent app before you buy.")
    return "\n".join(rows) + note


def assumptions(ctx: Context) -> str:
    policy = ctx.policy
    out = []
    for setting in policy.settings.values():
        others = [c for c in setting.choices if c != setting.default]
        out.append(f"### `{setting.key}` {{#{setting.key}}}\n")
        out.append(f"Default: **`{setting.default}`**. {setting.text}\n")
        if others:
            out.append("Other values you can choose: " + " ".join(f"`{c}`: {setting.choices[c]}" for c in others) + "\n")
        if setting.others:
            out.append(f"{setting.others}\n")
    return "\n".join(out)


@cache
def presets() -> dict:
    return json.loads(PRESETS_FILE.read_text("utf-8"))


@cache
def preset_result(name: str) -> str:
    # json text, cached per build process: each preset is simulated once however often it is shown
    return json.dumps(simulate(presets()[name]["scenario"]))


def preset(name: str) -> dict:
    if name not in presets():
        raise FigureError(f"unknown preset {name!r} (see calculator/presets.json)")
    return presets()[name]


def example(ctx: Context, name: str, days: int = 7) -> str:
    case = preset(name)
    result = json.loads(preset_result(name))
    scenario = case["scenario"]
    lines = [f"**{case['title']}.** {case['summary']}", "", scenario_text(scenario), "",
             '<div class="worked-example" markdown>', ""]
    lines += ["| Date | Plan | Wanted | Used | Unmet | Daily | Monthly | Bonus | Top-up | Balance |",
              "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for d in result["days"][:days]:
        b = d["buckets"]
        balance = f"{d['balance']:,}" + (" (shown as 0)" if d["balance"] < 0 else "")
        lines.append(f"| {d['date']} | {d['plan'].title()} | {d['wanted']:,} | {d['consumed']:,} | "
                     f"{d['unmet']:,} | {b['daily']:,} | {b['monthly']:,} | {b['bonus']:,} | {b['topup']:,} | "
                     f"{balance} |")
    lines += ["", "</div>", "", outcome(result, len(result["days"])), "",
              calculator_link(ctx, name, "See every day of this case in the calculator")]
    return "\n".join(lines)


def scenario_text(scenario: dict) -> str:
    usage = scenario.get("usage", {})
    pattern = usage.get("active_days", "every_day")
    pattern = ", ".join(pattern) if isinstance(pattern, list) else pattern.replace("_", " ")
    parts = [f"Registered {scenario['registered']}",
             f"uses {usage.get('per_active_day', 0):,} credits a day ({pattern})"]
    for event in scenario.get("events", []):
        kind = event["type"]
        if kind == "subscribe":
            parts.append(f"subscribes to {event['plan'].title()}"
                         f"{' with the free trial' if event.get('trial') else ''} on {event['date']}")
        elif kind == "topup":
            parts.append(f"buys a {event['usd']:,} USD Add-On Pack on {event['date']}")
        elif kind == "cancel":
            parts.append(f"cancels on {event['date']}")
        elif kind == "cancel_topup":
            parts.append(f"cancels the Add-On Pack of {event['of']} on {event['date']}")
    for invite in scenario.get("invites", []):
        parts.append(f"a friend registers with the invitation code on {invite}")
    return "; ".join(parts) + "."


def outcome(result: dict, days: int) -> str:
    s = result["summary"]
    charges = ", ".join(f"{c['date']}: {c['kind']} {usd(c['usd'])}" for c in result["charges"]) or "none"
    restricted = s["first_restricted_day"] or "never"
    return "\n".join([
        f"!!! note \"Outcome after {days} days\"",
        f"    - Money: **{usd(s['usd_total'])}** in total (charges: {charges}).",
        f"    - Credits added: {s['credits_added']:,}; used: {s['credits_consumed']:,}; "
        f"wanted but not served: {s['unmet']:,}.",
        f"    - First day the service was restricted: {restricted}.",
        f"    - Balance at the end: {s['end_balance']:,}"
        + (" (shown as 0 in the app)" if s["end_balance"] < 0 else "") + ".",
    ])


def preset_gallery(ctx: Context) -> str:
    out = []
    for name, case in presets().items():
        result = json.loads(preset_result(name))
        out += [f"### {case['title']}", "", case["summary"], "", scenario_text(case["scenario"]), "",
                outcome(result, len(result["days"])), ""]
    return "\n".join(out)


def calculator_link(ctx: Context, name: str, text: str = "Open this case in the calculator") -> str:
    preset(name)  # fails the build on an unknown preset
    # Raw HTML: MkDocs would read "#preset=…" as a heading anchor of the calculator page.
    return f'<a class="calculator-link" href="{ctx.root}calculator/#preset={escape(name)}">{escape(text)}</a>'


MACROS = {
    "plan_table": plan_table,
    "assumptions": assumptions,
    "example": example,
    "preset_gallery": preset_gallery,
    "calculator_link": calculator_link,
}


def on_pre_build(config, **kwargs) -> None:
    # `mkdocs serve` rebuilds in one process: read policy.toml and presets.json afresh each time.
    load_policy.cache_clear()
    presets.cache_clear()
    preset_result.cache_clear()


def on_serve(server, config, builder, **kwargs):
    server.watch(str(PRESETS_FILE.parent))  # a policy or preset edit rebuilds the pages
    return server
