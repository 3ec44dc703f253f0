"""Command line: ``python -m matching INPUT.json [--top N]`` prints the matches as JSON.

``--semantic auto|on|off`` chooses whether the optional semantic extra is used (default auto:
when it is installed; see matching/semantic.py).

Exit status 0 on success; 2 (with one line per problem on stderr, nothing on stdout) when the
file is missing, is not JSON, or breaks the input contract (see matching/__init__.py).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from matching.schema import InputError, validate


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m matching",
        description="Rank offers for each request and choose this week's pairs.",
    )
    parser.add_argument("input",
                        help="input JSON file (schools, offers, requests, ...); - for stdin")
    parser.add_argument("--top", type=_positive_int, default=5,
                        help="offers listed per request (default 5)")
    parser.add_argument("--semantic", choices=("auto", "on", "off"), default="auto",
                        help="use the optional semantic extra: auto (when installed), on, off")
    args = parser.parse_args(argv)
    name = "<stdin>" if args.input == "-" else args.input
    try:
        if args.input == "-":
            text = sys.stdin.read()
        else:
            with open(args.input, encoding="utf-8") as fh:
                text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"{name}: cannot read: {exc}", file=sys.stderr)
        return 2
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        print(f"{name}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}",
              file=sys.stderr)
        return 2
    try:
        problem = validate(data)
    except InputError as exc:
        for line in exc.errors:
            print(f"{name}: {line}", file=sys.stderr)
        return 2
    from matching.engine import Matcher  # heavy imports only once the input is known good

    try:
        result = Matcher(semantic=args.semantic).fit_predict(problem, top=args.top)
    except ImportError as exc:  # --semantic on without the extra installed
        print(f"{name}: {exc}", file=sys.stderr)
        return 2
    # Built completely before printing, so a failure never leaves half a result on stdout.
    text = json.dumps(result, indent=2, ensure_ascii=False)
    sys.stdout.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
