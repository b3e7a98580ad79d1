"""Fn::GetAtt on network, load balancer and ECS resources gives the real values in Outputs."""

import boto3

TEMPLATE = """
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  SubnetA: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: eu-west-1a}}
  SubnetB: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: eu-west-1b}}
  Sg: {Type: AWS::EC2::SecurityGroup, Properties: {GroupDescription: alb, VpcId: !Ref Vpc}}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [!Ref SubnetA, !Ref SubnetB], SecurityGroups: [!GetAtt Sg.GroupId]}
  Tg: {Type: AWS::ElasticLoadBalancingV2::TargetGroup, Properties: {VpcId: !Ref Vpc, Protocol: HTTP, Port: 8080, TargetType: ip}}
  Listener:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Alb
      Port: 80
      Protocol: HTTP
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref Tg}]
  Cluster: {Type: AWS::ECS::Cluster}
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties: {Family: app, ContainerDefinitions: [{Name: app, Image: nginx, Memory: 512}]}
  Service:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cluster, TaskDefinition: !Ref TaskDef, DesiredCount: 1}
  Logs: {Type: AWS::Logs::LogGroup}
Outputs:
  VpcCidr: {Value: !GetAtt Vpc.CidrBlock}
  DefaultSg: {Value: !GetAtt Vpc.DefaultSecurityGroup}
  SubnetAz: {Value: !GetAtt SubnetA.AvailabilityZone}
  SubnetVpc: {Value: !GetAtt SubnetA.VpcId}
  SgId: {Value: !GetAtt Sg.GroupId}
  AlbArn: {Value: !GetAtt Alb.LoadBalancerArn}
  AlbZone: {Value: !GetAtt Alb.CanonicalHostedZoneID}
  AlbFullName: {Value: !GetAtt Alb.LoadBalancerFullName}
  AlbName: {Value: !GetAtt Alb.LoadBalancerName}
  AlbDns: {Value: !GetAtt Alb.DNSName}
  AlbSgs: {Value: !Join [",", !GetAtt Alb.SecurityGroups]}
  TgArn: {Value: !GetAtt Tg.TargetGroupArn}
  TgFullName: {Value: !GetAtt Tg.TargetGroupFullName}
  TgName: {Value: !GetAtt Tg.TargetGroupName}
  TgLbs: {Value: !Join [",", !GetAtt Tg.LoadBalancerArns]}
  ListenerArn: {Value: !GetAtt Listener.ListenerArn}
  ClusterArn: {Value: !GetAtt Cluster.Arn}
  ServiceName: {Value: !GetAtt Service.Name}
  ServiceArn: {Value: !GetAtt Service.ServiceArn}
  TaskDefArn: {Value: !GetAtt TaskDef.TaskDefinitionArn}
  LogsArn: {Value: !GetAtt Logs.Arn}
"""


def test_outputs_hold_the_real_attribute_values(aws):
    cf, ec2, elb, ecs = (boto3.client(s) for s in ("cloudformation", "ec2", "elbv2", "ecs"))
    cf.create_stack(StackName="attrs", TemplateBody=TEMPLATE)
    out = {
        o["OutputKey"]: o["OutputValue"]
        for o in cf.describe_stacks(StackName="attrs")["Stacks"][0]["Outputs"]
    }
    ids = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cf.list_stack_resources(StackName="attrs")["StackResourceSummaries"]
    }

    [vpc] = ec2.describe_vpcs(VpcIds=[ids["Vpc"]])["Vpcs"]
    assert out["VpcCidr"] == vpc["CidrBlock"] == "10.0.0.0/16"
    [default_sg] = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    assert out["DefaultSg"] == default_sg["GroupId"]
    assert (out["SubnetAz"], out["SubnetVpc"]) == ("eu-west-1a", vpc["VpcId"])
    assert out["SgId"] == ids["Sg"] == out["AlbSgs"]
    [lb] = elb.describe_load_balancers(LoadBalancerArns=[ids["Alb"]])["LoadBalancers"]
    assert out["AlbArn"] == lb["LoadBalancerArn"]
    assert out["AlbDns"] == lb["DNSName"] and out["AlbName"] == lb["LoadBalancerName"]
    assert out["AlbZone"] == "Z32O12XQLNTSW2"  # the ALB zone of eu-west-1, for Route 53 aliases
    assert out["AlbFullName"] == lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    [tg] = elb.describe_target_groups(TargetGroupArns=[ids["Tg"]])["TargetGroups"]
    assert out["TgArn"] == tg["TargetGroupArn"] and out["TgName"] == tg["TargetGroupName"]
    assert out["TgFullName"] == tg["TargetGroupArn"].split(":")[-1]
    assert out["TgLbs"] == lb["LoadBalancerArn"]
    assert out["ListenerArn"] == ids["Listener"]
    assert out["ClusterArn"] == ecs.describe_clusters(clusters=[ids["Cluster"]])["clusters"][0]["clusterArn"]
    [service] = ecs.describe_services(cluster=ids["Cluster"], services=[out["ServiceName"]])["services"]
    assert out["ServiceArn"] == service["serviceArn"]
    assert (
        out["TaskDefArn"]
        == ecs.describe_task_definition(taskDefinition="app")["taskDefinition"]["taskDefinitionArn"]
    )
    assert out["LogsArn"] == f"arn:aws:logs:eu-west-1:123456789012:log-group:{ids['Logs']}:*"
