"""The full site build against a one-page Material site, measured side by side in one run.

Budget (issue: support site): the full `mkdocs build` (figures hook, engine runs for
the worked examples, calculator data, Pyodide and engine wheel vendoring) at most 6x
the build of a one-page Material site with the same theme settings. Both build into a
fresh folder each time. The engine wheel is cached by a hash of its inputs, as in
`mkdocs serve`; the warm-up build fills that cache, so the ratio is the everyday
rebuild, and the one-off cold wheel build is printed separately.
Not a test: nothing here fails a build.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.site.conftest import build_site  # noqa: E402  (the same build the tests run)
ROUNDS = 5
ONE_PAGE_CONFIG = """\
site_name: One page
theme:
  name: material
  font: false
"""


def timed_build(config_dir: Path, out: Path) -> float:
    start = time.perf_counter()
    done = build_site(config_dir, out)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"mkdocs build in {config_dir} failed:\n{done.stderr}")
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        one_page = tmp_path / "one-page"
        (one_page / "docs").mkdir(parents=True)
        (one_page / "mkdocs.yml").write_text(ONE_PAGE_CONFIG)
        (one_page / "docs" / "index.md").write_text("# Hello\n\nOne page of text.\n")
        sites = {"one-page": one_page, "full": ROOT}
        warm = {name: timed_build(folder, tmp_path / f"warm-{name}") for name, folder in sites.items()}
        times: dict[str, list[float]] = {name: [] for name in sites}
        for round_no in range(ROUNDS):
            for name, folder in sites.items():
                times[name].append(timed_build(folder, tmp_path / f"{name}-{round_no}"))
    one_page_median = statistics.median(times["one-page"])
    ratio = statistics.median(times["full"]) / one_page_median
    print(f"site build, median of {ROUNDS} interleaved builds (one-page site {one_page_median:.2f} s):")
    print(f"  full site build          {ratio:5.2f}x one-page Material site  (budget 6x)  {'PASS' if ratio <= 6 else 'OVER'}")
    print(f"  first build of this run  {warm['full'] / one_page_median:5.2f}x (includes the engine wheel if its inputs changed)")


if __name__ == "__main__":
    main()
