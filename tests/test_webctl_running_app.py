"""`webctl status` and `webctl logs` on `local` where the application really runs: the local task
runner's processes are the service's tasks, the emulator health-checks them and reports what
runs, and their output is the service's log. Through the real `webctl` and the real `sceptre`.

Its own launch (once for the module), not the session's `launched_local`: the tasks here run the
test application (tests/apps/task_app.py), whose health path can be made to answer 500 through
app_environment, and the task runner's command is fixed when the environment starts."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest
from local_project import task_app_project
from waiting import wait_for
from webctl_support import outputs, webctl, webctl_process

from sceptre_fargate_cognito.local_env import launch

pytestmark = pytest.mark.e2e

DESIRED = 2


class RunningApp:
    def __init__(self, local: launch.LocalEnvironment, config: Path, records: Path):
        self.local, self.config, self.records = local, config, records
        self.outputs = outputs(local, "alb-ecs")

    def service(self) -> dict:
        return self.local.client("ecs").describe_services(
            cluster=self.outputs["ClusterName"], services=[self.outputs["ServiceName"]]
        )["services"][0]

    def health(self) -> list[dict]:
        return self.local.client("elbv2").describe_target_health(
            TargetGroupArn=self.outputs["TargetGroupArn"]
        )["TargetHealthDescriptions"]

    def ports(self) -> list[int]:
        """The ports of the tasks now serving (healthy targets)."""
        return [d["Target"]["Port"] for d in self.health() if d["TargetHealth"]["State"] == "healthy"]


@pytest.fixture(scope="module")
def running_app(tmp_path_factory):
    """`local` launched with the test application (tests/apps/task_app.py) as its tasks."""
    tmp = tmp_path_factory.mktemp("webctl-running-app")
    project, config, records = task_app_project(tmp, desired=DESIRED, environment={})
    local = launch.start(tmp / "state", project=project, log=lambda message: None)
    try:
        launched = local.sceptre("launch", "local", "--yes")
        assert launched.returncode == 0, launched.stdout + launched.stderr
        yield RunningApp(local, config, records)
    finally:
        local.stop()


def test_status_shows_the_configured_desired_count_running_and_healthy_targets_and_exits_0(running_app):
    app = running_app
    wait_for("the desired count running", lambda: app.service()["runningCount"] == DESIRED)
    wait_for("every target healthy", lambda: len(app.ports()) == DESIRED == len(app.health()))
    result = webctl(app.local, "status", "local")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"tasks: desired {DESIRED}, running {DESIRED}, pending 0" in result.stdout
    targets = result.stdout.split("TARGETS\n", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert sorted(line.split()[0] for line in targets) == sorted(f"127.0.0.1:{port}" for port in app.ports())
    assert all(line.split()[1] == "healthy" for line in targets)
    assert result.stdout.rstrip().endswith("ALL WELL")


def request(port: int, path: str) -> None:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        assert response.status == 200


def test_logs_show_the_line_the_app_printed_for_a_request_and_follow_shows_a_new_one(running_app):
    app = running_app
    port = wait_for("a task serving", app.ports)[0]
    request(port, "/from-the-webctl-test")
    printed = f"task-app on {port} served /from-the-webctl-test"
    lines = wait_for(
        "the request's line in webctl logs",
        lambda: [line for line in webctl(app.local, "logs", "local").stdout.splitlines() if printed in line],
        timeout=60,
    )
    tasks = app.local.client("ecs").list_tasks(
        cluster=app.outputs["ClusterName"], serviceName=app.outputs["ServiceName"]
    )["taskArns"]
    assert any(lines[0].split()[1] == arn.split("/")[-1][:8] for arn in tasks), (lines, tasks)

    process = webctl_process(app.local, "logs", "local", "--follow")
    try:
        assert process.stdout is not None
        while printed not in process.stdout.readline():  # what it printed first: the lines so far
            pass
        request(port, "/while-following")
        asked = time.monotonic()
        while "served /while-following" not in (line := process.stdout.readline()):
            assert line, "webctl logs --follow ended"
        print(f"the new line showed {time.monotonic() - asked:.1f} s after the request")
        assert time.monotonic() - asked < 15
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_with_the_app_failing_its_health_check_status_exits_1_naming_the_target_and_the_reason(running_app):
    app = running_app
    original = app.config.read_text()
    app.config.write_text(
        original.replace("app_environment:\n", 'app_environment:\n  TASK_APP_HEALTH_STATUS: "500"\n')
    )
    try:
        # The stack update deploys the new task definition; the launch's own health check may pass
        # (the old tasks still serve) or not: what matters here is what status says.
        app.local.sceptre("launch", "local", "--yes")
        unhealthy = wait_for(
            "a target of the new task definition unhealthy",
            lambda: [d for d in app.health() if d["TargetHealth"]["State"] == "unhealthy"],
        )[0]
        result = webctl(app.local, "status", "local")
        assert result.returncode == 1, result.stdout + result.stderr
        target = f"127.0.0.1:{unhealthy['Target']['Port']}"
        assert f"target {target} is unhealthy (Target.ResponseCodeMismatch" in result.stdout
        assert "[500]" in result.stdout
    finally:
        app.config.write_text(original)
