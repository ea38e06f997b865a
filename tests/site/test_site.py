"""The support site: strict build, stable pages and anchors, figures from the policy,
nothing loaded from another origin, accessible structure."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from calculator.policy import load_policy
from tests.site.conftest import build_site, copy_project

PAGES = ["index.html", "glossary/index.html", "plans/index.html", "credits/index.html", "billing/index.html",
         "faq/index.html", "calculator/index.html", "assumptions/index.html", "developers/index.html",
         "developers/engine/index.html", "developers/javascript-api/index.html", "developers/settings/index.html",
         "engine/index.html"]

# Support staff paste these links into replies: removing or renaming one is a visible decision.
FAQ_ANCHORS = [
    # since the first version of the site
    "which-plan", "plan-prices", "cloud-vs-self-hosted", "how-to-upgrade",
    "daily-credits-gone", "monthly-rollover", "spending-order", "invite-credits", "when-run-out", "see-usage",
    "cancel-trial", "first-charge", "refund-window", "cancel-top-up", "cancel-late", "how-to-cancel",
    "cycle-start", "negative-balance", "invoices", "top-up-expiry",
    "calculator-exact", "calculator-privacy",
    # the questions customers ask (issue 9)
    "own-api-keys", "discounts", "task-cost", "estimate-usage", "daily-reset-time", "bonus-expiry",
    "run-out-mid-task", "buy-credits", "pack-sizes", "trial-card", "trial-auto-charge", "trial-credits",
    "second-trial", "upgrade-mid-cycle", "downgrade", "refund-renewal", "payment-methods", "currency-and-tax",
    "billing-details", "failed-charge", "duplicate-charge", "enter-invite-code", "invite-limit", "team-credits",
    "contact", "data-after-cancel",
]


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.headings: list[int] = []
        self.resources: list[str] = []   # URLs the browser loads by itself
        self.tables = 0
        self.tables_with_th = 0
        self.links: list[str] = []
        self._in_table = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("script", "img", "iframe", "source", "audio", "video") and a.get("src"):
            self.resources.append(a["src"])
        if tag == "link" and a.get("href") and a.get("rel") not in ("canonical", "alternate"):
            self.resources.append(a["href"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "table":
            self.tables += 1
            self._in_table = True
        if tag == "th" and self._in_table:
            self.tables_with_th += 1
            self._in_table = False


def read(site: Path, page: str) -> Page:
    return Page((site / page).read_text("utf-8"))


def test_every_page_exists(site):
    for page in PAGES:
        assert (site / page).is_file(), page


def test_faq_anchors_exist_are_unique_and_are_listed_here(site):
    page = read(site, "faq/index.html")
    assert len(page.ids) == len(set(page.ids)), "duplicate ids on the FAQ page"
    for anchor in FAQ_ANCHORS:
        assert anchor in page.ids, anchor
    questions = re.findall(r'<h3 id="([^"]+)"', (site / "faq/index.html").read_text("utf-8"))
    assert sorted(questions) == sorted(FAQ_ANCHORS), "a question was added or removed: update FAQ_ANCHORS"
    assert len(questions) >= 30


def test_faq_links_open_the_calculator_on_presets(site):
    links = [l for l in read(site, "faq/index.html").links if "calculator/#preset=" in l]
    assert len(links) >= 5
    assert all(l.startswith("../calculator/#preset=") for l in links)


def test_nothing_is_loaded_from_another_origin(site):
    for html in site.rglob("*.html"):
        page = Page(html.read_text("utf-8"))
        for url in page.resources:
            assert not re.match(r"^(https?:)?//", url), f"{html.relative_to(site)} loads {url}"
    for css in site.rglob("*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css.read_text("utf-8")):
            assert not re.match(r"^(https?:)?//", url), f"{css.relative_to(site)} loads {url}"
    for js in site.rglob("*.js"):
        text = js.read_text("utf-8", errors="replace")
        assert "cdn.jsdelivr" not in text and "fonts.googleapis" not in text, js


def test_no_page_loads_pyodide_by_itself(site):
    # The calculator's script starts the worker (and so Pyodide) only on the calculator
    # page; the browser tests check the requests. Here: no page links Pyodide directly.
    for page in PAGES:
        assert "assets/pyodide/" not in (site / page).read_text("utf-8"), page
    assert (site / "assets/pyodide/pyodide.asm.wasm").is_file()


def test_headings_go_down_one_level_at_a_time_and_tables_have_headers(site):
    for name in PAGES:
        page = read(site, name)
        assert page.headings.count(1) == 1, name
        for before, after in zip(page.headings, page.headings[1:]):
            assert after <= before + 1, f"{name}: h{before} followed by h{after}"
        assert page.tables == page.tables_with_th, name


def test_pages_show_the_policy_figures(site):
    policy = load_policy()
    plans = (site / "plans/index.html").read_text("utf-8")
    for plan in policy.plans.values():
        assert f"{plan.monthly_credits:,}" in plans
    credits = (site / "credits/index.html").read_text("utf-8")
    assert f"{policy.daily_credits:,}" in credits and f"{policy.signup_bonus:,}" in credits
    assumptions = (site / "assumptions/index.html").read_text("utf-8")
    for key in policy.settings:
        assert f'id="{key}"' in assumptions, key


def test_a_changed_policy_value_shows_up_on_the_pages(tmp_path):
    project = copy_project(tmp_path / "project")
    toml = project / "calculator" / "policy.toml"
    text = toml.read_text("utf-8")
    text = text.replace("monthly_credits = 2000", "monthly_credits = 2345")
    text = text.replace("daily_credits = 200 ", "daily_credits = 275 ")
    toml.write_text(text, "utf-8")
    done = build_site(project, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    out = tmp_path / "out"
    for page in ("plans/index.html", "index.html", "credits/index.html"):
        html = (out / page).read_text("utf-8")
        assert "2,345" in html, page
    plans = (out / "plans/index.html").read_text("utf-8")
    table = plans[plans.index("<table"):plans.index("</table>")]
    assert "2,000" not in table
    for page in ("credits/index.html", "faq/index.html", "assumptions/index.html"):
        assert "275" in (out / page).read_text("utf-8"), page


def test_the_calculator_data_comes_from_the_engine_package(site):
    import json
    policy = json.loads((site / "assets/calculator/policy.json").read_text())
    assert policy["plans"]["plus"]["monthly_credits"] == load_policy().plans["plus"].monthly_credits
    presets = json.loads((site / "assets/calculator/presets.json").read_text())
    assert "plus-trial-cancelled-day-5" in presets
