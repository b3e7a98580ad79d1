"""`webctl users <env> ...`: the people of the environment's user pool (found from the cognito
stack's outputs)."""

from __future__ import annotations

import argparse

from sceptre_fargate_cognito.webctl import table
from sceptre_fargate_cognito.webctl.environment import Environment
from sceptre_fargate_cognito.webctl.errors import OK

STACK = "cognito"


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("users", help="list, invite and manage the people who may sign in")
    parser.add_argument("environment", help="the environment (a folder of config/, e.g. prod)")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="every user: email, status, enabled, created")
    parser.set_defaults(run=run)


def _attribute(user: dict, name: str) -> str:
    return next((a["Value"] for a in user.get("Attributes", []) if a["Name"] == name), "")


def list_users(environment: Environment) -> list[dict]:
    pool = environment.output(STACK, "UserPoolId")
    users: list[dict] = []
    for page in environment.paginate(
        STACK, "cognito-idp", "list_users", "PaginationToken", {"UserPoolId": pool}
    ):
        users.extend(page.get("Users", []))
    return users


def run(args: argparse.Namespace, environment: Environment) -> int:
    users = list_users(environment)
    rows = [
        (
            _attribute(u, "email") or u["Username"],
            u["UserStatus"],
            "enabled" if u["Enabled"] else "disabled",
            u["UserCreateDate"].strftime("%Y-%m-%d %H:%M"),
        )
        for u in sorted(users, key=lambda u: _attribute(u, "email").lower())
    ]
    print(table.render(("EMAIL", "STATUS", "ENABLED", "CREATED"), rows))
    print(f"{len(rows)} user{'s' if len(rows) != 1 else ''} in {environment.name}")
    return OK
