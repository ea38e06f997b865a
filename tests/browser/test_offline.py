"""The service worker (hooks/service_worker.js, written to the site root as sw.js): after
one visit of the calculator, the site and the calculator work with the network cut off,
and a return visit boots from the device; other pages download no Pyodide even while
it installs; a new build's worker replaces the old cache; nothing comes from another
origin. Every test starts from an empty browser profile."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.browser.conftest import QuietHandler, Watched, wait_ready
from tests.site.conftest import ROOT, build_site

pytestmark = pytest.mark.browser
PAGES = ["", "plans/", "credits/", "billing/", "faq/", "calculator/", "assumptions/", "engine/"]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A build served from a folder whose content a test may swap for another build."""
    root = tmp_path_factory.mktemp("offline")
    built = root / "build-a"
    done = build_site(ROOT, built)
    assert done.returncode == 0, done.stdout + done.stderr
    served = root / "served"
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"root": root, "built": built, "served": served, "base": f"http://127.0.0.1:{server.server_address[1]}/docs/"}
    server.shutdown()


def serve(site, build: Path) -> None:
    target = site["served"] / "docs"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(build, target, copy_function=os.link)


@pytest.fixture
def context(browser, site):
    serve(site, site["built"])
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    yield context
    context.close()


CACHED = """async () => {
  const out = {};
  for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => r.url);
  return out;
}"""


def cached(page) -> dict[str, list[str]]:
    return page.evaluate(CACHED)


def wait_for_engine_cached(page, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        urls = [url for urls in cached(page).values() for url in urls]
        if any(url.endswith(".snapshot") for url in urls) and any(url.endswith(".wasm") for url in urls):
            return
        time.sleep(0.5)
    raise AssertionError(f"the engine was not cached: {cached(page)}")


def first_visit(context, site) -> Watched:
    watched = Watched(context.new_page())
    watched.page.goto(site["base"] + "calculator/")
    wait_ready(watched.page)
    wait_for_engine_cached(watched.page)
    return watched


def boot_path(page) -> str:
    return page.evaluate("""() => new Promise((resolve) => window.creditEngine.onStatus((s) => s.state === "ready" && resolve(s.boot)))""")


def test_after_one_visit_the_site_and_the_calculator_work_offline(context, site):
    first = first_visit(context, site)
    assert first.errors == []
    context.set_offline(True)
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(site["base"] + "calculator/#preset=plus-trial-cancelled-day-5")
    wait_ready(page)
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert page.inner_text("[data-testid=summary-usd] strong") == "0 USD"
    assert boot_path(page) == "snapshot"
    for path in PAGES:
        page.goto(site["base"] + path)
        assert page.locator("article h1").count() == 1, path
    assert watched.errors == []


def test_a_return_visit_takes_the_engine_from_the_device(context, site):
    first_visit(context, site)
    watched = Watched(context.new_page())
    page = watched.page
    engine = []
    page.on("response", lambda r: "/assets/pyodide/" in r.url and engine.append((r.url, r.from_service_worker)))
    page.goto(site["base"] + "calculator/")
    wait_ready(page)
    assert boot_path(page) == "snapshot"
    assert engine and all(from_cache for _, from_cache in engine), engine
    assert watched.errors == []


@pytest.mark.parametrize("path", PAGES)
def test_no_page_loads_from_another_origin_and_only_the_calculator_loads_pyodide(browser, site, path):
    serve(site, site["built"])
    context = browser.new_context()
    try:
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))  # the service worker's too
        page = context.new_page()
        page.goto(site["base"] + path)
        if path == "calculator/":
            wait_ready(page)
            wait_for_engine_cached(page)
        # ready resolves once the worker is active, a moment before its clients.claim()
        # makes it control this page: wait for the control itself (CI saw the gap).
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
        page.wait_for_load_state("networkidle")
        origin = site["base"].split("/docs/")[0]
        assert all(url.startswith(origin) or url.startswith(("data:", "blob:")) for url in requests), requests
        assert bool([url for url in requests if "/pyodide/" in url]) == (path == "calculator/")
    finally:
        context.close()


def another_build(site, name: str, change) -> Path:
    """Build A with some files changed, and its own sw.js, as the hook writes it."""
    built = site["root"] / name
    if built.exists():
        shutil.rmtree(built)
    shutil.copytree(site["built"], built)
    change(built)
    sys.path.insert(0, str(ROOT / "hooks"))
    try:
        import offline
    finally:
        sys.path.pop(0)
    offline.on_post_build({"site_dir": str(built)})
    return built


def version_of(build: Path) -> str:
    return json.loads((build / "sw.js").read_text().split("const BUILD = ", 1)[1].split(";\n", 1)[0])["version"]


MARKER = "Answered again in build B."


def new_build(site) -> tuple[Path, str]:
    """Build B: a changed FAQ page."""
    def change(built: Path) -> None:
        faq = built / "faq" / "index.html"
        faq.write_text(faq.read_text().replace("</article>", f"<p id='build-b'>{MARKER}</p></article>", 1))
    return another_build(site, "build-b", change), MARKER


def test_a_new_build_replaces_the_old_cache(context, site):
    first = first_visit(context, site)
    (old,) = cached(first.page)
    first.page.goto(site["base"] + "faq/")
    assert first.page.locator("#build-b").count() == 0

    build_b, marker = new_build(site)
    serve(site, build_b)
    version_b = version_of(build_b)
    page = first.page
    # The open page, loaded from the old build, reloads once the new worker takes over.
    page.reload()
    page.wait_for_function("v => caches.keys().then(k => k.length === 1 && k[0].endsWith(v))",
                           arg=version_b, polling=250, timeout=60_000)
    page.wait_for_selector("#build-b", timeout=30_000)
    assert page.inner_text("#build-b") == marker
    assert list(cached(page)) == [f"eigent-site-{version_b}"] and old != f"eigent-site-{version_b}"
    # The calculator still boots, with the new build's engine files.
    page.goto(site["base"] + "calculator/")
    wait_ready(page)
    assert page.get_attribute("[data-calculator]", "data-state") == "ready", (page.inner_text("[data-testid=calc-error]"), first.errors, page.url)
    assert first.errors == []


def test_a_page_of_the_old_build_never_runs_on_the_new_builds_engine_files(context, site):
    # The reader saw only the FAQ (so the engine was never cached); then a build with
    # other engine files went out, and the reader opens the calculator.
    watched = Watched(context.new_page())
    page = watched.page
    page.goto(site["base"] + "faq/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    (old,) = cached(page)

    def change(built: Path) -> None:
        boot = built / "assets" / "pyodide" / "boot.json"
        boot.write_text(boot.read_text().replace("{", '{\n "build": "C",', 1))
    build_c = another_build(site, "build-c", change)
    serve(site, build_c)
    boot_json = []
    context.on("requestfinished", lambda r: r.url.endswith("/boot.json") and boot_json.append(("finished", r.response().body())))
    context.on("requestfailed", lambda r: r.url.endswith("/boot.json") and boot_json.append(("failed", None)))

    # The page comes from the old build's cache; the new boot.json does not reach it:
    # the old worker refuses it, finds the new build's worker, which takes over, and the
    # page reloads on the new build.
    page.goto(site["base"] + "calculator/")
    page.wait_for_function("v => caches.keys().then(k => k.length === 1 && k[0].endsWith(v))",
                           arg=version_of(build_c), polling=250, timeout=60_000)
    page.wait_for_function("() => document.querySelector('[data-calculator]')?.dataset.state === 'ready'", timeout=90_000)
    assert old != f"eigent-site-{version_of(build_c)}"
    delivered = [body for outcome, body in boot_json if outcome == "finished" and body]
    assert ("failed", None) in boot_json, boot_json  # refused under the old build
    assert delivered and all(b'"build": "C"' in body for body in delivered)
