"""The task runner as a process, on a small stack of the test's own (cluster, task definition,
target group, service): what happens to tasks that crash, that cannot get their secrets, and to
every task when the runner stops or is killed."""

from __future__ import annotations

import json
import os
import signal
import sys
import time

import boto3
import pytest
from cfn_stacks import put_stack
from waiting import alive, wait_for

from sceptre_fargate_cognito.local_env import task_runner

APP = os.path.join(os.path.dirname(__file__), "apps", "task_app.py")

TEMPLATE = """
Parameters:
  Records: {Type: String}
  Secret: {Type: String, Default: ""}
  Desired: {Type: Number, Default: 1}
  Greeting: {Type: String, Default: hello}
  HealthStatus: {Type: String, Default: "200"}
  Delay: {Type: String, Default: "0"}
Conditions:
  HasSecret: !Not [!Equals [!Ref Secret, ""]]
Resources:
  Vpc: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/16}}
  Cluster: {Type: AWS::ECS::Cluster}
  Logs: {Type: AWS::Logs::LogGroup, Properties: {RetentionInDays: 1}}
  TargetGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      VpcId: !Ref Vpc
      TargetType: ip
      Protocol: HTTP
      Port: 8080
      HealthCheckPath: /healthz
      HealthCheckIntervalSeconds: 5
      HealthyThresholdCount: 2
      TargetGroupAttributes: [{Key: deregistration_delay.timeout_seconds, Value: !Ref Delay}]
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: app
      ContainerDefinitions:
        - Name: app
          Image: app:1
          Memory: 512
          PortMappings: [{ContainerPort: 8080}]
          Environment:
            - {Name: PORT, Value: "8080"}
            - {Name: TASK_APP_DIR, Value: !Ref Records}
            - {Name: TASK_APP_RECORD, Value: "PORT,SECRET,GREETING"}
            - {Name: GREETING, Value: !Ref Greeting}
            - {Name: TASK_APP_HEALTH_STATUS, Value: !Ref HealthStatus}
          Secrets: !If [HasSecret, [{Name: SECRET, ValueFrom: !Ref Secret}], !Ref AWS::NoValue]
          LogConfiguration:
            LogDriver: awslogs
            Options: {awslogs-group: !Ref Logs, awslogs-region: !Ref AWS::Region, awslogs-stream-prefix: app}
  Service:
    Type: AWS::ECS::Service
    Properties: {Cluster: !Ref Cluster, TaskDefinition: !Ref TaskDefinition, DesiredCount: !Ref Desired}
Outputs:
  ClusterName: {Value: !Ref Cluster}
  ServiceName: {Value: !GetAtt Service.Name}
  TargetGroupArn: {Value: !Ref TargetGroup}
"""


@pytest.fixture
def stack(aws, tmp_path):
    records = tmp_path / "records"

    def launch(command=(sys.executable, APP), update=False, **values):
        put_stack(
            boto3.client("cloudformation"),
            "svc",
            TEMPLATE,
            {"Records": str(records), **values},
            update=update,
        )
        if update:
            return None
        runner = task_runner.start_process(
            "svc", list(command), tmp_path, env=dict(os.environ), log_path=tmp_path / "runner.log"
        )
        started.append(runner)
        return runner

    started: list[task_runner.RunnerProcess] = []
    launch.records = records
    yield launch
    for runner in started:
        runner.stop()


def recorded(records) -> list[dict]:
    return [json.loads(p.read_text()) for p in records.glob("*.json")] if records.exists() else []


def tasks(status: str = "RUNNING") -> list[dict]:
    ecs = boto3.client("ecs")
    (cluster,) = ecs.list_clusters()["clusterArns"]
    arns = ecs.list_tasks(cluster=cluster, desiredStatus=status)["taskArns"]
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"] if arns else []


def test_stopping_the_runner_stops_every_task_and_reports_them_stopped(stack):
    runner = stack(Desired=2)
    pids = wait_for(
        "two tasks", lambda: len(recorded(stack.records)) == 2 and [r["pid"] for r in recorded(stack.records)]
    )
    wait_for("two tasks running", lambda: len(tasks()) == 2)
    runner.stop()
    assert not [pid for pid in pids if alive(pid)]
    assert tasks() == []
    assert {t["stoppedReason"] for t in tasks("STOPPED")} == {"Task runner stopped"}


def test_a_killed_runner_takes_its_tasks_with_it(stack):
    runner = stack()
    (pid,) = wait_for("a task", lambda: [r["pid"] for r in recorded(stack.records)])
    os.kill(runner.pid, signal.SIGKILL)
    runner.process.wait()
    wait_for("the task gone", lambda: not alive(pid), timeout=10)


def test_a_task_whose_process_exits_is_stopped_with_its_exit_code_and_replaced(stack, tmp_path):
    crash = tmp_path / "crash.py"
    crash.write_text("import sys\nprint('starting, then failing')\nsys.exit(3)\n")
    stack(command=(sys.executable, str(crash)))
    stopped = wait_for(
        "two stopped tasks (the first replaced)", lambda: len(tasks("STOPPED")) >= 2 and tasks("STOPPED")
    )
    task = stopped[-1]
    assert (task["stopCode"], task["stoppedReason"]) == (
        "EssentialContainerExited",
        "Essential container in task exited (exit code 3)",
    )
    assert task["containers"][0]["exitCode"] == 3


def test_a_secret_that_cannot_be_read_fails_the_task_naming_it_never_a_value(stack):
    secrets = boto3.client("secretsmanager")
    arn = secrets.create_secret(Name="db", SecretString=json.dumps({"user": "app"}))["ARN"]
    stack(Secret=f"{arn}:password::")
    (task, *_) = wait_for("a task that failed to start", lambda: tasks("STOPPED"))
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == (
        f"ResourceInitializationError: unable to pull secrets: secret SECRET: the secret {arn} has no JSON key 'password'"
    )
    assert recorded(stack.records) == []


def test_a_changed_task_definition_replaces_the_tasks_new_ones_healthy_before_old_ones_stop(stack, tmp_path):
    stack(Desired=2)
    old = wait_for("two tasks running", lambda: len(tasks()) == 2 and tasks())
    stack(update=True, Desired=2, Greeting="changed")
    new = wait_for(
        "two tasks of the new task definition running, and only those",
        lambda: (
            len(tasks()) == 2
            and not {t["taskArn"] for t in tasks()} & {t["taskArn"] for t in old}
            and tasks()
        ),
    )
    assert {t["taskDefinitionArn"] for t in new} != {t["taskDefinitionArn"] for t in old}
    wait_for(
        "only the new tasks' processes left",
        lambda: (
            sorted(r["GREETING"] for r in recorded(stack.records) if alive(r["pid"]))
            == ["changed", "changed"]
        ),
        timeout=10,
    )
    stopped = [t for t in tasks("STOPPED") if t["taskArn"] in {o["taskArn"] for o in old}]
    assert {t["stoppedReason"] for t in stopped} == {"Replaced by a new deployment of the service"}
    # Never fewer healthy tasks than desired: each old task stopped after a new one ran.
    for task in stopped:
        assert task["stoppedAt"] >= min(t["startedAt"] for t in new)


def test_a_changed_desired_count_starts_and_stops_tasks(stack):
    stack(Desired=1)
    wait_for("one task running", lambda: len(tasks()) == 1)
    stack(update=True, Desired=3)
    wait_for("three tasks running", lambda: len(tasks()) == 3)
    stack(update=True, Desired=1)
    wait_for("one task left", lambda: len(tasks()) == 1)
    wait_for("one process left", lambda: len([r for r in recorded(stack.records) if alive(r["pid"])]) == 1)


def test_a_stopped_task_is_deregistered_at_once_and_drains_for_the_target_groups_deregistration_delay(stack):
    stack(Desired=1)
    wait_for("one task running", lambda: len(tasks()) == 1)
    # The delay as the stack says it when the task stops, not as it was when the task started.
    stack(update=True, Desired=1, Delay="6")
    stack(update=True, Desired=0, Delay="6")
    (draining,) = wait_for(
        "a task draining", lambda: [t for t in tasks("STOPPED") if t["lastStatus"] == "DEACTIVATING"]
    )
    (group,) = boto3.client("elbv2").describe_target_groups()["TargetGroups"]
    health = boto3.client("elbv2").describe_target_health(TargetGroupArn=group["TargetGroupArn"])
    assert [d["TargetHealth"]["State"] for d in health["TargetHealthDescriptions"]] == ["draining"]
    (record,) = recorded(stack.records)
    time.sleep(2.5)  # well inside the 6 s delay, however late the drain was seen
    (still,) = tasks("STOPPED")
    assert still["lastStatus"] == "DEACTIVATING", "the task drains for the whole delay"
    assert alive(record["pid"]), "the task's process serves its requests in flight until the delay is over"
    wait_for("the task stopped", lambda: [t for t in tasks("STOPPED") if t["lastStatus"] == "STOPPED"])
    wait_for("its process gone", lambda: not alive(record["pid"]))


def test_a_task_that_fails_its_health_checks_after_the_grace_period_is_stopped_and_replaced(stack):
    stack(HealthStatus="500")  # the service has no grace period
    stopped = wait_for("a task stopped for its health", lambda: tasks("STOPPED"))
    (group,) = boto3.client("elbv2").describe_target_groups()["TargetGroups"]
    arn = group["TargetGroupArn"]
    assert (stopped[0]["stopCode"], stopped[0]["stoppedReason"]) == (
        "ServiceSchedulerInitiated",
        f"Task failed ELB health checks in (target-group {arn})",
    )
    wait_for("a replacement started", lambda: len(recorded(stack.records)) >= 2)


def test_a_command_that_does_not_exist_fails_the_task_to_start_naming_it(stack, tmp_path):
    stack(command=[str(tmp_path / "no-such-app")])
    (task, *_) = wait_for("a task that failed to start", lambda: tasks("STOPPED"))
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == (
        f"CannotStartContainerError: {tmp_path / 'no-such-app'}: No such file or directory (local_app_command)"
    )


def test_a_runner_with_nothing_to_do_makes_no_aws_call_until_something_changes(stack, aws):
    stack(Desired=1)
    wait_for("one task running", lambda: len(tasks()) == 1)
    log = aws.log_path
    assert log is not None

    def quiet_for_three_seconds() -> list[str]:
        start = len(log.read_text().splitlines())
        time.sleep(3)  # the runner looks every second
        return log.read_text().splitlines()[start:]

    # The test's own calls above are changes the runner looks at once more; then it only asks.
    wait_for(
        "a look with no AWS call",
        lambda: not [line for line in quiet_for_three_seconds() if '"POST / ' in line],
        timeout=30,
    )
    asked = quiet_for_three_seconds()
    assert [line for line in asked if "GET /moto-api/emulator/changes" in line], "it still asks every second"
    stack(update=True, Desired=2)
    wait_for("two tasks running", lambda: len(tasks()) == 2)
