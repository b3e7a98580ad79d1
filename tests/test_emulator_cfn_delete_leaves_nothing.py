"""Deleting a stack removes every resource it made, so the VPC (and the stack) can go."""

import boto3

TEMPLATE = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Subnet: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}}
  Igw: {Type: AWS::EC2::InternetGateway}
  Attach: {Type: AWS::EC2::VPCGatewayAttachment, Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}}
  Rt: {Type: AWS::EC2::RouteTable, Properties: {VpcId: !Ref Vpc}}
  Route: {Type: AWS::EC2::Route, DependsOn: Attach, Properties: {RouteTableId: !Ref Rt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}}
  Assoc: {Type: AWS::EC2::SubnetRouteTableAssociation, Properties: {RouteTableId: !Ref Rt, SubnetId: !Ref Subnet}}
  Eip: {Type: AWS::EC2::EIP, Properties: {Domain: vpc}}
  Nat: {Type: AWS::EC2::NatGateway, Properties: {AllocationId: !GetAtt Eip.AllocationId, SubnetId: !Ref Subnet}}
  Tg: {Type: AWS::ElasticLoadBalancingV2::TargetGroup, Properties: {VpcId: !Ref Vpc, Protocol: HTTP, Port: 80, TargetType: ip}}
  Cluster: {Type: AWS::ECS::Cluster}
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties: {Family: app, ContainerDefinitions: [{Name: app, Image: nginx, Memory: 512}]}
  Service: {Type: AWS::ECS::Service, Properties: {Cluster: !Ref Cluster, TaskDefinition: !Ref TaskDef, DesiredCount: 1}}
"""


def _inventory():
    ec2, elb, ecs = boto3.client("ec2"), boto3.client("elbv2"), boto3.client("ecs")
    return {
        "vpcs": [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]],
        "route_tables": [
            t["RouteTableId"]
            for t in ec2.describe_route_tables()["RouteTables"]
            if not any(a.get("Main") for a in t["Associations"])
        ],
        "igws": [g["InternetGatewayId"] for g in ec2.describe_internet_gateways()["InternetGateways"]],
        "addresses": [a["PublicIp"] for a in ec2.describe_addresses()["Addresses"]],
        "nats": [n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"]],
        "target_groups": [t["TargetGroupArn"] for t in elb.describe_target_groups()["TargetGroups"]],
        "clusters": ecs.list_clusters()["clusterArns"],
        "task_definitions": ecs.list_task_definitions()["taskDefinitionArns"],
    }


def test_delete_stack_completes_and_leaves_no_resource_behind(aws):
    cf = boto3.client("cloudformation")
    empty = _inventory()
    cf.create_stack(StackName="net", TemplateBody=TEMPLATE)
    assert all(_inventory()[kind] for kind in empty), _inventory()  # the stack made one of each

    cf.delete_stack(StackName="net")

    [summary] = cf.list_stacks()["StackSummaries"]
    assert summary["StackStatus"] == "DELETE_COMPLETE"
    assert _inventory() == empty
