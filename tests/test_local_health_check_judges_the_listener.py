"""The after-launch health check on `local` judges the listener the alb-ecs template launched, not
a fixed stand-in: with the template's sign-in or its health-path rule taken out, `sceptre launch
local` fails and says which (measured before: with authenticate-cognito deleted, the launch still
reported HEALTHY, auth passed)."""

from __future__ import annotations

import re
import shutil

import pytest
from local_project import start_local

SIGN_IN = re.compile(
    r"^        - Type: authenticate-cognito\n.*?SessionTimeout: !Ref AuthSessionTimeoutSeconds\n", re.M | re.S
)
HEALTH_RULE = re.compile(r"^  # The health path answers without sign-in.*?(?=^  # Plain HTTP)", re.M | re.S)


def without_sign_in(template: str) -> str:
    changed = SIGN_IN.sub("", template, count=1)
    assert "authenticate-cognito" not in changed
    return changed


def without_health_rule(template: str) -> str:
    changed = HEALTH_RULE.sub("", template, count=1)
    changed = changed.replace("DependsOn: [HttpsListener, HealthCheckRule]", "DependsOn: [HttpsListener]")
    assert "HealthCheckRule" not in changed
    return changed


@pytest.mark.parametrize(
    ("change", "verdict"),
    [
        # The sample app refuses a request without the ALB's identity headers (401), and says so.
        (without_sign_in, "auth FAILED (sign-in not enforced by the load balancer: / answered 401"),
        (without_health_rule, "health FAILED (302 redirect to https://"),
    ],
    ids=["authenticate-cognito removed", "health-path rule removed"],
)
def test_a_launch_whose_listener_lost_a_guarantee_fails_and_names_it(tmp_path, change, verdict):
    local = start_local(tmp_path)
    try:
        # The copy links templates/ to the project's own: give it a copy of its own to change.
        templates = local.project / "templates"
        source = templates.resolve()
        templates.unlink()
        shutil.copytree(source, templates)
        template = templates / "alb-ecs.yaml.j2"
        template.write_text(change(template.read_text()))

        result = local.sceptre("launch", "local", "--yes")
    finally:
        local.stop()

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    summary = [line for line in output.splitlines() if "UNHEALTHY" in line or "checks:" in line]
    assert summary, output[-3000:]
    assert verdict in "\n".join(summary), "\n".join(summary)
