"""Each environment's config.yaml is checked while Sceptre reads it, before any AWS call."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import jinja2
import local_project
import pytest
import yaml

from sceptre_fargate_cognito.config_schema import KEYS, ConfigError, load_environment, validate
from templates import ENVIRONMENTS, PROJECT_ROOT, STACKS, offline_env

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


def test_the_project_config_holds_no_environment_key_so_every_default_is_in_the_schema():
    project_wide = load(CONFIG / "config.yaml", "")
    assert not set(project_wide) & {key.name for key in KEYS}


def test_every_key_without_a_default_is_set_by_every_environment():
    for environment in ENVIRONMENTS:
        own = load(CONFIG / environment / "config.yaml", environment)
        missing = [key.name for key in KEYS if key.required and key.name not in own]
        assert not missing, f"config/{environment}/config.yaml lacks {missing}"


def test_a_key_an_environment_leaves_out_takes_the_schema_default():
    assert "container_port" not in load(CONFIG / "dev" / "config.yaml", "dev")
    assert merged("dev")["container_port"] == 8080


def test_each_stack_config_is_written_once_and_every_environment_includes_it():
    shared = {p.name.removesuffix(".yaml.j2") for p in (CONFIG / "stacks").glob("*.yaml.j2")}
    assert shared == set(STACKS)
    for env in ENVIRONMENTS:
        for stack in STACKS:
            include = f'{{% include "stacks/{stack}.yaml.j2" %}}\n'
            assert (CONFIG / env / f"{stack}.yaml").read_text() == include, f"config/{env}/{stack}.yaml"


def test_no_stack_config_names_a_logical_id_the_cdk_generated():
    # The CDK appends an 8-hex-digit hash to the ids it makes (Vpc8378EB38): they change with the code.
    for path in (CONFIG / "stacks").glob("*.j2"):
        assert not re.search(r"\b[A-Z][A-Za-z0-9]*[0-9A-F]{8}\b", path.read_text()), path


def test_no_value_is_repeated_in_every_environment():
    # A value every environment sets alike belongs in config/config.yaml as the default.
    own = [load(CONFIG / env / "config.yaml", env) for env in ENVIRONMENTS]
    shared = {k for k in own[0] if all(k in o and o[k] == own[0][k] for o in own[1:])}
    assert shared <= {"region", "image_repository"}, f"copy-pasted between environments: {shared}"


def test_every_key_is_documented_on_the_configuration_page():
    page = (PROJECT_ROOT / "docs" / "configuration.md").read_text()
    for key in KEYS:
        assert f"`{key.name}`" in page, f"docs/configuration.md does not document {key.name}"


@pytest.mark.parametrize(
    "key, value, expected",
    [
        (
            "vpc_cidr",
            "10.0.0.0/33",
            "vpc_cidr is '10.0.0.0/33' (config/dev/config.yaml): expected an IPv4 network",
        ),
        (
            "vpc_cidr",
            "10.0.0.1/16",
            "vpc_cidr is '10.0.0.1/16' (config/dev/config.yaml): expected an IPv4 network",
        ),
        (
            "domain_name",
            "not a domain",
            "domain_name is 'not a domain' (config/dev/config.yaml): expected a lower-case DNS name",
        ),
        (
            "image_tag",
            "has space",
            "image_tag is 'has space' (config/dev/config.yaml): expected an image tag",
        ),
        ("desired_count", "two", "desired_count is 'two' (config/dev/config.yaml): expected a whole number"),
        ("az_count", 1, "az_count is 1 (config/dev/config.yaml): expected a whole number from 2 to 6"),
        ("vpc_endpoints", "yes", "vpc_endpoints is 'yes' (config/dev/config.yaml): expected true or false"),
        ("log_retention_days", 10, "log_retention_days is 10 (config/dev/config.yaml): expected one of"),
        (
            "waf_rate_limit",
            9,
            "waf_rate_limit is 9 (config/dev/config.yaml): expected a whole number from 10 to",
        ),
        (
            "cognito_mfa",
            "MAYBE",
            "cognito_mfa is 'MAYBE' (config/dev/config.yaml): expected one of OFF, OPTIONAL, ON",
        ),
    ],
)
def test_a_malformed_value_is_named_with_what_was_expected(key, value, expected):
    values = merged("dev") | {key: value}
    with pytest.raises(ConfigError) as error:
        validate(values, environment="dev")
    assert "environment 'dev': fix config/dev/config.yaml" in str(error.value)
    assert expected in str(error.value)


@pytest.mark.parametrize(
    "sender, identity",
    [
        ("no-reply@example.com", ""),
        ("Example App <no-reply@example.com>", ""),
        ("Example App <no-reply@example.com>", "example.com"),
        ("no-reply@mail.example.com", "example.com"),
        ("No-Reply@Example.com", "arn:aws:ses:us-east-1:111122223333:identity/no-reply@example.com"),
    ],
)
def test_an_invitation_sender_is_accepted_with_an_identity_that_covers_it(sender, identity):
    values = merged("prod") | {"invitation_email_from": sender, "invitation_email_identity": identity}
    settings = validate(values, environment="prod")
    assert (settings["invitation_email_from"], settings["invitation_email_identity"]) == (sender, identity)


@pytest.mark.parametrize(
    "key, value",
    [
        ("invitation_email_from", "Example App no-reply@example.com"),
        ("invitation_email_from", 'Say "hi" <no-reply@example.com>'),
        ("invitation_email_identity", "arn:aws:ses:us-east-1:111122223333:example.com"),
    ],
)
def test_a_malformed_invitation_sender_or_identity_is_named(key, value):
    values = merged("prod") | {"invitation_email_from": "no-reply@example.com", key: value}
    with pytest.raises(ConfigError) as error:
        validate(values, environment="prod")
    assert f"{key} is {value!r}" in str(error.value)
    assert "expected an" in str(error.value)


def test_local_app_command_must_be_a_list_of_strings():
    for value, expected in [
        ("python app.py", "local_app_command is 'python app.py' (config/local/config.yaml): expected a list"),
        (
            [],
            "local_app_command is [] (config/local/config.yaml): expected a list of strings, the program first",
        ),
        (["python", 3], "expected a list of strings, the program first"),
    ]:
        with pytest.raises(ConfigError) as error:
            validate(merged("local") | {"local_app_command": value}, environment="local")
        assert expected in str(error.value)
    assert validate(merged("local") | {"local_app_command": ["node", "app.js"]}, environment="local")[
        "local_app_command"
    ] == ["node", "app.js"]


def test_local_app_command_is_refused_outside_local_naming_where_it_belongs():
    with pytest.raises(ConfigError) as error:
        validate(merged("prod") | {"local_app_command": ["node", "app.js"]}, environment="prod")
    assert (
        "local_app_command (config/prod/config.yaml) applies to the local environment only (on AWS, ECS runs the"
        " image image_repository:image_tag): set it in config/local/config.yaml"
    ) in str(error.value)


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
        (
            {"waf": True, "waf_web_acl_arn": "arn:aws:wafv2:eu-west-1:111122223333:regional/webacl/app/0a1b"},
            "waf is true and waf_web_acl_arn is set: the ALB takes one web ACL",
        ),
        (
            {"invitation_email_identity": "example.com"},
            "invitation_email_identity is set but invitation_email_from is not",
        ),
        (
            {
                "invitation_email_from": "App <no-reply@example.com>",
                "invitation_email_identity": "example.org",
            },
            "invitation_email_identity example.org cannot send as no-reply@example.com (invitation_email_from)",
        ),
        (
            {"invitation_email_from": "no-reply@example.com", "invitation_email_identity": "ops@example.com"},
            "invitation_email_identity ops@example.com cannot send as no-reply@example.com",
        ),
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
    return local_project.run_sceptre(project, *args, env=env, timeout=120)


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


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(text))


def _launch_fails_with(project: Path, environment: str, *expected: str) -> None:
    result = run_sceptre(project, "launch", "--yes", environment)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    for text in expected:
        assert text in output
    assert "Could not connect" not in output and "Traceback" not in output


@pytest.mark.parametrize(
    "environment, line, suggestion",
    [
        ("prod", "deletion_proteciton: true", "deletion_protection"),
        ("dev", "desired_cuont: 1", "desired_count"),
    ],
)
def test_a_typo_in_an_environment_key_is_an_error_that_names_the_file_line_and_closest_key(
    project_copy, environment, line, suggestion
):
    path = project_copy / "config" / environment / "config.yaml"
    path.write_text(path.read_text() + line + "\n")
    key = line.split(":")[0]
    _launch_fails_with(
        project_copy,
        environment,
        f"{key} (config/{environment}/config.yaml line {_line_of(path, key)}) is not a key of this project;"
        f" did you mean `{suggestion}`?",
    )


def test_a_typo_in_the_project_config_is_named_in_that_file(project_copy):
    path = project_copy / "config" / "config.yaml"
    path.write_text(path.read_text().replace("stack_tags:", "stak_tags:"))
    _launch_fails_with(
        project_copy,
        "dev",
        "fix config/config.yaml:",
        f"stak_tags (config/config.yaml line {_line_of(path, 'stak_tags')}) is not a key of this project;"
        " did you mean `stack_tags`?",
    )


def test_a_typo_in_a_health_check_option_is_named_with_the_closest_option(project_copy):
    path = project_copy / "config" / "local" / "config.yaml"
    _edit(path, r"^  interval: 0.2$", "  intervall: 0.2")
    _launch_fails_with(
        project_copy,
        "local",
        f"health_check: intervall (config/local/config.yaml line {_line_of(path, '  intervall')}) is not an"
        " option; did you mean `interval`?",
    )


def test_sceptres_own_keys_are_known():
    values = merged("dev") | {
        "profile": "deploy",
        "template_bucket_name": "my-templates",
        "stack_timeout": 30,
    }
    assert validate(values, environment="dev")["region"] == "eu-west-1"


@pytest.mark.parametrize(
    "environment, pattern, line, shown",
    [
        ("local", r'^cognito_mfa: "OFF"$', "cognito_mfa: OFF", "write cognito_mfa: 'OFF'"),
        ("prod", r'^cognito_mfa: "ON"$', "cognito_mfa: yes", "write cognito_mfa: 'yes'"),
        ("prod", r'^image_tag: "1.0.0"$', "image_tag: 1.10", "write image_tag: '1.10'"),
        ("prod", r'^image_tag: "1.0.0"$', "image_tag: 010", "write image_tag: '010'"),
    ],
)
def test_a_value_yaml_changed_the_type_of_is_shown_as_the_quoted_line_to_write(
    project_copy, environment, pattern, line, shown
):
    _edit(project_copy / "config" / environment / "config.yaml", pattern, line)
    _launch_fails_with(project_copy, environment, "YAML reads the unquoted", shown)


def test_a_region_botocore_does_not_know_is_refused_with_the_nearest_regions(project_copy):
    _edit(project_copy / "config" / "dev" / "config.yaml", r"^region:.*$", "region: eu-west-9")
    _launch_fails_with(
        project_copy,
        "dev",
        "region is 'eu-west-9' (config/dev/config.yaml line 2): expected a region of the aws partition",
        "did you mean eu-west-1, eu-west-2, eu-west-3?",
    )


def test_a_region_of_another_partition_is_checked_against_that_partition():
    with pytest.raises(ConfigError) as error:
        validate(merged("dev") | {"region": "cn-north-9"}, environment="dev")
    assert "expected a region of the aws-cn partition" in str(error.value)
    assert (
        validate(merged("dev") | {"region": "us-gov-west-1"}, environment="dev")["region"] == "us-gov-west-1"
    )


def test_a_correct_config_still_generates_offline(project_copy):
    result = run_sceptre(project_copy, "generate", "prod/cognito.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "AWS::Cognito::UserPool" in result.stdout


def test_an_environments_stack_tags_add_to_the_projects(project_copy):
    from sceptre.context import SceptreContext
    from sceptre.plan.plan import SceptrePlan

    path = project_copy / "config" / "dev" / "config.yaml"
    path.write_text(path.read_text() + 'stack_tags:\n  CostCentre: "4711"\n  ManagedBy: sceptre-ci\n')
    context = SceptreContext(project_path=str(project_copy), command_path="dev/cognito.yaml")
    (stack,) = SceptrePlan(context).command_stacks
    assert stack.tags == {
        "Project": "webapp",
        "Environment": "dev",
        "ManagedBy": "sceptre-ci",
        "CostCentre": "4711",
    }
