"""Offline support and an early start for the calculator page.

After the build (this hook runs after pyodide_assets.py, whose files it lists):
writes `sw.js` at the site root, the service worker from hooks/service_worker.js with
this build's file list: every file's path and sha256, the engine files apart (those
assets/pyodide/boot.json lists; the service worker caches them only once the calculator
page has shown an answer, so no other page downloads Pyodide), and a version made from
all the hashes, which names the build's cache. docs/assets/javascripts/offline.js registers it.

While the calculator page is written: starts the engine's worker from the top of its
<head>, before the theme's stylesheets (the Python runtime is the long pole, and the
page's own script, further down, would wait for them), and preloads what the page
needs for its first answer (its modules and data).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "service_worker.js"
BUILD_SLOT = re.compile(r"/\* build \*/.*?/\* end build \*/", re.DOTALL)
ENGINE_FOLDER = "assets/pyodide/"
SNAPSHOT_SUFFIX = ".snapshot"
# Not cached: source maps (only for developer tools), the compressed sitemap, and lunr's
# other languages (this site's search is in English only).
SKIPPED = re.compile(r"(\.map|^sitemap\.xml\.gz|^assets/javascripts/lunr/.*|^sw\.js)$")
# Cached without a hash: the sitemap's dates change with every build day, and a hash would
# make every day's build a new version. Material's instant navigation reads it.
LOOSE = ("sitemap.xml",)
CALCULATOR_MODULES = Path(__file__).resolve().parent.parent / "docs" / "assets" / "calculator"
STATIC_IMPORT = re.compile(r"""^\s*import\s[^;]*?from\s+["'](\./[\w.-]+\.js)["']""", re.MULTILINE)


ENGINE_PAGES: set[str] = set()  # pages that run the engine, seen by on_post_page
SERVING = False  # `mkdocs serve`: pages change under the author's hands

# Under `mkdocs serve` a caching worker would show the author the page before their
# edit; this one removes itself and its caches (left, say, by a built site served on
# the same address).
SELF_REMOVING_WORKER = """// mkdocs serve: no caching; remove any service worker and cache of a built site.
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil((async () => {
  for (const name of await caches.keys()) if (name.startsWith("eigent-")) await caches.delete(name);
  await self.registration.unregister();
})()));
"""


def on_startup(command, dirty, **kwargs) -> None:
    global SERVING
    SERVING = command == "serve"


def on_pre_build(config, **kwargs) -> None:
    ENGINE_PAGES.clear()


def on_post_build(config, **kwargs) -> None:
    site = Path(config["site_dir"])
    if SERVING:
        (site / "sw.js").write_text(SELF_REMOVING_WORKER, encoding="utf-8")
        return
    files = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        if SKIPPED.search(name) or name in LOOSE:
            continue
        files[page_key(name)] = hashlib.sha256(path.read_bytes()).hexdigest()
    # The engine: boot.json and the files it lists, which are all the worker downloads.
    boot = json.loads((site / ENGINE_FOLDER / "boot.json").read_text("utf-8"))
    worker_files = [ENGINE_FOLDER + "boot.json", *(ENGINE_FOLDER + name for name in boot["sizes"])]
    engine = [name for name in worker_files if not name.endswith(SNAPSHOT_SUFFIX)]
    snapshot = [name for name in worker_files if name.endswith(SNAPSHOT_SUFFIX)]
    # Other Pyodide files (the full lockfile) are never cached: no page needs them.
    files = {name: digest for name, digest in files.items()
             if not name.startswith(ENGINE_FOLDER) or name in worker_files}
    version = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:16]
    loose = [name for name in LOOSE if (site / name).is_file()]
    engine_pages = sorted(ENGINE_PAGES) or [name for name in files if name.endswith("/") and
                                            "data-calculator" in (site / name / "index.html").read_text("utf-8")]
    build = json.dumps({"version": version, "files": files, "engine": engine, "snapshot": snapshot, "loose": loose,
                        "engine_pages": engine_pages}, indent=1)
    template = TEMPLATE.read_text("utf-8")
    if not BUILD_SLOT.search(template):
        raise ValueError(f"{TEMPLATE} lost its /* build */ … /* end build */ slot")
    (site / "sw.js").write_text(BUILD_SLOT.sub(lambda _: build, template), encoding="utf-8")


def page_key(name: str) -> str:
    """A page's address as links use it: "faq/" for faq/index.html, "" for the home page."""
    return name[: -len("index.html")] if name == "index.html" or name.endswith("/index.html") else name


# The same start as the calculator page's own inline script, which then finds the worker
# running and leaves it (it stays for Material's instant navigation, which does not run
# <head> scripts). engine.js adopts the worker and the messages it sent meanwhile.
EARLY_WORKER = """<script>
  if (!window.__creditEngineBoot && typeof WebAssembly === "object") {
    const worker = new Worker(new URL("%sworker.js", location.href), { type: "module" });
    const early = [];
    worker.onmessage = worker.onerror = (event) => early.push(event);
    window.__creditEngineBoot = { worker, early };
  }
</script>"""


def on_post_page(output: str, page, config) -> str:
    anchor = re.search(r"<head>\s*(<meta charset=[^>]*>)?", output)
    if "data-calculator" not in output or anchor is None:
        return output
    ENGINE_PAGES.add(page.url)
    assets = "../" * page.url.count("/") + "assets/calculator/"
    links = [EARLY_WORKER % assets]
    links += [f'<link rel="modulepreload" href="{assets}{name}">' for name in calculator_modules()]
    links += [f'<link rel="preload" href="{assets}{name}" as="fetch" crossorigin>' for name in ("policy.json", "presets.json")]
    links.append(f'<link rel="preload" href="{assets}calculator.css" as="style">')
    return output[: anchor.end()] + "\n" + "\n".join(links) + output[anchor.end():]


def calculator_modules() -> list[str]:
    """main.js and every module it imports, followed statically (the page's module graph)."""
    seen: list[str] = []
    queue = ["main.js"]
    while queue:
        name = queue.pop(0)
        source = CALCULATOR_MODULES / name
        if name in seen or not source.is_file():
            continue
        seen.append(name)
        queue += [match.removeprefix("./") for match in STATIC_IMPORT.findall(source.read_text("utf-8"))]
    return seen
