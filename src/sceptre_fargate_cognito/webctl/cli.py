"""`webctl <command> <environment> ...`: one entry point; each command is a module of this package
with `add_parser(subparsers)` and `run(args, environment) -> exit status`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import ModuleType

from sceptre_fargate_cognito.project import NotInProject, project_root
from sceptre_fargate_cognito.webctl import errors
from sceptre_fargate_cognito.webctl.environment import Environment


def _commands() -> list[ModuleType]:
    # Imported here, so `webctl --help` stays fast and a command's imports cost only its own runs.
    from sceptre_fargate_cognito.webctl import clients, logs, status, users

    return [users, clients, status, logs]


def build_parser(commands: list[ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="webctl",
        description="Operate a launched environment: what Sceptre does not do. "
        "Reaches AWS with the environment's region, profile and sceptre_role, like `sceptre`.",
    )
    parser.add_argument(
        "--project-path",
        default=None,
        help="the Sceptre project (default: the one holding the working directory)",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in commands:
        command.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    commands = _commands()
    args = build_parser(commands).parse_args(argv)
    try:
        project = project_root(None if args.project_path is None else Path(args.project_path))
        environment = Environment(args.environment, project)
        return args.run(args, environment)
    except (errors.WebctlError, NotInProject) as err:
        print(f"webctl {args.command} {getattr(args, 'environment', '')}: {err}", file=sys.stderr)
        return errors.ERROR
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
