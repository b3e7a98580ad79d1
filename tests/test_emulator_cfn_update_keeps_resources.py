"""A stack update changes what changed and keeps every resource the template still declares."""

import boto3
from cfn_stacks import TASK_DEFINITION, parameters

TEMPLATE = """
Parameters:
  Retention: {Type: Number}
  SubnetCidr: {Type: String}
  Env: {Type: String}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16, Tags: [{Key: env, Value: !Ref Env}]}
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: !Ref SubnetCidr}
  RouteTable: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  Association:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {RouteTableId: !Ref RouteTable, SubnetId: !Ref Subnet}
  Logs:
    Type: AWS::Logs::LogGroup
    Properties: {RetentionInDays: !Ref Retention, Tags: [{Key: env, Value: !Ref Env}]}
  Cluster: {Type: AWS::ECS::Cluster}
"""


def _params(retention, cidr, env):
    return parameters({"Retention": retention, "SubnetCidr": cidr, "Env": env})


def _resources(cf):
    return {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cf.list_stack_resources(StackName="upd")["StackResourceSummaries"]
    }


def test_changes_apply_in_place_or_by_replacement_and_nothing_is_dropped(aws):
    cf, ec2, logs = boto3.client("cloudformation"), boto3.client("ec2"), boto3.client("logs")
    cf.create_stack(StackName="upd", TemplateBody=TEMPLATE, Parameters=_params(7, "10.0.1.0/24", "dev"))
    before = _resources(cf)

    cf.update_stack(StackName="upd", TemplateBody=TEMPLATE, Parameters=_params(30, "10.0.2.0/24", "prod"))
    after = _resources(cf)

    assert cf.describe_stacks(StackName="upd")["Stacks"][0]["StackStatus"] == "UPDATE_COMPLETE"
    assert set(after) == {"Vpc", "Subnet", "RouteTable", "Association", "Logs", "Cluster"}
    # In place: same VPC (tag changed), same log group (retention changed), same cluster (untouched).
    assert (after["Vpc"], after["Logs"], after["Cluster"]) == (
        before["Vpc"],
        before["Logs"],
        before["Cluster"],
    )
    [vpc] = ec2.describe_vpcs(VpcIds=[after["Vpc"]])["Vpcs"]
    assert {"Key": "env", "Value": "prod"} in vpc["Tags"]
    [group] = logs.describe_log_groups(logGroupNamePrefix=after["Logs"])["logGroups"]
    assert group["retentionInDays"] == 30
    assert logs.list_tags_log_group(logGroupName=after["Logs"])["tags"] == {"env": "prod"}
    assert boto3.client("ecs").list_clusters()["clusterArns"][0].endswith("/" + after["Cluster"])
    # Replaced: a new subnet with the new CIDR; the old one is gone.
    assert after["Subnet"] != before["Subnet"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [after["Vpc"]]}])["Subnets"]
    assert [(s["SubnetId"], s["CidrBlock"]) for s in subnets] == [(after["Subnet"], "10.0.2.0/24")]


def test_a_resource_removed_from_the_template_is_deleted(aws):
    cf, logs = boto3.client("cloudformation"), boto3.client("logs")
    cf.create_stack(StackName="upd", TemplateBody=TEMPLATE, Parameters=_params(7, "10.0.1.0/24", "dev"))
    log_group = _resources(cf)["Logs"]
    smaller = TEMPLATE.replace(
        "  Logs:\n    Type: AWS::Logs::LogGroup\n"
        "    Properties: {RetentionInDays: !Ref Retention, Tags: [{Key: env, Value: !Ref Env}]}\n",
        "",
    )

    cf.update_stack(StackName="upd", TemplateBody=smaller, Parameters=_params(7, "10.0.1.0/24", "dev"))

    assert "Logs" not in _resources(cf)
    assert logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"] == []


def test_a_replaced_task_definition_revision_is_deregistered_and_stays_describable(aws):
    cf, ecs = boto3.client("cloudformation"), boto3.client("ecs")
    arns = []
    for update, image in ((False, "app:1"), (True, "app:2"), (True, "app:3")):
        (cf.update_stack if update else cf.create_stack)(
            StackName="revisions", TemplateBody=TASK_DEFINITION, Parameters=parameters({"Image": image})
        )
        (stack,) = cf.describe_stacks(StackName="revisions")["Stacks"]
        arns.append(stack["Outputs"][0]["OutputValue"])

    assert [arn.rsplit(":", 1)[1] for arn in arns] == ["1", "2", "3"]
    described = [ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"] for arn in arns]
    assert [(d["status"], d["containerDefinitions"][0]["image"]) for d in described] == [
        ("INACTIVE", "app:1"),
        ("INACTIVE", "app:2"),
        ("ACTIVE", "app:3"),
    ]
    assert ecs.list_task_definitions()["taskDefinitionArns"] == [arns[2]]
    assert ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"] == arns[:2]
