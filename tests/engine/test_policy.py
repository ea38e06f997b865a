"""policy.toml: every setting says whether Eigent publishes it, and the parsed-policy cache
never serves stale or broken data."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from calculator.api import simulate
from calculator.policy import build_policy, load_policy, parse_policy, read_policy_file

SOURCE = Path(__file__).resolve().parents[2] / "calculator" / "policy.toml"


def test_every_setting_has_a_title_a_basis_and_a_sentence_per_choice():
    policy = load_policy()
    for setting in policy.settings.values():
        assert setting.title and setting.basis in ("published", "reading"), setting.key
        assert setting.basis == "reading" or setting.source, f"{setting.key}: a published rule quotes its source"
        assert setting.default in setting.choices and all(setting.choices.values()), setting.key
        assert "{" not in setting.text, f"{setting.key}: unfilled number name"


def test_results_carry_the_basis_and_the_text_of_the_value_in_force():
    result = simulate({"registered": "2026-01-10", "days": 1, "policy": {"bonus_expiry": "never"}})
    entry = next(a for a in result["assumptions"] if a["key"] == "bonus_expiry")
    setting = load_policy().settings["bonus_expiry"]
    assert entry == {"key": "bonus_expiry", "value": "never", "basis": "reading", "title": setting.title,
                     "text": setting.choices["never"]}


def test_the_cache_is_named_by_the_toml_and_never_goes_stale(tmp_path):
    toml = tmp_path / "policy.toml"
    shutil.copy(SOURCE, toml)
    first = read_policy_file(str(toml))
    cached = list((tmp_path / "__pycache__").glob("policy.*.json"))
    assert len(cached) == 1 and json.loads(cached[0].read_text()) == first
    assert read_policy_file(str(toml)) == first  # served from the cache
    toml.write_text(toml.read_text().replace("daily_credits = 200 ", "daily_credits = 275 "))
    assert build_policy(read_policy_file(str(toml))).daily_credits == 275
    assert len(list((tmp_path / "__pycache__").glob("policy.*.json"))) == 1  # the old one is gone


def test_a_broken_cache_is_ignored(tmp_path):
    toml = tmp_path / "policy.toml"
    shutil.copy(SOURCE, toml)
    read_policy_file(str(toml))
    [cached] = (tmp_path / "__pycache__").glob("policy.*.json")
    cached.write_text("{not json")
    assert build_policy(read_policy_file(str(toml))) == parse_policy(SOURCE.read_text())


@pytest.mark.parametrize("change, message", [
    (('basis = "reading"', 'basis = "rumour"'), "basis must be one of"),
    (('default = "cycle_end"', 'default = "sometimes"'), "is not one of its choices"),
])
def test_a_malformed_setting_fails_loudly(change, message):
    with pytest.raises(ValueError, match=message):
        parse_policy(SOURCE.read_text().replace(*change, 1))
