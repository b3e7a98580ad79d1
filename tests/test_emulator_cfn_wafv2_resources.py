"""The emulator creates a stack's WAF web ACL, its logging and its association with an ALB,
updates the ACL in place, and deletes all three with the stack."""

import boto3
from cfn_stacks import event_reasons, outputs, put_stack

TEMPLATE = """
Parameters:
  Limit: {Type: Number}
  LogGroupName: {Type: String, Default: aws-waf-logs-test}
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  SubnetA: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24, AvailabilityZone: eu-west-1a}}
  SubnetB: {Type: AWS::EC2::Subnet, Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24, AvailabilityZone: eu-west-1b}}
  Alb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Subnets: [!Ref SubnetA, !Ref SubnetB]}
  WebAcl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Scope: REGIONAL
      DefaultAction: {Allow: {}}
      VisibilityConfig: {SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl}
      Rules:
        - Name: RateLimitPerIp
          Priority: 0
          Action: {Block: {}}
          Statement: {RateBasedStatement: {Limit: !Ref Limit, AggregateKeyType: IP}}
          VisibilityConfig: {SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: rate}
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties: {LogGroupName: !Ref LogGroupName, RetentionInDays: 1}
  Logging:
    Type: AWS::WAFv2::LoggingConfiguration
    Properties:
      ResourceArn: !GetAtt WebAcl.Arn
      LogDestinationConfigs: [!Sub "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}"]
      RedactedFields: [{SingleHeader: {Name: cookie}}]
  Association:
    Type: AWS::WAFv2::WebACLAssociation
    Properties: {ResourceArn: !Ref Alb, WebACLArn: !GetAtt WebAcl.Arn}
Outputs:
  AlbArn: {Value: !Ref Alb}
  WebAclArn: {Value: !GetAtt WebAcl.Arn}
  WebAclRef: {Value: !Ref WebAcl}
"""


def _launch(cf, limit, update=False, **parameters):
    stack = put_stack(cf, "waf", TEMPLATE, {"Limit": limit} | parameters, update=update)
    assert stack["StackStatus"].endswith("_COMPLETE"), stack["StackStatus"]
    return outputs(stack)


def _limit(waf, arn):
    (rule,) = waf.get_web_acl(Name=arn.split("/")[-2], Id=arn.split("/")[-1], Scope="REGIONAL")["WebACL"][
        "Rules"
    ]
    return rule["Statement"]["RateBasedStatement"]["Limit"]


def test_a_stack_web_acl_logs_and_guards_its_alb_and_is_gone_with_the_stack(aws):
    cf, waf = boto3.client("cloudformation"), boto3.client("wafv2")
    out = _launch(cf, 2000)
    acl_arn = out["WebAclArn"]
    name, acl_id = acl_arn.split("/")[-2:]
    assert out["WebAclRef"] == f"{name}|{acl_id}|REGIONAL"
    assert _limit(waf, acl_arn) == 2000
    assert waf.get_web_acl_for_resource(ResourceArn=out["AlbArn"])["WebACL"]["ARN"] == acl_arn
    logging = waf.get_logging_configuration(ResourceArn=acl_arn)["LoggingConfiguration"]
    assert logging["LogDestinationConfigs"][0].endswith(":log-group:aws-waf-logs-test")
    assert logging["RedactedFields"] == [{"SingleHeader": {"Name": "cookie"}}]

    _launch(cf, 500, update=True)
    assert _limit(waf, acl_arn) == 500  # updated in place: same ARN

    cf.delete_stack(StackName="waf")
    assert waf.list_web_acls(Scope="REGIONAL")["WebACLs"] == []
    assert waf.list_logging_configurations(Scope="REGIONAL")["LoggingConfigurations"] == []
    assert "WebACL" not in waf.get_web_acl_for_resource(ResourceArn=out["AlbArn"])


def test_waf_logging_to_a_log_group_without_the_aws_waf_logs_prefix_fails_the_stack(aws):
    cf, waf = boto3.client("cloudformation"), boto3.client("wafv2")
    stack = put_stack(cf, "waf", TEMPLATE, {"Limit": 2000, "LogGroupName": "waf-logs"})
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = event_reasons(cf, "waf")
    assert any("must start with aws-waf-logs-" in r for r in reasons)
    assert waf.list_web_acls(Scope="REGIONAL")["WebACLs"] == []
