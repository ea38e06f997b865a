"""The calculator page's speed in Chromium, against baselines measured in the same browser run.

Budgets (issue 11: calculator speed):
- first visit, cold cache: navigation to the first result painted on the calculator
  page, at most 1.1x a bare page booting the same vendored Pyodide and running `1+1`;
- return visit (same browser profile, a second navigation): at most 0.35x the bare
  page's own return visit;
- first visit on a 10 Mbps link with 40 ms latency (Chromium's network emulation):
  at most 1.05x the bare page on the same link;
- re-simulation after an input change (request to painted frame) at most 1.5x the
  floor of any visible change measured in the same page: an empty worker round trip
  plus the next painted frame; 12 months budgeted, 10 years reported.
It also prints the bytes the server sent for a first and a return visit of the
calculator, and for a first visit of every other page (their Pyodide bytes must be 0).

The page reports each result through a `calculator:simulate` performance measure (from
the request to the painted frame; the input debounce is not counted). First visits use a
fresh browser context (empty HTTP cache, no service worker). A return visit opens a new
tab in a browser profile on disk after a first visit in it, once that visit's background
work is done (the calculator's service worker has kept the engine). Loads are
interleaved and medians taken; only the ratios mean anything. Not a test.
"""

from __future__ import annotations

import collections
import functools
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.browser.conftest import ARGS, CHROMIUM, QuietHandler  # noqa: E402  (one launch recipe)
from tests.site.conftest import build_site  # noqa: E402

LOADS = 5
SLOW_LOADS = 5
CHANGES = 15
PINGS = 200  # per batch
SLOW_LINK = {"offline": False, "latency": 40, "downloadThroughput": 10e6 / 8, "uploadThroughput": 10e6 / 8}
PAGES = ["", "plans/", "credits/", "billing/", "faq/", "assumptions/", "engine/"]

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

BOOT_PATH = """() => new Promise((resolve) => window.creditEngine.onStatus((s) => s.state === "ready" && resolve(s.boot)))"""

ENGINE_CACHED = """async () => {
  for (const name of await caches.keys()) {
    const urls = (await (await caches.open(name)).keys()).map((r) => r.url);
    if (urls.some((u) => u.endsWith(".snapshot")) && urls.some((u) => u.endsWith(".wasm"))) return true;
  }
  return false;
}"""


class CountingHandler(QuietHandler):
    """Counts the body bytes sent per path (a 304 sends none)."""

    sent: collections.Counter = collections.Counter()
    lock = threading.Lock()

    def copyfile(self, source, outputfile):
        size = os.fstat(source.fileno()).st_size
        with self.lock:
            self.sent[self.path.split("?")[0]] += size
        super().copyfile(source, outputfile)


def take_sent() -> dict[str, int]:
    with CountingHandler.lock:
        sent = dict(CountingHandler.sent)
        CountingHandler.sent.clear()
    return sent


def build_and_serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(CountingHandler, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    done = build_site(ROOT, root / "docs", site_url=base + "docs/")
    if done.returncode != 0:
        raise SystemExit(f"mkdocs build failed:\n{done.stderr}")
    (root / "bare").mkdir()
    (root / "bare" / "index.html").write_text(BARE_PAGE)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, base


def throttled(context, page, link):
    if link:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", link)
    return page


def calculator_ms(page, url: str) -> tuple[float, str]:
    page.goto(url)
    ms = page.evaluate(FIRST_RESULT)
    return ms, page.evaluate(BOOT_PATH)


def bare_ms(page, url: str) -> float:
    page.goto(url)
    page.wait_for_function("() => window.bareDone !== undefined", timeout=300_000)
    assert page.evaluate("window.bareResult") == 2
    return page.evaluate("window.bareDone")


def first_visit(browser, url: str, link=None) -> tuple[float, str]:
    context = browser.new_context()
    try:
        return calculator_ms(throttled(context, context.new_page(), link), url)
    finally:
        context.close()


def bare_first_visit(browser, url: str, link=None) -> float:
    context = browser.new_context()
    try:
        return bare_ms(throttled(context, context.new_page(), link), url)
    finally:
        context.close()


def wait_engine_cached(page, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(ENGINE_CACHED):
        if time.monotonic() > deadline:
            raise SystemExit("the service worker did not keep the engine")
        time.sleep(0.25)


def profile(playwright):
    """A browser with its own profile on disk, as a reader's: a disk HTTP cache (an
    in-memory one would not keep Pyodide's 9.6 MB wasm) and a service worker that stays."""
    folder = tempfile.TemporaryDirectory()
    context = playwright.chromium.launch_persistent_context(folder.name, executable_path=CHROMIUM, args=ARGS)
    return context, folder


def return_visit(playwright, url: str) -> tuple[float, str]:
    context, folder = profile(playwright)
    try:
        first = context.new_page()
        calculator_ms(first, url)
        wait_engine_cached(first)
        time.sleep(2)  # the worker keeps the inflated snapshot a moment after the answer
        first.close()
        return calculator_ms(context.new_page(), url)
    finally:
        context.close()
        folder.cleanup()


def bare_return_visit(playwright, url: str) -> float:
    context, folder = profile(playwright)
    try:
        first = context.new_page()
        bare_ms(first, url)
        time.sleep(2)
        first.close()
        return bare_ms(context.new_page(), url)
    finally:
        context.close()
        folder.cleanup()


def resimulation(page, months: int) -> tuple[list[float], int]:
    page.fill("[data-testid=calc-months]", str(months))
    count = rendered(page)
    wait_for_render(page, count + 1)
    days = int(page.inner_text(".calc-days-note").split()[0].replace(",", ""))  # "3,653 days, to …"
    times = []
    for k in range(CHANGES):
        count = rendered(page)
        page.fill("[data-testid=calc-per-day]", str(300 + 17 * (k + 1)))
        wait_for_render(page, count + 1)
        times.append(page.evaluate(
            "() => { const all = performance.getEntriesByName('calculator:simulate'); return all[all.length - 1].duration; }"))
    return times, days


def rendered(page) -> int:
    return page.evaluate("performance.getEntriesByName('calculator:simulate').length")


def wait_for_render(page, count: int) -> None:
    page.wait_for_function("n => performance.getEntriesByName('calculator:simulate').length >= n", arg=count)


def resimulations(browser, url: str) -> dict:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        page.evaluate(FIRST_RESULT)
        year, year_days = resimulation(page, 12)
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
        # The engine's own time in the worker (Python, same scenario), from its answers.
        python = page.evaluate("""async (n) => {
            const share = await import(new URL("../assets/calculator/share.js", location.href).href);
            const text = JSON.stringify(share.readFragment(location.hash).scenario);
            const worker = window.__creditEngineBoot.worker;
            const times = [];
            for (let i = 0; i < n; i++) {
              times.push(await new Promise((resolve) => {
                const id = `bench-${i}`;
                worker.addEventListener("message", function listen(event) {
                  if (event.data.id !== id) return;
                  worker.removeEventListener("message", listen);
                  resolve(event.data.ms);
                });
                worker.postMessage({ id, type: "run", command: "simulate", text });
              }));
            }
            return times;
        }""", CHANGES)
        floor = page.evaluate("""async (n) => {
            const times = [];
            for (let i = 0; i < n; i++) {
              const t = performance.now();
              await window.creditEngine.ping();
              await new Promise(done => requestAnimationFrame(() => setTimeout(done)));
              times.push(performance.now() - t);
            }
            return times;
        }""", CHANGES)
        decade, decade_days = resimulation(page, 120)
        return {"year": year, "year_days": year_days, "decade": decade, "decade_days": decade_days,
                "ping": pings, "engine": engine_only, "python": python, "floor": floor}
    finally:
        context.close()


def visit_bytes(playwright, browser, base: str) -> dict[str, tuple[int, int]]:
    """(all bytes, Pyodide bytes) the server sent, per visit."""
    out = {}
    calculator = base + "docs/calculator/"
    context, folder = profile(playwright)
    try:
        take_sent()
        page = context.new_page()
        calculator_ms(page, calculator)
        out["calculator, first visit, to the first answer"] = split(take_sent())
        wait_engine_cached(page)
        page.wait_for_load_state("networkidle")
        time.sleep(1)
        out["  then kept in the background (service worker)"] = split(take_sent())
        page.close()
        calculator_ms(context.new_page(), calculator)
        time.sleep(1)
        out["calculator, return visit"] = split(take_sent())
    finally:
        context.close()
        folder.cleanup()
    for path in PAGES:
        context = browser.new_context()
        try:
            page = context.new_page()
            take_sent()
            page.goto(base + "docs/" + path)
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            page.wait_for_load_state("networkidle")
            time.sleep(0.5)
            out[f"/{path}, first visit (with the service worker's install)"] = split(take_sent())
        finally:
            context.close()
    return out


def split(sent: dict[str, int]) -> tuple[int, int]:
    return sum(sent.values()), sum(size for path, size in sent.items() if "/assets/pyodide/" in path)


def ratio_line(label: str, ratio: float, budget: float, detail: str) -> str:
    verdict = "PASS" if ratio <= budget else "OVER"
    return f"  {label:<34} {ratio:5.2f}x  (budget {budget}x)  {verdict}  {detail}"


def main() -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        server, base = build_and_serve(Path(tmp))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        calculator, bare = base + "docs/calculator/", base + "bare/"
        first_visit(browser, calculator), bare_first_visit(browser, bare)  # warm the OS file cache
        firsts, bares, returns, bare_returns, slows, bare_slows = [], [], [], [], [], []
        for _ in range(LOADS):
            firsts.append(first_visit(browser, calculator))
            bares.append(bare_first_visit(browser, bare))
            returns.append(return_visit(p, calculator))
            bare_returns.append(bare_return_visit(p, bare))
        for _ in range(SLOW_LOADS):
            slows.append(first_visit(browser, calculator, SLOW_LINK))
            bare_slows.append(bare_first_visit(browser, bare, SLOW_LINK))
        resim = resimulations(browser, calculator)
        sent = visit_bytes(p, browser, base)
        browser.close()
        server.shutdown()

    def summary(visits):
        times = [ms for ms, _ in visits]
        paths = collections.Counter(path for _, path in visits)
        return statistics.median(times), ", ".join(f"{n} {path}" for path, n in sorted(paths.items()))

    print(f"calculator in Chromium, medians of {LOADS} interleaved loads ({SLOW_LOADS} on the slow link):")
    first, first_paths = summary(firsts)
    boot = statistics.median(bares)
    print(ratio_line("first visit", first / boot, 1.1,
                     f"[{first:.0f} ms vs {boot:.0f} ms bare boot + 1+1; booted: {first_paths}]"))
    again, again_paths = summary(returns)
    bare_again = statistics.median(bare_returns)
    print(ratio_line("return visit", again / bare_again, 0.35,
                     f"[{again:.0f} ms vs {bare_again:.0f} ms bare return visit; booted: {again_paths}]"))
    slow, slow_paths = summary(slows)
    bare_slow = statistics.median(bare_slows)
    print(ratio_line("first visit, 10 Mbps / 40 ms", slow / bare_slow, 1.05,
                     f"[{slow:.0f} ms vs {bare_slow:.0f} ms bare; booted: {slow_paths}]"))

    floor, ping, engine, python = (statistics.median(resim[k]) for k in ("floor", "ping", "engine", "python"))
    year, decade = statistics.median(resim["year"]), statistics.median(resim["decade"])
    print(ratio_line(f"re-simulate {resim['year_days']} days", year / floor, 1.5,
                     f"[{year:.1f} ms vs {floor:.1f} ms: empty round trip + next painted frame]"))
    print(f"  re-simulate {resim['decade_days']} days            {decade / floor:5.2f}x  (reported)"
          f"  [{decade:.1f} ms]")
    print(f"  where the time goes (12 months): the engine in Python {python:.1f} ms; with the messages and JSON both"
          f" ways {engine:.1f} ms; the page's drawing and the frame the rest; an empty round trip {ping:.3f} ms")

    print("bytes sent by the server (all / Pyodide):")
    for label, (total, pyodide) in sent.items():
        print(f"  {label:<60} {total / 1e6:7.2f} MB / {pyodide / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
