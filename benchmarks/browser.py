"""The calculator page's speed in Chromium, against baselines measured in the same browser run.

Budgets (issue: in-browser calculator):
- first result: from navigation to the first result painted on the calculator page, at
  most 1.3x the time a bare page takes to boot the same vendored Pyodide and run `1+1`;
- re-simulation: a 12-month scenario re-simulated after an input change, end to end in
  the page (worker round trip, JSON, redraw, paint), within 3x the round trip of an
  empty message to the same worker.

The page reports each result through a `calculator:simulate` performance measure (from
the request to the painted frame; the input debounce is not counted). Each page load
uses a fresh browser context, so nothing comes from the HTTP cache. Loads are
interleaved and medians taken; only the ratios mean anything. Not a test.
"""

from __future__ import annotations

import functools
import http.server
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import ARGS, CHROMIUM, QuietHandler  # noqa: E402  (one launch recipe)
from tests.site.conftest import build_site  # noqa: E402

LOADS = 7
CHANGES = 15
PINGS = 200  # per batch

# Boots the site's own copy of Pyodide on the main thread and runs 1+1: the least any
# page can do to show a Python result.
BARE_PAGE = """<!doctype html>
<meta charset="utf-8"><title>bare Pyodide</title>
<script type="module">
  const base = new URL("../docs/assets/pyodide/", location.href).href;
  const { loadPyodide } = await import(base + "pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL: base, lockFileURL: base + "pyodide-lock.json", packages: [] });
  window.bareResult = pyodide.runPython("1+1");
  requestAnimationFrame(() => setTimeout(() => { window.bareDone = performance.now(); }));
</script>
"""

FIRST_RESULT = """() => new Promise(resolve => {
  const done = () => {
    const [entry] = performance.getEntriesByName("calculator:simulate");
    if (entry) resolve(entry.startTime + entry.duration); else setTimeout(done, 5);
  };
  done();
})"""


def build_and_serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    done = build_site(ROOT, root / "docs", site_url=base + "docs/")
    if done.returncode != 0:
        raise SystemExit(f"mkdocs build failed:\n{done.stderr}")
    (root / "bare").mkdir()
    (root / "bare" / "index.html").write_text(BARE_PAGE)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def first_result_ms(browser, url: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        return page.evaluate(FIRST_RESULT)
    finally:
        context.close()


def bare_boot_ms(browser, url: str) -> float:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function("() => window.bareDone !== undefined", timeout=120_000)
        assert page.evaluate("window.bareResult") == 2
        return page.evaluate("window.bareDone")
    finally:
        context.close()


def resimulation_and_ping_ms(browser, url: str) -> tuple[list[float], list[float], int, list[float], list[float]]:
    """Re-simulation times, empty round trips, days simulated, engine-only times, frame floors."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.evaluate(FIRST_RESULT)
        page.fill("[data-testid=calc-months]", "12")
        wait_for_render(page, 2)
        days = int(page.inner_text(".calc-days-note").split()[0])  # "365 days simulated"
        resimulations = []
        for k in range(CHANGES):
            page.fill("[data-testid=calc-per-day]", str(300 + 17 * (k + 1)))
            wait_for_render(page, 3 + k)
            resimulations.append(page.evaluate(
                "() => { const all = performance.getEntriesByName('calculator:simulate'); return all[all.length - 1].duration; }"))
        # The browser's clock is coarse (0.1 ms); time batches of pings, not single ones.
        pings = page.evaluate("""async (n) => {
            const times = [];
            for (let batch = 0; batch < 9; batch++) {
              const t = performance.now();
              for (let i = 0; i < n; i++) await window.creditEngine.ping();
              times.push((performance.now() - t) / n);
            }
            return times;
        }""", PINGS)
        # Where the time goes: the engine alone (same scenario, no drawing), and the
        # floor of any visible change (an empty round trip, then the next painted frame).
        engine_only = page.evaluate("""async (n) => {
            const share = await import(new URL("../assets/calculator/share.js", location.href).href);
            const { scenario } = share.readFragment(location.hash);  // what the page just showed
            const times = [];
            for (let i = 0; i < n; i++) {
              const t = performance.now();
              await window.creditEngine.simulate(scenario);
              times.push(performance.now() - t);
            }
            return times;
        }""", CHANGES)
        frame_floor = page.evaluate("""async (n) => {
            const times = [];
            for (let i = 0; i < n; i++) {
              const t = performance.now();
              await window.creditEngine.ping();
              await new Promise(done => requestAnimationFrame(() => setTimeout(done)));
              times.push(performance.now() - t);
            }
            return times;
        }""", CHANGES)
        return resimulations, pings, days, engine_only, frame_floor
    finally:
        context.close()


def wait_for_render(page, count: int) -> None:
    page.wait_for_function("n => performance.getEntriesByName('calculator:simulate').length >= n", arg=count)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server, base = build_and_serve(Path(tmp))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        calculator, bare = base + "docs/calculator/", base + "bare/"
        first_result_ms(browser, calculator), bare_boot_ms(browser, bare)  # warm the OS file cache
        firsts, bares = [], []
        for _ in range(LOADS):
            firsts.append(first_result_ms(browser, calculator))
            bares.append(bare_boot_ms(browser, bare))
        resimulations, pings, days, engine_only, frame_floor = resimulation_and_ping_ms(browser, calculator)
        browser.close()
        server.shutdown()
    first, boot = statistics.median(firsts), statistics.median(bares)
    resim, ping = statistics.median(resimulations), statistics.median(pings)
    print(f"calculator in Chromium, medians of {LOADS} interleaved page loads, {CHANGES} input changes, 9 batches of {PINGS} pings:")
    ratio = first / boot
    print(f"  first result             {ratio:5.2f}x bare Pyodide boot + 1+1  (budget 1.3x)  {'PASS' if ratio <= 1.3 else 'OVER'}"
          f"  [{first:.0f} ms vs {boot:.0f} ms]")
    ratio = resim / ping
    print(f"  re-simulate {days} days    {ratio:5.2f}x empty worker round trip  (budget 3x)  {'PASS' if ratio <= 3 else 'OVER'}"
          f"  [{resim:.1f} ms vs {ping:.3f} ms]")

    engine, floor = statistics.median(engine_only), statistics.median(frame_floor)
    # Why the 3x budget is out of reach: an empty message returns in well under a
    # millisecond, while any change on screen waits for the next painted frame.
    print(f"  where the time goes: engine alone (simulate, JSON both ways) {engine:.1f} ms = {engine / ping:.0f}x the empty"
          f" round trip; an empty round trip plus the next painted frame {floor:.1f} ms = {floor / ping:.0f}x")
    print(f"  re-simulate {days} days    {resim / floor:5.2f}x empty round trip + next painted frame  (no budget; for comparison)")


if __name__ == "__main__":
    main()
