"""A secret's value appears nowhere Sceptre or CloudFormation show anything: `local` launched with
real secrets in the emulator's Secrets Manager and SSM, referenced from its config.yaml."""

from __future__ import annotations

import json

import pytest
from local_project import edited, start_local

pytestmark = pytest.mark.e2e

VALUE = "s3cr3t-Value-4711-never-shown"


@pytest.fixture(scope="module")
def local_with_secrets(tmp_path_factory):
    local = start_local(tmp_path_factory.mktemp("app-secrets"))
    try:
        secret = local.client("secretsmanager").create_secret(
            Name="webapp/db", SecretString=json.dumps({"password": VALUE})
        )
        local.client("ssm").put_parameter(Name="/webapp/api-token", Value=VALUE + "-ssm", Type="SecureString")
        config = local.project / "config" / "local" / "config.yaml"
        config.write_text(
            config.read_text()
            + "app_secrets:\n"
            + f'  DB_PASSWORD: "{secret["ARN"]}:password::"\n'
            + "  API_TOKEN: /webapp/api-token\n"
            + "app_environment:\n  LOG_LEVEL: info\n"
        )
        yield local, secret["ARN"]
    finally:
        local.stop()


def test_a_secrets_value_is_in_no_template_parameter_output_diff_or_log_line(local_with_secrets):
    local, secret_arn = local_with_secrets
    config = local.project / "config" / "local" / "config.yaml"
    launched = local.sceptre("launch", "local", "--yes")
    assert launched.returncode == 0, launched.stdout + launched.stderr
    shown = [launched.stdout, launched.stderr]
    # A change next to the secrets, so the diff prints the container definition around them.
    with edited(config, r"^  LOG_LEVEL: info$", "  LOG_LEVEL: debug"):
        diff = local.sceptre("--debug", "diff", "--type", "difflib", "local")
        assert diff.returncode == 0, diff.stdout + diff.stderr
        assert "+" in diff.stdout and "debug" in diff.stdout, diff.stdout
        shown += [diff.stdout, diff.stderr]
    generated = local.sceptre("--output", "json", "generate", "local/alb-ecs.yaml")
    shown += [generated.stdout, generated.stderr]

    cloudformation = local.client("cloudformation")
    for stack in cloudformation.describe_stacks()["Stacks"]:
        body = cloudformation.get_template(StackName=stack["StackName"])["TemplateBody"]
        shown += [body if isinstance(body, str) else json.dumps(body)]
        shown += [json.dumps(stack.get("Parameters", [])), json.dumps(stack.get("Outputs", []))]

    assert secret_arn in "".join(shown), "the secrets were not passed at all"
    assert not [text for text in shown if VALUE in text]
