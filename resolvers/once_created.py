"""!once_created: one value while a stack is being created for the first time, another once it exists.

    DeletionProtection: !once_created {value: "true"}                  # "false" until created
    DeletionProtection: !once_created {value: "true", before: "false"}

Resolves to `before` (default "false") when the stack does not exist or its first create has not
succeeded (CREATE_IN_PROGRESS/FAILED, ROLLBACK_*, REVIEW_IN_PROGRESS): that is, whenever the next
`sceptre launch` creates it. Otherwise (CREATE_COMPLETE, any UPDATE_* or DELETE_* state) to
`value`, so every update passes `value`.

Why: an ALB created with deletion protection on cannot be deleted by the rollback of a failed first
create, which then ends in ROLLBACK_FAILED. Created with it off, protected by the
`!protect_load_balancer` hook after a successful create, and passed on by every update, it is
protected from the moment the stack exists and a failed first create rolls back cleanly.

A stack not created yet is not an error: `sceptre diff` and `diff-report` show `before`.
"""

from __future__ import annotations

from typing import Any

from sceptre_fargate_cognito import stack_status
from sceptre_fargate_cognito.aws_lookup import AwsCaller, target_for
from sceptre_fargate_cognito.plugin_base.arguments import ArgumentProblem, check_keys
from sceptre_fargate_cognito.plugin_base.errors import ResolverError
from sceptre_fargate_cognito.plugin_base.resolver import ProjectResolver

NAME = "once_created"
ACCEPTED_FORMS = (
    'accepted forms:\n  !once_created {value: "true"}\n  !once_created {value: "true", before: "false"}'
)
KEYS = ("value", "before")


def parse_argument(argument: Any) -> tuple[str, str]:
    """(value, before); both are CloudFormation parameter values, so text."""
    if not isinstance(argument, dict):
        raise ArgumentProblem(f"expected a dict, got {type(argument).__name__} {argument!r}")
    check_keys(argument, KEYS, required=("value",))
    texts = []
    for key, default in (("value", None), ("before", "false")):
        text = argument.get(key, default)
        if not isinstance(text, str):
            raise ArgumentProblem(
                f"{key} must be a string, not {type(text).__name__} {text!r} (quote it in YAML)"
            )
        texts.append(text)
    return texts[0], texts[1]


class OnceCreated(ProjectResolver):
    """Resolves to `value` once the stack's first create succeeded, else `before` (see module doc)."""

    tag = NAME
    accepted_forms = ACCEPTED_FORMS
    parse_argument = staticmethod(parse_argument)

    def resolve(self) -> str:
        value, before = parse_argument(self.argument)
        # Not cached: the answer changes during a launch (the create it precedes makes the stack).
        aws = AwsCaller(self.stack, target_for(self.stack, {}), NAME)
        try:
            state = stack_status.read(
                lambda command, kwargs: aws.call("cloudformation", command, **kwargs),
                self.stack.external_name,
            )
        except ResolverError as err:
            raise ResolverError(f"{self.stack.name} - {err}", aws_code=err.aws_code) from None
        return value if state.created else before
