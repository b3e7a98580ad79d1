"""Our hooks on a stack whose creation failed: Sceptre runs after_create and after_launch hooks even
then, so each hook must leave the stack alone and let the real failure reason show.

A real `sceptre launch` of a one-stack project on the emulator, whose template fails to create.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import boto3
import pytest
from local_project import run_sceptre, small_project

STACK_NAME = "t-env-broken"
# The subnet's range lies outside the VPC's: the create fails after the VPC was made, and rolls back.
BROKEN = {
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "192.168.0.0/24"},
        },
    },
    "Outputs": {"VpcId": {"Value": {"Ref": "Vpc"}}},
}
STACK_CONFIG = """\
template:
  path: broken.json
hooks:
  after_create:
    - !termination_protection true
    - !stack_policy {protect: [Vpc], enabled: true}
  after_launch:
    - !close_default_security_group
    - !https_health_check {url: "https://app.example.test", auth_domain: x.auth.eu-west-1.amazoncognito.com}
"""


@pytest.fixture(scope="module")
def failed_launch(module_aws, tmp_path_factory):
    """`sceptre launch env --yes` of the broken stack, once for the module (a launch takes seconds):
    its result, with the environment still pointing at the emulator for the tests' own reads."""
    return _launch(tmp_path_factory.mktemp("failed-launch"))


def _launch(tmp_path: Path) -> subprocess.CompletedProcess:
    small_project(
        tmp_path, {"config/env/broken.yaml": STACK_CONFIG, "templates/broken.json": json.dumps(BROKEN)}
    )
    return run_sceptre(tmp_path, "launch", "env", "--yes")


def test_a_failed_create_fails_the_launch_with_its_real_reason_and_no_hook_error(failed_launch):
    output = failed_launch.stdout + failed_launch.stderr

    assert failed_launch.returncode != 0, output
    # Sceptre prints the error that ended the launch on stdout (its log goes to stderr): it is the
    # health check's verdict, carrying the stack's own failure reason.
    [error] = failed_launch.stdout.strip().strip('"').splitlines()
    assert error.startswith("env/broken - !https_health_check: stack t-env-broken failed or rolled back")
    assert "The CIDR '192.168.0.0/24' is invalid" in error and error.endswith("Nothing probed.")
    assert "can not be updated" not in output and "Traceback" not in output, output


@pytest.mark.parametrize(
    "hook", ["!termination_protection", "!stack_policy", "!close_default_security_group"]
)
def test_each_hook_says_in_one_line_that_it_skipped_the_rolled_back_stack_and_why(hook, failed_launch):
    output = failed_launch.stdout + failed_launch.stderr

    [line] = [line for line in output.splitlines() if f"{hook} skipped" in line]
    assert "ROLLBACK_COMPLETE" in line and "192.168.0.0/24" in line, line


def test_a_failed_create_is_left_deletable_and_without_a_policy(failed_launch):
    cf = boto3.client("cloudformation", region_name="eu-west-1")
    stack = cf.describe_stacks(StackName=STACK_NAME)["Stacks"][0]

    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert stack["EnableTerminationProtection"] is False
    assert cf.get_stack_policy(StackName=STACK_NAME).get("StackPolicyBody") is None
