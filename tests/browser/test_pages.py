"""The pages on a phone and on a desktop: nothing wider than the screen, wide tables that
say they scroll, a spending-order diagram whose arrows follow the flow at every width,
buttons that look like buttons."""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_ready
from tests.browser.test_calculator import PAGES

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, color_scheme="light")
    page = context.new_page()
    yield page
    context.close()


def open_page(page, url: str, path: str) -> None:
    page.goto(url + path)
    if path == "calculator/":
        wait_ready(page)
    else:
        page.wait_for_load_state("networkidle")


def page_width(page) -> dict:
    return page.evaluate("() => ({page: document.documentElement.scrollWidth, body: document.body.scrollWidth,"
                         " screen: window.innerWidth})")


WIDE_TABLES = """() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
  .filter(w => !w.closest('[data-calculator]'))  // the calculator's own tables: its own tests
  .filter(w => w.offsetParent !== null && w.scrollWidth > w.clientWidth + 1)
  .map(w => { const cue = w.previousElementSibling, box = cue && cue.getBoundingClientRect();
    return {role: w.getAttribute('role'), tabindex: w.getAttribute('tabindex'),
            cue: !!cue && cue.classList.contains('table-scroll-cue') && box.width > 0 && box.height > 0
                 && getComputedStyle(cue).visibility === 'visible',
            text: w.innerText.slice(0, 40)}; })"""


@pytest.mark.parametrize("path", PAGES)
def test_nothing_is_wider_than_a_phone_and_wide_tables_say_they_scroll(phone, base_url, path):
    open_page(phone, base_url, path)
    # Every collapsed block open too: the worked examples' day tables are the widest content.
    phone.evaluate("() => document.querySelectorAll('.md-content details').forEach(d => d.open = true)")
    phone.wait_for_timeout(300)  # the cue follows the toggle event
    widths = page_width(phone)
    assert widths["page"] <= widths["screen"] and widths["body"] <= widths["screen"], widths
    for table in phone.evaluate(WIDE_TABLES):
        assert table["cue"] and table["role"] == "region" and table["tabindex"] == "0", table


def arrow_layout(page) -> list[dict]:
    return page.evaluate("""() => {
      const box = e => e.getBoundingClientRect();
      const parts = [...document.querySelector('.spending-order__steps').children];
      const out = [];
      for (let i = 1; i < parts.length - 1; i += 2) {
        const [before, arrow, after] = [box(parts[i - 1]), box(parts[i]), box(parts[i + 1])];
        const m = new DOMMatrixReadOnly(getComputedStyle(parts[i].firstElementChild).transform);
        out.push({before: [before.left, before.top, before.right, before.bottom],
                  arrow: [arrow.left + arrow.width / 2, arrow.top + arrow.height / 2],
                  after: [after.left, after.top, after.right, after.bottom],
                  angle: Math.round(Math.atan2(m.b, m.a) * 180 / Math.PI)});
      }
      return out;
    }""")


@pytest.mark.parametrize("width", [360, 390, 600, 768, 900, 1024, 1280, 1600])
def test_spending_order_arrows_point_from_each_step_to_the_next(browser, base_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    open_page(page, base_url, "credits/")
    layout = arrow_layout(page)
    assert len(layout) == 3
    for link in layout:
        (_, _, br, bb), (ax, ay), (al, at, ar, ab) = link["before"], link["arrow"], link["after"]
        if al >= br - 1:      # the next step is to the right: the arrow points right, between them
            assert link["angle"] % 360 == 0 and br <= ax <= al and at <= ay <= ab, (width, link)
        elif at >= bb - 1:    # the next step is below: the arrow points down, between them
            assert link["angle"] == 90 and bb <= ay <= at and al <= ax <= ar, (width, link)
        else:
            pytest.fail(f"at {width} px the next step is neither right of nor below the previous one: {link}")
    context.close()


@pytest.mark.parametrize("path", ["", "plans/"])
def test_buttons_are_not_underlined(watched, base_url, path):
    open_page(watched.page, base_url, path)
    decorations = watched.page.evaluate(
        "() => [...document.querySelectorAll('.md-typeset .md-button')].map(b => getComputedStyle(b).textDecorationLine)")
    assert decorations and set(decorations) == {"none"}, decorations


def test_a_reading_marker_is_visible_and_leads_to_its_assumption(phone, base_url):
    open_page(phone, base_url, "faq/#first-charge")
    mark = phone.locator("#first-charge ~ p .reading .reading__mark").first
    assert mark.is_visible()
    assert "hasn't published" in mark.inner_text()
    mark.click()
    phone.wait_for_url("**/assumptions/#trial_first_charge")
    assert phone.locator("#trial_first_charge").is_visible()
