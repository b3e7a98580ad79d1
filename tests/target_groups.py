"""A target group of the emulator whose registered targets it health-checks, in a VPC of its own."""

from __future__ import annotations

import time

import boto3


# The ALB's least interval (5 s) and timeout (2 s): a target is healthy in 5 s, unhealthy in 5 s.
def target_group(matcher="200", interval=5, timeout=2, healthy=2, unhealthy=2, delay="0", path="/healthz"):
    ec2, elb = boto3.client("ec2"), boto3.client("elbv2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    arn = elb.create_target_group(
        Name=f"tg-{time.monotonic_ns() % 10**9}",
        Protocol="HTTP",
        Port=8080,
        VpcId=vpc,
        TargetType="ip",
        HealthCheckPath=path,
        HealthCheckIntervalSeconds=interval,
        HealthCheckTimeoutSeconds=timeout,
        HealthyThresholdCount=healthy,
        UnhealthyThresholdCount=unhealthy,
        Matcher={"HttpCode": matcher},
    )["TargetGroups"][0]["TargetGroupArn"]
    elb.modify_target_group_attributes(
        TargetGroupArn=arn, Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": delay}]
    )
    return elb, arn
