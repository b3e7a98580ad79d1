"""Acceptance of the emulator on the project's real templates (local environment).

The three templates as Sceptre generates them for `local` (tests/templates.py, shared with the
other template tests) are launched through the emulator's CloudFormation API with the local
environment's settings, and must: pass ValidateTemplate, create every resource its template
declares (conditions evaluated; none skipped), and output real values. Deleting the three stacks
must then leave nothing they created. (Sceptre sending the YAML files themselves is covered end to
end by test_local_launch.)
"""

from __future__ import annotations

import json

import boto3
import cfn_stacks
import pytest
from cfn_values import Template

from templates import template

SHA = "sha256:" + "ab" * 32


@pytest.fixture(scope="module")
def generated():
    """The templates as Sceptre generates them for `local` (network through the CDK)."""
    return {
        stack: template("local", stack) for stack in ("network", "cognito", "edge", "alb-ecs", "monitoring")
    }


def _launch(cf, name: str, generated_template: dict, parameters: dict[str, str]) -> dict:
    body = json.dumps(generated_template)
    cf.validate_template(TemplateBody=body)
    stack = cfn_stacks.put_stack(
        cf, name, body, parameters, Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"]
    )
    assert stack["StackStatus"] == "CREATE_COMPLETE", cf.describe_stack_events(StackName=name)["StackEvents"][
        :3
    ]
    template = Template(generated_template, parameters)
    expected = {logical_id: resource["Type"] for logical_id, resource in template.resources().items()}
    created = {
        r["LogicalResourceId"]: r["ResourceType"]
        for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]
    }
    assert created == expected, (
        f"{name}: missing {set(expected) - set(created)}, extra {set(created) - set(expected)}"
    )
    assert all(
        r["PhysicalResourceId"] for r in cf.list_stack_resources(StackName=name)["StackResourceSummaries"]
    )

    outputs = cfn_stacks.outputs(stack)
    expected_outputs = {
        k
        for k, v in generated_template.get("Outputs", {}).items()
        if "Condition" not in v or template.condition(v["Condition"])
    }
    assert set(outputs) == expected_outputs, name
    for key, value in outputs.items():
        assert value and "Fn::" not in value and "{" not in value and "[" not in value, (
            f"{name} {key}={value!r}"
        )
    return outputs


def _leftovers() -> dict[str, list]:
    """Everything in the emulator that a stack of ours could have created."""
    ec2, elb, ecs = boto3.client("ec2"), boto3.client("elbv2"), boto3.client("ecs")
    return {
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]],
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if not s["DefaultForAz"]],
        "route_tables": [
            t["RouteTableId"]
            for t in ec2.describe_route_tables()["RouteTables"]
            if not any(a.get("Main") for a in t["Associations"])
        ],
        "internet_gateways": [
            g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]
        ],
        "nat_gateways": [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"]],
        "addresses": [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]],
        "flow_logs": [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]],
        "security_groups": [
            g["GroupId"]
            for g in ec2.describe_security_groups()["SecurityGroups"]
            if g["GroupName"] != "default"
        ],
        "load_balancers": [lb["LoadBalancerArn"] for lb in elb.describe_load_balancers()["LoadBalancers"]],
        "target_groups": [t["TargetGroupArn"] for t in elb.describe_target_groups()["TargetGroups"]],
        "clusters": ecs.list_clusters()["clusterArns"],
        "task_definitions": ecs.list_task_definitions()["taskDefinitionArns"],
        "log_groups": [g["logGroupName"] for g in boto3.client("logs").describe_log_groups()["logGroups"]],
        "roles": [r["RoleName"] for r in boto3.client("iam").list_roles()["Roles"]],
        "user_pools": [
            p["Id"] for p in boto3.client("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]
        ],
        "buckets": [b["Name"] for b in boto3.client("s3").list_buckets()["Buckets"]],
        "web_acls": [a["ARN"] for a in boto3.client("wafv2").list_web_acls(Scope="REGIONAL")["WebACLs"]],
        "waf_logging": boto3.client("wafv2").list_logging_configurations(Scope="REGIONAL")[
            "LoggingConfigurations"
        ],
        "alarms": [a["AlarmName"] for a in boto3.client("cloudwatch").describe_alarms()["MetricAlarms"]],
        "dashboards": [
            d["DashboardName"] for d in boto3.client("cloudwatch").list_dashboards()["DashboardEntries"]
        ],
        "topics": [t["TopicArn"] for t in boto3.client("sns").list_topics()["Topics"]],
        "scalable_targets": [
            t["ResourceId"]
            for t in boto3.client("application-autoscaling").describe_scalable_targets(
                ServiceNamespace="ecs"
            )["ScalableTargets"]
        ],
    }


def test_every_real_stack_launches_completely_with_real_outputs_and_delete_to_nothing(aws, generated):
    cf = boto3.client("cloudformation")
    before = _leftovers()

    network = _launch(cf, "webapp-local-network", generated["network"], {})
    cognito = _launch(
        cf,
        "webapp-local-cognito",
        generated["cognito"],
        {
            "ExportPrefix": "webapp-local",
            "DomainName": "app.sceptre-local.test",
            "MfaConfiguration": "OFF",
            "DeletionProtection": "INACTIVE",
        },
    )
    edge = _launch(
        cf,
        "webapp-local-edge",
        generated["edge"],
        {
            "ExportPrefix": "webapp-local",
            "AccessLogs": "true",
            "AccessLogBucket": "",
            "AccessLogExpiryDays": "1",
            # Off in local, on in prod: the same template, so local proves the WAF launches too.
            "Waf": "true",
            "WafRateLimit": "2000",
            "LogRetentionDays": "1",
        },
    )
    certificate = boto3.client("acm").request_certificate(DomainName="app.sceptre-local.test")[
        "CertificateArn"
    ]
    alb_ecs = _launch(
        cf,
        "webapp-local-alb-ecs",
        generated["alb-ecs"],
        {
            "ExportPrefix": "webapp-local",
            "VpcId": network["VpcId"],
            "PublicSubnetIds": network["PublicSubnetIds"],
            "PrivateSubnetIds": network["PrivateSubnetIds"],
            "AlbSecurityGroupId": network["AlbSecurityGroupId"],
            "ServiceSecurityGroupId": network["ServiceSecurityGroupId"],
            "UserPoolArn": cognito["UserPoolArn"],
            "UserPoolClientId": cognito["UserPoolClientId"],
            "UserPoolDomain": cognito["UserPoolDomain"],
            "CertificateArn": certificate,
            "ImageUri": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/webapp@{SHA}",
            "InitImageUri": f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/webapp@{SHA}",
            "DomainName": "app.sceptre-local.test",
            "HostedZoneId": "",
            "ContainerPort": "8080",
            "Cpu": "256",
            "Memory": "512",
            "DesiredCount": "1",
            "MinCapacity": "1",
            "MaxCapacity": "2",
            "DeregistrationDelaySeconds": "0",
            "DeletionProtection": "false",
            "AccessLogBucket": edge["AccessLogBucketName"],
            "WafWebAclArn": edge["WebAclArn"],
            "LogRetentionDays": "1",
        },
    )

    monitoring = _launch(
        cf,
        "webapp-local-monitoring",
        generated["monitoring"],
        {
            "ExportPrefix": "webapp-local",
            "LoadBalancerFullName": alb_ecs["LoadBalancerFullName"],
            "TargetGroupFullName": alb_ecs["TargetGroupFullName"],
            "ClusterName": alb_ecs["ClusterName"],
            "ServiceName": alb_ecs["ServiceName"],
        },
    )

    assert network["VpcId"].startswith("vpc-")
    assert all(s.startswith("subnet-") for s in network["PublicSubnetIds"].split(","))
    assert cognito["UserPoolArn"].startswith("arn:aws:cognito-idp:eu-west-1:123456789012:userpool/")
    assert alb_ecs["AlbDnsName"].endswith(".eu-west-1.elb.amazonaws.com")
    assert alb_ecs["TargetGroupArn"].startswith("arn:aws:elasticloadbalancing:eu-west-1:")
    waf = boto3.client("wafv2")
    (alb,) = boto3.client("elbv2").describe_load_balancers()["LoadBalancers"]
    assert (
        waf.get_web_acl_for_resource(ResourceArn=alb["LoadBalancerArn"])["WebACL"]["ARN"] == edge["WebAclArn"]
    )
    assert waf.get_logging_configuration(ResourceArn=edge["WebAclArn"])["LoggingConfiguration"]

    assert monitoring["DashboardUrl"].endswith("#dashboards:name=webapp-local-service")
    names = (
        "webapp-local-monitoring",
        "webapp-local-alb-ecs",
        "webapp-local-edge",
        "webapp-local-cognito",
        "webapp-local-network",
    )
    for name in names:
        cf.delete_stack(StackName=name)
    statuses = {s["StackName"]: s["StackStatus"] for s in cf.list_stacks()["StackSummaries"]}
    assert statuses == {name: "DELETE_COMPLETE" for name in names}
    # What the templates mark `DeletionPolicy: Retain` (or RetainExceptOnCreate) stays, as in AWS;
    # nothing else does. A retained bucket policy stays on its retained bucket.
    retained = [
        r["Type"]
        for t in generated.values()
        for r in t["Resources"].values()
        if r.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")
    ]
    assert sorted(retained) == ["AWS::Cognito::UserPool", "AWS::S3::Bucket", "AWS::S3::BucketPolicy"], (
        "this test only knows how to count retained user pools and the access-log bucket"
    )
    after = _leftovers()
    assert len(after.pop("user_pools")) == len(before.pop("user_pools")) + 1
    assert after.pop("buckets") == before.pop("buckets") + [edge["AccessLogBucketName"]]
    assert after == before
