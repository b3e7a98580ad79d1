"""`!refuse_replacement {resources: [LogicalId, ...]}`: refuse, before anything changes, an update
that would replace one of the named resources.

    hooks:
      before_update:
        - !refuse_replacement {resources: [UserPool]}

Runs in every environment. It compares the deployed template and parameters with the ones the
launch would send, as `diff-report` does (review/resource_changes.py: replacement decided from the
resource schemas cfn-lint ships), and raises when a named resource would be replaced or may be.
A stack policy (`!stack_policy`) only makes CloudFormation fail and roll back part-way; this
stops the launch before the update starts, with what to do instead.
"""

from __future__ import annotations

from sceptre.exceptions import SceptreException
from sceptre.plan.actions import StackActions

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.plugin_base.hook import ProjectHook
from sceptre_fargate_cognito.review.resource_changes import ResourceChange
from sceptre_fargate_cognito.review.stack_changes import ReportDiffer, stack_changes
from sceptre_fargate_cognito.review.update_behaviour import REPLACE

# What a replacement costs, where it costs more than "a new one with a new id".
_LOSSES = {
    "AWS::Cognito::UserPool": (
        "every user, password and MFA enrolment would be lost (the new pool starts empty), and the "
        "new hosted-UI domain cannot be created while the old pool holds its fixed prefix"
    ),
}


class RefuseReplacementError(SceptreException):
    """The hook's argument is invalid, or the update would replace a named resource."""


def parse(argument, where: str) -> list[str]:
    if not isinstance(argument, dict) or set(argument) != {"resources"}:
        raise RefuseReplacementError(f"{where} takes {{resources: [LogicalId, ...]}}, not {argument!r}")
    resources = argument["resources"]
    if not (
        isinstance(resources, list)
        and resources
        and all(isinstance(i, str) and rules.LOGICAL_ID.allows(i) for i in resources)
    ):
        raise RefuseReplacementError(
            f"{where}: resources must be a non-empty list of logical ids (letters and digits), not {resources!r}"
        )
    return resources


def refusal(change: ResourceChange) -> str:
    """What the replacement would cost and what to do instead."""
    verb = "replaces" if change.replacement == REPLACE else "may replace"
    causes = ", ".join(change.causes)
    loss = _LOSSES.get(change.type, f"a new {change.type} with a new physical id would take its place")
    return (
        f"this change {verb} {change.logical_id} ({change.type}) because of {causes}: {loss}. "
        f"Nothing was changed. Revert the change to {causes}, or create a new environment or stack "
        f"with the new setting and migrate to it."
    )


class RefuseReplacement(ProjectHook):
    tag = "!refuse_replacement"

    def setup(self):
        self.resources = parse(self.argument, self.where)

    def run(self):
        diff = ReportDiffer().diff(StackActions(self.stack))
        if not diff.is_deployed:
            return
        self._check_named(diff.template_diff)
        changes = stack_changes(self.stack.name, diff, region=self.stack.region)
        refused = [
            c
            for c in changes.resources
            if c.logical_id in self.resources and c.action == "Modify" and c.destructive
        ]
        if refused:
            raise RefuseReplacementError(f"{self.where}: " + " ".join(refusal(c) for c in refused))
        self.logger.info("%s: no update replaces %s", self.tag, ", ".join(self.resources))

    def _check_named(self, templates: tuple[dict, dict]) -> None:
        """A misspelt logical id would guard nothing: say so."""
        known = {lid for template in templates for lid in template.get("Resources") or {}}
        missing = [lid for lid in self.resources if lid not in known]
        if missing:
            raise RefuseReplacementError(
                f"{self.where}: {', '.join(missing)} is not a resource of the deployed or the new template"
            )
