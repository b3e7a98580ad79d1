"""`diff-report <environment>`: what `sceptre launch <environment>` would change, as Markdown.

Runs Sceptre's diff of every stack of the environment (the stacks `launch` would touch) and
prints, per stack, the changed parameters, the resources added, removed and modified, which of
those CloudFormation will replace, and "No change" where there is none; a change that replaces
or removes a stateful or public resource (user pool, load balancer, VPC, ...) is called out at the
top, and so is a change in exposure: a path in or out opened or closed (a security-group rule, a
listener, a load balancer's scheme, a public IP, an endpoint policy) or a rule or listener changed. The AWS credentials are the ones Sceptre would use for a launch (read-only calls only).

Exit status:
  0  no change
  1  error (bad arguments, invalid config, AWS or Sceptre error)
  2  changes
  3  changes that replace or remove a stateful or public resource, or change network exposure
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NO_CHANGE, ERROR, CHANGES, DESTRUCTIVE = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit 1, so 2 and 3 only ever mean "changes"
        self.print_usage(sys.stderr)
        self.exit(ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="diff-report", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "environment", help="Sceptre command path: an environment (dev) or one stack (dev/network.yaml)"
    )
    parser.add_argument(
        "--project-path", default=".", help="the Sceptre project (default: the current directory)"
    )
    parser.add_argument("--output", metavar="FILE", help="also write the report to FILE")
    parser.add_argument(
        "--github-step-summary",
        action="store_true",
        help="also append the report to the file named by $GITHUB_STEP_SUMMARY (GitHub Actions)",
    )
    parser.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a Sceptre user variable, as `sceptre --var`",
    )
    return parser


def collect(command_path: str, project_path: str, user_variables: dict | None = None):
    """The StackChanges of every stack `sceptre launch <command_path>` would launch, in name order."""
    from sceptre.context import SceptreContext
    from sceptre.plan.plan import SceptrePlan
    from sceptre.resolvers.placeholders import use_resolver_placeholders_on_error

    from sceptre_fargate_cognito.review.stack_changes import ReportDiffer, stack_changes

    context = SceptreContext(
        command_path=command_path,
        project_path=str(Path(project_path).resolve()),
        user_variables=user_variables or {},
    )
    plan = SceptrePlan(context)
    # What `sceptre diff` (and `launch`) consider: ignored and obsolete stacks are left out.
    plan.resolve("diff")
    plan.filter(lambda stack: not stack.ignore and not stack.obsolete)
    # A dependency that is not launched yet cannot be resolved: show a placeholder, as `sceptre diff` does.
    with use_resolver_placeholders_on_error():
        diffs = plan.diff(ReportDiffer(show_no_echo=False))
    return sorted(
        (stack_changes(f"{stack.name}.yaml", diff, region=stack.region) for stack, diff in diffs.items()),
        key=lambda changes: changes.name,
    )


def environment_name(command_path: str) -> str:
    return command_path.strip("/").split("/")[0]


def exit_status(stacks) -> int:
    if any(s.call_outs or s.exposure for s in stacks):
        return DESTRUCTIVE
    return CHANGES if any(s.changed for s in stacks) else NO_CHANGE


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    user_variables = {}
    for item in args.var:
        key, sep, value = item.partition("=")
        if not sep:
            build_parser().error(f"--var takes KEY=VALUE, not {item!r}")
        user_variables[key] = value
    from botocore.exceptions import BotoCoreError, ClientError
    from sceptre.exceptions import SceptreException

    from sceptre_fargate_cognito.review.markdown import render

    try:
        stacks = collect(args.environment, args.project_path, user_variables)
    except (SceptreException, ClientError, BotoCoreError) as err:
        print(f"diff-report: {args.environment}: {type(err).__name__}: {err}", file=sys.stderr)
        return ERROR
    report = render(environment_name(args.environment), stacks)
    sys.stdout.write(report)
    if args.output:
        Path(args.output).write_text(report)
    if args.github_step_summary:
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if not summary:
            print(
                "diff-report: --github-step-summary given but GITHUB_STEP_SUMMARY is not set", file=sys.stderr
            )
            return ERROR
        with open(summary, "a") as handle:
            handle.write(report + "\n")
    return exit_status(stacks)


if __name__ == "__main__":
    sys.exit(main())
