"""The alb-ecs stack as each environment deploys it: the security and reliability it promises.

Scanners miss most of these (docs/decisions.md, "Scanners and the project's own policy tests"), so removing or weakening any one must fail a test here.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml
from cfn_values import Template
from sceptre.cli.helpers import CfnYamlLoader
from sceptre.template_handlers.helper import render_jinja_template
from test_environment_config import merged

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.config_schema import validate
from sceptre_fargate_cognito.config_schema.keys import BY_NAME
from sceptre_fargate_cognito.resolvers.once_created import OnceCreated, parse_argument
from templates import ENVIRONMENTS, PROJECT_ROOT, stack_config, stack_parameters, template

pytestmark = pytest.mark.parametrize("environment", ENVIRONMENTS)

TLS13_POLICIES = re.compile(r"ELBSecurityPolicy-TLS13-1-[23]-")


def alb_ecs(environment: str, **overrides) -> Template:
    return Template(template(environment, "alb-ecs"), stack_parameters(environment, "alb-ecs") | overrides)


def alb_ecs_with(environment: str, **settings) -> Template:
    """The environment's alb-ecs template as Sceptre renders it, with some settings changed
    (checked as config.yaml values are; the stack config passes each one as sceptre_user_data)."""
    checked = validate(merged(environment) | settings, environment=environment)
    user_data = dict(stack_config(environment, "alb-ecs").sceptre_user_data)
    assert set(settings) <= set(user_data), "a setting the stack config does not pass"
    user_data |= {name: checked[name] for name in settings}
    body = render_jinja_template(
        PROJECT_ROOT / "templates" / "alb-ecs.yaml.j2", {"sceptre_user_data": user_data}, {}
    )
    return Template(yaml.load(body, CfnYamlLoader), stack_parameters(environment, "alb-ecs"))


def one(t: Template, type_: str) -> tuple[str, dict]:
    ((logical_id, _),) = t.resources(type_).items()
    return logical_id, t.properties(logical_id)


def listener(t: Template, port: int) -> dict:
    for logical_id in t.resources("AWS::ElasticLoadBalancingV2::Listener"):
        props = t.properties(logical_id)
        if props["Port"] == port:
            return props
    raise AssertionError(f"no listener on port {port}")


def container(task: dict, name: str) -> dict:
    (found,) = [c for c in task["ContainerDefinitions"] if c["Name"] == name]
    return found


def statements(t: Template) -> list[dict]:
    found = []
    for logical_id, resource in t.resources().items():
        props = t.properties(logical_id)
        if resource["Type"] == "AWS::IAM::Role":
            for policy in props.get("Policies", []):
                found += policy["PolicyDocument"]["Statement"]
        if resource["Type"] == "AWS::IAM::Policy":
            found += props["PolicyDocument"]["Statement"]
    return found


def split_select(node, image_uri: str, parameter: str = "ImageUri") -> str:
    """Evaluates the Fn::Select/Fn::Split over Ref <parameter> that the template uses."""
    if node == {"Ref": parameter}:
        return image_uri
    if "Fn::Select" in node:
        index, inner = node["Fn::Select"]
        return split_select(inner, image_uri, parameter)[int(index)]
    delimiter, inner = node["Fn::Split"]
    return split_select(inner, image_uri, parameter).split(delimiter)


def as_list(value):
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------- IAM


def test_tasks_use_their_own_execution_role_not_an_account_wide_one(environment):
    t = alb_ecs(environment)
    _, task = one(t, "AWS::ECS::TaskDefinition")
    assert task["ExecutionRoleArn"] == {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
    assert "ecsTaskExecutionRole" not in json.dumps(t.raw)


def test_the_task_role_is_passed_as_an_arn_not_a_name(environment):
    _, task = one(alb_ecs(environment), "AWS::ECS::TaskDefinition")
    assert task["TaskRoleArn"] == {"Fn::GetAtt": ["TaskRole", "Arn"]}


# Actions for which AWS offers no resource-level permission.
STAR_RESOURCE_ALLOWED = {
    "ecr:GetAuthorizationToken",
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
}


@pytest.mark.parametrize(
    "grants",
    [
        {},
        {
            "AppTableArn": "arn:aws:dynamodb:eu-west-1:111122223333:table/t",
            "BedrockModelIds": "anthropic.claude-3-haiku",
            "EnableExecuteCommand": "true",
        },
    ],
)
def test_no_policy_grants_a_wildcard_action_or_a_star_resource_it_could_scope(environment, grants):
    t = alb_ecs(environment, **grants)
    found = statements(t)
    assert found, "no IAM statement at all"
    for statement in found:
        assert statement["Effect"] == "Allow"
        assert "NotAction" not in statement and "NotResource" not in statement
        for action in as_list(statement["Action"]):
            assert "*" not in action, f"wildcard action {action}"
        if "*" in as_list(statement["Resource"]):
            assert set(as_list(statement["Action"])) <= STAR_RESOURCE_ALLOWED, statement


def test_the_application_gets_only_the_resources_its_parameters_name(environment):
    t = alb_ecs(
        environment,
        AppTableArn="arn:aws:dynamodb:eu-west-1:111122223333:table/app",
        BedrockModelIds="anthropic.claude-3-haiku",
    )
    app = [s for s in statements(t) if s.get("Sid") in ("AppTable", "InvokeModel")]
    assert {s["Sid"] for s in app} == {"AppTable", "InvokeModel"}
    table = next(s for s in app if s["Sid"] == "AppTable")
    assert table["Resource"][0] == "arn:aws:dynamodb:eu-west-1:111122223333:table/app"
    assert all(a.startswith("dynamodb:") for a in table["Action"])
    model = next(s for s in app if s["Sid"] == "InvokeModel")
    assert "${BedrockModelIds}" in model["Resource"]["Fn::Sub"]


def sub(node) -> str:
    """A Fn::Sub with its own variables filled in; pseudo parameters and other Refs stay ${...}."""
    if isinstance(node["Fn::Sub"], str):
        return node["Fn::Sub"]
    text, variables = node["Fn::Sub"]
    for name, value in variables.items():
        text = text.replace(f"${{{name}}}", value)
    return text


PROFILE = "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"
PROFILE_ARN = (
    "arn:${AWS::Partition}:bedrock:${AWS::Region}:${AWS::AccountId}:inference-profile/${BedrockModelIds}"
)


def test_a_foundation_model_is_granted_in_this_region_only(environment):
    t = alb_ecs(environment, BedrockModelIds="anthropic.claude-3-haiku-20240307-v1:0")
    bedrock = [s for s in statements(t) if any(a.startswith("bedrock:") for a in as_list(s["Action"]))]
    (model,) = bedrock
    assert sub(model["Resource"]) == (
        "arn:${AWS::Partition}:bedrock:${AWS::Region}::foundation-model/${BedrockModelIds}"
    )
    assert "Condition" not in model


def test_an_inference_profile_is_granted_with_its_models_only_through_that_profile(environment):
    t = alb_ecs(environment, BedrockModelIds=PROFILE)
    bedrock = {
        s["Sid"]: s for s in statements(t) if any(a.startswith("bedrock:") for a in as_list(s["Action"]))
    }
    assert set(bedrock) == {"InvokeModel", "InvokeModelThroughProfile"}
    assert sub(bedrock["InvokeModel"]["Resource"]) == PROFILE_ARN
    routed = bedrock["InvokeModelThroughProfile"]
    # The model in each region the profile routes to, named exactly, and only through the profile.
    assert sub(routed["Resource"]) == (
        "arn:${AWS::Partition}:bedrock:*::foundation-model/anthropic.claude-3-7-sonnet-20250219-v1:0"
    )
    assert routed["Condition"] == {"StringEquals": {"bedrock:InferenceProfileArn": {"Fn::Sub": PROFILE_ARN}}}
    for statement in bedrock.values():
        assert set(statement["Action"]) == {"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}


@pytest.mark.parametrize("geo", ["us", "eu", "apac", "us-gov", "jp", "au", "ca", "global"])
def test_every_geography_prefix_is_read_as_an_inference_profile(environment, geo):
    t = alb_ecs(environment, BedrockModelIds=f"{geo}.amazon.nova-pro-v1:0")
    assert t.condition("IsBedrockProfile")
    assert re.fullmatch(
        t.raw["Parameters"]["BedrockModelIds"]["AllowedPattern"], f"{geo}.amazon.nova-pro-v1:0"
    )


def test_without_grants_the_task_role_has_no_permissions(environment):
    t = alb_ecs(environment)
    assert not t.resources("AWS::IAM::Policy")
    assert "Policies" not in t.properties("TaskRole")


def test_the_execution_role_pulls_only_the_service_image_and_writes_only_its_log_group(environment):
    t = alb_ecs(environment)
    by_sid = {
        s["Sid"]: s for s in t.properties("ExecutionRole")["Policies"][0]["PolicyDocument"]["Statement"]
    }
    assert set(by_sid) == {"EcrLogin", "PullServiceImage", "WriteServiceLogs"}
    pull = by_sid["PullServiceImage"]["Resource"][0]["Fn::Sub"]
    assert pull[0] == "arn:${AWS::Partition}:ecr:${Region}:${Account}:repository/${Repository}"
    # The Select/Split picks account, region and repository out of a real image URI.
    uri = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app@sha256:" + "a" * 64
    raw = t.raw["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    (raw_pull,) = [statement for statement in raw if statement["Sid"] == "PullServiceImage"]
    assert {
        name: split_select(node, uri) for name, node in raw_pull["Resource"][0]["Fn::Sub"][1].items()
    } == {
        "Account": "111122223333",
        "Region": "eu-west-1",
        "Repository": "team/app",
    }
    assert by_sid["WriteServiceLogs"]["Resource"] == {"Fn::GetAtt": ["LogGroup", "Arn"]}


def test_only_ecs_tasks_of_this_account_may_assume_the_roles(environment):
    t = alb_ecs(environment)
    for role in t.resources("AWS::IAM::Role"):
        (trust,) = t.properties(role)["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
        assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
        assert trust["Condition"]["ArnLike"] == {
            "aws:SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*"}
        }


# ---------------------------------------------------------------- listeners


def test_https_uses_a_tls_1_3_policy_and_only_tls_1_3_policies_are_allowed(environment):
    t = alb_ecs(environment)
    https = listener(t, 443)
    assert https["Protocol"] == "HTTPS"
    assert TLS13_POLICIES.match(https["SslPolicy"])
    assert all(TLS13_POLICIES.match(p) for p in t.raw["Parameters"]["SslPolicy"]["AllowedValues"])


def test_https_signs_users_in_with_cognito_before_forwarding(environment):
    https = listener(alb_ecs(environment), 443)
    auth, forward = sorted(https["DefaultActions"], key=lambda a: a["Order"])
    assert auth["Type"] == "authenticate-cognito"
    config = auth["AuthenticateCognitoConfig"]
    assert config["OnUnauthenticatedRequest"] == "authenticate"
    parameters = stack_parameters(environment, "alb-ecs")
    for key in ("UserPoolArn", "UserPoolClientId", "UserPoolDomain"):
        assert config[key] is parameters[key]  # the cognito stack's output, passed through
        assert type(parameters[key]).__name__ == "StackOutput"
        assert parameters[key].argument == f"{environment}/cognito.yaml::{key}"
    assert "openid" in config["Scope"].split()
    assert forward["Type"] == "forward" and forward["TargetGroupArn"] == {"Ref": "TargetGroup"}
    assert https["Certificates"] == [
        {"CertificateArn": stack_parameters(environment, "alb-ecs")["CertificateArn"]}
    ]


def test_plain_http_only_redirects_permanently_to_https(environment):
    http = listener(alb_ecs(environment), 80)
    (action,) = http["DefaultActions"]
    assert action["Type"] == "redirect"
    assert action["RedirectConfig"]["Protocol"] == "HTTPS"
    assert action["RedirectConfig"]["Port"] == "443"
    assert action["RedirectConfig"]["StatusCode"] == "HTTP_301"


# What a listener rule may do instead of signing users in with Cognito: check a token itself
# (jwt-validation, for machine clients). Anything else that forwards is a way past the sign-in.
CHECKS_WHO_CALLS = {"authenticate-cognito", "jwt-validation"}


def rules_that_skip_sign_in(t: Template) -> dict[str, dict]:
    """Listener rules of the template whose first action neither signs in nor checks a token."""
    skipping = {}
    for logical_id in t.resources("AWS::ElasticLoadBalancingV2::ListenerRule"):
        rule = t.properties(logical_id)
        first = min(rule["Actions"], key=lambda action: action.get("Order", 0))
        if first["Type"] not in CHECKS_WHO_CALLS:
            skipping[logical_id] = rule
    return skipping


def public_paths(t: Template) -> list[str]:
    """The paths anyone may GET or HEAD without signing in; fails on any other rule that skips sign-in."""
    paths = []
    for logical_id, rule in rules_that_skip_sign_in(t).items():
        conditions = {c["Field"]: c for c in rule["Conditions"]}
        method = conditions.get(
            "http-request-method", {"HttpRequestMethodConfig": {"Values": ["any method"]}}
        )
        methods = method["HttpRequestMethodConfig"]["Values"]
        assert sorted(methods) == ["GET", "HEAD"], f"{logical_id} lets {methods} past sign-in"
        assert set(conditions) == {"path-pattern", "http-request-method"}, (
            f"{logical_id}: {sorted(conditions)}"
        )
        assert [a["Type"] for a in rule["Actions"]] == ["forward"], logical_id
        assert rule["Actions"][0]["TargetGroupArn"] == {"Ref": "TargetGroup"}
        paths += conditions["path-pattern"]["PathPatternConfig"]["Values"]
    return sorted(paths)


def test_only_get_and_head_of_the_health_path_and_the_signed_out_page_skip_sign_in(environment):
    t = alb_ecs(environment)
    signed_out = merged(environment)["signed_out_path"]
    assert t.parameters["SignedOutPath"] == signed_out
    assert public_paths(t) == sorted([t.parameters["HealthCheckPath"], signed_out])


def test_a_rule_that_forwards_without_sign_in_fails_the_policy_and_one_that_checks_a_token_passes(
    environment,
):
    t = alb_ecs(environment)
    raw = json.loads(json.dumps(t.raw))
    resources = raw["Resources"]
    api = json.loads(json.dumps(resources["SignedOutRule"]))
    api["Properties"]["Conditions"] = [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/api/*"]}}]
    api["Properties"]["Actions"] = [
        {"Type": "jwt-validation", "Order": 1, "JwtValidationConfig": {"Issuer": "x", "JwksEndpoint": "y"}},
        {"Type": "forward", "Order": 2, "TargetGroupArn": {"Ref": "TargetGroup"}},
    ]
    resources["ApiRule"] = api
    assert public_paths(Template(raw, t.parameters)) == public_paths(t)

    del api["Properties"]["Actions"][0]  # the same rule forwarding without the token check
    with pytest.raises(AssertionError, match="ApiRule lets"):
        public_paths(Template(raw, t.parameters))
    post = json.loads(json.dumps(resources["SignedOutRule"]))
    post["Properties"]["Conditions"][1]["HttpRequestMethodConfig"]["Values"] = ["GET", "HEAD", "POST"]
    resources["ApiRule"] = post
    with pytest.raises(AssertionError, match="POST"):
        public_paths(Template(raw, t.parameters))


# ---------------------------------------------------------------- load balancer


def test_the_load_balancer_drops_invalid_headers_and_mitigates_desync(environment):
    _, alb = one(alb_ecs(environment), "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    assert attributes["routing.http.drop_invalid_header_fields.enabled"] == "true"
    assert attributes["routing.http.desync_mitigation_mode"] in ("defensive", "strictest")
    assert int(attributes["idle_timeout.timeout_seconds"]) > 0
    assert alb["Scheme"] == "internet-facing"


def test_deletion_protection_follows_the_environment_once_the_stack_is_created(environment):
    _, alb = one(alb_ecs(environment), "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    expected = merged(environment)["deletion_protection"]
    # "false" for the first create, so its rollback can delete the ALB (tests/test_load_balancer_protection.py).
    passed = attributes["deletion_protection.enabled"]
    assert isinstance(passed, OnceCreated)
    assert parse_argument(passed._argument) == (str(expected).lower(), "false")
    if environment == "prod":
        assert expected is True


def test_access_logs_are_on_in_the_template_itself_to_the_bucket_passed(environment):
    # Literally "true", not switched on a parameter: scanners and reviewers read it as written.
    assert merged(environment)["access_logs"] is True
    t = alb_ecs(environment, AccessLogBucket="my-logs")
    _, alb = one(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "true"
    assert attributes["access_logs.s3.bucket"] == "my-logs"
    assert attributes["access_logs.s3.prefix"] == stack_parameters(environment, "alb-ecs")["ExportPrefix"]
    # As written in the template, before any condition is evaluated: the plain string.
    written = t.raw["Resources"]["LoadBalancer"]["Properties"]["LoadBalancerAttributes"]
    assert {"Key": "access_logs.s3.enabled", "Value": "true"} in written
    # No empty default that would switch logging off when a value is missing.
    declared = t.raw["Parameters"]["AccessLogBucket"]
    assert "Default" not in declared
    assert declared["AllowedPattern"] == rules.S3_BUCKET.allowed_pattern(optional=False)


def configured(environment: str, tmp_path, extra: str) -> tuple[dict, dict]:
    """(the template's parameter declarations, the parameters its stack config passes) for a copy
    of the project whose environment config ends with `extra`, as Sceptre reads and renders both."""
    from sceptre.context import SceptreContext
    from sceptre.plan.plan import SceptrePlan

    for folder in ("config", "templates"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    config = tmp_path / "config" / environment / "config.yaml"
    config.write_text(config.read_text() + extra)
    context = SceptreContext(project_path=str(tmp_path), command_path=f"{environment}/alb-ecs.yaml")
    (stack,) = SceptrePlan(context).command_stacks
    body = render_jinja_template(
        tmp_path / "templates" / "alb-ecs.yaml.j2", {"sceptre_user_data": stack.sceptre_user_data}, {}
    )
    return yaml.load(body, CfnYamlLoader), dict(stack._parameters)


def test_access_logs_off_leaves_them_off_and_asks_for_no_bucket(environment, tmp_path):
    t = Template(*configured(environment, tmp_path, "access_logs: false\n"))
    _, alb = one(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")
    attributes = {a["Key"]: a["Value"] for a in alb["LoadBalancerAttributes"]}
    assert attributes["access_logs.s3.enabled"] == "false" and "access_logs.s3.bucket" not in attributes
    assert "AccessLogBucket" not in t.raw["Parameters"]


@pytest.mark.parametrize("access_logs", [True, False])
def test_the_stack_config_passes_exactly_the_parameters_the_template_declares(
    environment, access_logs, tmp_path
):
    # CloudFormation refuses a parameter the template does not declare, and one it needs but lacks.
    template_, parameters = configured(environment, tmp_path, f"access_logs: {str(access_logs).lower()}\n")
    declared, passed = set(template_["Parameters"]), set(parameters)
    assert passed <= declared, f"passed but not declared: {sorted(passed - declared)}"
    required = {name for name, p in template_["Parameters"].items() if "Default" not in p}
    assert required <= passed, f"declared without a default but not passed: {sorted(required - passed)}"
    assert ("AccessLogBucket" in passed) is access_logs


def test_a_waf_web_acl_is_associated_only_when_given(environment):
    arn = "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/app/0d1e2f3a-aaaa-bbbb-cccc-111122223333"
    t = alb_ecs(environment, WafWebAclArn=arn)
    ((_, association),) = [(k, t.properties(k)) for k in t.resources("AWS::WAFv2::WebACLAssociation")]
    assert association == {"ResourceArn": {"Ref": "LoadBalancer"}, "WebACLArn": arn}
    assert not alb_ecs(environment, WafWebAclArn="").resources("AWS::WAFv2::WebACLAssociation")


def test_a_dns_alias_is_created_only_with_a_hosted_zone(environment):
    t = alb_ecs(environment, HostedZoneId="Z0123456789ABC")
    (record,) = [t.properties(k) for k in t.resources("AWS::Route53::RecordSet")]
    assert record["Name"] == t.parameters["DomainName"]
    assert record["AliasTarget"]["DNSName"] == {"Fn::GetAtt": ["LoadBalancer", "DNSName"]}
    assert not alb_ecs(environment, HostedZoneId="").resources("AWS::Route53::RecordSet")


def test_targets_are_task_ips_checked_on_the_health_path(environment):
    t = alb_ecs(environment)
    _, group = one(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    assert group["TargetType"] == "ip"
    assert group["HealthCheckPath"] == t.parameters["HealthCheckPath"] == "/healthz"
    assert int(group["HealthCheckTimeoutSeconds"]) < int(group["HealthCheckIntervalSeconds"])


def test_a_rollout_batch_moves_in_30_seconds_or_less_with_the_configured_drain(environment):
    t = alb_ecs(environment)
    _, group = one(t, "AWS::ElasticLoadBalancingV2::TargetGroup")
    drain = {a["Key"]: a["Value"] for a in group["TargetGroupAttributes"]}[
        "deregistration_delay.timeout_seconds"
    ]
    assert int(drain) == merged(environment)["deregistration_delay"]
    batch = int(group["HealthyThresholdCount"]) * int(group["HealthCheckIntervalSeconds"]) + int(drain)
    assert batch <= 30


# ---------------------------------------------------------------- ECS


def test_the_cluster_has_container_insights(environment):
    _, cluster = one(alb_ecs(environment), "AWS::ECS::Cluster")
    assert {"Name": "containerInsights", "Value": "enabled"} in cluster["ClusterSettings"]


def test_the_container_runs_unprivileged_as_a_non_root_user_on_a_read_only_root(environment):
    t = alb_ecs(environment)
    _, task = one(t, "AWS::ECS::TaskDefinition")
    app = container(task, "app")
    user = app["User"]
    assert re.fullmatch(t.raw["Parameters"]["ContainerUser"]["AllowedPattern"], user)
    assert user.split(":")[0] not in ("0", "root")
    assert not re.fullmatch(t.raw["Parameters"]["ContainerUser"]["AllowedPattern"], "0")
    assert app["ReadonlyRootFilesystem"] is True
    assert app["Privileged"] is False
    assert app["LinuxParameters"]["Capabilities"]["Drop"] == ["ALL"]


def test_the_container_has_a_writable_scratch_volume(environment):
    _, task = one(alb_ecs(environment), "AWS::ECS::TaskDefinition")
    app = container(task, "app")
    volumes = {v["Name"] for v in task["Volumes"]}
    writable = [m for m in app["MountPoints"] if m["ReadOnly"] is False]
    assert writable and all(m["SourceVolume"] in volumes for m in writable)


def test_every_writable_mount_of_the_app_belongs_to_its_user_before_the_app_starts(environment):
    t = alb_ecs(environment)
    _, task = one(t, "AWS::ECS::TaskDefinition")
    app = container(task, "app")
    (dependency,) = app["DependsOn"]
    assert dependency["Condition"] == "SUCCESS"
    init = container(task, dependency["ContainerName"])
    script = init["EntryPoint"] + [init["Command"][0]["Fn::Sub"]]
    assert script[:2] == ["sh", "-c"]
    init_mounts = {(m["SourceVolume"], m["ContainerPath"]) for m in init["MountPoints"]}
    writable = [m for m in app["MountPoints"] if m["ReadOnly"] is False]
    assert writable
    for mount in writable:
        # The same volume at the same path, handed to the user the app runs as.
        assert (mount["SourceVolume"], mount["ContainerPath"]) in init_mounts
        assert f"chown ${{ContainerUser}} {mount['ContainerPath']}" in script[2]
        assert f"chmod 1777 {mount['ContainerPath']}" in script[2]
    assert app["User"] == t.parameters["ContainerUser"]


def test_the_init_container_is_root_with_only_the_capabilities_chown_needs_and_cannot_stop_the_task(
    environment,
):
    _, task = one(alb_ecs(environment), "AWS::ECS::TaskDefinition")
    (init,) = [c for c in task["ContainerDefinitions"] if c["Name"] != "app"]
    assert init["Essential"] is False
    assert init["User"] == "0"
    assert init["Privileged"] is False
    assert init["ReadonlyRootFilesystem"] is True
    assert init["LinuxParameters"]["Capabilities"] == {"Drop": ["ALL"], "Add": ["CHOWN", "FOWNER"]}
    assert "PortMappings" not in init
    assert init["LogConfiguration"]["LogDriver"] == "awslogs"
    assert init["LogConfiguration"]["Options"]["awslogs-group"] == {"Ref": "LogGroup"}


def test_the_init_image_is_pinned_by_digest_in_the_environments_ecr_and_by_default_is_the_app_image(
    environment,
):
    t = alb_ecs(environment)
    _, task = one(t, "AWS::ECS::TaskDefinition")
    (init,) = [c for c in task["ContainerDefinitions"] if c["Name"] != "app"]
    assert init["Image"] == t.parameters["InitImageUri"]
    # ECR, not ECR Public or Docker Hub: reachable through the ECR endpoints without NAT.
    assert (
        t.raw["Parameters"]["InitImageUri"]["AllowedPattern"]
        == t.raw["Parameters"]["ImageUri"]["AllowedPattern"]
    )
    passed = stack_parameters(environment, "alb-ecs")
    assert type(passed["InitImageUri"]).__name__ == "EcrImage"
    settings = merged(environment)
    repository, tag = (
        settings["init_image"] or f"{settings['image_repository']}:{settings['image_tag']}"
    ).rsplit(":", 1)
    expected = {"repository": repository, "tag": tag, "architecture": settings["cpu_architecture"]}
    assert passed["InitImageUri"].argument == expected


def test_the_execution_role_pulls_the_init_image_too(environment):
    t = alb_ecs(environment)
    raw = t.raw["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    (pull,) = [statement for statement in raw if statement["Sid"] == "PullServiceImage"]
    uri = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/tools/busybox@sha256:" + "b" * 64
    init = [r for r in pull["Resource"] if "InitImageUri" in json.dumps(r)]
    (resource,) = init
    values = {name: split_select(node, uri, "InitImageUri") for name, node in resource["Fn::Sub"][1].items()}
    assert values == {"Account": "111122223333", "Region": "eu-west-1", "Repository": "tools/busybox"}


def test_the_container_logs_to_its_log_group_kept_for_the_configured_days(environment):
    t = alb_ecs(environment)
    _, task = one(t, "AWS::ECS::TaskDefinition")
    app = container(task, "app")
    assert app["LogConfiguration"]["LogDriver"] == "awslogs"
    assert app["LogConfiguration"]["Options"]["awslogs-group"] == {"Ref": "LogGroup"}
    _, log_group = one(t, "AWS::Logs::LogGroup")
    assert int(log_group["RetentionInDays"]) == merged(environment)["log_retention_days"]


def test_the_image_is_pinned_by_digest(environment):
    t = alb_ecs(environment)
    _, task = one(t, "AWS::ECS::TaskDefinition")
    assert container(task, "app")["Image"] == t.parameters["ImageUri"]
    pattern = t.raw["Parameters"]["ImageUri"]["AllowedPattern"]
    assert re.fullmatch(pattern, "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app@sha256:" + "a" * 64)
    assert not re.fullmatch(pattern, "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:latest")
    assert type(stack_parameters(environment, "alb-ecs")["ImageUri"]).__name__ == "EcrImage"


def test_the_service_runs_in_private_subnets_without_public_ip_or_ecs_exec(environment):
    t = alb_ecs(environment)
    _, service = one(t, "AWS::ECS::Service")
    network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    private = stack_parameters(environment, "alb-ecs")["PrivateSubnetIds"]
    assert network["Subnets"] is private  # the list parameter, fed by the network stack
    assert private.argument == f"{environment}/network.yaml::PrivateSubnetIds"
    assert service["EnableExecuteCommand"] is False


def test_a_failed_deploy_rolls_back_by_itself_and_capacity_never_drops(environment):
    _, service = one(alb_ecs(environment), "AWS::ECS::Service")
    deployment = service["DeploymentConfiguration"]
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}
    assert deployment["MinimumHealthyPercent"] == 100
    assert deployment["MaximumPercent"] == 200
    assert int(service["HealthCheckGracePeriodSeconds"]) > 0


def test_a_new_task_has_the_environment_grace_period_and_by_default_time_to_start_on_a_quarter_vcpu(
    environment,
):
    _, service = one(alb_ecs(environment), "AWS::ECS::Service")
    grace = merged(environment)["health_check_grace_period"]
    assert int(service["HealthCheckGracePeriodSeconds"]) == grace
    # 30 s kills an app that needs longer to start on 0.25 vCPU, over and over.
    assert BY_NAME["health_check_grace_period"].default >= 120


def test_the_service_scales_on_cpu_and_on_requests_per_target_within_the_environment_bounds(environment):
    t = alb_ecs(environment)
    _, target = one(t, "AWS::ApplicationAutoScaling::ScalableTarget")
    settings = merged(environment)
    assert int(target["MinCapacity"]) == settings["min_capacity"]
    assert int(target["MaxCapacity"]) == settings["max_capacity"]
    metrics = {
        t.properties(p)["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
            "PredefinedMetricType"
        ]
        for p in t.resources("AWS::ApplicationAutoScaling::ScalingPolicy")
    }
    assert metrics == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}


def test_tasks_run_on_the_environment_cpu_architecture_under_linux(environment):
    t = alb_ecs(environment)
    _, task = one(t, "AWS::ECS::TaskDefinition")
    assert task["RuntimePlatform"] == {
        "OperatingSystemFamily": "LINUX",
        "CpuArchitecture": merged(environment)["cpu_architecture"],
    }
    assert t.raw["Parameters"]["CpuArchitecture"]["AllowedValues"] == ["X86_64", "ARM64"]
    _, arm = one(alb_ecs(environment, CpuArchitecture="ARM64"), "AWS::ECS::TaskDefinition")
    assert arm["RuntimePlatform"]["CpuArchitecture"] == "ARM64"


def test_service_sizes_follow_the_environment(environment):
    t = alb_ecs(environment)
    settings = merged(environment)
    _, task = one(t, "AWS::ECS::TaskDefinition")
    _, service = one(t, "AWS::ECS::Service")
    assert (int(task["Cpu"]), int(task["Memory"])) == (settings["cpu"], settings["memory"])
    assert int(service["DesiredCount"]) == settings["desired_count"]


# ---------------------------------------------------------------- naming and outputs

NAME_PROPERTIES = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "Name",
    "AWS::ECS::Cluster": "ClusterName",
    "AWS::ECS::Service": "ServiceName",
    "AWS::ECS::TaskDefinition": "Family",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
}


def test_replaceable_resources_have_no_hard_coded_names(environment):
    t = alb_ecs(environment)
    for logical_id, resource in t.raw["Resources"].items():
        name_property = NAME_PROPERTIES.get(resource["Type"])
        assert name_property not in resource.get("Properties", {}), f"{logical_id} has a fixed name"


def test_no_partition_account_region_or_zone_is_hard_coded(environment):
    text = json.dumps(alb_ecs(environment).raw["Resources"])
    assert not re.search(r"arn:aws[:-]", text)
    assert not re.search(r"\b\d{12}\b", text)
    assert not re.search(r"\b(us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+-\d[a-z]?\b", text)


OUTPUTS = {
    "AlbDnsName",
    "AlbHostedZoneId",
    "ServiceUrl",
    "AuthDomain",
    "ClusterName",
    "ServiceName",
    "TargetGroupArn",
    "LogGroupName",
    # The monitoring stack's alarm dimensions.
    "LoadBalancerFullName",
    "TargetGroupFullName",
}


def test_every_output_is_present_and_exported_under_project_and_environment(environment):
    t = alb_ecs(environment)
    assert set(t.raw["Outputs"]) == OUTPUTS
    for name, output in t.raw["Outputs"].items():
        assert output["Export"]["Name"] == {"Fn::Sub": f"${{ExportPrefix}}-{name}"}
        assert output["Description"]
    assert t.parameters["ExportPrefix"] == f"webapp-{environment}"


def test_every_parameter_is_described_and_constrained(environment):
    for name, spec in alb_ecs(environment).raw["Parameters"].items():
        assert spec.get("Description"), name
        if not spec["Type"].startswith(("AWS::", "List<AWS::")):
            assert {"AllowedPattern", "AllowedValues", "MinValue"} & set(spec), f"{name} is unconstrained"


def test_the_health_check_hook_runs_after_every_launch(environment):
    hooks = stack_config(environment, "alb-ecs")._hooks
    # Last, so a launch is judged after every other after_launch step.
    assert [type(h).__name__ for h in hooks["after_launch"]][-1] == "HttpsHealthCheck"


def test_the_application_grants_come_from_the_environment_config(environment):
    passed, settings = stack_parameters(environment, "alb-ecs"), merged(environment)
    assert passed["AppTableArn"] == settings["app_table_arn"]
    assert passed["BedrockModelIds"] == settings["bedrock_model_id"]
