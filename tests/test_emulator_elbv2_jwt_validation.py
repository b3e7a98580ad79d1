"""Listener rules take the ALB's jwt-validation action and refuse what AWS refuses."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from cfn_stacks import put_stack
from front_door_support import two_subnets

ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Pool"
CONFIG = {
    "JwksEndpoint": f"{ISSUER}/.well-known/jwks.json",
    "Issuer": ISSUER,
    "AdditionalClaims": [
        {"Format": "single-string", "Name": "token_use", "Values": ["access"]},
        {"Format": "single-string", "Name": "client_id", "Values": ["client-a", "client-b"]},
        {"Format": "space-separated-values", "Name": "scope", "Values": ["api/read"]},
    ],
}


@pytest.fixture
def balancer(aws):
    ec2, elb, acm = boto3.client("ec2"), boto3.client("elbv2"), boto3.client("acm")
    vpc, subnets = two_subnets(ec2, "eu-west-1")
    arn = elb.create_load_balancer(Name="app", Subnets=subnets)["LoadBalancers"][0]["LoadBalancerArn"]
    group = elb.create_target_group(Name="app", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    certificate = acm.request_certificate(DomainName="app.example.com")["CertificateArn"]
    forward = {"Type": "forward", "TargetGroupArn": group}
    https = elb.create_listener(
        LoadBalancerArn=arn,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": certificate}],
        DefaultActions=[forward],
    )["Listeners"][0]["ListenerArn"]
    http = elb.create_listener(LoadBalancerArn=arn, Protocol="HTTP", Port=80, DefaultActions=[forward])[
        "Listeners"
    ][0]["ListenerArn"]
    return {"elb": elb, "https": https, "http": http, "group": group}


def jwt_rule(config=CONFIG, order=1):
    return {"Type": "jwt-validation", "Order": order, "JwtValidationConfig": config}


def create(balancer, actions, listener="https", priority=10):
    return balancer["elb"].create_rule(
        ListenerArn=balancer[listener],
        Priority=priority,
        Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}],
        Actions=actions,
    )["Rules"][0]


def refusal(balancer, actions, listener="https") -> dict:
    # Sent as given: botocore's own checks would refuse a missing field before the emulator does.
    unchecked = {**balancer, "elb": boto3.client("elbv2", config=Config(parameter_validation=False))}
    with pytest.raises(ClientError) as refused:
        create(unchecked, actions, listener)
    return refused.value.response["Error"]


def forward(balancer, order=2):
    return {"Type": "forward", "Order": order, "TargetGroupArn": balancer["group"]}


def test_a_rule_keeps_its_jwt_validation_config_through_create_modify_and_describe(balancer):
    elb = balancer["elb"]
    rule = create(balancer, [jwt_rule(), forward(balancer)])

    (described,) = elb.describe_rules(RuleArns=[rule["RuleArn"]])["Rules"]
    check = next(a for a in described["Actions"] if a["Type"] == "jwt-validation")
    assert check["JwtValidationConfig"] == CONFIG

    changed = {
        **CONFIG,
        "AdditionalClaims": [{"Format": "string-array", "Name": "groups", "Values": ["ops"]}],
    }
    elb.modify_rule(RuleArn=rule["RuleArn"], Actions=[jwt_rule(changed), forward(balancer)])
    (described,) = elb.describe_rules(RuleArns=[rule["RuleArn"]])["Rules"]
    check = next(a for a in described["Actions"] if a["Type"] == "jwt-validation")
    assert check["JwtValidationConfig"] == changed


def test_an_http_listener_refuses_jwt_validation_in_a_rule_and_as_its_default(balancer):
    error = refusal(balancer, [jwt_rule(), forward(balancer)], listener="http")
    assert error["Code"] == "InvalidLoadBalancerAction"
    assert "HTTPS listeners" in error["Message"]

    with pytest.raises(ClientError) as refused:
        balancer["elb"].modify_listener(
            ListenerArn=balancer["http"], DefaultActions=[jwt_rule(), forward(balancer)]
        )
    assert refused.value.response["Error"]["Code"] == "InvalidLoadBalancerAction"

    balancer["elb"].modify_listener(
        ListenerArn=balancer["https"], DefaultActions=[jwt_rule(), forward(balancer)]
    )
    with pytest.raises(ClientError) as refused:
        balancer["elb"].modify_listener(ListenerArn=balancer["https"], Protocol="HTTP", Port=8443)
    assert refused.value.response["Error"]["Code"] == "InvalidLoadBalancerAction"


def test_a_rule_has_at_most_one_authenticate_or_jwt_validation_action(balancer):
    cognito = {
        "Type": "authenticate-cognito",
        "Order": 1,
        "AuthenticateCognitoConfig": {
            "UserPoolArn": "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_Pool",
            "UserPoolClientId": "client",
            "UserPoolDomain": "app",
        },
    }

    error = refusal(balancer, [cognito, jwt_rule(order=2), forward(balancer, 3)])

    assert error["Code"] == "InvalidLoadBalancerAction"
    assert "at most one" in error["Message"]


@pytest.mark.parametrize(
    ("config", "words"),
    [
        ({"Issuer": ISSUER}, "JwksEndpoint is required"),
        ({"JwksEndpoint": CONFIG["JwksEndpoint"]}, "Issuer is required"),
        ({**CONFIG, "JwksEndpoint": "http://example.com/jwks.json"}, "https:// URL"),
        ({**CONFIG, "Issuer": "x" * 257}, "longer than 256"),
        (
            {
                **CONFIG,
                "AdditionalClaims": [
                    {"Format": "single-string", "Name": f"c{i}", "Values": ["v"]} for i in range(11)
                ],
            },
            "at most 10 AdditionalClaims",
        ),
        (
            {**CONFIG, "AdditionalClaims": [{"Format": "single-string", "Name": "exp", "Values": ["1"]}]},
            "validated by default",
        ),
        ({**CONFIG, "AdditionalClaims": [{"Format": "json", "Name": "a", "Values": ["1"]}]}, "Format 'json'"),
        (
            {
                **CONFIG,
                "AdditionalClaims": [
                    {"Format": "string-array", "Name": "a", "Values": [str(i) for i in range(11)]}
                ],
            },
            "1 to 10 Values",
        ),
        (
            {
                **CONFIG,
                "AdditionalClaims": [
                    {"Format": "space-separated-values", "Name": "scope", "Values": ["a b"]}
                ],
            },
            "contains a space",
        ),
    ],
)
def test_a_jwt_validation_config_is_refused_as_aws_refuses_it(balancer, config, words):
    error = refusal(balancer, [jwt_rule(config), forward(balancer)])

    assert error["Code"] == "ValidationError"
    assert words in error["Message"]


def test_jwt_validation_needs_a_final_action_after_it(balancer):
    error = refusal(balancer, [jwt_rule(order=2), forward(balancer, order=1)])

    assert "followed by a forward" in error["Message"]


def test_a_template_rule_with_jwt_validation_launches_and_keeps_its_config(balancer):
    cf, elb = boto3.client("cloudformation"), balancer["elb"]
    template = f"""
Resources:
  Rule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: {balancer["https"]}
      Priority: 5
      Conditions: [{{Field: path-pattern, PathPatternConfig: {{Values: ["/api/*"]}}}}]
      Actions:
        - Type: jwt-validation
          Order: 1
          JwtValidationConfig:
            JwksEndpoint: {CONFIG["JwksEndpoint"]}
            Issuer: {ISSUER}
            AdditionalClaims:
              - {{Format: single-string, Name: token_use, Values: [access]}}
              - {{Format: single-string, Name: client_id, Values: [client-a, client-b]}}
              - {{Format: space-separated-values, Name: scope, Values: [api/read]}}
        - {{Type: forward, Order: 2, TargetGroupArn: {balancer["group"]}}}
"""
    put_stack(cf, "rule", template, {})

    rules = elb.describe_rules(ListenerArn=balancer["https"])["Rules"]
    (rule,) = [r for r in rules if r["Priority"] == "5"]
    check = next(a for a in rule["Actions"] if a["Type"] == "jwt-validation")
    assert check["JwtValidationConfig"] == CONFIG
