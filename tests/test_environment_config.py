"""Each environment's config.yaml is checked while Sceptre reads it, before any AWS call."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
import yaml

from sceptre_fargate_cognito.config_schema import KEYS, ConfigError, load_environment, validate
from templates import ENVIRONMENTS, PROJECT_ROOT, STACKS, offline_env

SCEPTRE = Path(sys.executable).parent / "sceptre"
CONFIG = PROJECT_ROOT / "config"


def load(path: Path, environment: str) -> dict:
    """A config file as Sceptre reads it: rendered with Jinja first, then parsed."""
    text = jinja2.Template(path.read_text()).render(stack_group_path=environment, environment_variable={})
    return yaml.safe_load(text)


def merged(environment: str) -> dict:
    """The environment's settings: defaults, then its own values, validated."""
    return load_environment(PROJECT_ROOT, environment, environment_variables={})


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_every_environment_config_is_valid(environment):
    assert merged(environment)["domain_name"]


def test_every_key_has_a_default_or_is_set_by_every_environment():
    defaults = load(CONFIG / "config.yaml", "")
    for key in KEYS:
        if key.required:
            assert key.name not in defaults, f"{key.name} is required, so it has no default"
            for environment in ENVIRONMENTS:
                assert key.name in merged(environment), f"{environment} lacks {key.name}"
        else:
            assert key.name in defaults, f"{key.name} is optional but config/config.yaml gives no default"


def test_environment_configs_hold_only_known_keys():
    known = {key.name for key in KEYS}
    for environment in ENVIRONMENTS:
        own = set(load(CONFIG / environment / "config.yaml", environment))
        assert own <= known, f"unknown keys in config/{environment}/config.yaml: {own - known}"


def test_stack_configs_are_identical_in_every_environment():
    for stack in STACKS:
        texts = {(CONFIG / env / f"{stack}.yaml").read_text() for env in ENVIRONMENTS}
        assert len(texts) == 1, f"config/*/{stack}.yaml differ between environments"


def test_no_value_is_repeated_in_every_environment():
    # A value every environment sets alike belongs in config/config.yaml as the default.
    own = [load(CONFIG / env / "config.yaml", env) for env in ENVIRONMENTS]
    shared = {k for k in own[0] if all(k in o and o[k] == own[0][k] for o in own[1:])}
    assert shared <= {"region", "image_repository"}, f"copy-pasted between environments: {shared}"


def test_every_key_is_documented_in_the_readme():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for key in KEYS:
        assert f"`{key.name}`" in readme, f"README does not document {key.name}"


@pytest.mark.parametrize(
    "key, value, expected",
    [
        ("vpc_cidr", "10.0.0.0/33", "vpc_cidr is '10.0.0.0/33': expected an IPv4 network"),
        ("vpc_cidr", "10.0.0.1/16", "vpc_cidr is '10.0.0.1/16': expected an IPv4 network"),
        ("domain_name", "not a domain", "domain_name is 'not a domain': expected a lower-case DNS name"),
        ("image_tag", "has space", "image_tag is 'has space': expected an image tag"),
        ("desired_count", "two", "desired_count is 'two': expected a whole number"),
        ("az_count", 1, "az_count is 1: expected a whole number from 2 to 6"),
        ("vpc_endpoints", "yes", "vpc_endpoints is 'yes': expected true or false"),
        ("log_retention_days", 10, "log_retention_days is 10: expected one of"),
        ("cognito_mfa", "MAYBE", "cognito_mfa is 'MAYBE': expected one of OFF, OPTIONAL, ON"),
    ],
)
def test_a_malformed_value_is_named_with_what_was_expected(key, value, expected):
    values = merged("dev") | {key: value}
    with pytest.raises(ConfigError) as error:
        validate(values, environment="dev")
    assert "environment 'dev': fix config/dev/config.yaml" in str(error.value)
    assert expected in str(error.value)


def test_all_problems_are_reported_at_once():
    values = merged("prod")
    del values["domain_name"], values["image_tag"]
    with pytest.raises(ConfigError) as error:
        validate(values, environment="prod")
    assert "domain_name is missing" in str(error.value)
    assert "image_tag is missing" in str(error.value)


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"desired_count": 9}, "desired_count 9 must lie between min_capacity 3 and max_capacity 5"),
        ({"nat_gateways": 4}, "nat_gateways 4 is more than az_count 3"),
        ({"nat_gateways": 0, "vpc_endpoints": False}, "tasks could not pull images"),
        ({"cpu": 256, "memory": 4096}, "memory 4096 is not valid with cpu 256 on Fargate"),
    ],
)
def test_values_that_contradict_each_other_are_rejected(change, expected):
    values = merged("prod") | change
    if change.get("desired_count") == 9:
        values["max_capacity"] = 5
    with pytest.raises(ConfigError) as error:
        validate(values, environment="prod")
    assert expected in str(error.value)


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the project's config and templates that a test may break."""
    shutil.copytree(CONFIG, tmp_path / "config")
    shutil.copytree(PROJECT_ROOT / "templates", tmp_path / "templates")
    return tmp_path


def run_sceptre(project: Path, *args: str) -> subprocess.CompletedProcess:
    env = offline_env()
    # Any AWS call would go to a closed port and fail with a connection error, not our message.
    env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9"
    return subprocess.run(
        [str(SCEPTRE), *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


def _edit(path: Path, pattern: str, replacement: str) -> None:
    text = path.read_text()
    changed = re.sub(pattern, replacement, text, flags=re.M)
    assert changed != text, f"{pattern!r} not found in {path}"
    path.write_text(changed)


@pytest.mark.parametrize(
    "pattern, replacement, named",
    [
        (r"^domain_name:.*$", "", "domain_name is missing"),
        (r"^vpc_cidr:.*$", "vpc_cidr: 10.30.0.0/8", "vpc_cidr is '10.30.0.0/8'"),
        (r"^image_tag:.*$", "image_tag: ''", "image_tag is ''"),
        (r"^desired_count:.*$", "desired_count: -1", "desired_count is -1"),
    ],
)
def test_launch_with_a_broken_environment_fails_before_any_aws_call_naming_key_and_environment(
    project_copy, pattern, replacement, named
):
    _edit(project_copy / "config" / "prod" / "config.yaml", pattern, replacement)
    result = run_sceptre(project_copy, "launch", "--yes", "prod")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "environment 'prod': fix config/prod/config.yaml" in output
    assert named in output
    assert "Could not connect" not in output and "EndpointConnectionError" not in output


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_network_stack_closes_the_vpc_default_security_group_after_every_launch(environment):
    from templates import stack_config

    hooks = stack_config(environment, "network")._hooks
    assert "CloseDefaultSecurityGroup" in [type(h).__name__ for h in hooks["after_launch"]]


def test_a_config_file_that_is_not_a_mapping_is_named(tmp_path):
    shutil.copytree(CONFIG, tmp_path / "config")
    (tmp_path / "config" / "dev" / "config.yaml").write_text("- region\n- eu-west-1\n")
    with pytest.raises(ConfigError) as error:
        load_environment(tmp_path, "dev", environment_variables={})
    assert "config/dev/config.yaml must hold key: value pairs, not a list" in str(error.value)
