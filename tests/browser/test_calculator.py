"""The calculator end to end: the engine in the page equals the CLI, the form, share links,
FAQ preset links, instant navigation, privacy (no other origin) and accessibility."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from calculator.api import run
from tests.browser.conftest import Watched, wait_ready

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "tests" / "scenarios"
PAGES = ["", "glossary/", "plans/", "credits/", "billing/", "faq/", "calculator/", "assumptions/", "developers/",
         "developers/engine/", "developers/javascript-api/", "developers/settings/", "engine/"]


def calculator(watched: Watched, base_url: str, fragment: str = "") -> None:
    watched.page.goto(base_url + "calculator/" + fragment)
    wait_ready(watched.page)


def summary(page) -> dict:
    return {key: page.inner_text(f"[data-testid=summary-{key}] strong")
            for key in ("usd", "added", "consumed", "unmet", "first-restricted", "end-balance")}


def test_window_api_returns_exactly_the_cli_json(watched, base_url):
    calculator(watched, base_url)
    for name in ["plus-trial-cancelled-day-5", "refund-with-shortfall", "leap-year-31st", "overdraft-allow-forgive"]:
        scenario = json.loads((SCENARIOS / f"{name}.json").read_text())["scenario"]
        in_page = watched.page.evaluate("s => window.creditEngine.simulate(s)", scenario)
        assert in_page == json.loads(run("simulate", json.dumps(scenario))[1]), name
    profile = {"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": 500}}
    assert watched.page.evaluate("s => window.creditEngine.recommend(s)", profile) == \
        json.loads(run("recommend", json.dumps(profile))[1])
    message = watched.page.evaluate(
        "s => window.creditEngine.simulate(s).then(() => 'resolved', e => e.message)",
        {"registered": "2026-01-10", "days": 30, "events": [{"date": "2026-01-11", "type": "subscribe", "plan": "gold"}]})
    assert message == "events[0].plan: unknown plan 'gold' (expected free, plus or pro)"
    assert watched.errors == []


def test_filling_the_form_shows_summary_chart_and_ledger(watched, base_url):
    page = watched.page
    calculator(watched, base_url)
    page.fill("[data-testid=calc-registered]", "2026-03-02")
    page.fill("[data-testid=calc-per-day]", "250")
    page.select_option("[data-testid=calc-active-days]", "weekdays")
    page.click("[data-testid=calc-add-event]")  # a subscribe event on the registration date
    row = page.locator("[data-testid=calc-event-row]").nth(0)
    row.locator("[data-testid=event-trial]").check()
    page.click("[data-testid=calc-add-event]")
    second = page.locator("[data-testid=calc-event-row]").nth(1)
    second.locator("[data-testid=event-type]").select_option("cancel")
    second.locator("[data-testid=event-date]").fill("2026-03-06")
    second.locator("[data-testid=event-date]").dispatch_event("change")
    page.wait_for_function("() => document.querySelector('[data-calculator]').dataset.state === 'ready'"
                           " && document.querySelectorAll('[data-testid=calc-ledger] tbody tr').length > 0")
    page.wait_for_timeout(400)
    wait_ready(page, int(page.get_attribute("[data-calculator]", "data-render-count")))
    got = summary(page)
    assert got["usd"] == "0 USD"  # a trial cancelled on day 5 costs nothing
    assert page.locator("[data-testid=calc-chart] svg polygon").count() >= 1
    kinds = page.locator("[data-testid=calc-ledger] tbody tr:not(.calc-spacer) td:nth-child(3)").all_inner_texts()
    assert "Used" in kinds and "Monthly allowance" in kinds and "consume" not in kinds  # customer words, not the engine's kinds
    page.click("[data-testid=calc-days-details] summary")  # the day table is drawn when opened
    simulated = int(page.inner_text(".calc-days-note").split()[0])  # "92 days, to …"
    expect(page.locator("[data-testid=calc-days] table")).to_have_attribute("aria-rowcount", str(simulated + 1))
    table = page.locator("[data-testid=calc-days-table]")
    table.evaluate("el => { el.scrollTop = el.scrollHeight; }")  # drawn in windows: the last day appears when scrolled to
    last = page.locator(f"[data-testid=calc-days] tbody tr[aria-rowindex='{simulated + 1}'] td")
    expect(last.nth(2)).to_have_text("Free")
    assert watched.errors == []


def test_share_link_round_trip(watched, browser, base_url):
    calculator(watched, base_url, "#preset=topup-refunded-after-3-days")
    page = watched.page
    page.fill("[data-testid=calc-per-day]", "333")
    page.wait_for_function("() => location.hash.startsWith('#scenario=') && document.querySelector('[data-calculator]').dataset.state === 'ready'"
                           " && document.querySelector('[data-calculator]').dataset.renderCount >= 2")
    link, shown = page.url, summary(page)
    other = Watched(browser.new_context().new_page())
    other.page.goto(link)
    wait_ready(other.page)
    assert other.page.input_value("[data-testid=calc-per-day]") == "333"
    assert summary(other.page) == shown
    assert other.errors == []


def test_a_tampered_link_shows_the_engine_error_and_runs_no_script(watched, base_url):
    evil = {"registered": "<img src=x onerror=alert(1)>", "days": 3}
    encoded = base64.urlsafe_b64encode(json.dumps(evil).encode()).decode().rstrip("=")
    calculator(watched, base_url, "#scenario=" + encoded)
    page = watched.page
    error = page.inner_text("[data-testid=calc-error]")
    assert "Registration date: '<img src=x onerror=alert(1)>' is not a date" in error  # at its field, by its label
    assert page.get_attribute("[data-testid=calc-registered]", "aria-invalid") == "true"
    assert page.locator("[data-calculator] img").count() == 0
    page.goto(base_url + "calculator/#scenario=%%%not-base64")
    page.reload()
    wait_ready(page)
    assert "damaged" in page.inner_text("[data-testid=calc-link-error]")
    assert not [e for e in watched.errors if "dialog" in e]


def test_faq_preset_link_opens_that_case_through_instant_navigation(watched, base_url):
    page = watched.page
    page.goto(base_url + "faq/")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__sameDocument = true")
    page.click("a[href$='calculator/#preset=plus-trial-cancelled-day-5']")
    wait_ready(page)
    assert page.evaluate("window.__sameDocument") is True  # instant navigation: no reload
    assert page.input_value("[data-testid=calc-registered]") == "2026-03-02"
    assert summary(page)["usd"] == "0 USD"
    # away and back: the same engine worker serves again (Material's search has its own)
    engine_workers = lambda: [w for w in page.workers if w.url.endswith("/calculator/worker.js")]
    assert len(engine_workers()) == 1
    renders = int(page.get_attribute("[data-calculator]", "data-render-count"))
    page.click("a[href$='plans/']")
    page.wait_for_url("**/plans/")
    page.go_back()
    wait_ready(page)
    assert page.evaluate("window.__sameDocument") is True
    assert len(engine_workers()) == 1
    assert page.evaluate("window.creditEngine.simulate({registered: '2026-01-10', days: 2})")["schema"] == 1
    assert watched.errors == []


def test_instant_navigation_from_the_home_page_boots_one_engine(watched, base_url):
    # The calculator page starts its worker from an inline script, which instant
    # navigation re-runs; from the home page (another folder depth) it must still work.
    page = watched.page
    page.goto(base_url)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__sameDocument = true")
    page.click(".md-tabs a[href$='calculator/']")
    wait_ready(page)
    assert page.evaluate("window.__sameDocument") is True
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert len([w for w in page.workers if w.url.endswith("/calculator/worker.js")]) == 1
    assert all("/docs/assets/" in u for u in watched.requests if "pyodide" in u)
    assert watched.errors == []


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_other_origins_and_no_pyodide_outside_the_calculator(watched, base_url, path):
    page = watched.page
    page.goto(base_url + path)
    if path == "calculator/":
        wait_ready(page)
    else:
        page.wait_for_load_state("networkidle")
    origin = base_url.split("/docs/")[0]
    assert all(url.startswith(origin) or url.startswith("data:") or url.startswith("blob:") for url in watched.requests), \
        [u for u in watched.requests if not u.startswith(origin)]
    pyodide = [u for u in watched.requests if "/pyodide" in u]
    assert bool(pyodide) == (path == "calculator/")
    assert watched.errors == []


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(watched, base_url, path, scheme):
    page = watched.page
    page.emulate_media(color_scheme=scheme)
    page.goto(base_url + path)
    if path == "calculator/":
        wait_ready(page)
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    serious = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]
               if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_back_from_the_calculator_leaves_the_faq_answers_address_alone(watched, base_url):
    # Back fires before Material swaps the FAQ in, while the calculator is still on the page:
    # it must not read the FAQ's fragment as its own and write a scenario into that address.
    page = watched.page
    answer = base_url + "faq/#estimate-usage"
    page.goto(answer)
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__sameDocument = true")
    page.click("#estimate-usage ~ * a[href*='calculator/'] >> nth=0")
    wait_ready(page)
    page.go_back()
    page.wait_for_url("**/faq/**")
    page.wait_for_timeout(500)  # anything the calculator would still write, it writes at once
    assert page.url == answer
    assert page.evaluate("window.__sameDocument") is True
    page.go_forward()
    wait_ready(page)
    assert "/calculator/" in page.url
    page.go_back()
    page.wait_for_url("**/faq/**")
    page.wait_for_timeout(500)
    assert page.url == answer
    assert watched.errors == []
