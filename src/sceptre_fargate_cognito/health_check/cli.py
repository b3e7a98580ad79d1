"""`https-health-check` / `python -m sceptre_fargate_cognito.health_check.cli`: the hook's check, outside Sceptre (CI smoke tests, people).

Same options as the hook, spelled with dashes; `url` is required here (there is no stack to read).
Exit status: 0 healthy, 1 unhealthy, 2 invalid arguments.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import MISSING, fields

from sceptre_fargate_cognito.health_check.check import HealthCheck
from sceptre_fargate_cognito.health_check.options import DESCRIPTIONS, InvalidOptions, Target, parse

_SWITCHES = {"check_health": "health", "check_auth": "auth", "check_http_redirect": "http-redirect"}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="https-health-check",
        description="Check from outside that an HTTPS service is healthy, requires Cognito sign-in, "
        "and redirects http:// to https://. Exit 0 healthy, 1 unhealthy, 2 bad arguments.",
    )
    for field in fields(Target):  # the hook-only options, which name stack outputs, are not fields
        name = field.name
        help_text = DESCRIPTIONS[name].replace("%", "%%")
        if name in _SWITCHES:
            # Checks are on by default: the command line only switches them off.
            parser.add_argument(
                f"--no-{_SWITCHES[name]}-check",
                dest=name,
                action="store_false",
                default=None,
                help=f"skip: {help_text}",
            )
            continue
        # Values stay strings here; typed conversion and validation are shared with the hook.
        default = "" if field.default in (None, MISSING) else f" (default: {field.default})"
        parser.add_argument(
            f"--{name.replace('_', '-')}",
            dest=name,
            default=None,
            required=name == "url",
            help=help_text + default,
        )
    return parser


def _convert(values: dict) -> dict:
    """argparse strings -> the types a YAML user would have written, so one validator serves both."""
    types = {f.name: f.type for f in fields(Target)}
    converted = {}
    for name, value in values.items():
        if value is None or not isinstance(value, str):
            converted[name] = value
            continue
        kind = types[name]
        try:
            if kind == "int":
                converted[name] = int(value)
            elif kind == "float":
                converted[name] = float(value)
            else:
                converted[name] = value
        except ValueError:
            raise InvalidOptions(f"{name} must be a number, not {value!r}") from None
    return converted


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        target = parse(_convert(vars(args)))
    except InvalidOptions as err:
        parser.print_usage(sys.stderr)
        print(f"https-health-check: error: {err}", file=sys.stderr)
        return 2
    verdict = HealthCheck(target, emit=lambda line: print(line, flush=True)).run()
    return 0 if verdict.healthy else 1


if __name__ == "__main__":
    sys.exit(main())
