"""Calculator v2 (issue 10): each bug the issue names, as a test that fails on the page
before it; layout at 1280x800 and 390x844; errors at their fields; start from today and
own prices equal the CLI; the advisor refreshes itself; the chart's readout; what-if in
the share link; exports parsed back; long lists drawn in windows; axe in both palettes."""

from __future__ import annotations

import base64
import csv
import io
import json
from pathlib import Path

import pytest
import tomllib
from playwright.sync_api import expect

from calculator.api import run
from tests.browser.conftest import Watched, scroll_settled, wait_ready

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
PRESETS = json.loads((ROOT / "calculator" / "presets.json").read_text())
POLICY = tomllib.loads((ROOT / "calculator" / "policy.toml").read_text())
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def cli(command: str, scenario: dict) -> dict:
    code, output = run(command, json.dumps(scenario))
    assert code == 0, output
    return json.loads(output)


def usd(amount: float) -> str:
    """The page's money format: '20 USD', '19.99 USD', '−20 USD'."""
    c = round(amount * 100)
    text = f"{abs(c) // 100:,}" if c % 100 == 0 else f"{abs(c) / 100:,.2f}"
    return f"−{text} USD" if c < 0 else f"{text} USD"


def day_text(iso: str) -> str:
    """The page's date format: '6 Feb 2026'."""
    from datetime import date
    return f"{date.fromisoformat(iso):%-d %b %Y}"


def link(scenario: dict, compare: dict | None = None) -> str:
    encode = lambda s: base64.urlsafe_b64encode(json.dumps(s).encode()).decode().rstrip("=")
    return "#scenario=" + encode(scenario) + (f"&compare={encode(compare)}" if compare else "")


def fragment_scenario(page, key: str = "scenario") -> dict:
    part = dict(p.split("=", 1) for p in page.evaluate("location.hash")[1:].split("&"))[key]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def open_calculator(watched: Watched, base_url: str, fragment: str = "") -> None:
    watched.page.goto(base_url + "calculator/" + fragment)
    wait_ready(watched.page)


def settled(page) -> None:
    """Wait until the answer on screen is the answer to the input (or the input is invalid)."""
    page.wait_for_function("""() => {
        const root = document.querySelector('[data-calculator]');
        return root && (root.dataset.state === 'error' || root.dataset.state === 'ready'); }""", timeout=60_000)


def advice_settled(page) -> None:
    page.wait_for_function("""() => {
        const body = document.querySelector('[data-testid=calc-advice]');
        return body && !body.hasAttribute('data-stale') && body.querySelector('[data-testid=calc-advice-option]'); }""", timeout=60_000)


def shown_usd(page) -> str:
    return page.inner_text("[data-testid=summary-usd] strong")


# --- the bugs named in the issue ------------------------------------------------------------------

def test_picking_an_example_recalculates_and_stays_a_preset_link(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    page.select_option("[data-testid=calc-preset]", "plus-trial-kept")
    settled(page)
    expected = cli("simulate", PRESETS["plus-trial-kept"]["scenario"])
    assert shown_usd(page) == usd(expected["summary"]["usd_total"])
    assert page.input_value("[data-testid=calc-preset]") == "plus-trial-kept"  # still selected
    assert page.evaluate("location.hash") == "#preset=plus-trial-kept"      # still a preset link
    page.go_back()  # back/forward go through the same path
    settled(page)
    assert page.input_value("[data-testid=calc-preset]") == "free-300-a-day"
    assert shown_usd(page) == usd(cli("simulate", PRESETS["free-300-a-day"]["scenario"])["summary"]["usd_total"])
    page.fill("[data-testid=calc-per-day]", "450")  # edited: no longer the example
    settled(page)
    assert page.evaluate("location.hash").startswith("#scenario=")
    assert page.input_value("[data-testid=calc-preset]") == ""
    assert watched.errors == []


def test_a_damaged_link_shows_its_error_until_an_edit_or_an_example(watched, base_url):
    page = watched.page
    for broken, says in [("#scenario=%%%not-base64", "damaged"), ("#preset=__proto__", "no example called '__proto__'"),
                         ("#preset=constructor", "no example called 'constructor'"), ("#preset=%E0%A4%A", "damaged")]:
        page.goto(base_url + "calculator/" + broken)
        page.reload()
        wait_ready(page)
        expect(page.locator("[data-testid=calc-link-error]")).to_contain_text(says)
        assert page.get_attribute("[data-calculator]", "data-state") == "error"
    page.select_option("[data-testid=calc-preset]", "free-runs-out")  # an example clears it
    settled(page)
    expect(page.locator("[data-testid=calc-link-error]")).to_be_hidden()
    assert shown_usd(page) == usd(cli("simulate", PRESETS["free-runs-out"]["scenario"])["summary"]["usd_total"])
    page.goto(base_url + "calculator/#scenario=%%%not-base64")
    page.reload()
    wait_ready(page)
    page.fill("[data-testid=calc-per-day]", "120")  # so does an edit
    settled(page)
    expect(page.locator("[data-testid=calc-link-error]")).to_be_hidden()
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert watched.errors == []


def test_an_in_page_link_keeps_the_input_and_the_contents_sidebar_is_hidden(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url)
    page.fill("[data-testid=calc-per-day]", "333")
    settled(page)
    # The contents sidebar is hidden on this page: no entry there can vanish when the calculator runs.
    assert page.locator(".md-sidebar--secondary .md-nav__link").evaluate_all("els => els.filter(e => e.offsetParent).length") == 0
    # Following a link to a heading on the page (Material's instant navigation takes it over) keeps the calculator.
    page.evaluate("""() => { const a = document.createElement('a'); a.href = '#calculator-details'; a.id = 'jump';
                             a.textContent = 'jump'; document.querySelector('.md-content__inner').prepend(a); }""")
    page.click("#jump")
    page.wait_for_timeout(500)
    settled(page)
    assert page.input_value("[data-testid=calc-per-day]") == "333"
    assert fragment_scenario(page)["usage"]["per_active_day"] == 333  # the address still holds the scenario
    assert watched.errors == []


def test_results_are_hidden_while_the_input_is_invalid_and_dimmed_while_stale(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-runs-out")
    expect(page.locator("[data-testid=calc-answer]")).to_be_visible()
    page.fill("[data-testid=calc-per-day]", "-5")
    settled(page)
    expect(page.locator("[data-testid=calc-answer]")).to_be_hidden()  # no answer for an input that does not hold
    expect(page.locator("[data-testid=calc-advice]")).to_be_hidden()
    assert page.get_attribute("[data-testid=calc-per-day]", "aria-invalid") == "true"
    # A newer answer on its way: the one shown is marked stale at once, and fresh again when it arrives.
    page.fill("[data-testid=calc-per-day]", "100")
    assert page.evaluate("document.querySelector('[data-calculator]').dataset.state") in ("stale", "ready")
    page.evaluate("""() => { window.__sawStale = false; const a = document.querySelector('[data-testid=calc-answer]');
        new MutationObserver(() => { if (a.hasAttribute('data-stale')) window.__sawStale = true; }).observe(a, {attributes: true}); }""")
    page.fill("[data-testid=calc-per-day]", "150")
    settled(page)
    assert page.evaluate("window.__sawStale") is True
    assert page.get_attribute("[data-testid=calc-answer]", "data-stale") is None
    assert page.get_attribute("[data-testid=calc-per-day]", "aria-invalid") is None
    assert watched.errors == []


def test_errors_appear_at_their_field_by_label_counted_from_one(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=topups-when-running-out")
    rows = page.locator("[data-testid=calc-event-row]")
    second = rows.nth(1)
    assert second.locator("[data-testid=event-type]").input_value() == "topup"
    second.locator("[data-testid=event-usd]").fill("20000")
    settled(page)
    message = "Event 2, amount: 20,000 is out of range (expected a whole number from 1 to 10,000)"
    expect(page.locator("[data-testid=calc-error]")).to_contain_text(message)
    field = second.locator("[data-testid=event-usd]")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby").split()
    assert any(page.locator(f"#{i}").inner_text() == message for i in described)  # the note next to the field
    assert "events[1]" not in page.inner_text("[data-calculator]")  # no JSON path, no count from 0
    # The API keeps the engine's own line.
    scenario = fragment_scenario(page)
    assert page.evaluate("s => window.creditEngine.simulate(s).catch(e => e.message)", scenario).startswith("events[1].usd: 20,000 is out of range")
    # The error's link in the results takes the keyboard to the field.
    page.click("[data-testid=calc-error-link]")
    assert page.evaluate("document.activeElement.dataset.path") == "events[1].usd"
    # A number the engine cannot read gets its message, never "null".
    field.fill("")
    settled(page)
    expect(page.locator("[data-testid=calc-error]")).to_contain_text("Event 2, amount: expected a whole number from 1 to 10,000, got nothing")
    assert "null" not in page.inner_text("[data-testid=calc-error]")
    assert watched.errors == []


def test_horizon_takes_whole_months_within_the_bound(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    for bad in ["2.5", "0", "121"]:
        page.fill("[data-testid=calc-months]", bad)
        settled(page)
        expect(page.locator("[data-testid=calc-error]")).to_contain_text("Months to look ahead: enter a whole number of months from 1 to 120")
        assert page.get_attribute("[data-testid=calc-months]", "aria-invalid") == "true"
    page.fill("[data-testid=calc-months]", "12")
    settled(page)
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert fragment_scenario(page)["days"] == 365  # 2026-01-10 plus 12 months
    expect(page.locator(".calc-days-note")).to_contain_text("365 days, to ")
    # "Add a day" picks a day inside the simulated window, not today's date.
    page.click("[data-testid=calc-add-override]")
    settled(page)
    day = next(iter(fragment_scenario(page)["usage"]["by_date"]))
    assert "2026-01-10" <= day <= "2027-01-09"
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert page.evaluate("document.activeElement.type") == "date"  # focus on the new row
    assert watched.errors == []


def test_plain_words_ledger_labels_restricted_explained_and_days_that_matter(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-runs-out")
    result = cli("simulate", PRESETS["free-runs-out"]["scenario"])
    first = result["summary"]["first_restricted_day"]
    assert first
    day = result["days"].index(next(d for d in result["days"] if d["date"] == first)) + 1
    assert f"day {day}" in page.inner_text("[data-testid=summary-first-restricted] strong")  # "6 Feb 2026, day 28"
    expect(page.locator("[data-testid=calc-summary] dfn")).to_have_text("Restricted")  # explained where it first appears
    what = page.locator("[data-testid=calc-ledger] tbody tr:not(.calc-spacer) td:nth-child(3)").all_inner_texts()
    assert "Used" in what and "consume" not in what and "register" not in what
    story = page.locator("[data-testid=calc-story] li")
    assert story.count() >= 2
    # The story as a whole carries the readings marker, as the site's worked examples do.
    note = page.locator("#calculator-story + .worked-example__readings a.reading__mark")
    expect(note).to_have_attribute("href", "../assumptions/#readings")
    assert story.first.locator("time").inner_text().endswith("day 1")
    assert watched.errors == []


# --- layout ----------------------------------------------------------------------------------------

def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_layout_at_1280_by_800_shows_inputs_and_summary_without_scrolling(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base_url + "calculator/#preset=plus-trial-kept")
    wait_ready(page)
    in_view = lambda sel: page.locator(sel).evaluate("el => { const r = el.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight && r.width > 0; }")
    assert in_view("[data-testid=calc-registered]") and in_view("[data-testid=calc-per-day]")
    assert in_view("[data-testid=summary-usd]") and in_view("[data-testid=summary-first-restricted]") and in_view("[data-testid=summary-end-balance]")
    inputs = page.locator(".calc-inputs").bounding_box()
    results = page.locator("[data-testid=calc-results]").bounding_box()
    assert results["x"] > inputs["x"] + inputs["width"] - 1  # side by side
    expect(page.locator("[data-testid=calc-bar]")).to_be_hidden()
    page.locator("[data-testid=calc-add-event]").scroll_into_view_if_needed()  # editing further down the form
    page.wait_for_timeout(300)
    assert page.evaluate("scrollY") > 300
    assert in_view("[data-testid=calc-add-event]")  # the results column stays in view beside it
    assert in_view("[data-testid=summary-usd]")
    assert no_horizontal_overflow(page)
    expect(page.locator(".md-sidebar--primary")).to_be_hidden()
    context.close()


RESULTS_NEAR_TOP = "() => document.querySelector('#calculator-results').getBoundingClientRect().top < 300"


def test_layout_on_a_phone_has_a_summary_bar_that_jumps_to_the_results(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(base_url + "calculator/#preset=free-runs-out")
    wait_ready(page)
    bar = page.locator("[data-testid=calc-bar]")
    expect(bar).to_be_visible()
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= 844 + 1 and box["y"] > 844 - 120  # fixed at the bottom, compact
    result = cli("simulate", PRESETS["free-runs-out"]["scenario"])
    assert usd(result["summary"]["usd_total"]) in bar.inner_text()
    assert day_text(result["summary"]["first_restricted_day"]) in bar.inner_text()
    assert f"{max(0, result['summary']['end_balance']):,} credits" in bar.inner_text()
    first_input = page.locator("[data-testid=calc-mode]").bounding_box()
    assert first_input["y"] < 844  # inputs first
    assert no_horizontal_overflow(page)
    page.click("[data-testid=calc-bar-jump]")
    page.wait_for_function(RESULTS_NEAR_TOP)  # the smooth scroll has got there...
    scroll_settled(page)  # ...and come to rest
    top = page.locator("#calculator-results").bounding_box()["y"]
    assert -2 <= top < 300
    assert page.evaluate("document.activeElement.id") == "calculator-results"
    context.close()


# --- two ways in, prices and the advisor --------------------------------------------------------------

def test_already_have_an_account_and_own_prices_equal_the_cli(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    page.check("[data-testid=calc-mode-account]")
    page.fill("[data-testid=calc-start-date]", "2026-11-26")
    page.select_option("[data-testid=calc-start-plan]", "plus")
    page.select_option("[data-testid=calc-start-cycle-kind]", "renews_on")
    page.fill("[data-testid=calc-start-cycle]", "2026-12-10")
    page.fill("[data-testid=calc-start-total]", "1700")
    page.fill("[data-testid=calc-start-topup]", "500")
    page.check("[data-testid=calc-start-trial-used]")
    page.fill("[data-testid=calc-months]", "3")
    page.fill("[data-testid=calc-per-day]", "400")
    page.fill("[data-testid=calc-price-plus]", "19.99")
    page.fill("[data-testid=calc-price-pro]", "89")
    settled(page)
    scenario = fragment_scenario(page)
    assert scenario["start"] == {"date": "2026-11-26", "plan": "plus", "renews_on": "2026-12-10",
                                 "credits": {"total": 1700, "topup": 500}, "trial_used": True}
    assert "registered" not in scenario and scenario["prices"] == {"plus": 19.99, "pro": 89}
    assert scenario["days"] == 92 and scenario["usage"]["per_active_day"] == 400
    expected = cli("simulate", scenario)
    assert shown_usd(page) == usd(expected["summary"]["usd_total"])
    assert "19.99 USD" in shown_usd(page) or any(c["usd"] == 19.99 for c in expected["charges"])
    assert page.inner_text("[data-testid=summary-end-balance] strong") == f"{max(0, expected['summary']['end_balance']):,} credits"
    advice_settled(page)
    advice = cli("recommend", {k: v for k, v in scenario.items() if k != "events"})
    options = page.locator("[data-testid=calc-advice-option]")
    assert options.evaluate_all("els => els.map(e => e.dataset.plan)") == [o["plan"] for o in advice["options"]]
    for i, option in enumerate(advice["options"]):
        text = options.nth(i).inner_text()
        assert usd(option["usd_per_month"]) in text and usd(option["usd_total"]) in text and option["why"] in text
    horizon = advice["horizon"]
    assert "26 Nov 2026 to 25 Feb 2027" in page.inner_text("[data-testid=calc-advice-horizon]") and horizon["to"] == "2027-02-25"
    # The price fields say what they hold: the operator's setting until changed.
    page.fill("[data-testid=calc-price-pro]", str(POLICY["plans"]["pro"]["price_usd"]))
    settled(page)
    assert "pro" not in fragment_scenario(page)["prices"]
    assert watched.errors == []


def test_the_advisor_refreshes_itself_and_use_this_plan_goes_through_the_same_path(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    advice_settled(page)
    for per_day in ["900", "2500"]:
        page.fill("[data-testid=calc-per-day]", per_day)
        settled(page)
        advice_settled(page)
        scenario = fragment_scenario(page)
        advice = cli("recommend", {k: v for k, v in scenario.items() if k != "events"})
        shown = page.locator("[data-testid=calc-advice-option]").evaluate_all("els => els.map(e => e.dataset.plan)")
        assert shown == [o["plan"] for o in advice["options"]]
        best = page.locator(".calc-option--best").get_attribute("data-plan")
        assert best == advice["recommended"]
        for b in advice["break_even"]:
            if b["per_active_day"] is not None:
                expect(page.locator("[data-testid=calc-break-even]")).to_contain_text(f"from about {b['per_active_day']:,} credits a day")
    option = advice["options"][-1]
    page.click(f"[data-testid=calc-advice-option][data-plan={option['plan']}] [data-testid=advice-use]")
    settled(page)
    assert fragment_scenario(page)["events"] == option["events"]
    assert shown_usd(page) == usd(option["usd_total"])  # the option's events reproduce its price
    expect(page.locator(f"[data-testid=calc-advice-option][data-plan={option['plan']}] [data-testid=advice-use]")).to_have_text(f"{option['label']} in use")
    assert watched.errors == []


# --- chart, what-if, exports ----------------------------------------------------------------------------

def test_chart_reads_out_values_by_mouse_and_keyboard(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=plus-trial-kept")
    result = cli("simulate", PRESETS["plus-trial-kept"]["scenario"])
    svg = page.locator("[data-testid=calc-chart-plot] svg")
    assert "credits" in svg.locator("text.calc-unit").all_text_contents()  # the unit
    labels = svg.locator("g.calc-axis text").all_text_contents()
    assert any("2026" in text for text in labels)  # the year is on the axis
    box = svg.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 16, box["y"] + 60)  # near the end
    readout = page.locator("[data-testid=calc-readout]")
    expect(readout).to_contain_text("Balance:")
    day = int(readout.get_attribute("data-day"))
    assert day > len(result["days"]) * 0.9
    # Keyboard: focus the chart, then Home and End, one day at a time.
    page.focus("[data-testid=calc-chart-plot]")
    page.keyboard.press("Home")
    first = result["days"][0]
    expect(readout).to_contain_text("2 Mar 2026, day 1")
    expect(readout).to_contain_text(f"Balance: {first['balance']:,}")
    page.keyboard.press("ArrowRight")
    expect(readout).to_contain_text("day 2")
    page.keyboard.press("End")
    last = result["days"][-1]
    expect(readout).to_contain_text(f"Balance: {last['balance']:,}")
    expect(readout).to_contain_text(f"Spent so far: {usd(result['summary']['usd_total'])}")
    legend = page.locator("[data-testid=calc-chart] .calc-legend li").all_inner_texts()
    present = {"daily": "Daily credits", "monthly": "Monthly allowance", "bonus": "Bonus credits", "topup": "Add-On Pack credits"}
    held = {label for key, label in present.items() if any(d["buckets"][key] > 0 for d in result["days"])}
    assert set(legend) & set(present.values()) == held  # only the series that occur
    assert "Money spent so far" in legend
    assert page.locator("#calc-chart-desc").inner_text().startswith("From 2 Mar 2026")  # a text alternative
    assert watched.errors == []


def test_what_if_pins_a_and_both_travel_in_the_share_link(watched, browser, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-runs-out")
    page.click("[data-testid=calc-compare]")
    page.fill("[data-testid=calc-per-day]", "150")
    settled(page)
    panel = page.locator("[data-testid=calc-compare-table]")
    expect(panel).to_be_visible()
    a = cli("simulate", PRESETS["free-runs-out"]["scenario"])
    b = cli("simulate", fragment_scenario(page))
    assert fragment_scenario(page, "compare") == PRESETS["free-runs-out"]["scenario"]
    restricted = lambda r: sum(d["restricted"] for d in r["days"])
    row = panel.locator("tr[data-row='Restricted days'] td").all_inner_texts()
    assert row[:2] == [f"{restricted(a):,}", f"{restricted(b):,}"]
    money = panel.locator("tr[data-row='Money spent'] td").all_inner_texts()
    assert money[:2] == [usd(a["summary"]["usd_total"]), usd(b["summary"]["usd_total"])]
    shared = page.url
    other = Watched(browser.new_context().new_page())
    other.page.goto(shared)
    wait_ready(other.page)
    settled(other.page)
    expect(other.page.locator("[data-testid=calc-compare-table]")).to_be_visible()
    assert other.page.locator("[data-testid=calc-compare-table] tbody").inner_text() == panel.locator("tbody").inner_text()
    other.page.click("[data-testid=calc-compare]")  # stop comparing
    assert "compare=" not in other.page.evaluate("location.hash")
    assert watched.errors == [] and other.errors == []


def test_exports_parse_back_to_the_result(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=plus-refunded-within-window")
    scenario = PRESETS["plus-refunded-within-window"]["scenario"]
    result = cli("simulate", scenario)
    span = f"{result['days'][0]['date']}-to-{result['days'][-1]['date']}"
    got = {}
    for which in ["days", "ledger", "charges", "json"]:
        with page.expect_download() as info:
            page.click(f"[data-testid=calc-export-{which}]")
        download = info.value
        got[which] = (download.suggested_filename, Path(download.path()).read_text())
    name, text = got["json"]
    assert name == f"credits-scenario-{span}.json"
    assert json.loads(text) == {"scenario": scenario, "result": result}
    name, text = got["days"]
    assert name == f"credits-days-{span}.csv"
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(result["days"])
    assert rows[-1]["balance (credits)"] == str(result["days"][-1]["balance"])
    assert rows[-1]["spent_so_far (USD)"] == f"{result['summary']['usd_total']:.2f}"
    name, text = got["ledger"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["date"], r["kind"], int(r["credits"])) for r in rows] == [(e["date"], e["kind"], e["credits"]) for e in result["ledger"]]
    name, text = got["charges"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["date"], r["kind"], float(r["amount (USD)"])) for r in rows] == [(c["date"], c["kind"], c["usd"]) for c in result["charges"]]
    assert watched.errors == []


# --- big scenarios ----------------------------------------------------------------------------------

def ten_years() -> dict:
    from datetime import date, timedelta
    first = date(2026, 1, 1)
    by_date = {(first + timedelta(days=i)).isoformat(): 100 + i % 400 for i in range(3652)}
    events = [{"date": (first + timedelta(days=7 * i)).isoformat(), "type": "topup", "usd": 1 + i % 5} for i in range(500)]
    return {"registered": "2026-01-01", "days": 3652, "usage": {"per_active_day": 300, "by_date": by_date}, "events": events}


def test_a_ten_year_scenario_is_drawn_in_windows(watched, base_url):
    page = watched.page
    scenario = ten_years()
    open_calculator(watched, base_url, link(scenario))
    settled(page)
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    drawn = lambda sel: page.locator(sel).count()
    assert drawn("[data-testid=calc-override-row]") < 80      # of 3,652
    assert drawn("[data-testid=calc-event-row]") < 80         # of 500
    assert drawn("[data-testid=calc-ledger] tbody tr:not(.calc-spacer)") < 120
    result = cli("simulate", scenario)
    assert page.get_attribute("[data-testid=calc-ledger] table", "aria-rowcount") == str(len(result["ledger"]) + 1)
    # Scrolled to the end, the last rows are there: windows, not truncation.
    page.locator("[data-testid=calc-overrides]").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    last_day = list(scenario["usage"]["by_date"])[-1]
    expect(page.locator(f"[data-testid=calc-override-row][data-path=\"usage.by_date['{last_day}']\"]")).to_have_count(1)
    page.locator("[data-testid=calc-events]").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(page.locator("[data-testid=event-date][aria-label='Event 500: date']")).to_have_count(1)
    assert drawn("[data-testid=calc-event-row]") < 80
    # Editing still works, and focus stays in the row being edited.
    field = page.locator("[data-testid=event-usd][aria-label='Event 500: amount in USD']")
    field.fill("7")
    settled(page)
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Event 500: amount in USD"
    # A scenario this big goes into the address when the link is copied (or the page is left), not on each keystroke.
    page.click("[data-testid=calc-copy-link]")
    assert fragment_scenario(page)["events"][499]["usd"] == 7
    assert watched.errors == []


def test_a_link_over_the_size_limits_is_refused_before_drawing(watched, base_url):
    page = watched.page
    events = [{"date": "2026-01-02", "type": "topup", "usd": 1}] * 25_000
    big = {"registered": "2026-01-01", "days": 30, "events": events}
    page.goto(base_url + "calculator/" + link(big))
    wait_ready(page)
    expect(page.locator("[data-testid=calc-link-error]")).to_contain_text("too long")  # refused before decoding
    assert page.locator("[data-testid=calc-event-row]").count() == 0
    big["events"] = events[:501]  # short enough to decode: the count is checked before the form is drawn
    page.goto(base_url + "calculator/" + link(big))
    page.reload()
    wait_ready(page)
    expect(page.locator("[data-testid=calc-link-error]")).to_contain_text("501 events; the calculator takes at most 500")
    assert page.locator("[data-testid=calc-event-row]").count() == 0
    assert watched.errors == []


# --- focus, the live region, accessibility -------------------------------------------------------------------

def test_focus_stays_on_the_control_in_use_and_the_live_region_says_one_sentence(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=topups-when-running-out")
    page.focus("[data-testid=calc-per-day]")
    page.keyboard.press("End")
    page.keyboard.type("5")
    settled(page)
    assert page.evaluate("document.activeElement.dataset.testid") == "calc-per-day"
    live = page.inner_text("[data-testid=calc-live]")
    assert live.startswith("Updated: ") and live.count(".") == 1 and len(live) < 160
    # Changing an event's type redraws its row; focus stays on that control.
    row = page.locator("[data-testid=calc-event-row]").nth(0)
    row.locator("[data-testid=event-type]").focus()
    row.locator("[data-testid=event-type]").select_option("cancel")
    settled(page)
    assert page.evaluate("document.activeElement.dataset.path") == "events[0].type"
    # Removing an event moves focus to the next row's Remove button.
    page.locator("[data-testid=event-remove]").nth(0).click()
    settled(page)
    assert page.evaluate("document.activeElement.dataset.focus") == "events[0].remove"
    # Every control shows a focus ring when reached by keyboard.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
    assert watched.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_with_everything_shown(browser, base_url, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme)
    page = context.new_page()
    page.goto(base_url + "calculator/#preset=topups-when-running-out")
    wait_ready(page)
    page.click("[data-testid=calc-compare]")
    page.fill("[data-testid=calc-per-day]", "600")
    settled(page)
    advice_settled(page)
    page.click("[data-testid=calc-days-details] summary")
    page.focus("[data-testid=calc-chart-plot]")
    page.keyboard.press("ArrowRight")
    page.locator("[data-testid=calc-event-row]").nth(1).locator("[data-testid=event-usd]").fill("0")  # an error at a field
    settled(page)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []
    context.close()


# --- QA review of v2: each finding, as a test that fails on the page before its fix ---------------------

def go_to(page, fragment: str) -> None:
    """Change the address's fragment in the open page (as a pasted link or back/forward does) and wait for the answer."""
    page.evaluate("""text => new Promise(resolve => {
        addEventListener('hashchange', () => resolve(), {once: true}); location.hash = text; })""", fragment)
    settled(page)


def phone(browser, scheme: str = "light"):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, color_scheme=scheme)
    return Watched(context.new_page())


def test_phone_bar_agrees_with_the_input_once_an_error_is_fixed(browser, base_url):
    watched = phone(browser)
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    bar = page.locator("[data-testid=calc-bar]")
    for months in ["3", "0", "3"]:
        page.fill("[data-testid=calc-months]", months)
        settled(page)
    expected = cli("simulate", fragment_scenario(page))
    expect(bar).not_to_contain_text("Check the inputs")
    expect(bar.locator("[data-testid=bar-usd]")).to_contain_text(usd(expected["summary"]["usd_total"]))
    first = expected["summary"]["first_restricted_day"]
    expect(bar.locator("[data-testid=bar-first-restricted]")).to_have_text(f"Restricted from {day_text(first)}" if first else "Never restricted")
    go_to(page, "#preset=plus-trial-kept")
    expect(bar.locator("[data-testid=bar-first-restricted]")).to_have_text("Never restricted")  # not "Restricted from never"
    assert watched.errors == []
    page.context.close()


def test_phone_keyboard_focus_and_the_results_button_stay_clear_of_fixed_bars(browser, base_url):
    watched = phone(browser)
    page = watched.page
    open_calculator(watched, base_url, "#preset=topups-when-running-out")
    bar_top = page.locator("[data-testid=calc-bar]").bounding_box()["y"]
    page.focus("[data-testid=calc-mode-new]")
    hidden = []
    for _ in range(40):  # down the form by keyboard
        page.keyboard.press("Tab")
        where = page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
            return {name: e.dataset.testid || e.getAttribute('aria-label') || e.tagName, bottom: r.bottom,
                    form: Boolean(e.closest('.calc-inputs'))}; }""")
        if where["form"] and where["bottom"] > bar_top + 1:
            hidden.append(where)
    assert hidden == []  # no focused field sits under the summary bar
    page.click("[data-testid=calc-bar-jump]")
    page.wait_for_function(RESULTS_NEAR_TOP)
    scroll_settled(page)
    header = page.locator(".md-header").bounding_box()
    assert page.locator("#calculator-results").bounding_box()["y"] >= header["y"] + header["height"]  # not under Material's header
    assert watched.errors == []
    page.context.close()


TEN_YEARS = {"registered": "2026-01-31", "days": 3652, "usage": {"per_active_day": 400, "active_days": "weekdays"},
             "events": [{"date": "2026-02-01", "type": "subscribe", "plan": "plus", "trial": False}]}
SIXTY_DAYS = {"registered": "2026-01-01", "days": 60, "usage": {"per_active_day": 400, "active_days": "weekdays"}}
HUGE_BALANCE = {"start": {"date": "2026-11-26", "plan": "plus", "renews_on": "2026-12-10",
                          "credits": {"total": 100_000_000, "topup": 100_000_000}},
                "days": 30, "usage": {"per_active_day": 100}}
BIG_BALANCE = {"registered": "2026-01-01", "days": 30, "usage": {"per_active_day": 0},
               "events": [{"date": "2026-01-02", "type": "topup", "usd": 120}]}


def chart_texts(page) -> list[dict]:
    return page.locator("[data-testid=calc-chart-plot] svg text").evaluate_all("""els => els.map(e => {
        const r = e.getBoundingClientRect(); const g = e.closest('[data-axis]');
        return {text: e.textContent, axis: g ? g.dataset.axis : null, left: r.left, right: r.right, top: r.top, bottom: r.bottom}; })""")


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]]


@pytest.mark.parametrize("width", [1280, 390])
def test_chart_labels_fit_and_never_collide(browser, base_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    watched = Watched(context.new_page())
    page = watched.page
    problems = []
    for name, scenario in [("ten years", TEN_YEARS), ("sixty days", SIXTY_DAYS), ("big balance", BIG_BALANCE),
                           ("huge balance", HUGE_BALANCE)]:
        open_calculator(watched, base_url, link(scenario))
        settled(page)
        texts = chart_texts(page)
        dates = [t["text"] for t in texts if t["axis"] == "dates"]
        if len(dates) < 3:
            problems.append((name, "dates", dates))  # a ten-year chart is more than its first day
        if scenario is TEN_YEARS and dates and all(d.isdigit() for d in dates):
            years = [int(d) for d in dates]  # every year, every 2nd or every 5th, on round years
            step = years[1] - years[0] if len(years) > 1 else 0
            if step not in (1, 2, 5) or any(y % step for y in years) or years != list(range(years[0], years[-1] + 1, step)):
                problems.append((name, "years", years))
        svg = page.locator("[data-testid=calc-chart-plot] svg").bounding_box()
        outside = [t["text"] for t in texts if t["left"] < svg["x"] - 1 or t["right"] > svg["x"] + svg["width"] + 1]
        if outside:
            problems.append((name, "outside", outside))
        if overlapping(texts):  # ticks, dates and the axes' unit headings
            problems.append((name, "overlap", overlapping(texts)))
        for axis in ("credits", "money"):  # one style per axis: all in full, in thousands or in millions
            labels = [t["text"] for t in texts if t["axis"] == axis and t["text"] != "0"]
            if len({label[-1] if label[-1] in "kM" else "" for label in labels}) > 1:
                problems.append((name, axis, labels))
        credits = [t["text"] for t in texts if t["axis"] == "credits" and t["text"] != "0"]
        if scenario is HUGE_BALANCE and not all(label.endswith("M") and len(label) <= 4 for label in credits):
            problems.append((name, "millions", credits))  # "100M", not "100,000k"
    assert problems == []
    assert watched.errors == []
    context.close()


@pytest.mark.parametrize("width", [1280, 1100, 1000, 960, 390])  # 960-1100: two columns, a narrow form
def test_event_rows_wrap_without_overlap_and_selects_stay_readable(browser, base_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    watched = Watched(context.new_page())
    page = watched.page
    open_calculator(watched, base_url, "#preset=plus-refunded-within-window")
    for kind in ["topup", "cancel_topup"]:
        page.click("[data-testid=calc-add-event]")
        settled(page)
        page.locator("[data-testid=event-type]").last.select_option(kind)
        settled(page)
    assert page.locator("[data-testid=event-of]").count() == 1
    problems = page.evaluate("""() => {
        const out = [];
        for (const row of document.querySelectorAll('[data-testid=calc-event-row]')) {
            const boxes = [...row.querySelectorAll('input, select, button, label')].map(e => [e, e.getBoundingClientRect()]);
            for (const [i, [a, ra]] of boxes.entries()) for (const [b, rb] of boxes.slice(i + 1)) {
                if (a.contains(b) || b.contains(a)) continue;
                if (ra.left < rb.right - 1 && rb.left < ra.right - 1 && ra.top < rb.bottom - 1 && rb.top < ra.bottom - 1)
                    out.push(`${a.dataset.testid || a.tagName} over ${b.dataset.testid || b.tagName}`);
            }
            for (const select of row.querySelectorAll('select')) {  // as wide as its own text needs
                const free = select.cloneNode(true);
                free.value = select.value;
                Object.assign(free.style, {position: 'absolute', width: 'auto', maxWidth: 'none', visibility: 'hidden'});
                row.append(free);
                if (select.getBoundingClientRect().width < free.getBoundingClientRect().width - 1) out.push(`${select.dataset.testid} cut`);
                free.remove();
            }
            const r = row.getBoundingClientRect();
            for (const [e, rb] of boxes) if (rb.right > r.right + 1) out.push(`${e.dataset.testid || e.tagName} sticks out`);
        }
        return out; }""")
    assert problems == []
    assert no_horizontal_overflow(page)
    assert watched.errors == []
    context.close()


def test_error_labels_read_own_keys_only(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    base = {"registered": "2026-01-01", "days": 30, "usage": {"per_active_day": 100}}
    account = {"start": {"date": "2026-01-01", "plan": "free", "cycle_start": "2026-01-01", "credits": {"total": 100}}, "days": 30}
    cases = [({**base, key: 1}, key) for key in ("__proto__", "constructor", "toString")] + [
        ({**base, "usage": {"per_active_day": 100, "constructor": 1}}, "Usage, constructor"),
        ({**base, "usage": {"per_active_day": 100, "toString": 1}}, "Usage, toString"),
        ({**account, "start": {**account["start"], "credits": {"total": 100, "__proto__": 1}}}, "Total Credits, __proto__"),
        ({**base, "events": [{"date": "2026-01-02", "type": "topup", "usd": 5, "constructor": 1}]}, "Event 1, constructor"),
        ({**base, "events": [{"date": "2026-01-02", "type": "topup", "usd": 5, "toString": 1}]}, "Event 1, toString"),
    ]
    for scenario, label in cases:
        # JSON.parse makes "__proto__" an own key, as a link's scenario would have it.
        go_to(page, link(scenario))
        expect(page.locator("[data-testid=calc-error]")).to_contain_text(f"{label}:")
        error = page.inner_text("[data-testid=calc-error]")
        assert "[object Object]" not in error and "native code" not in error and "function" not in error
    assert watched.errors == []


def test_already_have_an_account_errors_at_total_credits_and_the_cycle_switch_converts(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    page.check("[data-testid=calc-mode-account]")
    page.fill("[data-testid=calc-start-date]", "2026-02-15")
    page.fill("[data-testid=calc-start-cycle]", "2026-01-31")
    page.fill("[data-testid=calc-start-total]", "300")
    page.fill("[data-testid=calc-start-topup]", "500")
    settled(page)
    total = page.locator("[data-testid=calc-start-total]")
    assert total.get_attribute("aria-invalid") == "true"  # start.credits is shown at Total Credits
    note = page.locator(f"#{total.get_attribute('aria-describedby').split()[-1]}")
    expect(note).to_contain_text("Total Credits: the parts (Add-On Pack 500")
    page.fill("[data-testid=calc-start-topup]", "100")
    settled(page)
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    # "started on" <-> "renews on" converts the date; the switch alone never makes an error.
    page.select_option("[data-testid=calc-start-cycle-kind]", "renews_on")
    settled(page)
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert fragment_scenario(page)["start"]["renews_on"] == "2026-02-28"  # 31 Jan + 1 month, clamped
    assert page.input_value("[data-testid=calc-start-cycle]") == "2026-02-28"
    page.select_option("[data-testid=calc-start-cycle-kind]", "cycle_start")
    settled(page)
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert fragment_scenario(page)["start"]["cycle_start"] == "2026-01-31"  # straight back: the reader's own date
    # Switching again converts again; a date typed in between is converted, not restored.
    page.select_option("[data-testid=calc-start-cycle-kind]", "renews_on")
    settled(page)
    page.fill("[data-testid=calc-start-cycle]", "2026-03-10")
    settled(page)
    page.select_option("[data-testid=calc-start-cycle-kind]", "cycle_start")
    settled(page)
    assert fragment_scenario(page)["start"]["cycle_start"] == "2026-02-10"
    # Engine words become the page's: today's date, dates as the page writes them.
    page.click(".calc-more summary")
    page.fill("[data-testid=calc-start-registered]", "2026-03-01")
    settled(page)
    registered = page.locator("[data-testid=calc-start-registered]")
    assert registered.get_attribute("aria-invalid") == "true"
    expect(page.locator("[data-testid=calc-error]")).to_contain_text("Registration date: 1 Mar 2026 is after today's date (15 Feb 2026)")
    assert page.evaluate("s => window.creditEngine.simulate(s).catch(e => e.message)", fragment_scenario(page)) \
        == "start.registered: 2026-03-01 is after start.date 2026-02-15"  # the API keeps the engine's line
    assert watched.errors == []


def test_use_this_plan_keeps_the_keyboard_and_names_the_plan(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    advice_settled(page)
    buttons = page.locator("[data-testid=advice-use]")
    names = buttons.evaluate_all("els => els.map(e => e.textContent)")
    advice = cli("recommend", PRESETS["free-300-a-day"]["scenario"])
    # Each button names its plan; the option whose events are the form's (none) is the one in use.
    assert names == [f"{o['label']} in use" if o["events"] == [] else f"Use {o['label']}" for o in advice["options"]]
    plus = page.locator("[data-testid=calc-advice-option][data-plan=plus] [data-testid=advice-use]")
    plus.focus()
    page.keyboard.press("Enter")
    settled(page)
    advice_settled(page)
    expect(plus).to_have_text("Plus in use")
    assert plus.get_attribute("aria-disabled") == "true"
    assert page.evaluate("document.activeElement.dataset.focus") == "advice-use-plus"  # not lost to <body>
    page.keyboard.press("Enter")  # pressing it again changes nothing
    assert page.evaluate("document.activeElement.dataset.focus") == "advice-use-plus"
    assert watched.errors == []


def test_errors_at_fields_speak_the_customers_words(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=topups-when-running-out")
    error = page.locator("[data-testid=calc-error]")
    usd_box = page.locator("[data-testid=calc-event-row]").nth(1).locator("[data-testid=event-usd]")
    usd_box.fill("")
    usd_box.press_sequentially("1e400")  # the box shows it; the browser cannot read it as a number
    settled(page)
    expect(error).to_contain_text("Event 2, amount: not a usable number (expected a whole number from 1 to 10,000)")
    usd_box.fill("20")
    page.locator("[data-testid=event-date]").nth(1).fill("2030-01-01")
    settled(page)
    expect(error).to_contain_text("Event 2, date: 1 Jan 2030 is outside the simulated days (10 Jan 2026 to 9 Apr 2026)")
    page.locator("[data-testid=event-date]").nth(1).fill("")
    settled(page)
    expect(error).to_contain_text("Event 2, date: enter a date")
    assert "YYYY" not in error.inner_text() and "2030-01-01" not in error.inner_text()
    assert watched.errors == []


def test_chart_readout_compare_table_and_csv_headers_read_plainly(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=plus-refunded-within-window")
    page.focus("[data-testid=calc-chart-plot]")
    page.keyboard.press("Home")
    expect(page.locator("[data-testid=calc-readout]")).to_contain_text("Plan: Plus · Event: subscribe to Plus")
    with page.expect_download() as info:
        page.click("[data-testid=calc-export-ledger]")
    header = Path(info.value.path()).read_text().splitlines()[0].split(",")
    assert not any(h.startswith("credits (credits)") for h in header) and "credits" in header
    # A negative end balance reads as the summary card says it.
    scenario = {"registered": "2026-01-10", "days": 10, "usage": {"per_active_day": 900},  # a pack refunded after use
                "events": [{"date": "2026-01-10", "type": "topup", "usd": 50}, {"date": "2026-01-16", "type": "cancel_topup", "of": "2026-01-10"}]}
    end = cli("simulate", scenario)["summary"]["end_balance"]
    assert end < 0
    go_to(page, link(scenario))
    page.click("[data-testid=calc-compare]")
    page.fill("[data-testid=calc-per-day]", "800")
    settled(page)
    cells = page.locator("[data-testid=calc-compare-table] tr[data-row='Balance at the end'] td").all_inner_texts()
    assert cells[0] == f"0 credits, really −{-end:,}"
    expect(page.locator("[data-testid=summary-end-balance]")).to_contain_text("really −")
    assert watched.errors == []


def test_a_horizon_of_days_shows_its_length_and_can_still_be_edited(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=plus-trial-kept")
    days = PRESETS["plus-trial-kept"]["scenario"]["days"]
    box = page.locator("[data-testid=calc-months]")
    assert box.get_attribute("placeholder") == f"{days} days"
    assert box.get_attribute("aria-invalid") is None
    # The length reads as the box's value, in the text colour, not as a faded "missing" hint.
    assert box.evaluate("e => getComputedStyle(e, '::placeholder').color === getComputedStyle(e).color")
    expect(page.locator(".calc-days-note")).to_contain_text(f"{days} days, to ")
    box.fill("2")
    settled(page)
    assert fragment_scenario(page)["days"] == 61  # 2 Mar 2026 plus 2 months
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert watched.errors == []


def test_share_links_with_base64_padding_open_and_garbage_is_still_refused(watched, base_url):
    page = watched.page
    padded = "#scenario=eyJyZWdpc3RlcmVkIjoiMjAyNi0wMS0wMSIsImRheXMiOjMwfQ=="
    open_calculator(watched, base_url, padded)
    settled(page)
    expect(page.locator("[data-testid=calc-link-error]")).to_be_hidden()
    assert page.input_value("[data-testid=calc-registered]") == "2026-01-01"
    standard = base64.b64encode(json.dumps({"registered": "2026-02-01", "days": 30, "usage": {"per_active_day": 1007},
                                            "events": [{"date": "2026-02-02", "type": "topup", "usd": 3, "id": "???"}]}).encode()).decode()
    assert "+" in standard or "/" in standard
    go_to(page, "#scenario=" + standard)
    assert page.input_value("[data-testid=calc-per-day]") == "1007"
    go_to(page, "#scenario=ab$c*d")
    expect(page.locator("[data-testid=calc-link-error]")).to_contain_text("damaged: the scenario part has characters that are not base64")
    assert watched.errors == []


def test_no_back_to_top_pill_over_the_results(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base_url + "calculator/#preset=topups-when-running-out")
    wait_ready(page)
    for y in (1500, 1200, 900):  # Material shows its pill while scrolling back up
        page.mouse.wheel(0, y - page.evaluate("scrollY"))
        page.wait_for_timeout(250)
    assert page.locator(".md-top").evaluate("e => getComputedStyle(e).display") == "none"
    context.close()


# --- second QA round (a current customer's view) ------------------------------------------------------

def test_a_link_with_a_mistake_shows_its_error_and_not_the_build_time_examples(watched, base_url):
    page = watched.page
    past_renewal = {"start": {"date": "2026-11-26", "plan": "plus", "renews_on": "2026-11-20", "credits": {"total": 500}},
                    "days": 30, "usage": {"per_active_day": 100}}
    open_calculator(watched, base_url, link(past_renewal))
    settled(page)
    assert page.get_attribute("[data-calculator]", "data-state") == "error"
    expect(page.locator("[data-calculator-fallback]")).to_be_hidden()  # the calculator runs: its examples stand down
    assert watched.errors == []


def test_usage_follows_every_switch_between_the_two_ways_in(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    page.fill("[data-testid=calc-per-day]", "400")
    settled(page)
    page.check("[data-testid=calc-mode-account]")
    settled(page)
    assert page.input_value("[data-testid=calc-per-day]") == "400"
    page.fill("[data-testid=calc-per-day]", "250")
    settled(page)
    page.check("[data-testid=calc-mode-new]")
    settled(page)
    assert page.input_value("[data-testid=calc-per-day]") == "250"  # not the 400 this way in had before
    assert fragment_scenario(page)["usage"]["per_active_day"] == 250
    page.check("[data-testid=calc-mode-account]")
    settled(page)
    assert page.input_value("[data-testid=calc-per-day]") == "250"
    assert watched.errors == []


def test_choosing_a_paid_plan_today_ticks_the_free_trial_already_had(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    page.check("[data-testid=calc-mode-account]")
    settled(page)
    assert not page.is_checked("[data-testid=calc-start-trial-used]")  # on Free, a trial may still come
    page.select_option("[data-testid=calc-start-plan]", "plus")
    settled(page)
    assert page.is_checked("[data-testid=calc-start-trial-used]")
    assert fragment_scenario(page)["start"]["trial_used"] is True
    page.uncheck("[data-testid=calc-start-trial-used]")  # the reader's word goes
    settled(page)
    assert "trial_used" not in fragment_scenario(page)["start"]


def test_the_break_even_sentence_never_contradicts_tied_option_cards(watched, base_url):
    # Pro today, 500 credits on weekdays: Free and Plus both cost 120 USD in whole Add-On Packs,
    # while credit for credit Plus costs less from 461 a day.
    scenario = {"start": {"date": "2026-11-26", "plan": "pro", "renews_on": "2026-12-02", "credits": {"total": 300}},
                "days": 62, "usage": {"per_active_day": 500, "active_days": "weekdays"}}
    advice = cli("recommend", scenario)
    totals = {o["name"]: o["usd_total"] for o in advice["options"]}
    assert totals["free"] == totals["plus"]
    page = watched.page
    open_calculator(watched, base_url, link(scenario))
    advice_settled(page)
    sentence = page.locator("[data-testid=calc-break-even] li").first.inner_text()
    threshold = next(b["per_active_day"] for b in advice["break_even"] if b["to"] == "plus")
    assert sentence == (f"Plus costs less than Free over these 62 days from about {threshold:,} credits a day (you are above it; "
                        f"in whole Add-On Packs both cost {usd(totals['plus'])} at your usage).")


def test_daily_refreshed_credits_are_asked_beside_total_credits(watched, base_url):
    # The dashboard shows both; asked only under "More", today's daily credits were easily counted twice.
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    page.check("[data-testid=calc-mode-account]")
    settled(page)
    expect(page.locator("[data-testid=calc-start-daily]")).to_be_visible()
    expect(page.locator(".calc-more")).not_to_have_attribute("open", "")
    page.fill("[data-testid=calc-start-daily]", "150")
    settled(page)
    scenario = fragment_scenario(page)
    assert scenario["start"]["credits"]["daily"] == 150
    assert shown_usd(page) == usd(cli("simulate", scenario)["summary"]["usd_total"])


def test_credits_history_names_a_negative_balance_being_paid_off(watched, base_url):
    # Pro today with 300 credits; a 25 USD pack bought on 27 Nov and refunded on 30 Nov after 300
    # of it were used: the balance falls to -100, and 1 Dec's daily credits pay it off first.
    scenario = {"start": {"date": "2026-11-26", "plan": "pro", "renews_on": "2026-12-02", "credits": {"total": 300}},
                "days": 8, "usage": {"per_active_day": 500, "active_days": "weekdays"},
                "events": [{"date": "2026-11-27", "type": "topup", "usd": 25},
                           {"date": "2026-11-30", "type": "cancel_topup", "of": "2026-11-27"}]}
    ledger = cli("simulate", scenario)["ledger"]
    assert {"date": "2026-12-01", "kind": "daily", "bucket": "topup", "credits": 100, "balance_after": 0} in ledger
    page = watched.page
    open_calculator(watched, base_url, link(scenario))
    rows = page.locator("[data-testid=calc-ledger] tbody tr:not(.calc-spacer)").evaluate_all(
        "rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    assert ["1 Dec 2026", "6", "Daily credits", "Pays off the negative balance", "+100", "0"] in rows
    # What "credits added" counts, for an account that starts with a balance.
    expect(page.locator("[data-testid=summary-added]")).to_contain_text("credits added, today's balance included")
    assert ["30 Nov 2026", "5", "Recomputed after a refund", "Add-On Pack credits", "\u22122,300", "\u2212100"] in rows


def test_back_undoes_a_switch_of_the_way_in_and_a_plan_taken_from_the_advice(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    preset_address = page.url
    page.check("[data-testid=calc-mode-account]")
    settled(page)
    assert "start" in fragment_scenario(page)
    page.go_back()
    settled(page)
    assert page.url == preset_address and page.is_checked("[data-testid=calc-mode-new]")
    advice_settled(page)
    page.click("[data-testid=calc-advice-option][data-plan=plus] [data-testid=advice-use]")
    settled(page)
    assert fragment_scenario(page)["events"] != []
    page.go_back()
    settled(page)
    assert page.url == preset_address  # the example's own address, and its events in the form
    assert page.locator("[data-testid=calc-event-row]").count() == len(PRESETS["free-300-a-day"]["scenario"].get("events", []))
    assert shown_usd(page) == usd(cli("simulate", PRESETS["free-300-a-day"]["scenario"])["summary"]["usd_total"])
    assert watched.errors == []


def test_a_long_table_fills_its_box_before_any_scrolling(watched, base_url):
    # The box is sized by its content up to its max-height: drawn while it was short, the
    # window held a dozen rows and left a blank band under them until the reader scrolled.
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-runs-out")
    settled(page)
    page.wait_for_function("() => document.querySelector('[data-testid=calc-ledger-table] tbody tr:not(.calc-spacer)')")
    gap = page.evaluate("""() => {
        const box = document.querySelector('[data-testid=calc-ledger-table]');
        const rows = [...box.querySelectorAll('tbody tr:not(.calc-spacer)')];
        return box.getBoundingClientRect().bottom - rows[rows.length - 1].getBoundingClientRect().bottom; }""")
    assert page.evaluate("document.querySelector('[data-testid=calc-ledger-table] table').getAttribute('aria-rowcount')") != "0"
    assert gap <= 1, f"{gap:.0f} px of the box are blank"


def test_a_second_event_proposes_the_cancel_and_a_second_trial_is_refused_in_plain_words(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    page.click("[data-testid=calc-add-event]")
    settled(page)
    page.click("[data-testid=calc-add-event]")
    settled(page)
    types = page.locator("[data-testid=event-type]").evaluate_all("els => els.map(e => e.value)")
    assert types == ["subscribe", "cancel"]  # not a second trial, which the engine would refuse
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    two_trials = {"registered": "2026-11-26", "days": 30, "usage": {"per_active_day": 100},
                  "events": [{"date": "2026-11-26", "type": "subscribe", "plan": "plus", "trial": True},
                             {"date": "2026-11-28", "type": "cancel"},
                             {"date": "2026-11-29", "type": "subscribe", "plan": "pro", "trial": True}]}
    go_to(page, link(two_trials))
    # The engine finds this one: wait for its answer rather than the page's first state.
    expect(page.locator("[data-testid=calc-error]")).to_contain_text(
        "already had its free trial (Event 1 on 26 Nov 2026); untick “free trial”")
    error = page.inner_text("[data-testid=calc-error]")
    assert "events[" not in error and "set trial" not in error


def test_the_account_entered_survives_back_and_a_second_switch(watched, base_url):
    page = watched.page
    open_calculator(watched, base_url, "#preset=free-300-a-day")
    page.check("[data-testid=calc-mode-account]")
    settled(page)
    page.fill("[data-testid=calc-start-total]", "1234")
    settled(page)
    page.go_back()  # to "I'm new", as it was
    settled(page)
    assert page.is_checked("[data-testid=calc-mode-new]")
    page.check("[data-testid=calc-mode-account]")
    settled(page)
    assert page.input_value("[data-testid=calc-start-total]") == "1234"
    assert fragment_scenario(page)["start"]["credits"]["total"] == 1234


@pytest.mark.parametrize("width", [1280, 390])
def test_one_step_from_the_results_to_the_plan_advice(browser, base_url, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto(base_url + "calculator/#preset=free-runs-out")
    wait_ready(page)
    address = page.url
    page.click("[data-testid=calc-jump-advice]")
    page.wait_for_function("""() => { const r = document.querySelector('#calculator-advisor').getBoundingClientRect();
                                      return r.top >= 0 && r.bottom <= innerHeight; }""")
    scroll_settled(page)
    heading = page.locator("#calculator-advisor").bounding_box()
    header = page.locator(".md-header").bounding_box()
    assert heading["y"] >= header["y"] + header["height"] - 1  # in view, not under Material's header
    assert page.evaluate("document.activeElement.id") == "calculator-advisor"
    assert page.url == address  # the scenario's address is untouched
    context.close()
