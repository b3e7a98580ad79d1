"""The edge stack as each environment deploys it: where the ALB's access logs go, and the WAF.

Removing or weakening any one of these (a log bucket open to the public or to plain HTTP, logs
that never expire, a prod without its WAF or rate limit) must fail a test here.
"""

from __future__ import annotations

import pytest
from cfn_values import Template
from sceptre.resolvers.stack_output import StackOutput
from test_alb_ecs_template import alb_ecs
from test_environment_config import merged

from sceptre_fargate_cognito import rules
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


# --- the WAF -----------------------------------------------------------------------------------

MANAGED_GROUPS = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}
# The common rule set's rules that sign-in trips: Cognito's code/state query on
# /oauth2/idpresponse, the ALB's sharded session cookie, large form posts.
COUNTED_FOR_SIGN_IN = {
    "SizeRestrictions_QUERYSTRING",
    "SizeRestrictions_Cookie_HEADER",
    "SizeRestrictions_BODY",
}


def with_waf(environment: str) -> Template:
    """The edge stack with its WAF on: as the environment deploys it, or switched on for it."""
    return edge(environment, Waf="true")


def rules_by_name(t: Template) -> dict[str, dict]:
    return {rule["Name"]: rule for rule in t.properties("WebAcl")["Rules"]}


def managed_group(rule: dict) -> str | None:
    return rule["Statement"].get("ManagedRuleGroupStatement", {}).get("Name")


def test_only_an_environment_that_asks_for_a_waf_gets_a_web_acl_and_prod_does(environment):
    assert merged("prod")["waf"] is True
    wants = merged(environment)["waf"]
    t = edge(environment)
    assert list(t.resources("AWS::WAFv2::WebACL")) == (["WebAcl"] if wants else [])
    assert bool(t.resources("AWS::WAFv2::LoggingConfiguration")) is wants
    assert (
        "WebAclArn" in t.raw["Outputs"] and t.condition(t.raw["Outputs"]["WebAclArn"]["Condition"])
    ) is wants


def test_the_alb_is_associated_with_the_created_web_acl_and_with_none_without_a_waf(environment):
    passed = stack_parameters(environment, "alb-ecs")["WafWebAclArn"]
    if merged(environment)["waf"]:
        assert isinstance(passed, StackOutput)
        assert passed.argument == f"{environment}/edge.yaml::WebAclArn"
    else:
        assert passed == merged(environment)["waf_web_acl_arn"] == ""
    alb = alb_ecs(environment)
    associations = [alb.properties(k) for k in alb.resources("AWS::WAFv2::WebACLAssociation")]
    assert [a["WebACLArn"] for a in associations] == ([passed] if merged(environment)["waf"] else [])


def test_the_web_acl_is_regional_allows_by_default_and_applies_the_three_aws_managed_groups(environment):
    t = with_waf(environment)
    acl = t.properties("WebAcl")
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    groups = {managed_group(r): r for r in rules_by_name(t).values() if managed_group(r)}
    assert set(groups) == MANAGED_GROUPS
    for rule in groups.values():
        assert rule["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS"
        # None: the groups' own Block actions apply (Count would only watch).
        assert rule["OverrideAction"] == {"None": {}}


def rate_rule(t: Template) -> dict:
    (rule,) = [r for r in rules_by_name(t).values() if "RateBasedStatement" in r["Statement"]]
    return rule


def test_one_ip_is_blocked_beyond_the_configured_requests_per_five_minutes(environment):
    rule = rate_rule(with_waf(environment))
    statement = rule["Statement"]["RateBasedStatement"]
    assert int(statement["Limit"]) == merged(environment)["waf_rate_limit"]
    assert statement["AggregateKeyType"] == "IP" and statement.get("EvaluationWindowSec", 300) == 300
    assert rule["Action"] == {"Block": {}}
    # Every environment has the default: the limit must still follow the key, not be written in.
    lowered = rate_rule(edge(environment, Waf="true", WafRateLimit="500"))
    assert int(lowered["Statement"]["RateBasedStatement"]["Limit"]) == 500


def test_sign_in_and_large_posts_are_counted_not_blocked_by_the_common_rule_set(environment):
    (common,) = [
        r
        for r in rules_by_name(with_waf(environment)).values()
        if managed_group(r) == "AWSManagedRulesCommonRuleSet"
    ]
    overrides = common["Statement"]["ManagedRuleGroupStatement"]["RuleActionOverrides"]
    assert {o["Name"]: o["ActionToUse"] for o in overrides} == dict.fromkeys(
        COUNTED_FOR_SIGN_IN, {"Count": {}}
    )


def test_the_web_acl_and_every_rule_report_metrics_and_sampled_requests(environment):
    t = with_waf(environment)
    configs = [t.properties("WebAcl")["VisibilityConfig"]] + [
        r["VisibilityConfig"] for r in rules_by_name(t).values()
    ]
    assert len(configs) == 1 + 4
    for config in configs:
        assert config["SampledRequestsEnabled"] is True and config["CloudWatchMetricsEnabled"] is True
    assert len({t.value(c["MetricName"])["Fn::Sub"] for c in configs}) == len(configs)


def test_waf_logs_go_to_an_aws_waf_logs_group_kept_as_long_as_the_environments_logs(environment):
    t = with_waf(environment)
    group = t.properties("WafLogGroup")
    assert group["LogGroupName"] == {"Fn::Sub": "aws-waf-logs-${ExportPrefix}"}
    assert int(group["RetentionInDays"]) == merged(environment)["log_retention_days"]
    logging = t.properties("WafLogging")
    assert logging["ResourceArn"] == {"Fn::GetAtt": ["WebAcl", "Arn"]}
    (destination,) = logging["LogDestinationConfigs"]
    assert destination["Fn::Sub"].endswith(":log-group:${WafLogGroup}")


def test_session_cookies_and_tokens_are_redacted_from_the_waf_logs(environment):
    redacted = with_waf(environment).properties("WafLogging")["RedactedFields"]
    assert {f["SingleHeader"]["Name"] for f in redacted} == {"cookie", "authorization"}
