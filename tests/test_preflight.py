"""!preflight: a launch or a review of an environment fails before any stack changes when a lookup
of the environment fails, and leaves every stack exactly as it was."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from local_project import edited

from sceptre_fargate_cognito.config_schema import load_environment
from sceptre_fargate_cognito.hooks.preflight import Preflight, resolver_arguments
from sceptre_fargate_cognito.resolvers import acm_certificate_arn, ecr_image
from templates import ENVIRONMENTS, PROJECT_ROOT, STACKS, stack_config, stack_parameters

DIFF_REPORT = Path(sys.executable).parent / "diff-report"
PARSERS = {"acm_certificate_arn": acm_certificate_arn.parse_argument, "ecr_image": ecr_image.parse_argument}


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_preflight_looks_up_exactly_what_the_alb_ecs_stack_resolves_later(environment):
    settings = load_environment(PROJECT_ROOT, environment, environment_variables={})
    names = {"AcmCertificateArn": "acm_certificate_arn", "EcrImage": "ecr_image"}
    config = {
        parameter: (names[type(value).__name__], value._argument)
        for parameter, value in stack_parameters(environment, "alb-ecs").items()
        if type(value).__name__ in names
    }
    preflight = resolver_arguments(settings)
    assert set(preflight) == set(config) == {"CertificateArn", "ImageUri", "InitImageUri"}
    for parameter, (name, argument) in preflight.items():
        # Parsed, as the resolvers build their cache key from the parsed argument.
        assert config[parameter][0] == name
        assert PARSERS[name](argument) == PARSERS[name](config[parameter][1]), parameter


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_runs_the_preflight_before_launch_and_before_diff(environment, stack):
    hooks = stack_config(environment, stack)._hooks
    for point in ("before_launch", "before_diff"):
        assert isinstance(hooks[point][0], Preflight), f"{environment}/{stack} {point}"


# --- end to end on `local` -----------------------------------------------------------------------


def stacks_as_they_are(local) -> dict:
    """Status, last change and parameters of every stack of the environment."""
    described = local.client("cloudformation").describe_stacks()["Stacks"]
    return {
        s["StackName"]: (
            s["StackStatus"],
            s.get("LastUpdatedTime", s["CreationTime"]),
            sorted((p["ParameterKey"], p.get("ParameterValue")) for p in s.get("Parameters", [])),
        )
        for s in described
    }


def diff_report(local) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DIFF_REPORT), "local"],
        cwd=local.project,
        env=local.env,
        capture_output=True,
        text=True,
        timeout=600,
    )


BROKEN = [
    pytest.param(
        r"^image_tag:.*$",
        "image_tag: no-such-tag",
        "!ecr_image: repository webapp (registry (this account), region eu-west-1) has no image with tag no-such-tag",
        id="missing image tag",
    ),
    pytest.param(
        r"^domain_name:.*$",
        "domain_name: uncovered.example.com",
        "!acm_certificate_arn: no ISSUED certificate covers uncovered.example.com in region eu-west-1",
        id="uncovered domain",
    ),
    pytest.param(
        r"^image_tag:.*$",
        "image_tag: local\nhosted_zone_id: Z0NOSUCHZONE",
        "hosted_zone_id Z0NOSUCHZONE does not exist or cannot be read",
        id="missing hosted zone",
    ),
    pytest.param(
        r"^image_tag:.*$",
        "image_tag: local\naccess_log_bucket: no-such-log-bucket",
        "access_log_bucket no-such-log-bucket does not exist or cannot be read",
        id="missing log bucket",
    ),
    pytest.param(
        r"^image_tag:.*$",
        "image_tag: local\napp_secrets:\n  DB_PASSWORD: arn:aws:secretsmanager:eu-west-1:123456789012:secret:no-such-AbCdEf",
        "app_secrets arn:aws:secretsmanager:eu-west-1:123456789012:secret:no-such-AbCdEf does not exist or cannot be read",
        id="missing app secret",
    ),
    pytest.param(
        r"^image_tag:.*$",
        "image_tag: local\ninvitation_email_from: Webapp <no-reply@unverified.example.com>",
        "invitation_email_from: SES has no identity no-reply@unverified.example.com in eu-west-1",
        id="missing SES identity",
    ),
]


@pytest.mark.parametrize("pattern, line, message", BROKEN)
def test_a_failing_lookup_fails_launch_diff_and_diff_report_and_changes_no_stack(
    launched_local, pattern, line, message
):
    local = launched_local
    before = stacks_as_they_are(local)
    with edited(local.project / "config" / "local" / "config.yaml", pattern, line):
        launch = local.sceptre("launch", "local", "--yes")
        diff = local.sceptre("diff", "local")
        report = diff_report(local)
    for result in (launch, diff, report):
        output = result.stdout + result.stderr
        assert result.returncode != 0, output
        assert message in output
        assert "!preflight: stopped before any stack changed" in output
    assert report.returncode == 1
    assert stacks_as_they_are(local) == before


def test_after_the_config_is_put_back_the_environment_launches_and_reviews_unchanged(launched_local):
    local = launched_local
    before = stacks_as_they_are(local)
    launch = local.sceptre("launch", "local", "--yes")
    assert launch.returncode == 0, launch.stdout + launch.stderr
    report = diff_report(local)
    assert report.returncode == 0, report.stdout + report.stderr
    # Status, last change and parameters: the relaunch changed nothing.
    assert stacks_as_they_are(local) == before


def test_a_stack_output_of_a_stack_not_launched_yet_still_renders_as_a_placeholder(tmp_path):
    from local_project import start_local

    local = start_local(tmp_path)  # certificate and image in place, no stack launched
    try:
        report = diff_report(local)
    finally:
        local.stop()
    assert report.returncode == 2, report.stdout + report.stderr
    assert (
        "_known after its dependency launches_ (`!stack_output local/network.yaml::VpcId`)" in report.stdout
    )
