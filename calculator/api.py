"""The engine's entry points, the same for the CLI, the site build and the browser.

`run(command, text)` is the CLI's behaviour as a pure function: the Web Worker
calls it under Pyodide, so the page gets exactly the JSON the CLI prints, or
exactly its one-line error. No I/O here.
"""

from __future__ import annotations

import json

from .errors import ScenarioError
from .policy import Policy, load_policy
from .scenario import parse_json, parse_scenario

COMMANDS = ("simulate", "recommend")
EXIT_OK, EXIT_INPUT, EXIT_INTERNAL = 0, 2, 70


def _prepare(data: object, *, allow_events: bool) -> tuple:
    base = load_policy()
    scenario = parse_scenario(data, base, allow_events=allow_events)
    return scenario, base.with_overrides(dict(scenario.policy)).with_prices(dict(scenario.prices))


def simulate_text(data: object) -> str:
    """The simulate result for scenario data, as the CLI's JSON text."""
    from .simulate import simulate_json

    return simulate_json(*_prepare(data, allow_events=True))


def recommend_text(data: object) -> str:
    from .recommend import recommend

    result = recommend(*_prepare(data, allow_events=False))
    return json.dumps(result, ensure_ascii=False, separators=(",", ":"))


def simulate(data: object) -> dict:
    """The simulate result for scenario data (a dict as parsed from JSON). Raises ScenarioError."""
    return json.loads(simulate_text(data))


def recommend(data: object) -> dict:
    """The recommend result for scenario data without events. Raises ScenarioError."""
    return json.loads(recommend_text(data))


def run(command: str, text: str) -> tuple[int, str]:
    """(0, result JSON) or (2, one-line message naming the field); never raises for bad input."""
    if command not in COMMANDS:
        return EXIT_INPUT, f"unknown command {command!r} (expected simulate or recommend)"
    try:
        data = parse_json(text, load_policy())
        output = simulate_text(data) if command == "simulate" else recommend_text(data)
        return EXIT_OK, output
    except ScenarioError as error:
        return EXIT_INPUT, str(error)
    except Exception as error:  # a bug of ours: still one line, never a traceback
        return EXIT_INTERNAL, (f"internal error: {type(error).__name__}: {error} "
                               "(please report this scenario to the calculator's maintainers)")


def policy_of(data: object) -> Policy:
    """The policy in force for scenario data (defaults plus its overrides)."""
    return _prepare(data, allow_events=True)[1]
