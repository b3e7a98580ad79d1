"""The edge stack as each environment deploys it: where the ALB's access logs go, and the WAF.

Removing or weakening any one of these (a log bucket open to the public or to plain HTTP, logs
that never expire, a prod without its WAF or rate limit) must fail a test here.
"""

from __future__ import annotations

import pytest
from sceptre.resolvers.stack_output import StackOutput
from test_environment_config import merged

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.cfn_values import Template
from templates import ENVIRONMENTS, stack_parameters, template

pytestmark = pytest.mark.parametrize("environment", ENVIRONMENTS)

LEGACY_ELB_ACCOUNTS = {"eu-west-1": "156460612806", "us-east-1": "127311923021"}
SERVICE_PRINCIPAL_REGIONS = ("eu-central-2", "ap-southeast-4", "il-central-1", "ca-west-1")


def edge(environment: str, region: str | None = None, **overrides) -> Template:
    region = region or merged(environment)["region"]
    return Template(template(environment, "edge"), stack_parameters(environment, "edge") | overrides, region)


def bucket_policy(t: Template) -> list[dict]:
    return t.properties("AccessLogBucketPolicy")["PolicyDocument"]["Statement"]


def test_access_logs_get_a_bucket_of_their_own_in_every_environment_by_default(environment):
    assert merged(environment)["access_logs"] is True
    t = edge(environment)
    assert list(t.resources("AWS::S3::Bucket")) == ["AccessLogBucketResource"]
    passed = stack_parameters(environment, "alb-ecs")["AccessLogBucket"]
    assert isinstance(passed, StackOutput)
    assert passed.argument == f"{environment}/edge.yaml::AccessLogBucketName"


def test_a_given_bucket_or_access_logs_off_creates_no_bucket(environment):
    assert not edge(environment, AccessLogBucket="my-logs").resources("AWS::S3::Bucket")
    off = edge(environment, AccessLogs="false")
    assert not off.resources("AWS::S3::Bucket") and not off.resources("AWS::S3::BucketPolicy")


def test_the_log_bucket_is_encrypted_private_and_owner_enforced(environment):
    props = edge(environment).properties("AccessLogBucketResource")
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    assert props["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"), True
    )
    assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def test_the_log_bucket_refuses_every_request_without_tls(environment):
    (deny,) = [s for s in bucket_policy(edge(environment)) if s["Effect"] == "Deny"]
    assert deny["Principal"] == "*" and deny["Action"] == "s3:*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert {"Fn::GetAtt": ["AccessLogBucketResource", "Arn"]} in deny["Resource"]
    assert {"Fn::Sub": "${AccessLogBucketResource.Arn}/*"} in deny["Resource"]


def test_logs_expire_after_the_environments_days_and_the_bucket_outlives_the_stack(environment):
    t = edge(environment)
    (rule,) = t.properties("AccessLogBucketResource")["LifecycleConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    assert int(rule["ExpirationInDays"]) == merged(environment)["access_log_expiry_days"]
    for logical_id in ("AccessLogBucketResource", "AccessLogBucketPolicy"):
        assert t.raw["Resources"][logical_id]["DeletionPolicy"] == "RetainExceptOnCreate"
        assert t.raw["Resources"][logical_id]["UpdateReplacePolicy"] == "Retain"


@pytest.mark.parametrize("region, account", LEGACY_ELB_ACCOUNTS.items())
def test_elb_delivers_logs_as_the_regional_elb_account_in_older_regions(environment, region, account):
    (allow,) = [s for s in bucket_policy(edge(environment, region)) if s["Effect"] == "Allow"]
    principal = allow["Principal"]["AWS"]["Fn::Sub"]
    assert principal[0] == "arn:${AWS::Partition}:iam::${ElbAccountId}:root"
    assert edge(environment, region).value(principal[1]["ElbAccountId"]) == account
    assert allow["Action"] == "s3:PutObject"
    # Only under the prefix alb-ecs writes to, for this account.
    assert allow["Resource"] == {
        "Fn::Sub": "${AccessLogBucketResource.Arn}/${ExportPrefix}/AWSLogs/${AWS::AccountId}/*"
    }


@pytest.mark.parametrize("region", SERVICE_PRINCIPAL_REGIONS)
def test_elb_delivers_logs_as_its_service_principal_in_regions_since_august_2022(environment, region):
    (allow,) = [s for s in bucket_policy(edge(environment, region)) if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


def test_every_region_of_the_commercial_china_and_govcloud_partitions_has_a_log_delivery_entry(environment):
    mapping = template(environment, "edge")["Mappings"]["ElbLogDelivery"]
    expected = {
        r
        for p, (_, regions) in rules._partitions().items()
        if p in ("aws", "aws-cn", "aws-us-gov")
        for r in regions
    }
    assert expected <= set(mapping)
