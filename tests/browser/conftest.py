"""Browser tests: the built site served on 127.0.0.1, driven by Playwright in Debian's Chromium."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from tests.site.conftest import ROOT, build_site

CHROMIUM = "/usr/bin/chromium"
# Debian's Chromium, as root, offline: no sandbox, no background traffic to Google.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SUBPATH = "docs"  # the site must work from a sub-path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm"}

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def base_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("served")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    url = f"http://127.0.0.1:{server.server_address[1]}/{SUBPATH}/"
    done = build_site(ROOT, root / SUBPATH, site_url=url)  # the sitemap must name these URLs
    assert done.returncode == 0, done.stdout + done.stderr
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's Chromium is missing: ./dev test installs it (apt-get install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Watched:
    """A page with its requests, console errors and page errors recorded."""

    def __init__(self, page):
        self.page = page
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: (self.errors.append(f"dialog: {d.message}"), d.dismiss()))


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = Watched(context.new_page())
    yield page
    context.close()


def wait_ready(page, count: int = 1, timeout: float = 90_000):
    """Wait until the calculator has rendered at least `count` times."""
    page.wait_for_function(
        "n => { const r = document.querySelector('[data-calculator]');"
        " return r && (r.dataset.state === 'error' || Number(r.dataset.renderCount || 0) >= n); }",
        arg=count, timeout=timeout)


SCROLL_SETTLED = """() => new Promise((resolve) => {
  // Smooth scrolling takes a variable number of frames on a loaded machine: wait until
  // the page has not moved for 10 frames in a row (at most 10 s), rather than a fixed time.
  const stop = performance.now() + 10_000;
  let last = scrollY, still = 0;
  const tick = () => {
    if (scrollY === last) still += 1; else { still = 0; last = scrollY; }
    if (still >= 10 || performance.now() > stop) resolve(scrollY); else requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})"""


def scroll_settled(page) -> None:
    """Wait until a (smooth) scroll has come to rest."""
    page.evaluate(SCROLL_SETTLED)
