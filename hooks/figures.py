"""Renders every figure and every rule on the pages from calculator/policy.toml and the engine.

Pages write placeholders in double braces; this hook replaces them before the
Markdown is rendered, so no page states a number or a rule by hand:

    {{ plans.plus.monthly_credits }}      a value (numbers get thousands separators)
    {{ numbers.daily_credits }}           a named number (see Policy.number_names)
    {{ rule("bonus_expiry") }}            the sentence stating a rule. Eigent's published rules
                                          come plain; a reading of the calculator comes inside
                                          the reading marker, linked to its Assumptions entry
    {{ unpublished("bonus_expiry") }}     the reading marker alone (for a table cell or a diagram)
    {{ spending_order() }}                the spending-order diagram, in the policy's order
    {{ plan_cards() }}                    the cloud plans side by side, each with "pick this if …"
    {{ credit_prices() }}                 what a credit costs on each plan and in an Add-On Pack
    {{ same_price_per_credit() }}         one sentence: plan credits against pack credits, in price
                                          (same_price_per_credit("At this site's prices") words the start)
    {{ operator_prices() }}               the note that the prices are the operator's (once per page)
    {{ assumptions() }}                   the customer Assumptions page: one entry per setting
    {{ settings_reference() }}            the developer reference: every setting with its key
    {{ numbers_reference() }}, {{ plans_reference() }}   the numbers and plans with their keys
    {{ example("plus-trial-kept") }}      a worked example: timeline, outcome, every day collapsed
    {{ preset_gallery() }}                every preset's outcome (the calculator page's fallback)
    {{ assumed("anchor", "sentence") }}   a reading no setting names, in the marker, linked to the
                                          Assumptions page's entry #anchor (written on that page by hand)
    {{ calculator_link("free-300-a-day") }}               a link opening the calculator on a preset

A placeholder the hook does not know fails the build: text is never passed
through unchanged.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from fractions import Fraction
from functools import cache
from html import escape
from pathlib import Path

from calculator.api import simulate
from calculator.policy import PLAN_ORDER, Policy, Setting, load_policy

PLACEHOLDER = re.compile(r"\{\{\s*(.+?)\s*\}\}")
PRESETS_FILE = Path(__file__).resolve().parent.parent / "calculator" / "presets.json"

# The one marker for a rule Eigent has not published. Tests find readings by these names.
READING_CLASS = "reading"
READING_MARK_CLASS = "reading__mark"
READING_LABEL = "Eigent hasn't published this; the calculator assumes:"
# The same marker where no sentence follows it (a table cell, a diagram, the developer reference).
SHORT_LABEL = "Eigent hasn't published this"


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


def on_pre_build(config, **kwargs) -> None:
    # `mkdocs serve` rebuilds in one process: read policy.toml and presets.json afresh each time.
    load_policy.cache_clear()
    presets.cache_clear()
    preset_result.cache_clear()


def on_serve(server, config, builder, **kwargs):
    server.watch(str(PRESETS_FILE.parent))  # a policy or preset edit rebuilds the pages
    return server


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
    raise FigureError(f"unknown value {path!r}")


def format_value(value) -> str:
    if isinstance(value, bool):
        raise FigureError("not a printable value")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def usd(amount: int | float) -> str:
    """An engine amount (a JSON number rounded to cents) as text: 20 USD, 19.99 USD, −20 USD."""
    whole = float(amount).is_integer()
    text = f"{int(abs(amount)):,}" if whole else f"{abs(amount):,.2f}"
    return f"−{text} USD" if amount < 0 else f"{text} USD"


def human_date(iso: str, year: bool = True) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%b}" + (f" {day.year}" if year else "")


class Context:
    """What a macro may use: the policy, and the page's URL (for relative links)."""

    def __init__(self, policy: Policy, page_url: str) -> None:
        self.policy = policy
        self.page_url = page_url
        self.root = "../" * page_url.count("/")  # from the page to the site root, sub-path safe

    def setting(self, key: str) -> Setting:
        if key not in self.policy.settings:
            raise FigureError(f"unknown setting {key!r} (see [settings] in calculator/policy.toml)")
        return self.policy.settings[key]

    def assumption_url(self, key: str) -> str:
        if self.page_url == "assumptions/":
            return f"#{key}"
        return f"{self.root}assumptions/#{key}"


# --- rules: published plainly, readings marked ------------------------------------------------------

def rule(ctx: Context, key: str, value: str | None = None) -> str:
    """The sentence stating setting `key` (its default, or `value`). A reading comes inside the
    marker; a published rule comes plain. Used inline: the result is one or two sentences."""
    setting = ctx.setting(key)
    value = setting.default if value is None else value
    if value not in setting.choices:
        raise FigureError(f"{key} has no choice {value!r} (choices: {', '.join(setting.choices)})")
    sentence = escape(setting.choices[value], quote=False)
    if setting.basis == "published":
        return sentence
    return (f'<span class="{READING_CLASS}" data-setting="{key}">{mark(ctx, key)} {after_colon(sentence)}</span>')


# Words that keep their capital after the marker's colon: names.
PROPER_NOUNS = ("Eigent", "Free", "Plus", "Pro", "Add-On", "Credits History", "Total Credits", "Daily Refreshed")


def after_colon(sentence: str) -> str:
    """A sentence that continues the marker ("… the calculator assumes: bonus credits are …"):
    its first letter in lower case, unless it starts with a name."""
    first_word = sentence.split(" ", 1)[0]
    if sentence.startswith(PROPER_NOUNS) or (len(first_word) > 1 and first_word.isupper()):  # a name, or USD
        return sentence
    return sentence[:1].lower() + sentence[1:]


def mark(ctx: Context, key: str, label: str = READING_LABEL) -> str:
    return f'<a class="{READING_MARK_CLASS}" href="{ctx.assumption_url(key)}">{escape(label)}</a>'


def unpublished(ctx: Context, key: str, label: str = SHORT_LABEL) -> str:
    """The marker alone, for a place too small for the sentence (the sentence is stated nearby)."""
    setting = ctx.setting(key)
    if setting.basis != "reading":
        raise FigureError(f"{key} is published by Eigent: state it with rule({key!r})")
    return f'<span class="{READING_CLASS} {READING_CLASS}--short" data-setting="{key}">{mark(ctx, key, label)}</span>'


# --- the spending order ------------------------------------------------------------------------------

CREDIT_KINDS = {
    "daily": ("Daily credits", "gone at the end of the day"),
    "monthly": ("Monthly allowance", "gone at the end of the billing cycle"),
    "bonus": ("Bonus credits", None),  # expiry: a setting
    "topup": ("Add-On Pack credits", "never expire"),
}
BONUS_EXPIRY = {"cycle_end": "gone at the end of the billing cycle", "never": "never expire"}


def spending_order(ctx: Context) -> str:
    order_setting = ctx.setting("spending_order")
    # The setting's values name the order itself: daily_monthly_bonus_topup.
    order = order_setting.default.split("_")
    if sorted(order) != sorted(CREDIT_KINDS):
        raise FigureError(f"spending_order {order_setting.default!r} does not name the four kinds of credits")
    bonus_expiry = ctx.setting("bonus_expiry").default
    if bonus_expiry not in BONUS_EXPIRY:
        raise FigureError(f"no words for bonus_expiry {bonus_expiry!r}: add them to BONUS_EXPIRY")
    steps = []
    for number, kind in enumerate(order, start=1):
        name, expiry = CREDIT_KINDS[kind]
        note = ""
        if kind == "bonus":
            # Two readings in one step: its place in the order and its expiry, each with its marker.
            expiry = BONUS_EXPIRY[bonus_expiry]
            note = (unpublished(ctx, "spending_order", "Eigent hasn't published where these come")
                    + unpublished(ctx, "bonus_expiry", "Eigent hasn't published when these expire"))
        if steps:
            steps.append('<div class="spending-order__arrow" aria-hidden="true"><span>→</span></div>')
        steps.append(f'<div class="spending-order__step spending-order__step--{kind}" role="listitem">'
                     f'<strong>{number}. {name}</strong><span>{expiry}</span>{note}</div>')
    return "\n".join([
        '<figure class="spending-order">',
        '<div class="spending-order__steps" role="list" aria-label="Spending order, first to last">',
        *steps,
        "</div>",
        "<figcaption>Each time you use Eigent, credits come from the first kind that still has "
        "some, then from the next one along.</figcaption>",
        "</figure>",
    ])


# --- plans --------------------------------------------------------------------------------------------

def plan_usd(plan) -> str:
    return "free" if plan.price_cents == 0 else f"{money(plan.price_cents)} a month"


def money(cents: int) -> str:
    return f"{cents // 100:,} USD" if cents % 100 == 0 else f"{cents / 100:,.2f} USD"


def beats_free_with_packs_above(policy: Policy, plan) -> int | None:
    """Monthly credits (beyond the daily credits) above which `plan` costs less than Free plus
    Add-On Packs, or None when it never does: Free with packs costs (U − free allowance) at the
    pack price; the plan costs its price plus packs for anything above its own allowance."""
    free = policy.plans["free"].monthly_credits
    break_even = free + Fraction(plan.price_cents * policy.credits_per_usd, 100)
    return int(break_even) + 1 if break_even < plan.monthly_credits else None


def plan_cards(ctx: Context) -> str:
    """One card per cloud plan: the facts, then "pick this if …" worked out from the policy:
    a paid plan is weighed against Free with Add-On Packs for the same money."""
    policy = ctx.policy
    free = policy.plans["free"]
    cards = []
    for key in PLAN_ORDER:
        plan = policy.plans[key]
        trial = f"{plan.trial_days}-day free trial" if plan.trial_days else "no trial needed"
        price = plan_usd(plan)
        if key == "free":
            pick = ("you use Eigent lightly, or want to pay only for what you use: each day you use the "
                    f"app brings {policy.daily_credits:,} credits for that day, {free.monthly_credits:,} "
                    "credits a month cover the rest, and you can buy an Add-On Pack with + Add Credits "
                    "whenever you run short.")
            detail = ""
        else:
            above = beats_free_with_packs_above(policy, plan)
            same_money = free.monthly_credits + int(Fraction(plan.price_cents * policy.credits_per_usd, 100))
            lower = policy.plans[PLAN_ORDER[PLAN_ORDER.index(key) - 1]]
            if above is not None:
                pick = (f"you need more than {above:,} credits a month beyond your daily credits: from there "
                        f"{plan.label} costs less than Free with Add-On Packs. Made for {plan.audience}.")
                detail = ""
            else:
                if lower.key == "free":
                    # Not cheaper than Free with packs: what it offers instead is a set monthly
                    # allowance for one fixed charge, for someone who outgrows Free's allowance.
                    pick = (f"you use more than Free's monthly allowance of {free.monthly_credits:,} credits most months and "
                            "would rather pay one fixed monthly charge than buy Add-On Packs as you go. "
                            f"Made for {plan.audience}.")
                else:
                    # Above Plus: who the plan is for (its audience in policy.toml); the
                    # credit comparison follows in `detail` and on the Plans page.
                    pick = f"you are one of the {plan.audience}."
                detail = (f"For credits alone, Free with {money(plan.price_cents)} of Add-On Packs gives you "
                          f"{same_money:,} credits for the same money, and the Add-On Pack credits never expire.")
        paragraphs = [f"**{plan.monthly_credits:,} credits** a month  \n    {price[0].upper()}{price[1:]} · {trial}",
                      f'<strong class="plan-cards__pick">Pick this if</strong> {pick}']
        if detail:
            paragraphs.append(detail)
        cards.append(f"-   ### {plan.label} {{ #plan-{key} }}\n\n    " + "\n\n    ".join(paragraphs))
    return '<div class="grid cards plan-cards" markdown>\n\n' + "\n\n".join(cards) + "\n\n</div>"


def credit_prices(ctx: Context) -> str:
    """What 100 credits cost on each paid plan and in an Add-On Pack, and when unused ones expire."""
    policy = ctx.policy
    per_100_pack = Fraction(100 * 100, policy.credits_per_usd)  # cents
    rows = ['<div class="compact-table credit-prices" markdown>', "",
            "| Way to buy | You get | Per 100 credits | Unused credits |", "|---|---|--:|---|"]
    for key in PLAN_ORDER[1:]:
        plan = policy.plans[key]
        per_100 = Fraction(plan.price_cents * 100, plan.monthly_credits)
        rows.append(f"| {plan.label}, a month | {plan.monthly_credits:,} credits for {money(plan.price_cents)} | "
                    f"{cents_text(per_100)} | expire when the billing cycle ends |")
    rows.append(f"| Add-On Pack | {policy.credits_per_usd:,} credits for each USD | {cents_text(per_100_pack)} | "
                "never expire |")
    return "\n".join(rows + ["", "</div>"])


def cents_text(cents: Fraction) -> str:
    return f"{float(cents) / 100:,.2f} USD"


def same_price_per_credit(ctx: Context, lead: str = "At the prices set here") -> str:
    """One sentence: whether plan credits cost what pack credits cost at the configured prices.
    `lead` starts it; a page without the price box names the prices as this site's there."""
    policy = ctx.policy
    pack = Fraction(100, policy.credits_per_usd)
    cheaper, dearer, same = [], [], []
    for key in PLAN_ORDER[1:]:
        plan = policy.plans[key]
        per_credit = Fraction(plan.price_cents, plan.monthly_credits)
        (same if per_credit == pack else cheaper if per_credit < pack else dearer).append(plan.label)
    parts = []
    if same:
        parts.append(f"a credit costs exactly the same on {' and '.join(same)} as in an Add-On Pack")
    if cheaper:
        parts.append(f"a credit costs less on {' and '.join(cheaper)} than in an Add-On Pack")
    if dearer:
        parts.append(f"a credit costs more on {' and '.join(dearer)} than in an Add-On Pack")
    return f"{lead}, " + "; ".join(parts) + "."


def operator_prices(ctx: Context) -> str:
    """The note on the operator's prices, said once on each page that shows a price."""
    policy = ctx.policy
    plus, pro = policy.plans["plus"], policy.plans["pro"]
    return "\n".join([
        '!!! info "About the prices on this page"',
        f"    Eigent publishes no dollar prices for Plus and Pro. To compare costs, this site uses "
        f"{money(plus.price_cents)} a month for Plus and {money(pro.price_cents)} for Pro: these are operator "
        "settings of the site's calculator, not official prices. Check the price in the Eigent app before you "
        "buy; in the calculator you can enter it.",
    ])


# --- the Assumptions page and the developer reference -----------------------------------------------

def assumptions(ctx: Context) -> str:
    """Customer entries: plain titles, no keys. Published rules first, then the readings, each
    reading inside the marker. Anchors are the setting keys (the calculator links to them)."""
    settings = list(ctx.policy.settings.values())
    out = ["## Rules Eigent publishes { #published }", "",
           "The calculator applies these as Eigent states them.", ""]
    for setting in (s for s in settings if s.basis == "published"):
        out += [f"### {setting.title} {{ #{setting.key} }}", "", escape(setting.text, quote=False), "",
                f'<p class="rule-source">Eigent\'s support page states this rule; in our words: '
                f'{escape(setting.source, quote=False)}</p>',
                ""]
        out += other_choices_html(setting, ctx)
    out += ["## Where Eigent is silent: the calculator's readings { #readings }", "",
            "Eigent's support pages leave these questions open. The calculator needs an answer to work "
            "day by day, so it applies the reading below; where it knows other readings, it lists them. "
            "A real account may behave differently: if one of these matters to you, ask "
            "[info@eigent.ai](mailto:info@eigent.ai).", ""]
    for setting in (s for s in settings if s.basis == "reading"):
        out += [f"### {setting.title} {{ #{setting.key} }}", "",
                f'<div class="{READING_CLASS} {READING_CLASS}--block" data-setting="{setting.key}">',
                f"<p>{mark(ctx, setting.key)} {after_colon(escape(setting.text, quote=False))}</p>",
                *other_choices_html(setting, ctx), "</div>", ""]
    return "\n".join(out)


def other_choices_html(setting: Setting, ctx: Context) -> list[str]:
    others = [text for value, text in setting.choices.items() if value != setting.default]
    out = []
    for text in others:
        out.append(f"<p><em>Another choice in the calculator:</em> {escape(text, quote=False)}</p>")
    if setting.others:
        out.append(f"<p>{escape(setting.others, quote=False)}</p>")
    return out


NUMBER_MEANINGS = {
    "credits_per_usd": "credits an Add-On Pack gives for each USD",
    "daily_credits": "credits granted on each day the app is used",
    "signup_bonus": "bonus credits at registration",
    "invite_bonus": "bonus credits for each friend who registers with the invitation code",
    "refund_window_days": "days after a purchase within which a cancellation is refunded in full",
    "topup_usd_min": "smallest Add-On Pack the engine accepts, USD",
    "topup_usd_max": "largest Add-On Pack the engine accepts, USD",
    "pack_usd": "the plan advisor buys Add-On Packs in multiples of this many USD",
}


def key_html(key: str) -> str:
    """A key in code type that may break after its underscores on a narrow screen."""
    return f'<code class="key">{escape(key).replace("_", "_<wbr>")}</code>'


def numbers_reference(ctx: Context) -> str:
    rows = ["| Key | Value | Meaning |", "|---|--:|---|"]
    for key, value in ctx.policy.number_names().items():
        if key not in NUMBER_MEANINGS:
            raise FigureError(f"no meaning for the number {key!r}: add it to NUMBER_MEANINGS")
        rows.append(f"| {key_html(key)} | {value:,} | {NUMBER_MEANINGS[key]} |")
    return "\n".join(rows)


def plans_reference(ctx: Context) -> str:
    plans = [ctx.policy.plans[key] for key in PLAN_ORDER]
    rows = ["| Field | " + " | ".join(key_html(p.key) for p in plans) + " |", "|---|" + "---|" * len(plans)]
    for field in ("label", "monthly_credits", "price_usd", "trial_days", "audience"):
        values = [getattr(p, field) for p in plans]
        rows.append(f"| {key_html(field)} | " + " | ".join(
            f"{v:,}" if isinstance(v, int) else str(v) for v in values) + " |")
    return "\n".join(rows)


def settings_reference(ctx: Context) -> str:
    out = []
    for setting in ctx.policy.settings.values():
        basis = ("published by Eigent" if setting.basis == "published" else "a reading of the calculator")
        out += [f"### {key_html(setting.key)} {{ #{setting.key} }}", "",
                f"{escape(setting.title, quote=False)}. Basis: **{basis}**. Default: {key_html(setting.default)}. "
                f'<a href="{ctx.assumption_url(setting.key)}">Customer wording</a>.', ""]
        if setting.basis == "published":
            out += [f"Source, Eigent's support page in our words: {escape(setting.source, quote=False)}", ""]
        rows = ["| Value | Meaning |", "|---|---|"]
        for value, text in setting.choices.items():
            default = " (default)" if value == setting.default else ""
            rows.append(f"| {key_html(value)}{default} | {escape(text, quote=False)} |")
        if setting.others:
            rows += ["", f"Not implemented: {escape(setting.others, quote=False)}"]
        if setting.basis == "reading":
            out += [f'<div class="{READING_CLASS} {READING_CLASS}--block" data-setting="{setting.key}" markdown>', "",
                    mark(ctx, setting.key, SHORT_LABEL), "", *rows, "", "</div>", ""]
        else:
            out += [*rows, ""]
    return "\n".join(out)


# --- worked examples --------------------------------------------------------------------------------

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


def example(ctx: Context, name: str) -> str:
    """A worked example: what happens, the days that matter (the engine's timeline), the outcome in
    one sentence, and every simulated day in a collapsed table."""
    case = preset(name)
    result = json.loads(preset_result(name))
    if "timeline" not in result:
        raise FigureError("the engine result has no `timeline` (engine v2): merge main")
    days = result["days"]
    lines = ['<div class="worked-example" markdown>', "",
             f"**Example: {case['title']}.** {scenario_text(case['scenario'])}", "",
             readings_note(ctx), "",
             timeline_html(result["timeline"], days[0]["date"]), "",
             f'<p class="worked-example__outcome"><strong>Outcome:</strong> {escape(outcome_sentence(result))}</p>',
             "", f'??? note "Every day of this example ({len(days)} days)"', ""]
    lines += ["    " + row for row in day_table(days)]
    lines += ["", f'<p class="worked-example__links">Worked out by this site\'s calculator. '
                  f'{calculator_link(ctx, name, "Open this example in the calculator")}</p>', "", "</div>"]
    return "\n".join(lines)


def readings_note(ctx: Context, follows: str = "this example follows",
                  figures: str = "the dates and figures below") -> str:
    """One line over each worked example (and over the calculator page's gallery): the engine's
    timeline cannot carry the marker on each sentence, so the example as a whole says that
    readings fill Eigent's gaps."""
    link = ctx.assumption_url("readings")
    return (f'<p class="worked-example__readings"><span class="{READING_CLASS} {READING_CLASS}--note">'
            f'<a class="{READING_MARK_CLASS}" href="{link}">Eigent hasn\'t published every rule {follows}:</a> '
            f"where it publishes nothing, {figures} follow the calculator's readings.</span></p>")


def assumed(ctx: Context, anchor: str, sentence: str) -> str:
    """A reading that no setting names (the engine has no switch for it), inside the same marker
    as rule()'s, linked to its entry on the Assumptions page (a hand-written section there; the
    strict build fails on a missing anchor)."""
    return (f'<span class="{READING_CLASS} {READING_CLASS}--unlisted">{mark(ctx, anchor)} '
            f"{after_colon(escape(sentence, quote=False))}</span>")


def timeline_html(timeline: list[dict], first_date: str) -> str:
    first_year = first_date[:4]
    items = []
    for entry in timeline:
        when = f"Day {entry['day']:,}, {human_date(entry['date'], year=entry['date'][:4] != first_year)}"
        items.append(f'<li class="timeline__entry timeline__entry--{escape(entry["kind"])}">'
                     f'<time class="timeline__when" datetime="{escape(entry["date"])}">{when}</time> '
                     f'<span class="timeline__what">{escape(entry["text"], quote=False)}</span></li>')
    return '<ol class="timeline">' + "".join(items) + "</ol>"


def day_table(days: list[dict]) -> list[str]:
    """Every simulated day, as it stands at the end of the day. A negative balance is the
    engine's Add-On Pack bucket below zero: shown in the balance, not as negative pack credits."""
    first_year = days[0]["date"][:4]
    rows = ["| Day | Date | Plan | Wanted | Used | Not served | Daily | Monthly | Bonus | Add-On Pack | Balance |",
            "|--:|---|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for number, d in enumerate(days, start=1):
        b = d["buckets"]
        balance = signed(d["balance"]) + (" (shown as 0)" if d["balance"] < 0 else "")
        rows.append(f"| {number} | {human_date(d['date'], year=d['date'][:4] != first_year)} | {d['plan'].title()} | "
                    f"{d['wanted']:,} | {d['consumed']:,} | {d['unmet']:,} | {b['daily']:,} | {b['monthly']:,} | "
                    f"{b['bonus']:,} | {max(b['topup'], 0):,} | {balance} |")
    return rows


def signed(number: int) -> str:
    return f"−{-number:,}" if number < 0 else f"{number:,}"


def scenario_text(scenario: dict) -> str:
    usage = scenario.get("usage", {})
    pattern = usage.get("active_days", "every_day")
    if isinstance(pattern, list):
        pattern = "on " + ", ".join(day.title() for day in pattern)
    else:
        pattern = {"every_day": "every day", "weekdays": "on weekdays", "weekends": "at weekends"}[pattern]
    # Days with their own usage (usage.by_date): often the point of the example (the heavy
    # days before a refund), so they are named.
    by_date = sorted(usage.get("by_date", {}).items())
    if by_date:
        named = [f"{credits:,}{' credits' if i == 0 else ''} on {human_date(day, year=False)}"
                 for i, (day, credits) in enumerate(by_date)]
        named = ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]
        pattern += f", except {named}"
    if "registered" in scenario:
        parts = [f"Registers on {human_date(scenario['registered'])} and uses "
                 f"{usage.get('per_active_day', 0):,} credits a day {pattern}"]
    else:
        start = scenario["start"]
        parts = [f"Starts on {human_date(start['date'])} on {start['plan'].title()} with "
                 f"{start['credits']['total']:,} credits, using {usage.get('per_active_day', 0):,} a day {pattern}"]
    for event in sorted(scenario.get("events", []), key=lambda e: e["date"]):
        kind, on = event["type"], human_date(event["date"])
        if kind == "subscribe":
            parts.append(f"subscribes to {event['plan'].title()}"
                         f"{' with the free trial' if event.get('trial') else ''} on {on}")
        elif kind == "topup":
            parts.append(f"buys a {event['usd']:,} USD Add-On Pack on {on}")
        elif kind == "cancel":
            parts.append(f"cancels the plan on {on}")
        elif kind == "cancel_topup":
            parts.append(f"cancels an Add-On Pack on {on}")
    for invite in scenario.get("invites", []):
        parts.append(f"a friend registers with the invitation code on {human_date(invite)}")
    return "; ".join(parts) + "."


def outcome_sentence(result: dict) -> str:
    s = result["summary"]
    paid = [c["usd"] for c in result["charges"] if c["usd"] > 0]
    if not paid:
        money_text = "nothing is charged"
    elif s["usd_total"] == 0:
        money_text = f"{usd(sum(paid))} is charged and refunded in full"
    else:
        money_text = f"{usd(s['usd_total'])} is charged in all"
    if s["unmet"] == 0:
        use = f"all {s['credits_consumed']:,} credits of usage are served"
    else:
        use = (f"{s['credits_consumed']:,} credits of usage are served and {s['unmet']:,} are not "
               f"(first restricted day: {human_date(s['first_restricted_day'])})")
    end = s["end_balance"]
    left = (f"the balance ends at {signed(end)}, shown as 0 in the app" if end < 0 else f"{end:,} credits are left")
    return f"Over {len(result['days'])} days, {money_text}; {use}; {left}."


def preset_gallery(ctx: Context) -> str:
    # No headings: the gallery is the page's fallback, hidden once the calculator runs, and
    # its entries must not sit in the table of contents only to vanish from the page.
    out = [readings_note(ctx, "these examples follow", "the dates and figures of every example"), ""]
    for name, case in presets().items():
        result = json.loads(preset_result(name))
        out += [f"**{case['title']}.** {case['summary']}", "", scenario_text(case["scenario"]), "",
                f"*Outcome:* {outcome_sentence(result)}", ""]
    return "\n".join(out)


def calculator_link(ctx: Context, name: str, text: str = "Open this case in the calculator") -> str:
    preset(name)  # fails the build on an unknown preset
    # Raw HTML: MkDocs would read "#preset=…" as a heading anchor of the calculator page.
    return f'<a class="calculator-link" href="{ctx.root}calculator/#preset={escape(name)}">{escape(text)}</a>'


MACROS = {
    "rule": rule,
    "unpublished": unpublished,
    "spending_order": spending_order,
    "plan_cards": plan_cards,
    "credit_prices": credit_prices,
    "same_price_per_credit": same_price_per_credit,
    "operator_prices": operator_prices,
    "assumptions": assumptions,
    "settings_reference": settings_reference,
    "numbers_reference": numbers_reference,
    "plans_reference": plans_reference,
    "example": example,
    "preset_gallery": preset_gallery,
    "assumed": assumed,
    "calculator_link": calculator_link,
}
