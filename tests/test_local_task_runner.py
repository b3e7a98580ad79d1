"""`local` runs the application: the task runner starts one process of `local_app_command` per task
the launched service wants, with the environment ECS gives a container (its secrets' values too,
and nowhere else), registers it in the target group, and the emulator reports what really runs
(real processes, the real `sceptre`)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from local_project import edited, task_app_project
from waiting import alive, wait_for

from sceptre_fargate_cognito.local_env import launch

pytestmark = pytest.mark.e2e

VALUE = "s3cr3t-Task-Value-0815"
RECORDED = "PORT,GREETING,DB_PASSWORD,API_TOKEN,AWS_ACCESS_KEY_ID,AWS_ENDPOINT_URL,TASK_APP_HEALTH_STATUS"


class App:
    """The launched local environment and what its tasks recorded."""

    def __init__(
        self, local: launch.LocalEnvironment, records: Path, config: Path, launched, secret_arn: str
    ):
        self.local, self.records, self.config = local, records, config
        self.launched, self.secret_arn = launched, secret_arn  # the launch with the secrets
        self.original = config.read_text()
        outputs = local.client("cloudformation").describe_stacks(StackName="webapp-local-alb-ecs")["Stacks"][
            0
        ]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in outputs["Outputs"]}

    def relaunch(self, **environment: str) -> None:
        text = self.original
        for name, value in environment.items():
            lines = [line for line in text.splitlines(keepends=True) if not line.startswith(f"  {name}:")]
            text = "".join(lines).replace(
                "app_environment:\n", f"app_environment:\n  {name}: {json.dumps(value)}\n"
            )
        self.config.write_text(text)
        result = self.local.sceptre("launch", "local", "--yes")
        assert result.returncode == 0, result.stdout + result.stderr

    def tasks(self) -> list[dict]:
        """What each live task process recorded at start."""
        found = [json.loads(p.read_text()) for p in self.records.glob("*.json")]
        return [record for record in found if alive(record["pid"])]

    def service(self) -> dict:
        ecs = self.local.client("ecs")
        return ecs.describe_services(
            cluster=self.outputs["ClusterName"], services=[self.outputs["ServiceName"]]
        )["services"][0]

    def health(self) -> dict[int, dict]:
        described = self.local.client("elbv2").describe_target_health(
            TargetGroupArn=self.outputs["TargetGroupArn"]
        )
        return {d["Target"]["Port"]: d["TargetHealth"] for d in described["TargetHealthDescriptions"]}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("task-runner")
    project, config, records = task_app_project(
        tmp, desired=2, environment={"TASK_APP_RECORD": RECORDED, "GREETING": "hello"}
    )
    local = launch.start(tmp / "state", project=project, log=lambda message: None)
    try:
        secret = local.client("secretsmanager").create_secret(
            Name="webapp/db", SecretString=json.dumps({"password": VALUE, "user": "app"})
        )
        local.client("ssm").put_parameter(Name="/webapp/api-token", Value=VALUE + "-ssm", Type="SecureString")
        config.write_text(
            config.read_text()
            + "app_secrets:\n"
            + f'  DB_PASSWORD: "{secret["ARN"]}:password::"\n'
            + "  API_TOKEN: /webapp/api-token\n"
        )
        launched = local.sceptre("launch", "local", "--yes")
        assert launched.returncode == 0, launched.stdout + launched.stderr
        yield App(local, records, config, launched, secret["ARN"])
    finally:
        local.stop()


def test_each_task_the_service_wants_runs_with_the_environment_ecs_gives_its_container(app):
    tasks = wait_for("two tasks started", lambda: len(app.tasks()) == 2 and app.tasks())
    assert len({task["PORT"] for task in tasks}) == 2, "each task has its own port"
    for task in tasks:
        assert task["GREETING"] == "hello"
        assert task["DB_PASSWORD"] == VALUE, "the JSON key of the Secrets Manager secret"
        assert task["API_TOKEN"] == VALUE + "-ssm", "the SSM parameter"
        # The emulator stands in for the task role: never the developer's own credentials.
        assert (task["AWS_ACCESS_KEY_ID"], task["AWS_ENDPOINT_URL"]) == ("testing", app.local.state.endpoint)


def test_a_secrets_value_is_in_no_template_parameter_output_diff_or_log_line(app):
    local = app.local
    shown = [app.launched.stdout, app.launched.stderr]
    # A change next to the secrets, so the diff prints the container definition around them.
    with edited(app.config, r"^  GREETING: .*$", "  GREETING: diffed"):
        diff = local.sceptre("--debug", "diff", "--type", "difflib", "local")
        assert diff.returncode == 0, diff.stdout + diff.stderr
        assert "+" in diff.stdout and "diffed" in diff.stdout, diff.stdout
        shown += [diff.stdout, diff.stderr]
    generated = local.sceptre("--output", "json", "generate", "local/alb-ecs.yaml")
    shown += [generated.stdout, generated.stderr]

    cloudformation = local.client("cloudformation")
    for stack in cloudformation.describe_stacks()["Stacks"]:
        body = cloudformation.get_template(StackName=stack["StackName"])["TemplateBody"]
        shown += [body if isinstance(body, str) else json.dumps(body)]
        shown += [json.dumps(stack.get("Parameters", [])), json.dumps(stack.get("Outputs", []))]
    # The emulator's, the data plane's and the task runner's own logs.
    shown += [log.read_text() for log in local.workdir.glob("*.log")]

    assert app.secret_arn in "".join(shown), "the secrets were not passed at all"
    assert not [text for text in shown if VALUE in text]


def test_tasks_are_registered_healthy_and_counted_running(app):
    ports = wait_for(
        "two tasks started", lambda: {int(t["PORT"]) for t in app.tasks()} if len(app.tasks()) == 2 else None
    )
    wait_for(
        "both targets healthy",
        lambda: (
            {p: h["State"] for p, h in app.health().items()} == dict.fromkeys(ports, "healthy")
            or app.health()
        ),
    )
    service = wait_for(
        "the service counting two running", lambda: app.service()["runningCount"] == 2 and app.service()
    )
    assert (service["desiredCount"], service["pendingCount"]) == (2, 0)
    (deployment,) = service["deployments"]
    assert (deployment["status"], deployment["rolloutState"], deployment["runningCount"]) == (
        "PRIMARY",
        "COMPLETED",
        2,
    )
    ecs = app.local.client("ecs")
    listed = ecs.list_tasks(cluster=app.outputs["ClusterName"], serviceName=app.outputs["ServiceName"])[
        "taskArns"
    ]
    described = ecs.describe_tasks(cluster=app.outputs["ClusterName"], tasks=listed)["tasks"]
    assert [t["lastStatus"] for t in described] == ["RUNNING", "RUNNING"]
    assert {t["taskDefinitionArn"] for t in described} == {service["taskDefinition"]}


def test_the_apps_output_reaches_the_services_log_group_in_a_stream_per_task(app):
    task = wait_for("a task", lambda: app.tasks())[0]
    with urllib.request.urlopen(
        f"http://127.0.0.1:{task['PORT']}/hello-from-the-test", timeout=10
    ) as response:
        assert response.status == 200
    logs = app.local.client("logs")

    def find():
        return logs.filter_log_events(
            logGroupName=app.outputs["LogGroupName"], filterPattern="hello-from-the-test"
        )["events"]

    (event,) = wait_for("the request's log line", find, timeout=30)
    assert event["message"] == f"task-app on {task['PORT']} served /hello-from-the-test"
    ecs = app.local.client("ecs")
    listed = ecs.list_tasks(cluster=app.outputs["ClusterName"], serviceName=app.outputs["ServiceName"])[
        "taskArns"
    ]
    assert event["logStreamName"] in {f"app/app/{arn.split('/')[-1]}" for arn in listed}
    assert VALUE not in json.dumps(logs.filter_log_events(logGroupName=app.outputs["LogGroupName"])["events"])


def test_an_app_failing_its_health_path_is_unhealthy_with_the_reason_and_not_counted(app):
    old = {t["pid"] for t in app.tasks()}
    app.relaunch(TASK_APP_HEALTH_STATUS="500")
    new = wait_for(
        "two new tasks",
        lambda: [t for t in app.tasks() if t["pid"] not in old] if len(app.tasks()) == 4 else None,
    )
    new_ports = {int(t["PORT"]) for t in new}

    def unhealthy():
        health = app.health()
        return all(health.get(p, {}).get("State") == "unhealthy" for p in new_ports) and health

    health = wait_for("the new targets unhealthy", unhealthy)
    for port in new_ports:
        assert health[port] == {
            "State": "unhealthy",
            "Reason": "Target.ResponseCodeMismatch",
            "Description": "Health checks failed with these codes: [500]",
        }
    service = app.service()
    assert (service["runningCount"], service["pendingCount"]) == (2, 2), (
        "the old tasks serve on; the new are not counted"
    )
    primary, active = service["deployments"]
    assert (primary["status"], primary["rolloutState"], primary["runningCount"]) == (
        "PRIMARY",
        "IN_PROGRESS",
        0,
    )
    assert (active["status"], active["runningCount"]) == ("ACTIVE", 2)
    assert all(alive(pid) for pid in old), "minimum healthy 100 %: the old tasks keep running"


def test_a_relaunch_with_a_changed_task_definition_replaces_every_task(app):
    before = {t["pid"] for t in app.tasks()}
    app.relaunch(GREETING="changed")
    tasks = wait_for(
        "two tasks of the new task definition, and only those",
        lambda: (
            len(app.tasks()) == 2 and all(t["GREETING"] == "changed" for t in app.tasks()) and app.tasks()
        ),
    )
    assert not {t["pid"] for t in tasks} & before
    assert not [pid for pid in before if alive(pid)], "every earlier task stopped"
    service = wait_for(
        "the deployment completed", lambda: len(app.service()["deployments"]) == 1 and app.service()
    )
    assert (service["runningCount"], service["deployments"][0]["rolloutState"]) == (2, "COMPLETED")
    assert set(app.health()) == {int(t["PORT"]) for t in tasks}, "old targets deregistered"


def test_deleting_the_stack_stops_every_task(app):
    pids = {t["pid"] for t in wait_for("tasks", lambda: app.tasks())}
    result = app.local.sceptre("delete", "local/alb-ecs.yaml", "--yes")
    assert result.returncode == 0, result.stdout + result.stderr
    wait_for("every task stopped", lambda: not [pid for pid in pids if alive(pid)], timeout=60)
