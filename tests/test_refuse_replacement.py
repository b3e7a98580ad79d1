"""`!refuse_replacement`: an update that would replace a named resource (the user pool) is refused
before anything changes, with what to do instead; an ordinary update still launches.

No environment key of the project feeds a create-only property of the user pool, so the launches
run a small Sceptre project of the test's own on the emulator.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import boto3
import pytest
from local_project import run_sceptre, small_project
from sceptre_stack import hook_for

from sceptre_fargate_cognito.hooks.refuse_replacement import RefuseReplacement, RefuseReplacementError
from templates import stack_config

STACK_NAME = "t-t-pool"  # Sceptre's external name for project t, stack t/pool

TEMPLATE = """\
Parameters:
  SignInWith: {Type: String, AllowedValues: [email, phone_number]}
  PasswordLength: {Type: Number, MinValue: 8}
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
    Properties:
      UsernameAttributes: [!Ref SignInWith]
      Policies:
        PasswordPolicy:
          MinimumLength: !Ref PasswordLength
"""

STACK_CONFIG = """\
template:
  path: pool.yaml
parameters:
  SignInWith: "{{ var.sign_in | default('email') }}"
  PasswordLength: "{{ var.password_length | default('12') }}"
hooks:
  before_update:
    - !refuse_replacement {resources: [UserPool]}
"""

REFUSAL = (
    "t/pool - !refuse_replacement: this change replaces UserPool (AWS::Cognito::UserPool) because "
    "of parameter SignInWith: every user, password and MFA enrolment would be lost (the new pool starts "
    "empty), and the new hosted-UI domain cannot be created while the old pool holds its fixed prefix. "
    "Nothing was changed. Revert the change to parameter SignInWith, or create a new environment or "
    "stack with the new setting and migrate to it."
)


@pytest.fixture
def launched_pool(aws, tmp_path):
    """A project with one user pool stack, launched on a clean emulator."""
    small_project(tmp_path, {"templates/pool.yaml": TEMPLATE, "config/t/pool.yaml": STACK_CONFIG})
    result = launch(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    return tmp_path


def launch(project: Path, *variables: str) -> subprocess.CompletedProcess:
    options = [arg for variable in variables for arg in ("--var", variable)]
    return run_sceptre(project, *options, "launch", "t", "--yes")


def deployed() -> dict:
    cloudformation = boto3.client("cloudformation", region_name="eu-west-1")
    (stack,) = cloudformation.describe_stacks(StackName=STACK_NAME)["Stacks"]
    return {
        "status": stack["StackStatus"],
        "last updated": stack.get("LastUpdatedTime"),
        "parameters": {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]},
    }


def test_a_parameter_that_replaces_the_user_pool_fails_the_launch_and_changes_nothing(launched_pool):
    before = deployed()

    result = launch(launched_pool, "sign_in=phone_number")

    output = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0
    assert REFUSAL in output, output
    assert "Traceback" not in output
    assert deployed() == before


def test_an_update_that_keeps_the_user_pool_still_launches(launched_pool):
    result = launch(launched_pool, "password_length=16")

    assert result.returncode == 0, result.stdout + result.stderr
    after = deployed()
    assert (after["status"], after["parameters"]["PasswordLength"]) == ("UPDATE_COMPLETE", "16")


def hook(argument) -> RefuseReplacement:
    return hook_for(RefuseReplacement, argument, "t/pool")


@pytest.mark.parametrize(
    "argument",
    [None, ["UserPool"], {"resources": []}, {"resources": ["User-Pool"]}, {"protect": ["UserPool"]}],
)
def test_an_argument_other_than_a_list_of_logical_ids_is_refused_when_the_config_is_read(argument):
    with pytest.raises(RefuseReplacementError, match=r"resources"):
        hook(argument)


def test_a_misspelt_logical_id_fails_the_launch_rather_than_guard_nothing(launched_pool):
    config = launched_pool / "config" / "t" / "pool.yaml"
    config.write_text(config.read_text().replace("[UserPool]", "[UserPol]"))

    result = launch(launched_pool, "password_length=16")

    assert result.returncode != 0
    assert "UserPol is not a resource of the deployed or the new template" in result.stdout + result.stderr


@pytest.mark.parametrize("environment", ["local", "dev", "prod"])
def test_every_environment_refuses_a_user_pool_replacement_before_any_other_update_hook(environment):
    first, *_ = stack_config(environment, "cognito").hooks["before_update"]
    assert isinstance(first, RefuseReplacement) and first.resources == ["UserPool"]
