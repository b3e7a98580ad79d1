"""The Sceptre hook: reads the stack's status and outputs from the emulator's real CloudFormation
answers, probes a real stand-in ALB, and fails `sceptre launch` when the service is not healthy.
"""

from __future__ import annotations

import json
import logging
import subprocess
import textwrap
from pathlib import Path

import boto3
import pytest
import sceptre_stack
from health_check_support import APP_HOST, AUTH_DOMAIN, free_port
from local_project import run_sceptre
from sceptre.exceptions import SceptreException

from sceptre_fargate_cognito import stack_status
from sceptre_fargate_cognito.hooks.https_health_check import HttpsHealthCheck, HttpsHealthCheckError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STACK_NAME = "t-local-alb-ecs"  # Sceptre's external name for project t, stack local/alb-ecs


def template(outputs: dict[str, str], broken: bool = False) -> str:
    """A tiny stack: one log group and the outputs the hook reads. `broken` adds a subnet that cannot be created."""
    resources = {"Logs": {"Type": "AWS::Logs::LogGroup"}}
    if broken:
        resources["Vpc"] = {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}}
        resources["Subnet"] = {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "192.168.0.0/24"},
        }
    return json.dumps(
        {
            "Resources": resources,
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
    )


def create_stack(outputs: dict[str, str], broken: bool = False) -> str:
    cloudformation = boto3.client("cloudformation")
    try:
        cloudformation.create_stack(StackName=STACK_NAME, TemplateBody=template(outputs, broken))
    except cloudformation.exceptions.ClientError:
        if not broken:
            raise
    return cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"][0]["StackStatus"]


def hook_for(argument) -> HttpsHealthCheck:
    return sceptre_stack.hook_for(HttpsHealthCheck, argument, "local/alb-ecs")


@pytest.fixture
def alb_args(test_ca):
    def args(alb, **more):
        return {
            "connect_to": f"127.0.0.1:{alb.https_port}",
            "http_port": alb.http_port,
            "ca_bundle": str(test_ca.cert_path),
            "healthy_threshold": 1,
            "interval": 0.05,
            **more,
        }

    return args


def test_the_hook_probes_the_alb_and_hosted_ui_named_in_the_stack_outputs(aws, start_alb, alb_args, caplog):
    caplog.set_level(logging.INFO, logger="sceptre")
    alb = start_alb()
    create_stack({"AlbDnsName": APP_HOST, "AuthDomain": AUTH_DOMAIN})

    hook_for(alb_args(alb)).run()

    assert {r.host for r in alb.requests} == {APP_HOST}
    assert [r.path.split("?")[0] for r in alb.requests] == ["/healthz", "/", "/"]
    assert f"HEALTHY https://{APP_HOST} via 127.0.0.1:{alb.https_port}" in caplog.text


def test_explicit_url_and_auth_domain_win_over_the_stack_outputs(aws, start_alb, alb_args):
    alb = start_alb(auth_domain="custom-login.example.test")
    create_stack({"AlbDnsName": "internal-alb-1.eu-west-1.elb.amazonaws.com", "AuthDomain": AUTH_DOMAIN})

    hook_for(alb_args(alb, url=f"https://{APP_HOST}", auth_domain="custom-login.example.test")).run()

    assert {r.host for r in alb.requests} == {APP_HOST}


def test_connect_to_alb_reaches_the_alb_from_the_outputs_while_checking_the_custom_domain(
    aws, start_alb, test_ca
):
    https_port = free_port()
    alb = start_alb(https_port=https_port, public_https_port=https_port)
    create_stack({"AlbDnsName": "127.0.0.1", "AuthDomain": AUTH_DOMAIN})  # an address loopback can reach

    hook_for(
        {
            "url": f"https://{APP_HOST}:{alb.https_port}",
            "connect_to_alb": True,
            "http_port": alb.http_port,
            "ca_bundle": str(test_ca.cert_path),
            "healthy_threshold": 1,
        }
    ).run()

    assert {r.host for r in alb.requests} == {APP_HOST}
    assert len(alb.requests) == 3


def test_an_unhealthy_service_fails_the_hook_with_a_sceptre_error_carrying_the_summary(
    aws, start_alb, alb_args
):
    alb = start_alb(auth_enforced=False)
    create_stack({"AlbDnsName": APP_HOST, "AuthDomain": AUTH_DOMAIN})

    with pytest.raises(HttpsHealthCheckError) as raised:
        hook_for(alb_args(alb)).run()

    assert isinstance(raised.value, SceptreException)  # what makes Sceptre's CLI exit 1
    assert "UNHEALTHY" in str(raised.value) and "authentication not enforced" in str(raised.value)


def test_a_stack_whose_create_failed_is_reported_without_any_probe(aws, start_alb, alb_args):
    # moto 5.2.5 leaves a create that failed part-way in CREATE_IN_PROGRESS (not ROLLBACK_COMPLETE
    # as AWS would; it has no failed states at all): whatever status the emulator reports for a
    # failed create, the hook must report it and not probe, even though the outputs name a live ALB.
    alb = start_alb()
    status = create_stack({"AlbDnsName": APP_HOST, "AuthDomain": AUTH_DOMAIN}, broken=True)
    assert status not in stack_status.COMPLETED

    with pytest.raises(HttpsHealthCheckError) as raised:
        hook_for(alb_args(alb)).run()

    assert f"stack {STACK_NAME}" in str(raised.value) and status in str(raised.value)
    assert "Nothing probed" in str(raised.value)
    assert alb.requests == []


def test_a_stack_still_waiting_on_a_change_set_is_reported_without_any_probe(aws, start_alb, alb_args):
    alb = start_alb()
    boto3.client("cloudformation").create_change_set(
        StackName=STACK_NAME,
        ChangeSetName="pending",
        ChangeSetType="CREATE",
        TemplateBody=template({"AlbDnsName": APP_HOST}),
    )

    with pytest.raises(HttpsHealthCheckError, match="REVIEW_IN_PROGRESS"):
        hook_for(alb_args(alb)).run()

    assert alb.requests == []


def test_a_stack_that_does_not_exist_is_reported_without_any_probe(aws, start_alb, alb_args):
    alb = start_alb()

    with pytest.raises(HttpsHealthCheckError, match=f"stack {STACK_NAME} does not exist"):
        hook_for(alb_args(alb)).run()

    assert alb.requests == []


def test_failure_reasons_are_those_of_the_newest_operation_root_cause_first():
    # The emulator cannot reach a failed state (see above), so this reads events in the shape
    # DescribeStackEvents returns them, newest first, as AWS writes them for a rolled-back update.
    events = [
        {
            "LogicalResourceId": STACK_NAME,
            "ResourceType": "AWS::CloudFormation::Stack",
            "ResourceStatus": "UPDATE_ROLLBACK_COMPLETE",
        },
        {
            "LogicalResourceId": "Service",
            "ResourceType": "AWS::ECS::Service",
            "ResourceStatus": "UPDATE_FAILED",
            "ResourceStatusReason": "Resource update cancelled",
        },
        {
            "LogicalResourceId": STACK_NAME,
            "ResourceType": "AWS::CloudFormation::Stack",
            "ResourceStatus": "UPDATE_ROLLBACK_IN_PROGRESS",
            "ResourceStatusReason": "The following resource(s) failed to update: [Listener].",
        },
        {
            "LogicalResourceId": "Listener",
            "ResourceType": "AWS::ElasticLoadBalancingV2::Listener",
            "ResourceStatus": "UPDATE_FAILED",
            "ResourceStatusReason": "Certificate 'arn:aws:acm:eu-west-1:123456789012:certificate/x' not found",
        },
        {
            "LogicalResourceId": STACK_NAME,
            "ResourceType": "AWS::CloudFormation::Stack",
            "ResourceStatus": "UPDATE_IN_PROGRESS",
            "ResourceStatusReason": "User Initiated",
        },
        {
            "LogicalResourceId": "Old",
            "ResourceType": "AWS::Logs::LogGroup",
            "ResourceStatus": "CREATE_FAILED",
            "ResourceStatusReason": "from an older operation",
        },
    ]

    assert stack_status.failure_reasons(STACK_NAME, events) == [
        "Listener UPDATE_FAILED: Certificate 'arn:aws:acm:eu-west-1:123456789012:certificate/x' not found",
        "Service UPDATE_FAILED: Resource update cancelled",
    ]
    state = stack_status.StackState(
        STACK_NAME,
        True,
        "UPDATE_ROLLBACK_COMPLETE",
        failure_reasons=stack_status.failure_reasons(STACK_NAME, events),
    )
    assert state.describe_problem().startswith(
        f"stack {STACK_NAME} failed or rolled back: UPDATE_ROLLBACK_COMPLETE; last failure reasons: Listener"
    )


def test_a_stack_without_the_alb_output_and_no_url_is_a_clear_error(aws, start_alb, alb_args):
    alb = start_alb()
    create_stack({"Other": "x"})

    with pytest.raises(
        HttpsHealthCheckError, match=r"url is required .*AlbDnsName.*\(stack outputs: Other\)"
    ):
        hook_for(alb_args(alb, auth_domain=AUTH_DOMAIN)).run()
    assert alb.requests == []


def test_the_auth_check_without_an_auth_domain_anywhere_is_a_clear_error(aws, start_alb, alb_args):
    alb = start_alb()
    create_stack({"AlbDnsName": APP_HOST})

    with pytest.raises(HttpsHealthCheckError, match="check_auth needs auth_domain .* or check_auth: false"):
        hook_for(alb_args(alb)).run()


def test_an_alb_output_that_is_not_a_host_name_is_a_clear_error_naming_the_output(aws, start_alb, alb_args):
    alb = start_alb()
    create_stack({"AlbDnsName": "my-alb/oops", "AuthDomain": AUTH_DOMAIN})
    arguments = alb_args(alb)
    del arguments["connect_to"]

    with pytest.raises(HttpsHealthCheckError, match=r"url \(https:// \+ the stack output AlbDnsName\)"):
        hook_for(arguments).run()
    assert alb.requests == []


@pytest.mark.parametrize(
    "argument, message",
    [
        ({"urll": "https://app.example.test"}, "unknown option(s) urll; the options are url, connect_to"),
        ({"url": "http://app.example.test"}, "url must start with https://"),
        ({"url": "https://app.example.test/healthz"}, "url must be a base URL without a path"),
        ({"healthy_threshold": "three"}, "healthy_threshold must be a whole number, not 'three'"),
        ({"healthy_threshold": 0}, "healthy_threshold must be between 1 and 100, not 0"),
        ({"timeout": -1}, "timeout must be more than 0 seconds"),
        ({"check_auth": "no"}, "check_auth must be true or false, not 'no'"),
        ({"interval": True}, "interval must be a number of seconds, not True"),
        ({"health_path": "healthz"}, "health_path must be an absolute path"),
        ({"auth_domain": "https://x.auth.eu-west-1.amazoncognito.com"}, "auth_domain must be a host name"),
        ({"connect_to": "127.0.0.1:99999"}, "connect_to must be host[:port]"),
        ({"ca_bundle": "/nonexistent/ca.pem"}, "ca_bundle '/nonexistent/ca.pem' is not a readable file"),
        ("https://app.example.test", "the arguments must be a mapping"),
        ({"connect_to_alb": "yes"}, "connect_to_alb must be true or false"),
    ],
)
def test_bad_arguments_are_rejected_when_the_config_is_read(argument, message):
    with pytest.raises(HttpsHealthCheckError) as raised:
        hook_for(argument)

    assert "local/alb-ecs - !https_health_check: invalid arguments: " in str(raised.value)
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "contradiction, message",
    [
        ({"deadline": 1, "timeout": 5}, r"deadline \(1 s\) must be at least one request timeout \(5 s\)"),
        ({"connect_to_alb": True}, "give connect_to or connect_to_alb, not both"),
        (
            {"check_health": False, "check_auth": False, "check_http_redirect": False},
            "every check is switched off",
        ),
    ],
)
def test_arguments_that_contradict_each_other_are_rejected_before_any_probe(
    contradiction, message, aws, start_alb, alb_args
):
    alb = start_alb()
    create_stack({"AlbDnsName": APP_HOST, "AuthDomain": AUTH_DOMAIN})

    with pytest.raises(HttpsHealthCheckError, match=message):
        hook_for(alb_args(alb, **contradiction)).run()
    assert alb.requests == []


# --- `sceptre launch` itself, as a user runs it -------------------------------------------------


@pytest.fixture
def sceptre_project(tmp_path, test_ca):
    """A one-stack Sceptre project whose after_launch hook probes a given stand-in."""

    def make(alb) -> Path:
        (tmp_path / "config" / "local").mkdir(parents=True)
        (tmp_path / "templates").mkdir()
        (tmp_path / "config" / "config.yaml").write_text("project_code: hc\nregion: eu-west-1\n")
        (tmp_path / "templates" / "app.json").write_text(
            template({"AlbDnsName": APP_HOST, "AuthDomain": AUTH_DOMAIN})
        )
        (tmp_path / "config" / "local" / "alb-ecs.yaml").write_text(
            textwrap.dedent(f"""\
            template:
              path: app.json
            hooks:
              after_launch:
                - !https_health_check
                  connect_to: 127.0.0.1:{alb.https_port}
                  http_port: {alb.http_port}
                  ca_bundle: {test_ca.cert_path}
                  healthy_threshold: 2
                  interval: 0.1
                  deadline: 20
            """)
        )
        return tmp_path

    return make


def sceptre_launch(project: Path) -> subprocess.CompletedProcess:
    return run_sceptre(project, "--no-colour", "launch", "-y", "local/alb-ecs.yaml", timeout=120)


def test_sceptre_launch_succeeds_when_the_service_is_healthy(aws, start_alb, sceptre_project):
    alb = start_alb()
    result = sceptre_launch(sceptre_project(alb))

    assert result.returncode == 0, result.stdout + result.stderr
    assert f"local/alb-ecs - HEALTHY https://{APP_HOST}" in result.stdout + result.stderr


def test_sceptre_launch_exits_non_zero_when_the_service_is_unhealthy(aws, start_alb, sceptre_project):
    alb = start_alb(health_statuses=[403])
    result = sceptre_launch(sceptre_project(alb))

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "403 on the health path: it must answer without credentials" in output
