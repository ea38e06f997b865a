"""Print how many scenarios the differential test compared, and what they exercised
(tests/reference/test_differential.py)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter):
    from tests.reference.test_differential import FEATURES, TALLY

    if TALLY["compared"]:
        terminalreporter.write_line(
            f"reference model: {TALLY['compared']:,} scenarios compared "
            f"({TALLY['compared'] - TALLY['refused']:,} simulated, {TALLY['refused']:,} refused by both), "
            f"{TALLY['differences']:,} differences")
        terminalreporter.write_line(
            "reference model: exercised " + ", ".join(f"{name} {count:,}" for name, count in sorted(FEATURES.items())))
