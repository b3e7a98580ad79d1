"""Standalone security group ingress and egress rules exist, have ids, and go with their stack."""

import boto3
import cfn_stacks

GROUPS = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Alb: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: alb, VpcId: !Ref Vpc}}
  Svc: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: svc, VpcId: !Ref Vpc}}
Outputs:
  Alb: {Value: !Ref Alb}
  Svc: {Value: !Ref Svc}
"""
RULES = """
Parameters:
  Alb: {Type: String}
  Svc: {Type: String}
Resources:
  ToService:
    Type: AWS::EC2::SecurityGroupEgress
    Properties: {GroupId: !Ref Alb, IpProtocol: tcp, FromPort: 8080, ToPort: 8080, DestinationSecurityGroupId: !Ref Svc}
  FromAlb:
    Type: AWS::EC2::SecurityGroupIngress
    Properties: {GroupId: !Ref Svc, IpProtocol: tcp, FromPort: 8080, ToPort: 8080, SourceSecurityGroupId: !Ref Alb}
"""


def _peers(ec2, group_id, direction):
    [group] = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    return [
        (p.get("FromPort"), [g["GroupId"] for g in p.get("UserIdGroupPairs", [])]) for p in group[direction]
    ]


def test_rules_are_created_with_ids_and_revoked_when_their_stack_is_deleted(aws):
    cf, ec2 = boto3.client("cloudformation"), boto3.client("ec2")
    cf.create_stack(StackName="groups", TemplateBody=GROUPS)
    groups = {
        o["OutputKey"]: o["OutputValue"]
        for o in cf.describe_stacks(StackName="groups")["Stacks"][0]["Outputs"]
    }
    cf.create_stack(
        StackName="rules",
        TemplateBody=RULES,
        Parameters=cfn_stacks.parameters(groups),
    )

    ids = [
        r["PhysicalResourceId"] for r in cf.list_stack_resources(StackName="rules")["StackResourceSummaries"]
    ]
    assert len(ids) == 2 and all(i.startswith("sgr-") for i in ids)
    assert (8080, [groups["Svc"]]) in _peers(ec2, groups["Alb"], "IpPermissionsEgress")
    assert _peers(ec2, groups["Svc"], "IpPermissions") == [(8080, [groups["Alb"]])]

    cf.delete_stack(StackName="rules")
    assert (8080, [groups["Svc"]]) not in _peers(ec2, groups["Alb"], "IpPermissionsEgress")
    assert _peers(ec2, groups["Svc"], "IpPermissions") == []
