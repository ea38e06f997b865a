"""How the calculator's engine boots in Chromium: from the build's memory snapshot or
normally, with the same answers either way (byte for byte the CLI's); a snapshot made
for another engine or Pyodide, or a damaged one, is dropped for a normal boot without
the reader seeing an error; the progress bar follows the bytes; a stalled download
ends in an error whose Retry works.

The service worker is blocked here (tests/browser/test_offline.py covers it), so the
HTTP cache alone decides whether the snapshot is "on this device"."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from calculator.api import run
from tests.browser.conftest import QuietHandler, Watched, wait_ready
from tests.site.conftest import ROOT, build_site

pytestmark = pytest.mark.browser
SCENARIOS = ROOT / "tests" / "scenarios"
STALL_SECONDS = 15  # the worker's STALL_MS


def golden_texts() -> list[str]:
    """Every golden scenario's text, in either shape: the bare scenario, or {"scenario", "expect"}."""
    out = []
    for path in sorted(SCENARIOS.glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        data = json.loads(path.read_text())
        out.append(json.dumps(data["scenario"]) if isinstance(data, dict) and "scenario" in data else path.read_text())
    return out


def doctor_stamp(key: str, value: str):
    def change(data: bytes) -> bytes:
        newline = data.index(b"\n")
        stamp = json.loads(data[:newline])
        stamp[key] = value
        return json.dumps(stamp, separators=(",", ":")).encode() + data[newline:]
    return change


def damage(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes(b ^ 0x5A for b in data[middle:middle + 4096]) + data[middle + 4096:]


def truncate(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


def other_pyodide_build(data: bytes) -> bytes:
    """A snapshot that passes our stamp but was made by another Pyodide build: its build id
    (bytes 16 to 48 of the raw snapshot, in its first page, which is kept after the
    bitmap of kept pages) differs, so Pyodide's own check refuses it."""
    newline = data.index(b"\n")
    stamp = json.loads(data[:newline])
    packed = bytearray(gzip.decompress(data[newline + 1:]))
    pages = -(-stamp["raw_bytes"] // stamp["page_bytes"])
    first_page = -(-pages // 8)
    assert packed[0] & 1, "the first page is kept"
    packed[first_page + 16:first_page + 48] = bytes(32)
    return data[: newline + 1] + gzip.compress(bytes(packed), compresslevel=1)


VARIANTS = {
    "good": None,
    "wrong-engine": doctor_stamp("engine", "0" * 64),
    "wrong-pyodide": doctor_stamp("pyodide", "0.0.1"),
    "damaged": damage,
    "truncated": truncate,
    "other-pyodide-build": other_pyodide_build,
}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One build of the site, served as several copies that differ only in their snapshot."""
    root = tmp_path_factory.mktemp("snapshot-variants")
    built = root / "good"
    done = build_site(ROOT, built)
    assert done.returncode == 0, done.stdout + done.stderr
    snapshot_name = json.loads((built / "assets/pyodide/boot.json").read_text())["snapshot"]
    for name, change in VARIANTS.items():
        if change is None:
            continue
        shutil.copytree(built, root / name, copy_function=os.link)
        target = root / name / "assets/pyodide" / snapshot_name
        data = change(target.read_bytes())
        target.unlink()
        target.write_bytes(data)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"base": f"http://127.0.0.1:{server.server_address[1]}/", "snapshot": snapshot_name}
    server.shutdown()


@pytest.fixture
def context(browser):
    context = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 1000})
    yield context
    context.close()


def open_calculator(context, served, variant: str, *, snapshot: str) -> Watched:
    """snapshot: "cached" puts the variant's snapshot in the HTTP cache first (a return
    visit); "missing" makes it unreachable (the worker boots normally)."""
    watched = Watched(context.new_page())
    page = watched.page
    infos: list[str] = []
    page.on("console", lambda m: m.type == "info" and infos.append(m.text))
    watched.infos = infos
    site = served["base"] + variant + "/"
    if snapshot == "missing":
        page.route("**/*.snapshot", lambda route: route.abort())
    else:
        page.goto(site + "plans/")
        size = page.evaluate("url => fetch(url).then(r => r.arrayBuffer()).then(b => b.byteLength)",
                             site + "assets/pyodide/" + served["snapshot"])
        assert size > 1_000_000
    page.add_init_script(STATUS_LOG)
    page.goto(site + "calculator/")
    wait_ready(page)
    return watched


# Every status the engine reports, from the first.
STATUS_LOG = """
window.__statuses = [];
(function watch() {
  if (window.creditEngine) window.creditEngine.onStatus((s) => window.__statuses.push(s));
  else setTimeout(watch, 1);
})();
"""

# The worker's raw answer (the JSON text, before the page parses it).
RAW = """([command, text]) => new Promise((resolve) => {
  const worker = window.__creditEngineBoot.worker;
  const id = `raw-${Math.random()}`;
  worker.addEventListener("message", function listen(event) {
    if (event.data.id !== id) return;
    worker.removeEventListener("message", listen);
    resolve([event.data.code, event.data.output]);
  });
  worker.postMessage({ id, type: "run", command, text });
})"""


def boot_path(page) -> str:
    return page.evaluate("window.__statuses.at(-1).boot")


def assert_no_visible_error(watched: Watched) -> None:
    page = watched.page
    assert page.get_attribute("[data-calculator]", "data-state") == "ready"
    assert page.locator("[data-testid=calc-error]").is_hidden()
    assert page.locator("[data-testid=calc-retry]").is_hidden()
    assert "error" not in [s["state"] for s in page.evaluate("window.__statuses")]
    assert watched.errors == []


@pytest.mark.parametrize("boot", ["snapshot", "normal"])
def test_both_boots_print_exactly_what_the_cli_prints(context, served, boot):
    watched = open_calculator(context, served, "good", snapshot="cached" if boot == "snapshot" else "missing")
    assert boot_path(watched.page) == boot
    requests = [("simulate", text) for text in golden_texts()]
    requests += [("recommend", json.dumps({"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": n}}))
                 for n in (100, 4000)]
    requests += [("simulate", '{"registered": "2026-01-10", "days": 30, "events": [{"date": "2026-01-11", '
                              '"type": "subscribe", "plan": "gold"}]}'), ("simulate", "{not json")]
    for command, text in requests:
        assert watched.page.evaluate(RAW, [command, text]) == list(run(command, text)), text[:120]
    assert_no_visible_error(watched)


@pytest.mark.parametrize("variant", ["wrong-engine", "wrong-pyodide"])
def test_a_snapshot_with_another_stamp_is_ignored(context, served, variant):
    watched = open_calculator(context, served, variant, snapshot="cached")
    assert boot_path(watched.page) == "normal"
    key = variant.removeprefix("wrong-")
    assert any(f"the snapshot was made for {key}" in info for info in watched.infos), watched.infos
    text = golden_texts()[0]
    assert watched.page.evaluate(RAW, ["simulate", text]) == list(run("simulate", text))
    assert_no_visible_error(watched)


@pytest.mark.parametrize("variant", ["damaged", "truncated", "other-pyodide-build"])
def test_a_snapshot_that_does_not_load_falls_back_without_an_error(context, served, variant):
    watched = open_calculator(context, served, variant, snapshot="cached")
    assert boot_path(watched.page) == "normal"
    assert any("booting without the snapshot" in info for info in watched.infos), watched.infos
    text = golden_texts()[0]
    assert watched.page.evaluate(RAW, ["simulate", text]) == list(run("simulate", text))
    assert_no_visible_error(watched)


def test_progress_follows_the_bytes_and_names_each_step(context, served):
    # A slower link (40 Mbps, 40 ms), so the download takes a few seconds to watch.
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions",
             {"offline": False, "latency": 40, "downloadThroughput": 40e6 / 8, "uploadThroughput": 40e6 / 8})
    page.route("**/*.snapshot", lambda route: route.abort())
    page.add_init_script(STATUS_LOG)
    page.goto(served["base"] + "good/calculator/")
    wait_ready(page, timeout=180_000)
    statuses = page.evaluate("window.__statuses")
    loading = [s for s in statuses if s["state"] == "loading"]
    values = [s["progress"] for s in loading]
    assert values == sorted(values), "the bar never goes back"
    counted = [re.fullmatch(r"Downloading the Python runtime: ([\d.]+) of ([\d.]+) MB", s["message"]) for s in loading]
    counted = [(float(m[1]), float(m[2])) for m in counted if m]
    assert len({done for done, _ in counted}) >= 5, "the text follows the bytes as they arrive"
    assert counted[-1][0] == counted[-1][1], "every byte counted arrives"
    assert len({value for value in values if 0 < value < 0.9}) >= 5
    steps = [s["message"] for s in loading]
    assert steps.index("Starting Python…") > max(i for i, m in enumerate(steps) if m.startswith("Downloading"))
    assert statuses[-1]["state"] == "ready" and statuses[-1]["progress"] == 1


@pytest.mark.parametrize("boot", ["snapshot", "normal"])
def test_a_stalled_download_times_out_and_retry_starts_again(context, served, boot):
    watched = Watched(context.new_page())
    page = watched.page
    infos: list[str] = []
    page.on("console", lambda m: m.type == "info" and infos.append(m.text))
    site = served["base"] + "good/"
    if boot == "snapshot":  # a return visit: the snapshot is in the HTTP cache
        page.goto(site + "plans/")
        page.evaluate("url => fetch(url).then(r => r.arrayBuffer())", site + "assets/pyodide/" + served["snapshot"])
    else:
        page.route("**/*.snapshot", lambda route: route.abort())
    held = []

    def stall_once(route):
        if held:
            route.continue_()
        else:
            held.append(route)  # never answered: the download stalls

    page.route("**/python_stdlib.zip", stall_once)
    page.goto(site + "calculator/")
    status = page.locator("[data-testid=calc-status]")
    page.wait_for_function("() => document.querySelector('[data-testid=calc-status]')?.dataset.state === 'error'",
                           timeout=(STALL_SECONDS + 30) * 1000)
    text = status.inner_text()
    assert "download of the Python runtime stopped" in text and "Retry" in text, text
    assert any("python_stdlib.zip" in info for info in infos), infos  # the console names the file
    page.wait_for_timeout(2000)
    assert status.get_attribute("data-state") == "error", "a failed boot stays failed until Retry"
    retry = page.locator("[data-testid=calc-retry]")
    assert retry.is_visible()
    retry.click()
    page.wait_for_function("() => document.querySelector('[data-calculator]').dataset.state === 'ready'", timeout=90_000)
    assert page.locator("[data-testid=calc-error]").is_hidden()
    assert retry.is_hidden()
    assert page.locator("[data-testid=summary-usd] strong").inner_text()
