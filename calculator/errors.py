"""Input errors that name the field they are about.

A location is built bottom-up, as jsonschema does: a check raises with the
path it knows (often none), and each level of nesting that passes the error
up adds its own key in front. The message is then printed as one line,
``events[2].plan: unknown plan 'gold' (expected free, plus or pro)``.
"""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario that cannot be simulated; `path` is a tuple of keys and indices."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def within(self, *keys: str | int) -> "ScenarioError":
        """The same error seen from one or more levels further out."""
        return ScenarioError(self.message, (*keys, *self.path))

    @property
    def location(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.message}" if where else self.message


def format_path(path: tuple[str | int, ...]) -> str:
    """`("events", 2, "plan")` -> `events[2].plan`; keys that are not identifiers are quoted."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif key.isidentifier():
            out += f".{key}" if out else key
        else:
            out += f"[{key!r}]"
    return out
