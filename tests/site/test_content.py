"""What the pages say: Eigent's rules apart from the calculator's readings, no leftover
Markdown, customer pages free of keys, worked examples that show their point, a date on
every page, the navigation for two audiences."""

from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from calculator.policy import load_policy
from hooks.figures import READING_CLASS, READING_MARK_CLASS
from tests.site.conftest import ROOT, build_site, copy_project
from tests.site.test_site import PAGES

CUSTOMER_PAGES = ["index.html", "glossary/index.html", "plans/index.html", "credits/index.html",
                  "billing/index.html", "faq/index.html", "assumptions/index.html"]
BLOCKS = {"p", "li", "div", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "br", "tr", "summary",
          "figcaption", "blockquote", "section", "article", "nav", "ol", "ul", "table", "details", "time"}
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}
HIDDEN = {"script", "style", "template"}


class Text(HTMLParser):
    """A page's visible text, whitespace collapsed, with for each character the reading marker
    around it (the setting key of the innermost `.reading[data-setting]`, else None). Also the
    markers themselves, each with the links inside it."""

    def __init__(self, html: str, skip_code: bool = False) -> None:
        super().__init__()
        self.skip = HIDDEN | ({"pre", "code"} if skip_code else set())
        self.chars: list[str] = []
        self.keys: list[str | None] = []
        self.stack: list[tuple[str, str | None, bool]] = []  # (tag, marker key, skipped)
        self.markers: list[dict] = []  # {"key", "links": [(class, href)]}
        self.feed(html)
        self.text = "".join(self.chars)

    def _marker(self) -> str | None:
        for _, key, _ in reversed(self.stack):
            if key is not None:
                return key
        return None

    def _skipped(self) -> bool:
        return any(skipped for _, _, skipped in self.stack)

    def _space(self) -> None:
        if self.chars and self.chars[-1] != " ":
            self.chars.append(" ")
            self.keys.append(self._marker())

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        key = a.get("data-setting") if READING_CLASS in classes else None
        if key is not None:
            self.markers.append({"key": key, "links": []})
        if tag == "a" and self.stack and self._marker() is not None:
            inner = next(m for m in reversed(self.markers) if m["key"] == self._marker())
            inner["links"].append((a.get("class") or "", a.get("href") or ""))
        if tag in BLOCKS:
            self._space()
        if tag not in VOID:
            self.stack.append((tag, key, tag in self.skip))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break
        if tag in BLOCKS:
            self._space()

    def handle_data(self, data):
        if self._skipped():
            return
        key = self._marker()
        for ch in data:
            if ch.isspace():
                self._space()
            else:
                self.chars.append(ch)
                self.keys.append(key)


def normalise(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence).strip()


def occurrences(text: Text, sentence: str) -> list[set]:
    """For each place `sentence` appears in the page's text: the marker keys over its characters.
    Inside the marker a sentence continues "… the calculator assumes:" in lower case, so both
    forms of its first letter are looked for."""
    found = []
    needle = normalise(sentence)
    for form in {needle, needle[:1].lower() + needle[1:]}:
        start = 0
        while (at := text.text.find(form, start)) != -1:
            found.append(set(text.keys[at:at + len(form)]))
            start = at + 1
    return found


@pytest.fixture(scope="module")
def texts(site):
    return {page: Text((site / page).read_text("utf-8")) for page in PAGES}


# --- Eigent's rules apart from the calculator's readings --------------------------------------------------

def test_every_reading_a_page_states_sits_inside_its_marker(texts):
    policy = load_policy()
    readings = [s for s in policy.settings.values() if s.basis == "reading"]
    stated = {}
    for page, text in texts.items():
        for setting in readings:
            for value, sentence in setting.choices.items():
                for keys in occurrences(text, sentence):
                    assert keys == {setting.key}, (
                        f"{page} states the reading {setting.key}={value} outside its marker: {sentence!r}")
                    stated.setdefault(setting.key, set()).add(page)
    # The Assumptions page states every reading; the customer pages state most of them.
    for setting in readings:
        assert "assumptions/index.html" in stated.get(setting.key, set()), setting.key
    on_customer_pages = {k for k, pages in stated.items() if pages & set(CUSTOMER_PAGES) - {"assumptions/index.html"}}
    assert len(on_customer_pages) >= 15, sorted(on_customer_pages)


def test_every_marker_links_to_its_assumptions_entry(texts):
    policy = load_policy()
    count = 0
    for page, text in texts.items():
        for marker in text.markers:
            assert marker["key"] in policy.settings, f"{page}: marker for unknown setting {marker['key']}"
            assert policy.settings[marker["key"]].basis == "reading", f"{page}: published rule {marker['key']} marked"
            marks = [href for cls, href in marker["links"] if READING_MARK_CLASS in cls.split()]
            assert marks, f"{page}: marker of {marker['key']} has no visible mark"
            target = f"#{marker['key']}" if page == "assumptions/index.html" else f"assumptions/#{marker['key']}"
            assert all(href.endswith(target) for href in marks), (page, marker)
            count += 1
    assert count >= 40


def test_published_rules_are_stated_plainly(texts):
    for setting in (s for s in load_policy().settings.values() if s.basis == "published"):
        seen = 0
        for page, text in texts.items():
            for keys in occurrences(text, setting.text):
                assert keys == {None}, f"{page} marks Eigent's published rule {setting.key} as a reading"
                seen += 1
        assert seen, f"no page states the published rule {setting.key}"


def test_the_assumptions_page_keeps_the_setting_keys_as_anchors_but_shows_titles(site):
    html = (site / "assumptions/index.html").read_text("utf-8")
    text = Text(html).text
    for setting in load_policy().settings.values():
        assert re.search(rf'<h3 id="{setting.key}"[^>]*>', html), setting.key  # the calculator links here
        assert setting.title in text


# --- no leftover markup, no keys on customer pages ------------------------------------------------------

LITERAL_MARKUP = ["[^", "{{", "}}", "{#", "{ #", "**", "*[", "]:"]


@pytest.mark.parametrize("page", PAGES)
def test_no_literal_markdown_markup_is_shown(site, page):
    # Code samples may show any character on purpose; everything else is prose.
    text = Text((site / page).read_text("utf-8"), skip_code=True).text
    for mark in LITERAL_MARKUP:
        at = text.find(mark)
        assert at == -1, f"{page} shows {mark!r}: …{text[max(0, at - 60):at + 60]}…"


def test_customer_pages_show_no_keys(texts):
    policy = load_policy()
    keys = set(policy.settings) | set(policy.number_names()) | {"price_usd", "monthly_credits", "trial_days",
                                                                "policy.toml", "per_active_day"}
    keys |= {value for s in policy.settings.values() for value in s.choices if "_" in value}
    for page in CUSTOMER_PAGES:
        text = texts[page].text
        shown = sorted(k for k in keys if re.search(rf"(?<![\w/#-]){re.escape(k)}(?![\w-])", text))
        assert shown == [], f"{page} shows {shown}"


def test_customer_pages_use_one_term_per_thing(texts):
    # Add-On Pack, billing cycle, credits: the glossary names the other words once, on purpose.
    other_words = ["top-up", "topup", "top up", "billing month", "billing period", "recharge", "tokens"]
    for page in CUSTOMER_PAGES:
        if page == "glossary/index.html":
            continue
        text = texts[page].text.lower()
        assert [w for w in other_words if w in text] == [], page


def test_prices_are_called_operator_settings_once_per_page(texts):
    for page in ["plans/index.html", "credits/index.html", "billing/index.html", "faq/index.html",
                 "assumptions/index.html"]:
        said = len(re.findall(r"operator settings? of", texts[page].text))
        assert said == 1, f"{page}: {said} times"


# --- worked examples --------------------------------------------------------------------------------------

def timeline(site: Path, page: str, preset: str) -> list[tuple[str, str]]:
    """(kind, date) of each timeline entry of the worked example of `preset` on `page`."""
    html = (site / page).read_text("utf-8")
    start = html.index(f'#preset={preset}"')
    block = html[html.rindex('<div class="worked-example"', 0, start):start]
    return re.findall(r'timeline__entry--(\w+)"><time class="timeline__when" datetime="([\d-]+)"', block)


def test_worked_examples_show_the_days_that_matter_with_every_day_collapsed(site):
    examples = 0
    for page in ["credits/index.html", "billing/index.html"]:
        html = (site / page).read_text("utf-8")
        for block in html.split('<div class="worked-example"')[1:]:
            examples += 1
            assert '<ol class="timeline">' in block
            assert "<strong>Outcome:</strong>" in block
            details = block.index("<details")
            assert block.index("<table") > details, "the day table must sit inside the collapsed block"
            assert "open" not in block[details:block.index(">", details)]
    assert examples >= 7


def test_the_month_end_example_shows_the_renewals(site):
    entries = timeline(site, "billing/index.html", "month-end-billing")
    renewals = [date for kind, date in entries if kind == "charged"]
    assert {"2026-02-28", "2026-03-31"} <= set(renewals), entries


def test_the_late_cancel_example_shows_the_switch_to_free(site):
    entries = timeline(site, "billing/index.html", "plus-cancelled-after-window")
    kinds = [kind for kind, _ in entries]
    assert "cancelled" in kinds and "plan_ended" in kinds, entries
    assert kinds.index("plan_ended") > kinds.index("cancelled")


def test_the_negative_balance_example_goes_below_zero(site):
    presets = json.loads((Path(__file__).resolve().parents[2] / "calculator/presets.json").read_text())
    from calculator.api import simulate
    days = simulate(presets["plus-refunded-within-window"]["scenario"])["days"]
    assert min(d["balance"] for d in days) < 0
    html = (site / "billing/index.html").read_text("utf-8")
    section = html[html.index('id="negative-balance"'):html.index('id="changing-plan"')]
    assert "#preset=plus-refunded-within-window" in section and "(shown as 0)" in section
    # The example says what makes it go negative (the heavy days) and the timeline says how far.
    text = Text(section).text
    assert "except 1,500 credits on 10 Jan, 1,500 on 11 Jan and 500 on 12 Jan" in text
    assert "The balance goes below zero, to \u22121,200 credits; the dashboard shows 0." in text


def test_worked_examples_carry_the_readings_note(site):
    for page in ["credits/index.html", "billing/index.html"]:
        html = (site / page).read_text("utf-8")
        for block in html.split('<div class="worked-example"')[1:]:
            note = block.index('class="worked-example__readings"')
            assert note < block.index('<ol class="timeline">')
            assert 'href="../assumptions/#readings"' in block[note:block.index('<ol class="timeline">')]


# --- navigation, dates ------------------------------------------------------------------------------------

def test_customer_menu_first_and_the_developer_section_last(site):
    html = (site / "plans/index.html").read_text("utf-8")
    tabs = re.findall(r'class="md-tabs__link">\s*([^<]+?)\s*</a>', html)
    assert tabs == ["Support", "Plans", "Credits", "Billing", "FAQ", "Calculator", "For developers"], tabs
    for page in ["developers/engine/index.html", "developers/javascript-api/index.html",
                 "developers/settings/index.html"]:
        assert (site / page).is_file(), page
    reference = Text((site / "developers/settings/index.html").read_text("utf-8")).text
    for key in load_policy().settings:
        assert key in reference, key


@pytest.mark.parametrize("page", [p for p in PAGES if p != "engine/index.html"])
def test_every_page_shows_the_day_its_file_last_changed_in_git(site, page):
    source = ROOT / "docs" / page.replace(".html", ".md")  # docs/faq/index.md
    if not source.exists():
        source = ROOT / "docs" / page.replace("/index.html", ".md")  # docs/developers/engine.md
    # A page with figures worked out by the engine changes when the engine's folder does.
    paths = [str(source), *(["calculator"] if "{{" in source.read_text("utf-8") else [])]
    stamp = subprocess.run(["git", "log", "-1", "--format=%cs", "--", *paths], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.strip()
    html = (site / page).read_text("utf-8")
    shown = re.search(r'Last updated <time class="last-updated" datetime="([\d-]+)">\d{1,2} \w+ \d{4}</time>', html)
    if not stamp:  # a page not committed yet (a working copy): no date rather than a made-up one
        assert shown is None, page
    else:
        assert shown and shown.group(1) == stamp, (page, stamp)


def test_the_last_updated_day_is_the_newest_commit_of_each_file(tmp_path):
    # Two commits on fixed past days: a file changed in both shows the second day, a file
    # changed only in the first shows the first, a renamed file its rename, a file git
    # does not know none. (The plugin used before showed the build day for all of them:
    # Debian 12's git answers its `--diff-filter=r` with nothing.)
    from hooks.last_updated import last_commit_days

    def commit(day: str, message: str) -> None:
        env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T12:00:00Z", "GIT_COMMITTER_DATE": f"{day}T12:00:00Z"}
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", message],
                       cwd=tmp_path, env=env, check=True)

    docs = tmp_path / "docs"
    docs.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (docs / "both.md").write_text("one")
    (docs / "first.md").write_text("one")
    (docs / "moved.md").write_text("one")
    subprocess.run(["git", "add", "."], cwd=tmp_path, check=True)
    commit("2024-02-29", "first")
    (docs / "both.md").write_text("two")
    subprocess.run(["git", "mv", "docs/moved.md", "docs/renamed.md"], cwd=tmp_path, check=True)
    commit("2025-03-01", "second")
    (docs / "new.md").write_text("not committed")
    days = last_commit_days(docs)
    assert days[(docs / "both.md").resolve()] == date(2025, 3, 1)
    assert days[(docs / "first.md").resolve()] == date(2024, 2, 29)
    assert days[(docs / "renamed.md").resolve()] == date(2025, 3, 1)
    assert (docs / "new.md").resolve() not in days
    assert last_commit_days(tmp_path / "elsewhere") == {}  # not a folder git can read: no dates


def test_a_copy_without_git_history_builds_without_dates(tmp_path):
    # A download of the sources has no .git: it builds, and no page claims a date.
    project = copy_project(tmp_path / "project")
    assert not (project / ".git").exists()
    done = build_site(project, tmp_path / "out")
    assert done.returncode == 0, done.stdout + done.stderr
    html = (tmp_path / "out/faq/index.html").read_text("utf-8")
    assert "<h2" in html and "Last updated" not in html


# --- plan advice follows the prices in the policy ---------------------------------------------------------

def test_plan_advice_is_worked_out_from_the_prices():
    from hooks.figures import Context, beats_free_with_packs_above, plan_cards, same_price_per_credit

    policy = load_policy()
    plus = policy.plans["plus"]
    at_pack_price = policy.with_prices({"plus": plus.monthly_credits * 100 // policy.credits_per_usd})
    assert beats_free_with_packs_above(at_pack_price, at_pack_price.plans["plus"]) is None
    assert "exactly the same on Plus" in same_price_per_credit(Context(at_pack_price, "plans/"))

    # Half the pack price: Plus pays off once Free's allowance plus what its price buys in packs is used.
    cheap = policy.with_prices({"plus": plus.monthly_credits * 50 // policy.credits_per_usd})
    above = beats_free_with_packs_above(cheap, cheap.plans["plus"])
    free = policy.plans["free"].monthly_credits
    assert above == free + plus.monthly_credits // 2 + 1
    assert f"more than {above:,} credits a month" in plan_cards(Context(cheap, "plans/"))
    assert "costs less on Plus" in same_price_per_credit(Context(cheap, "plans/"))


# --- QA review: readings marked where the text is written by hand --------------------------------------

def test_the_spending_order_diagram_marks_both_bonus_readings(site):
    html = (site / "credits/index.html").read_text("utf-8")
    step = re.search(r'<div class="spending-order__step spending-order__step--bonus".*?</div>', html, re.S).group(0)
    keys = re.findall(r'class="reading reading--short" data-setting="(\w+)"', step)
    assert sorted(keys) == ["bonus_expiry", "spending_order"], keys


def test_readings_no_setting_names_link_to_an_entry_on_the_assumptions_page(site):
    entries = set(re.findall(r'id="([\w-]+)"', (site / "assumptions/index.html").read_text("utf-8")))
    found = 0
    for page in CUSTOMER_PAGES:
        html = (site / page).read_text("utf-8")
        for href in re.findall(r'<span class="reading reading--unlisted"><a class="reading__mark" href="([^"]+)"', html):
            assert href.split("#")[-1] in entries, (page, href)
            found += 1
    assert found >= 4  # the trial cancelled from Free: Credits, Billing, FAQ and its own entry


def test_the_calculator_pages_examples_say_the_prices_and_the_readings_are_the_sites(site):
    html = (site / "calculator/index.html").read_text("utf-8")
    gallery = html[html.index("data-calculator-fallback"):html.index('class="moved-anchors"')]
    text = Text(gallery).text
    assert "operator settings of the site's calculator, not official prices" in text
    assert 'class="worked-example__readings"' in gallery and "assumptions/#readings" in gallery


def test_the_glossary_terms_can_be_linked(site):
    html = (site / "glossary/index.html").read_text("utf-8")
    terms = re.findall(r"<dt([^>]*)>", html)
    assert terms and all('id="' in attrs for attrs in terms), terms
