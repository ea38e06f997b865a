"""`python -m calculator simulate|recommend FILE` (FILE may be `-` for standard input).

Success: exit 0 and one JSON document on standard output. Invalid input: exit 2,
nothing on standard output and one line on standard error naming the field.
"""

from __future__ import annotations

import sys

from .api import COMMANDS, EXIT_INPUT, run

USAGE = "usage: python -m calculator {simulate|recommend} FILE   (FILE may be - for standard input)"


def read_input(name: str) -> str:
    try:
        if name == "-":
            return sys.stdin.buffer.read().decode("utf-8")
        with open(name, "rb") as file:
            return file.read().decode("utf-8")
    except FileNotFoundError:
        raise OSError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise OSError(f"{name}: is a directory, not a scenario file") from None
    except PermissionError:
        raise OSError(f"{name}: permission denied") from None
    except UnicodeDecodeError as error:
        raise OSError(f"{name}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise OSError(f"{name}: cannot be read ({error.strerror})") from None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in COMMANDS:
        if len(args) >= 1 and args[0] not in COMMANDS and args[0] not in ("-h", "--help"):
            print(f"error: unknown command {args[0]!r}; {USAGE}", file=sys.stderr)
        else:
            print(USAGE, file=sys.stderr)
        return EXIT_INPUT
    try:
        text = read_input(args[1])
    except OSError as error:
        print(error, file=sys.stderr)
        return EXIT_INPUT
    code, output = run(args[0], text)
    if code == 0:
        sys.stdout.write(output + "\n")
    else:  # the same line the browser API rejects with
        print(output, file=sys.stderr)
    return code
