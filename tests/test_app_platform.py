"""What every platform gives an application (issue 11), on every environment's generated alb-ecs
stack: cheaper capacity, releases that roll back on errors, container health checks,
configuration and secrets.

Removing or weakening any one of them must fail a test here.
"""

from __future__ import annotations

import json

import pytest
from cfn_values import Template
from test_alb_ecs_template import alb_ecs, alb_ecs_with, one
from test_environment_config import merged
from test_monitoring_template import alarms
from test_scanners import cfn_lint

from sceptre_fargate_cognito.config_schema import ConfigError, validate
from sceptre_fargate_cognito.config_schema.app_platform import secret_references
from templates import ENVIRONMENTS

each_environment = pytest.mark.parametrize("environment", ENVIRONMENTS)


def container(t: Template) -> dict:
    _, task = one(t, "AWS::ECS::TaskDefinition")
    (app,) = [c for c in task["ContainerDefinitions"] if c["Name"] == "app"]
    return app


def strategy(items: list[dict]) -> dict[str, dict]:
    return {item["CapacityProvider"]: item for item in items}


def invalid(environment: str, **change) -> str:
    with pytest.raises(ConfigError) as error:
        validate(merged(environment) | change, environment=environment)
    return str(error.value)


# ---------------------------------------------------------------- capacity


@each_environment
def test_the_cluster_offers_fargate_and_fargate_spot(environment):
    _, cluster = one(alb_ecs(environment), "AWS::ECS::Cluster")
    assert sorted(cluster["CapacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]


@each_environment
def test_the_service_places_tasks_by_the_environments_capacity_mix_not_a_launch_type(environment):
    t = alb_ecs(environment)
    _, service = one(t, "AWS::ECS::Service")
    mix = merged(environment)["capacity"]
    assert "LaunchType" not in service
    placed = strategy(service["CapacityProviderStrategy"])
    assert int(placed["FARGATE"]["Base"]) == mix["on_demand_base"]
    assert int(placed["FARGATE"]["Weight"]) == mix["on_demand_weight"]
    assert int(placed.get("FARGATE_SPOT", {}).get("Weight", 0)) == mix["spot_weight"]
    _, cluster = one(t, "AWS::ECS::Cluster")
    assert cluster["DefaultCapacityProviderStrategy"] == service["CapacityProviderStrategy"]


def test_prod_runs_on_demand_only_and_dev_and_local_on_spot():
    for environment in ENVIRONMENTS:
        _, service = one(alb_ecs(environment), "AWS::ECS::Service")
        placed = strategy(service["CapacityProviderStrategy"])
        if environment == "prod":
            assert set(placed) == {"FARGATE"} and int(placed["FARGATE"]["Weight"]) > 0
        else:
            assert int(placed["FARGATE_SPOT"]["Weight"]) > 0


@pytest.mark.parametrize(
    "capacity, expected",
    [
        ({"spot_weight": 0}, "on_demand_weight or spot_weight must be above 0"),
        ({"spot_weight": -1}, "spot_weight must be a whole number from 0 to 1000"),
        ({"on_demand_base": "1"}, "on_demand_base must be a whole number from 0 to 100000"),
        ({"spot": True}, "unknown option spot"),
        ("spot", "expected a mapping"),
    ],
)
def test_a_capacity_mix_ecs_would_refuse_is_refused_at_config_time(capacity, expected):
    assert expected in invalid("dev", capacity=capacity)


# ---------------------------------------------------------------- rollback alarms


def dimensions(metric: dict) -> dict:
    return {d["Name"]: d["Value"] for d in metric["Dimensions"]}


THIS_TARGET_GROUP = {
    "LoadBalancer": {"Fn::GetAtt": ["LoadBalancer", "LoadBalancerFullName"]},
    "TargetGroup": {"Fn::GetAtt": ["TargetGroup", "TargetGroupFullName"]},
}


@each_environment
def test_a_deployment_that_fires_an_alarm_rolls_back_and_the_circuit_breaker_stays(environment):
    t = alb_ecs(environment)
    _, service = one(t, "AWS::ECS::Service")
    deployment = service["DeploymentConfiguration"]
    assert deployment["Alarms"]["Enable"] is True
    assert deployment["Alarms"]["Rollback"] is True
    assert sorted(a["Ref"] for a in deployment["Alarms"]["AlarmNames"]) == sorted(alarms(t))
    assert deployment["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}


@each_environment
def test_the_rollback_alarms_watch_this_services_5xx_rate_and_unhealthy_tasks(environment):
    t = alb_ecs(environment)
    found = alarms(t)
    assert set(found) == {"TargetErrorRateAlarm", "UnhealthyTargetsAlarm"}

    unhealthy = found["UnhealthyTargetsAlarm"]
    assert (unhealthy["Namespace"], unhealthy["MetricName"]) == ("AWS/ApplicationELB", "UnHealthyHostCount")
    assert dimensions(unhealthy) == THIS_TARGET_GROUP
    assert unhealthy["ComparisonOperator"] == "GreaterThanThreshold" and unhealthy["Threshold"] == 0

    rate = found["TargetErrorRateAlarm"]
    queries = {q["Id"]: q for q in rate["Metrics"]}
    stats = {i: q["MetricStat"] for i, q in queries.items() if "MetricStat" in q}
    assert {i: s["Metric"]["MetricName"] for i, s in stats.items()} == {
        "errors": "HTTPCode_Target_5XX_Count",
        "requests": "RequestCount",
    }
    assert all(dimensions(s["Metric"]) == THIS_TARGET_GROUP and s["Stat"] == "Sum" for s in stats.values())
    (returned,) = [q for q in rate["Metrics"] if q["ReturnData"]]
    expression = returned["Expression"]["Fn::Sub"]
    assert "100 * FILL(errors, 0) / requests" in expression
    assert rate["ComparisonOperator"] == "GreaterThanThreshold"
    assert 0 < int(rate["Threshold"]) <= 10, "a rollout serving over 10% errors must roll back"


@each_environment
def test_no_traffic_never_rolls_a_deployment_back(environment):
    for alarm in alarms(alb_ecs(environment)).values():
        assert alarm["TreatMissingData"] == "notBreaching"


# ---------------------------------------------------------------- container health check


@each_environment
def test_without_a_checker_in_the_image_the_container_has_no_health_check(environment):
    assert merged(environment)["container_health_check"] == {}
    assert "HealthCheck" not in container(alb_ecs(environment))


@each_environment
def test_the_images_checker_runs_with_the_configured_timings(environment):
    t = alb_ecs_with(
        environment,
        container_health_check={
            "command": ["CMD", "/app/healthcheck", "--quick"],
            "interval": 10,
            "retries": 2,
        },
    )
    assert container(t)["HealthCheck"] == {
        "Command": ["CMD", "/app/healthcheck", "--quick"],
        "Interval": 10,
        "Timeout": 5,
        "Retries": 2,
        "StartPeriod": 0,
    }


def test_a_health_check_command_given_as_text_runs_in_the_shell():
    t = alb_ecs_with("dev", container_health_check={"command": "curl -fs localhost:8080/healthz"})
    assert container(t)["HealthCheck"]["Command"] == ["CMD-SHELL", "curl -fs localhost:8080/healthz"]


@pytest.mark.parametrize(
    "check, expected",
    [
        ({"interval": 10}, "command must be"),
        ({"command": ["/app/healthcheck"]}, "command must be"),
        ({"command": "true", "interval": 4}, "interval must be a whole number of seconds from 5 to 300"),
        ({"command": "true", "timeout": 61}, "timeout must be a whole number of seconds from 2 to 60"),
        ({"command": "true", "retries": 11}, "retries must be a whole number of tries from 1 to 10"),
        (
            {"command": "true", "start_period": 301},
            "start_period must be a whole number of seconds from 0 to 300",
        ),
        ({"command": "true", "period": 5}, "unknown option period"),
    ],
)
def test_a_health_check_outside_ecs_limits_is_refused_at_config_time(check, expected):
    assert expected in invalid("dev", container_health_check=check)


# ---------------------------------------------------------------- configuration


def environment_of(t: Template) -> dict:
    return {item["Name"]: item["Value"] for item in container(t)["Environment"]}


@each_environment
def test_the_container_gets_its_configuration_beside_the_port_the_platform_sets(environment):
    t = alb_ecs_with(environment, app_environment={"LOG_LEVEL": "info", "WORKERS": 4, "BETA": True})
    # Besides the sign-in contract's AUTH_* (test_sign_in_contract.py): nothing else.
    assert {k: v for k, v in environment_of(t).items() if not k.startswith("AUTH_")} == {
        "PORT": t.parameters["ContainerPort"],
        "BETA": "true",
        "LOG_LEVEL": "info",
        "WORKERS": "4",
    }


def test_a_value_reaches_the_container_exactly_as_written():
    awkward = "a: b # not a comment, \"quoted\" 'single' <tag> & ${NOT_A_SUB} {{ not jinja }}"
    assert environment_of(alb_ecs_with("dev", app_environment={"AWKWARD": awkward}))["AWKWARD"] == awkward


@pytest.mark.parametrize(
    "name, expected",
    [
        ("PORT", "PORT is set by the platform (from container_port) and cannot be overridden"),
        ("AWS_REGION", "AWS_REGION: names starting with AWS_ or ECS_ are set by ECS"),
        ("AUTH_SIGNER_ARN", "AUTH_SIGNER_ARN: names starting with AUTH_ are the platform's sign-in contract"),
        ("ECS_CONTAINER_METADATA_URI_V4", "names starting with AWS_ or ECS_ are set by ECS"),
        ("1ST", "'1ST' is not an environment variable name"),
    ],
)
def test_names_the_platform_sets_are_refused_at_config_time(name, expected):
    assert expected in invalid("dev", app_environment={name: "x"})


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db-AbCdEf",
        "arn:aws:ssm:eu-west-1:111122223333:parameter/app/token",
    ],
)
def test_a_secrets_arn_given_as_configuration_is_refused_with_where_it_belongs(value):
    assert "DB looks like a secret's ARN: put it in app_secrets" in invalid(
        "dev", app_environment={"DB": value}
    )


# ---------------------------------------------------------------- secrets

SECRET = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:app/db-AbCdEf"
PARAMETER_ARN = "arn:aws:ssm:eu-west-1:111122223333:parameter/shared/api-url"
KMS_KEY = "arn:aws:kms:eu-west-1:111122223333:key/0d1e2f3a-aaaa-bbbb-cccc-111122223333"
SECRETS = {
    "DB_PASSWORD": f"{SECRET}:password::",
    "DB_USER": f"{SECRET}:username::",
    "API_TOKEN": "/webapp/api-token",
    "API_URL": PARAMETER_ARN,
}


def execution_statements(t: Template) -> dict[str, dict]:
    policies = t.properties("ExecutionRole")["Policies"]
    return {s["Sid"]: s for p in policies for s in p["PolicyDocument"]["Statement"]}


@each_environment
def test_secrets_reach_the_container_by_reference_never_as_plain_values(environment):
    t = alb_ecs_with(environment, app_secrets=SECRETS)
    app = container(t)
    assert {s["Name"]: s["ValueFrom"] for s in app["Secrets"]} == SECRETS
    assert not set(SECRETS) & set(environment_of(t))


@each_environment
def test_the_execution_role_reads_exactly_the_named_secrets_and_parameters(environment):
    t = alb_ecs_with(environment, app_secrets=SECRETS)
    statements = execution_statements(t)
    assert statements["ReadAppSecrets"]["Action"] == "secretsmanager:GetSecretValue"
    assert statements["ReadAppSecrets"]["Resource"] == [SECRET]
    assert statements["ReadAppParameters"]["Action"] == "ssm:GetParameters"
    assert statements["ReadAppParameters"]["Resource"] == [
        PARAMETER_ARN,
        {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/webapp/api-token"},
    ]
    assert set(statements) == {
        "EcrLogin",
        "PullServiceImage",
        "WriteServiceLogs",
        "ReadAppSecrets",
        "ReadAppParameters",
    }
    # The application itself (its task role) cannot read them.
    assert "secret" not in json.dumps(t.properties("TaskRole")).lower()


@each_environment
def test_without_secrets_the_execution_role_reads_none(environment):
    t = alb_ecs(environment)
    assert merged(environment)["app_secrets"] == {}
    assert "Secrets" not in container(t)
    assert set(execution_statements(t)) == {"EcrLogin", "PullServiceImage", "WriteServiceLogs"}


def test_a_customer_managed_key_decrypts_only_through_secrets_manager_and_ssm_in_its_region():
    t = alb_ecs_with("prod", app_secrets=SECRETS, app_secrets_kms_key_arn=KMS_KEY)
    decrypt = execution_statements(t)["DecryptAppSecrets"]
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", KMS_KEY)
    assert decrypt["Condition"] == {
        "StringEquals": {
            "kms:ViaService": [
                {"Fn::Sub": "secretsmanager.eu-west-1.${AWS::URLSuffix}"},
                {"Fn::Sub": "ssm.eu-west-1.${AWS::URLSuffix}"},
            ]
        }
    }
    assert "kms:" not in json.dumps(alb_ecs_with("prod", app_secrets=SECRETS).raw)


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"app_secrets": {"DB": "hunter2"}}, "DB is not a Secrets Manager secret ARN"),
        ({"app_secrets": {"DB": "/no spaces"}}, "nor an SSM parameter name (a path from /"),
        ({"app_secrets": {"DB": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db"}}, "DB is not a"),
        ({"app_secrets": {"PORT": "/webapp/port"}}, "PORT is set by the platform"),
        (
            {"app_secrets": {"DB": "/webapp/db"}, "app_environment": {"DB": "local"}},
            "DB in both app_environment and app_secrets",
        ),
        ({"app_secrets_kms_key_arn": KMS_KEY}, "app_secrets_kms_key_arn is set but app_secrets is empty"),
        ({"app_secrets": SECRETS, "app_secrets_kms_key_arn": "alias/app"}, "expected a KMS key ARN"),
    ],
)
def test_a_secret_that_is_not_a_reference_is_refused_at_config_time(change, expected):
    assert expected in invalid("dev", **change)


def test_the_secret_references_to_check_before_launch_are_listed_once_each():
    settings = validate(merged("dev") | {"app_secrets": SECRETS}, environment="dev")
    found = secret_references(settings)
    # As the preflight asks for them: a parameter by the name or ARN given, a secret by its ARN.
    assert [(r.service, r.identifier) for r in found] == [
        ("ssm", "/webapp/api-token"),
        ("ssm", PARAMETER_ARN),
        ("secretsmanager", SECRET),
    ]


# ---------------------------------------------------------------- all together


def test_a_template_with_every_option_set_is_cfn_lint_clean(tmp_path):
    t = alb_ecs_with(
        "prod",
        app_environment={"LOG_LEVEL": "info"},
        app_secrets=SECRETS,
        app_secrets_kms_key_arn=KMS_KEY,
        container_health_check={"command": ["CMD", "/app/healthcheck"]},
    )
    path = tmp_path / "alb-ecs.json"
    path.write_text(json.dumps(t.raw))
    result = cfn_lint([path], "alb-ecs")
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
