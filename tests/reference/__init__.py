"""A second, deliberately simple model of the credit rules, and its differential test.

`model.simulate(data)` is an oracle written from the written rules (product facts,
policy.toml's sentences, calculator/README.md, the engine v2 contract), not from the
engine's code. `compare.differences(engine, reference)` lists where two results disagree.
"""
