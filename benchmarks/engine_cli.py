"""The CLI's speed against a bare Python start, measured side by side in one run.

Budgets (issue: credit engine): a 10-year busy `simulate` at most 4x the time of
`python -c "import json, datetime"`; `recommend` for a one-year profile at most 10x.
Runs are interleaved and the median of each is taken, because these machines are
noisy; only the ratios mean anything. Not a test: nothing here fails a build.
"""

from __future__ import annotations

import compileall
import json
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15


def add_months(day: date, months: int) -> date:
    y, m = divmod(day.month - 1 + months, 12)
    return day.replace(year=day.year + y, month=m + 1, day=1)


def busy_ten_years() -> dict:
    start = date(2026, 1, 10)
    events = [{"date": "2026-01-12", "type": "subscribe", "plan": "plus", "trial": True}]
    events += [{"date": add_months(date(2026, 2, 1), k).isoformat(), "type": "topup", "usd": 15} for k in range(119)]
    return {"registered": start.isoformat(), "days": 3650,
            "usage": {"per_active_day": 400, "active_days": "weekdays",
                      "by_date": {"2026-05-05": 3000, "2027-09-14": 5000, "2031-02-03": 2500}},
            "invites": ["2026-02-02", "2028-07-19"], "events": events}


def one_year_profile() -> dict:
    return {"registered": "2026-01-10", "days": 365, "usage": {"per_active_day": 450, "active_days": "weekdays"}}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.decode()}")
    return elapsed


def main() -> None:
    # An installed package carries compiled bytecode; make sure ours does too, so the
    # measurement does not include compiling the engine on every run.
    compileall.compile_dir(ROOT / "calculator", quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        busy, profile = Path(tmp) / "busy.json", Path(tmp) / "profile.json"
        busy.write_text(json.dumps(busy_ten_years()))
        profile.write_text(json.dumps(one_year_profile()))
        commands = {
            "bare": [sys.executable, "-c", "import json, datetime"],
            "simulate": [sys.executable, "-m", "calculator", "simulate", str(busy)],
            "recommend": [sys.executable, "-m", "calculator", "recommend", str(profile)],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for name, command in commands.items():  # warm the file cache once
            timed(command)
        for _ in range(ROUNDS):
            for name, command in commands.items():
                times[name].append(timed(command))
    bare = statistics.median(times["bare"])
    print(f"engine CLI, median of {ROUNDS} interleaved runs (bare start {bare * 1000:.1f} ms):")
    for name, budget in (("simulate", 4.0), ("recommend", 10.0)):
        ratio = statistics.median(times[name]) / bare
        label = "10-year busy simulate" if name == "simulate" else "1-year recommend"
        print(f"  {label:24s} {ratio:5.2f}x bare start  (budget {budget:.0f}x)  {'PASS' if ratio <= budget else 'OVER'}")


if __name__ == "__main__":
    main()
