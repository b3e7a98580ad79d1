"""`!stack_policy {protect: [LogicalId or AWS::Resource::Type, ...], enabled: <bool>}`: a
CloudFormation stack policy that stops updates from replacing or deleting the named resources.

    hooks:
      before_update:     # in force before the update it must guard
        - !stack_policy {protect: [UserPool], enabled: {{ env.deletion_protection | tojson }}}
      after_create:      # a new stack is guarded from its first update on
        - !stack_policy {protect: [UserPool], enabled: {{ env.deletion_protection | tojson }}}

Enabled: allow every update, deny `Update:Replace` and `Update:Delete` on the protected logical ids,
and on every resource of a protected type (a `ResourceType` condition: how a resource whose
logical id a generator chooses, such as the CDK's VPC, is named without copying that id). An update
that would do either fails and rolls back; nothing is replaced. Disabled: an allow-all
policy, because a stack policy can be replaced but never removed; a stack that never had a policy
is left without one. The policy is set only when it differs from the stack's current one.
Sceptre's `set-policy` command does the same by hand; it has no config key.
"""

from __future__ import annotations

import json
from typing import Any

from sceptre.exceptions import SceptreException

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.plugin_base.hook import ProjectHook, parse_flag

ALLOW_ALL = {"Statement": [{"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}]}


class StackPolicyError(SceptreException):
    """The hook's argument is invalid."""


def policy(protect: list[str], enabled: bool) -> dict:
    """The stack policy document for these logical ids and resource types."""
    if not enabled or not protect:
        return ALLOW_ALL
    deny: dict[str, Any] = {"Effect": "Deny", "Action": ["Update:Replace", "Update:Delete"], "Principal": "*"}
    logical_ids = [item for item in protect if not rules.RESOURCE_TYPE.allows(item)]
    types = [item for item in protect if rules.RESOURCE_TYPE.allows(item)]
    statements: list[dict[str, Any]] = [*ALLOW_ALL["Statement"]]
    if logical_ids:
        statements.append(
            {**deny, "Resource": [f"LogicalResourceId/{logical_id}" for logical_id in logical_ids]}
        )
    if types:
        statements.append({**deny, "Resource": "*", "Condition": {"StringEquals": {"ResourceType": types}}})
    return {"Statement": statements}


def parse(argument, where: str) -> tuple[list[str], bool]:
    if not isinstance(argument, dict):
        raise StackPolicyError(
            f"{where} takes {{protect: [LogicalId, ...], enabled: true|false}}, not {argument!r}"
        )
    unknown = set(argument) - {"protect", "enabled"}
    if unknown:
        raise StackPolicyError(f"{where}: unknown keys {sorted(unknown)}; expected protect and enabled")
    protect = argument.get("protect")
    if (
        not isinstance(protect, list)
        or not protect
        or not all(
            isinstance(i, str) and (rules.LOGICAL_ID.allows(i) or rules.RESOURCE_TYPE.allows(i))
            for i in protect
        )
    ):
        raise StackPolicyError(
            f"{where}: protect must be a non-empty list of logical ids (letters and digits) or resource "
            f"types (AWS::Service::Resource), not {protect!r}"
        )
    if "enabled" not in argument:
        raise StackPolicyError(f"{where}: enabled (true or false) is required")
    return protect, parse_flag(argument["enabled"], f"{where}: enabled", StackPolicyError)


class StackPolicy(ProjectHook):
    tag = "!stack_policy"

    def setup(self):
        self.protect, self.enabled = parse(self.argument, self.where)

    def run(self):
        if self.deployed_stack() is None:
            return
        name = self.stack.external_name
        current_text = self.call("cloudformation", "get_stack_policy", {"StackName": name}).get(
            "StackPolicyBody"
        )
        current = json.loads(current_text) if current_text else None
        wanted = policy(self.protect, self.enabled)
        if current == wanted or (current is None and not self.enabled):
            self.logger.info("%s: stack policy already in force (%s)", self.tag, self._summary())
            return
        self.call(
            "cloudformation", "set_stack_policy", {"StackName": name, "StackPolicyBody": json.dumps(wanted)}
        )
        self.logger.info("%s: stack policy set (%s)", self.tag, self._summary())

    def _summary(self) -> str:
        if not self.enabled:
            return "allow all"
        return "deny replace and delete of " + ", ".join(self.protect)
