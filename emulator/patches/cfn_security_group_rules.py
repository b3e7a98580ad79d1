"""CloudFormation support for AWS::EC2::SecurityGroupEgress, and deletable SecurityGroupIngress.

Stock moto skips SecurityGroupEgress (the CDK emits one for every `connections.allow_to`, e.g.
"ALB to the service's container port"), so that rule never exists; its SecurityGroupIngress has
no physical id and no delete, so the rule outlives the stack when the group is not the stack's.
Both types here authorize the rule through moto's EC2 backend, answer the rule id (`sgr-...`) as
Ref like AWS, and revoke the rule on delete. Any change replaces the rule (no update), as in AWS.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.exceptions import InvalidPermissionNotFoundError, InvalidSecurityGroupNotFoundError
from moto.ec2.models import ec2_backends

from emulator.cfn_resource import CfnResource


def _rule_arguments(properties: dict[str, Any], direction: str) -> dict[str, Any]:
    protocol = str(properties["IpProtocol"])
    from_port = properties.get("FromPort", -1 if protocol == "-1" else None)
    to_port = properties.get("ToPort", -1 if protocol == "-1" else None)
    peer = "SourceSecurityGroupId" if direction == "ingress" else "DestinationSecurityGroupId"
    ip_ranges = []
    if properties.get("CidrIp"):
        ip_ranges.append({"CidrIp": properties["CidrIp"], "Description": properties.get("Description")})
    if properties.get("CidrIpv6"):
        ip_ranges.append({"CidrIpv6": properties["CidrIpv6"], "Description": properties.get("Description")})
    source_groups = []
    if properties.get(peer):
        source_groups.append({"GroupId": properties[peer], "Description": properties.get("Description")})
    if properties.get("SourceSecurityGroupName"):
        source_groups.append({"GroupName": properties["SourceSecurityGroupName"]})
    prefix_lists = []
    peer_prefix = "SourcePrefixListId" if direction == "ingress" else "DestinationPrefixListId"
    if properties.get(peer_prefix):
        prefix_lists.append({"PrefixListId": properties[peer_prefix]})
    return {
        "group_name_or_id": properties.get("GroupId") or properties.get("GroupName"),
        "ip_protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
        "ip_ranges": ip_ranges,
        "source_groups": source_groups,
        "prefix_list_ids": prefix_lists,
    }


class _SecurityGroupRule(CfnResource):
    direction = ""
    ATTRIBUTES = ("Id",)

    def __init__(self, rule_id: str, arguments: dict[str, Any]):
        self.rule_id = rule_id
        self.arguments = arguments

    @property
    def physical_resource_id(self) -> str:
        return self.rule_id

    def attribute(self, name: str) -> Any:
        return self.rule_id  # Id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        arguments = _rule_arguments(properties, cls.direction)
        backend = ec2_backends[account_id][region_name]
        authorize = getattr(backend, f"authorize_security_group_{cls.direction}")
        rules, _ = authorize(**arguments)
        return cls(rules[0].id if rules else "", arguments)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = ec2_backends[account_id][region_name]
        # The group may have gone first, taking its rules with it.
        with contextlib.suppress(InvalidPermissionNotFoundError, InvalidSecurityGroupNotFoundError):
            getattr(backend, f"revoke_security_group_{self.direction}")(**self.arguments)


class CfnSecurityGroupIngress(_SecurityGroupRule, CloudFormationModel):
    CFN_TYPE = "AWS::EC2::SecurityGroupIngress"
    direction = "ingress"


class CfnSecurityGroupEgress(_SecurityGroupRule, CloudFormationModel):
    CFN_TYPE = "AWS::EC2::SecurityGroupEgress"
    direction = "egress"


def install() -> None:
    """Public hook: moto registers each CloudFormationModel subclass once defined (imported): nothing to patch."""
