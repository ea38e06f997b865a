"""Links into the first version of the site (commit 37cb18a) keep landing on their content.

Support staff pasted links to headings of that version; every heading anchor it had still
exists: on the same page as an invisible alias next to the matching section, or, where the
section moved to the developer pages, as a visible link that carries the old id and points
to the new place."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser

import pytest
from markdown.extensions.toc import slugify

from tests.site.conftest import ROOT

FIRST_VERSION = "37cb18a"

# Every heading id of the first version, page by page (written out, and checked against git below).
OLD_ANCHORS = {
    "index.html": ["eigent-support", "two-ways-to-run-eigent", "top-questions", "work-it-out-with-the-calculator",
                   "still-need-help"],
    "plans/index.html": ["plans", "cloud-plans", "which-cloud-plan-is-right-for-me", "self-hosted-plans",
                         "upgrading-and-adding-credits"],
    "credits/index.html": ["how-credits-work", "the-four-kinds-of-credits", "spending-order", "daily-credits",
                           "bonuses", "trials", "dashboard", "upgrade-top-up"],
    "billing/index.html": ["billing", "billing-cycles", "balance", "negative-balance", "refunds", "cancel-trial",
                           "after-window", "invoices"],
    "faq/index.html": ["frequently-asked-questions", "plans-and-prices", "which-plan", "plan-prices",
                       "cloud-vs-self-hosted", "how-to-upgrade", "credits", "daily-credits-gone", "monthly-rollover",
                       "spending-order", "invite-credits", "when-run-out", "see-usage",
                       "trials-cancellations-and-refunds", "cancel-trial", "first-charge", "refund-window",
                       "cancel-top-up", "cancel-late", "how-to-cancel", "billing", "cycle-start", "negative-balance",
                       "invoices", "top-up-expiry", "the-calculator", "calculator-exact", "calculator-privacy"],
    "calculator/index.html": ["plan-calculator", "examples-computed-when-this-site-was-built", "javascript-api",
                              "share-links"],
    "assumptions/index.html": ["assumptions", "fixed-figures", "settings"],
    "engine/index.html": ["the-credit-engine", "command-line", "scenario", "result-of-simulate",
                          "result-of-recommend"],
}

# Sections that moved to the developer pages: the old id sits on a link to the new place.
MOVED = {
    ("engine/index.html", "the-credit-engine"): "../developers/engine/",
    ("engine/index.html", "command-line"): "../developers/engine/#command-line",
    ("engine/index.html", "scenario"): "../developers/engine/#scenario",
    ("engine/index.html", "result-of-simulate"): "../developers/engine/#result-of-simulate",
    ("engine/index.html", "result-of-recommend"): "../developers/engine/#result-of-recommend",
    ("calculator/index.html", "javascript-api"): "../developers/javascript-api/#javascript-api",
    ("calculator/index.html", "share-links"): "../developers/javascript-api/#share-links",
}

HEADING = re.compile(r"^ {0,4}#{1,6}\s+(.+?)(?:\s*\{\s*#([\w-]+)\s*\})?\s*$")


def heading_ids(markdown: str) -> list[str]:
    """The ids MkDocs gives a page's headings: the `{ #id }` written, else the toc slug of the
    heading's text (code spans count by their text)."""
    ids, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        match = None if fenced else HEADING.match(line)
        if match:
            ids.append(match.group(2) or slugify(match.group(1).replace("`", ""), "-"))
    return ids


class Ids(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: dict[str, tuple[str, dict]] = {}
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.tags.setdefault(a["id"], (tag, a))


def test_the_list_is_every_heading_of_the_first_version():
    listed = subprocess.run(["git", "ls-tree", "-r", "--name-only", FIRST_VERSION, "docs"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.skip(f"commit {FIRST_VERSION} is not in this clone's history")
    found = {}
    for path in listed.stdout.split():
        if path.endswith(".md"):
            text = subprocess.run(["git", "show", f"{FIRST_VERSION}:{path}"], cwd=ROOT, capture_output=True,
                                  text=True, check=True).stdout
            found[path.removeprefix("docs/").replace(".md", ".html")] = heading_ids(text)
    assert found == OLD_ANCHORS


@pytest.mark.parametrize("page", OLD_ANCHORS)
def test_every_old_anchor_still_lands_on_its_content(site, page):
    ids = Ids((site / page).read_text("utf-8")).tags
    missing = [anchor for anchor in OLD_ANCHORS[page] if anchor not in ids]
    assert missing == [], f"{page} lost {missing}"
    for (moved_page, anchor), target in MOVED.items():
        if moved_page == page:
            tag, attrs = ids[anchor]
            assert (tag, attrs.get("href")) == ("a", target), (page, anchor)
