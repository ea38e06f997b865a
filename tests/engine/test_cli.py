"""The CLI contract, through the real command: exit codes, streams, one-line errors with JSON paths."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

ROOT = __file__.rsplit("/tests/", 1)[0]


def cli(*args: str, stdin: str | bytes = "") -> subprocess.CompletedProcess:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run([sys.executable, "-m", "calculator", *args], input=data, capture_output=True, cwd=ROOT)


def scenario(**changes) -> str:
    base = {"registered": "2026-01-10", "days": 30}
    base.update(changes)
    return json.dumps(base)


def event(**fields) -> str:
    return scenario(events=[{"date": "2026-01-12", **fields}])


BAD_INPUT = [
    # (case, command, stdin text, expected start of the error line)
    ("not JSON", "simulate", "{", "not valid JSON"),
    ("top level not an object", "simulate", "[]", "expected a scenario object"),
    ("unknown top-level key", "simulate", scenario(colour="red"), "colour: unknown key 'colour'"),
    ("missing registered", "simulate", '{"days": 3}', "registered: missing"),
    ("missing days", "simulate", '{"registered": "2026-01-10"}', "days: missing"),
    ("impossible date", "simulate", scenario(registered="2026-02-30"), "registered: '2026-02-30' is not a real calendar date"),
    ("date of the wrong shape", "simulate", scenario(registered="10/01/2026"), "registered: '10/01/2026' is not a date"),
    ("date as a number", "simulate", scenario(registered=20260110), "registered: expected a date"),
    ("year out of range", "simulate", scenario(registered="1999-12-31"), "registered: '1999-12-31' is out of range"),
    ("days zero", "simulate", scenario(days=0), "days: 0 is out of range"),
    ("days too many", "simulate", scenario(days=3661), "days: 3,661 is out of range"),
    ("days as boolean", "simulate", scenario(days=True), "days: expected a whole number"),
    ("days as float", "simulate", scenario(days=30.0), "days: expected a whole number from 1 to 3,660 without a decimal"),
    ("days as string", "simulate", scenario(days="30"), "days: expected a whole number"),
    ("NaN", "simulate", '{"registered": "2026-01-10", "days": NaN}', "days: expected a whole number"),
    ("Infinity", "simulate", '{"registered": "2026-01-10", "days": 30, "usage": {"per_active_day": Infinity}}',
     "usage.per_active_day: expected a whole number"),
    ("usage not an object", "simulate", scenario(usage=5), "usage: expected an object"),
    ("unknown usage key", "simulate", scenario(usage={"per_day": 5}), "usage.per_day: unknown key 'per_day'"),
    ("usage negative", "simulate", scenario(usage={"per_active_day": -1}), "usage.per_active_day: -1 is out of range"),
    ("usage too large", "simulate", scenario(usage={"per_active_day": 1_000_001}), "usage.per_active_day: 1,000,001 is out of range"),
    ("unknown pattern", "simulate", scenario(usage={"active_days": "sometimes"}), "usage.active_days: unknown pattern 'sometimes'"),
    ("unknown weekday", "simulate", scenario(usage={"active_days": ["mon", "funday"]}), "usage.active_days[1]: unknown day 'funday'"),
    ("empty weekday list", "simulate", scenario(usage={"active_days": []}), "usage.active_days: expected"),
    ("by_date outside window", "simulate", scenario(usage={"by_date": {"2026-03-01": 5}}),
     "usage.by_date['2026-03-01']: 2026-03-01 is outside the simulated window 2026-01-10 to 2026-02-08"),
    ("by_date bad value", "simulate", scenario(usage={"by_date": {"2026-01-12": "lots"}}), "usage.by_date['2026-01-12']: expected a whole number"),
    ("invites not a list", "simulate", scenario(invites="2026-01-12"), "invites: expected a list"),
    ("invite outside window", "simulate", scenario(invites=["2026-01-12", "2025-12-31"]), "invites[1]: 2025-12-31 is outside"),
    ("events not a list", "simulate", scenario(events={}), "events: expected a list"),
    ("event not an object", "simulate", scenario(events=[5]), "events[0]: expected an event object"),
    ("event without type", "simulate", scenario(events=[{"date": "2026-01-12"}]), "events[0].type: missing"),
    ("unknown event type", "simulate", event(type="upgrade"), "events[0].type: unknown event type 'upgrade'"),
    ("unknown plan", "simulate", event(type="subscribe", plan="gold"), "events[0].plan: unknown plan 'gold' (expected free, plus or pro)"),
    ("subscribe to free", "simulate", event(type="subscribe", plan="free"), "events[0].plan: you cannot subscribe to 'free'"),
    ("trial not boolean", "simulate", event(type="subscribe", plan="plus", trial="yes"), "events[0].trial: expected true or false"),
    ("field of another event type", "simulate", event(type="cancel", usd=5), "events[0].usd: not allowed in a cancel event"),
    ("top-up without usd", "simulate", event(type="topup"), "events[0].usd: missing"),
    ("top-up of 0 USD", "simulate", event(type="topup", usd=0), "events[0].usd: 0 is out of range"),
    ("top-up too large", "simulate", event(type="topup", usd=10_001), "events[0].usd: 10,001 is out of range"),
    ("event outside window", "simulate", scenario(events=[{"date": "2026-06-01", "type": "cancel"}]), "events[0].date: 2026-06-01 is outside"),
    ("cancel with no subscription", "simulate", event(type="cancel"), "events[0].type: nothing to cancel on 2026-01-12"),
    ("cancel_topup of nothing", "simulate", event(type="cancel_topup", of="2026-01-11"), "events[0].of: no top-up event on 2026-01-11"),
    ("cancel_topup in the future", "simulate", event(type="cancel_topup", of="2026-01-13"), "events[0].of: 2026-01-13 is after"),
    ("cancel_topup too late", "simulate", scenario(events=[{"date": "2026-01-12", "type": "topup", "usd": 5},
                                                         {"date": "2026-01-25", "type": "cancel_topup", "of": "2026-01-12"}]),
     "events[1].of: the Add-On Pack of 2026-01-12 was bought 13 days earlier"),
    ("second trial", "simulate", scenario(events=[{"date": "2026-01-12", "type": "subscribe", "plan": "plus", "trial": True},
                                                  {"date": "2026-01-13", "type": "cancel"},
                                                  {"date": "2026-01-14", "type": "subscribe", "plan": "pro", "trial": True}]),
     "events[2].trial: the account already had its free trial"),
    ("unknown policy setting", "simulate", scenario(policy={"rollover": "yes"}), "policy.rollover: unknown setting 'rollover'"),
    ("unknown policy value", "simulate", scenario(policy={"bonus_expiry": "sometimes"}), "policy.bonus_expiry: unknown value 'sometimes'"),
    ("too deep", "simulate", '{"registered": "2026-01-10", "days": 3, "usage": ' + "[" * 50 + "]" * 50 + "}",
     "input is nested more than"),
    ("events for recommend", "recommend", event(type="cancel"), "events: not allowed for recommend"),
    # engine v2: start from today, own prices, pack size, top-up ids
    ("neither registered nor start", "simulate", '{"days": 3}', "registered: missing (a scenario needs registered or start"),
    ("start not an object", "simulate", json.dumps({"start": "today", "days": 3}), "start: expected an object"),
    ("start without credits", "simulate", json.dumps({"start": {"date": "2026-11-26", "plan": "plus",
                                                                 "cycle_start": "2026-11-10"}, "days": 3}),
     "start.credits: missing"),
    ("start credits NaN", "simulate", '{"start": {"date": "2026-11-26", "plan": "plus", "cycle_start": "2026-11-10", '
                                      '"credits": {"total": NaN}}, "days": 3}',
     "start.credits.total: expected a whole number from 0 to 100,000,000, got a non-finite number NaN"),
    ("price with three decimals", "simulate", scenario(prices={"plus": 1.005}), "prices.plus: 1.005 has more than two decimals"),
    ("price infinite", "simulate", '{"registered": "2026-01-10", "days": 3, "prices": {"pro": 1e400}}',
     "prices.pro: expected an amount in USD from 0 to 10,000"),
    ("pack size zero", "recommend", scenario(pack_usd=0), "pack_usd: 0 is out of range"),
    ("top-up id repeated", "simulate", scenario(events=[{"date": "2026-01-12", "type": "topup", "usd": 5, "id": "a"},
                                                        {"date": "2026-01-13", "type": "topup", "usd": 5, "id": "a"}]),
     "events[1].id: 'a' is already the id of events[0]"),
    ("cancel_topup of and id", "simulate", scenario(events=[{"date": "2026-01-12", "type": "topup", "usd": 5, "id": "a"},
                                                            {"date": "2026-01-13", "type": "cancel_topup", "id": "a",
                                                             "of": "2026-01-12"}]),
     "events[1].id: give either of"),
    ("cancel_topup of an unknown id", "simulate", scenario(events=[{"date": "2026-01-13", "type": "cancel_topup", "id": "x"}]),
     "events[0].id: no top-up with id 'x'"),
]


@pytest.mark.parametrize("case, command, text, expected", BAD_INPUT, ids=[row[0] for row in BAD_INPUT])
def test_bad_input_exits_2_with_one_line_naming_the_field(case, command, text, expected):
    done = cli(command, "-", stdin=text)
    err = done.stderr.decode()
    assert done.returncode == 2, err
    assert done.stdout == b""
    assert err.count("\n") == 1 and err.endswith("\n"), err
    assert "Traceback" not in err
    assert err.startswith(expected), err


def test_success_prints_one_json_document_and_nothing_else(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(scenario(usage={"per_active_day": 100}))
    done = cli("simulate", str(path))
    assert done.returncode == 0 and done.stderr == b""
    result = json.loads(done.stdout)
    assert result["schema"] == 1 and len(result["days"]) == 30
    assert done.stdout.count(b"\n") == 1


def test_recommend_reads_standard_input():
    done = cli("recommend", "-", stdin=scenario(usage={"per_active_day": 300}))
    assert done.returncode == 0, done.stderr
    assert {o["plan"] for o in json.loads(done.stdout)["options"]} == {"free", "plus", "pro"}


@pytest.mark.parametrize("args, expected", [
    ((), "usage: python -m calculator"),
    (("simulate",), "usage: python -m calculator"),
    (("explode", "-"), "error: unknown command 'explode'"),
    (("simulate", "/no/such/file.json"), "/no/such/file.json: no such file"),
    (("simulate", "/"), "/: is a directory"),
])
def test_usage_and_file_errors_are_one_clear_line(args, expected):
    done = cli(*args)
    err = done.stderr.decode()
    assert done.returncode == 2 and done.stdout == b""
    assert err.startswith(expected) and err.count("\n") == 1 and "Traceback" not in err


def test_non_utf8_input_is_a_clear_error():
    done = cli("simulate", "-", stdin=b'{"registered": "\xff"}')
    assert done.returncode == 2 and done.stderr.decode().startswith("-: not UTF-8 text")
