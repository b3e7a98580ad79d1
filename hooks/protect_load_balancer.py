"""`!protect_load_balancer {enabled: <bool>}`: switch on the deletion protection of the stack's
load balancers once the stack has been created.

    parameters:
      DeletionProtection: !once_created {value: "{{ env.deletion_protection | string | lower }}"}
    hooks:
      after_create:
        - !protect_load_balancer {enabled: {{ env.deletion_protection | tojson }}}

The stack is created with the ALB unprotected (`!once_created` passes "false" to a create), so the
rollback of a failed first create can delete it instead of ending in ROLLBACK_FAILED. After a
successful create this hook sets `deletion_protection.enabled` to true on every
AWS::ElasticLoadBalancingV2::LoadBalancer of the stack (ModifyLoadBalancerAttributes); every later
update passes "true" in the parameter, so it stays on. A stack whose create failed is left alone.
Disabled: nothing (switching protection off is the parameter's job, on the next update).
"""

from __future__ import annotations

from sceptre.exceptions import SceptreException

from sceptre_fargate_cognito import pagination
from sceptre_fargate_cognito.plugin_base.hook import ProjectHook, parse_flag

LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
ATTRIBUTE = "deletion_protection.enabled"


class ProtectLoadBalancerError(SceptreException):
    """The hook's argument is invalid."""


class ProtectLoadBalancer(ProjectHook):
    tag = "!protect_load_balancer"

    def setup(self):
        # At config load, before anything is launched.
        argument = self.argument
        if not isinstance(argument, dict) or set(argument) != {"enabled"}:
            raise ProtectLoadBalancerError(f"{self.where} takes {{enabled: true|false}}, not {argument!r}")
        self.enabled = parse_flag(argument["enabled"], f"{self.where}: enabled", ProtectLoadBalancerError)

    def run(self):
        if not self.enabled:
            return
        if self.deployed_stack() is None:
            return
        for arn in self._load_balancers():
            attributes = self.call("elbv2", "describe_load_balancer_attributes", {"LoadBalancerArn": arn})
            current = {a["Key"]: a["Value"] for a in attributes.get("Attributes", [])}
            if current.get(ATTRIBUTE) == "true":
                self.logger.info("%s: deletion protection already on for %s", self.tag, arn)
                continue
            self.call(
                "elbv2",
                "modify_load_balancer_attributes",
                {"LoadBalancerArn": arn, "Attributes": [{"Key": ATTRIBUTE, "Value": "true"}]},
            )
            self.logger.info("%s: deletion protection on for %s", self.tag, arn)

    def _load_balancers(self) -> list[str]:
        """The ARNs (physical ids) of the stack's load balancers."""
        list_resources = pagination.pages(
            lambda arguments: self.call("cloudformation", "list_stack_resources", arguments),
            "NextToken",
            {"StackName": self.stack.external_name},
        )
        return [
            r["PhysicalResourceId"]
            for page in list_resources
            for r in page.get("StackResourceSummaries", [])
            if r.get("ResourceType") == LOAD_BALANCER and r.get("PhysicalResourceId")
        ]
