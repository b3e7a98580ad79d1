"""`!close_default_security_group`: the VPC's default security group keeps no rule.

AWS gives a new VPC's default group "all traffic between members" and "all egress". CloudFormation
cannot take those away without a custom-resource Lambda, which would break the network stack's
offline synth and the local emulator. This hook does it through the EC2 API after each launch of
the network stack (after_launch, so a re-created VPC and rules added by hand are closed again).
It finds the VPC from the stack's `VpcId` output; a stack that did not complete is left alone.
"""

from __future__ import annotations

from sceptre.exceptions import SceptreException

from sceptre_fargate_cognito.plugin_base.hook import ProjectHook


class DefaultSecurityGroupError(SceptreException):
    """The hook was given an argument, or EC2 refused to revoke a rule."""


class CloseDefaultSecurityGroup(ProjectHook):
    tag = "!close_default_security_group"

    def setup(self):
        if self.argument not in (None, "", {}):
            raise DefaultSecurityGroupError(f"{self.where} takes no argument, not {self.argument!r}")

    def run(self):
        state = self.completed_stack()
        if state is None:
            return
        vpc_id = state.outputs.get("VpcId")
        if not vpc_id:
            self.logger.warning("%s skipped: the stack has no VpcId output", self.tag)
            return
        groups = self._ec2(
            "describe_security_groups",
            {
                "Filters": [
                    {"Name": "vpc-id", "Values": [vpc_id]},
                    {"Name": "group-name", "Values": ["default"]},
                ],
            },
        )["SecurityGroups"]
        for group in groups:
            closed = []
            for direction, rules in (
                ("ingress", group.get("IpPermissions", [])),
                ("egress", group.get("IpPermissionsEgress", [])),
            ):
                if rules:
                    self._ec2(
                        f"revoke_security_group_{direction}",
                        {"GroupId": group["GroupId"], "IpPermissions": rules},
                    )
                    closed.append(f"{len(rules)} {direction}")
            self.logger.info(
                "%s: default security group %s of %s: %s",
                self.tag,
                group["GroupId"],
                vpc_id,
                "revoked " + " and ".join(closed) + " rule(s)" if closed else "already has no rule",
            )

    def _ec2(self, command: str, kwargs: dict) -> dict:
        try:
            return self.call("ec2", command, kwargs)
        except Exception as err:  # botocore's ClientError and connection errors alike
            raise DefaultSecurityGroupError(f"{self.where}: ec2 {command} failed: {err}") from err
