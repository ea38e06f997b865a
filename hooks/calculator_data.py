"""Writes the data the in-browser calculator reads into the built site.

`assets/calculator/policy.json` is generated from calculator/policy.toml and
`assets/calculator/presets.json` is calculator/presets.json as shipped with the
engine, so the page never restates a number or a preset by hand.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from calculator.policy import load_policy, policy_document


def on_post_build(config, **kwargs) -> None:
    out = Path(config["site_dir"]) / "assets" / "calculator"
    out.mkdir(parents=True, exist_ok=True)
    policy = json.dumps(policy_document(load_policy()), ensure_ascii=False, indent=1)
    (out / "policy.json").write_text(policy + "\n", encoding="utf-8")
    presets = json.loads(resources.files("calculator").joinpath("presets.json").read_text("utf-8"))
    (out / "presets.json").write_text(json.dumps(presets, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
