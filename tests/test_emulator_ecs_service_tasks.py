"""ECS answers from the tasks the local task runner reports: DescribeServices counts and
deployments, ListTasks and DescribeTasks (moto: a running count from an environment variable, one
deployment forever IN_PROGRESS, no tasks)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import boto3
import pytest

PATH = "/moto-api/emulator/ecs/service-tasks"


def _report(emulator, service: str, tasks: list[dict], cluster: str = "c") -> dict:
    request = urllib.request.Request(
        emulator.endpoint + PATH,
        data=json.dumps(
            {"region": "eu-west-1", "cluster": cluster, "service": service, "tasks": tasks}
        ).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _task(task_id: str, task_definition: str, status: str, **more) -> dict:
    return {
        "taskId": task_id,
        "taskDefinitionArn": task_definition,
        "lastStatus": status,
        "startedAt": time.time(),
        **more,
    }


@pytest.fixture
def service(aws):
    ecs = boto3.client("ecs")
    ecs.create_cluster(clusterName="c")
    revisions = [
        ecs.register_task_definition(
            family="app", containerDefinitions=[{"name": "app", "image": f"app:{n}", "memory": 512}]
        )["taskDefinition"]["taskDefinitionArn"]
        for n in (1, 2)
    ]
    ecs.create_service(cluster="c", serviceName="web", taskDefinition=revisions[0], desiredCount=2)
    return ecs, revisions


def _described(ecs) -> dict:
    return ecs.describe_services(cluster="c", services=["web"])["services"][0]


def test_a_service_nothing_reported_on_runs_no_task(service):
    ecs, (first, _) = service
    described = _described(ecs)
    assert (described["runningCount"], described["pendingCount"]) == (0, 0)
    (deployment,) = described["deployments"]
    assert (deployment["status"], deployment["rolloutState"], deployment["taskDefinition"]) == (
        "PRIMARY",
        "IN_PROGRESS",
        first,
    )


def test_running_and_pending_counts_are_the_reported_tasks(service, emulator):
    ecs, (first, _) = service
    _report(emulator, "web", [_task("t1", first, "RUNNING"), _task("t2", first, "PENDING")])
    described = _described(ecs)
    assert (described["runningCount"], described["pendingCount"]) == (1, 1)
    assert described["deployments"][0]["rolloutState"] == "IN_PROGRESS"

    _report(emulator, "web", [_task("t1", first, "RUNNING"), _task("t2", first, "RUNNING")])
    described = _described(ecs)
    assert (described["runningCount"], described["pendingCount"]) == (2, 0)
    (deployment,) = described["deployments"]
    assert (deployment["rolloutState"], deployment["runningCount"], deployment["desiredCount"]) == (
        "COMPLETED",
        2,
        2,
    )


def test_a_new_task_definition_is_a_primary_deployment_beside_the_active_old_one(service, emulator):
    ecs, (first, second) = service
    _report(emulator, "web", [_task("t1", first, "RUNNING"), _task("t2", first, "RUNNING")])
    old_id = _described(ecs)["deployments"][0]["id"]
    updated = ecs.update_service(cluster="c", service="web", taskDefinition="app")["service"]
    assert updated["taskDefinition"] == second  # the ARN, not the family moto leaves there
    _report(
        emulator,
        "web",
        [_task("t1", first, "RUNNING"), _task("t2", first, "RUNNING"), _task("t3", second, "PENDING")],
    )
    primary, active = _described(ecs)["deployments"]
    assert (
        primary["status"],
        primary["taskDefinition"],
        primary["rolloutState"],
        primary["pendingCount"],
    ) == (
        "PRIMARY",
        second,
        "IN_PROGRESS",
        1,
    )
    assert (active["status"], active["taskDefinition"], active["runningCount"], active["id"]) == (
        "ACTIVE",
        first,
        2,
        old_id,
    )
    _report(
        emulator,
        "web",
        [
            _task("t1", first, "STOPPED", stoppedReason="Scaling activity initiated by (deployment x)"),
            _task("t2", first, "STOPPED"),
            _task("t3", second, "RUNNING"),
            _task("t4", second, "RUNNING"),
        ],
    )
    (deployment,) = _described(ecs)["deployments"]
    assert (deployment["taskDefinition"], deployment["rolloutState"]) == (second, "COMPLETED")


def test_a_deployment_whose_tasks_keep_failing_is_failed_by_the_circuit_breaker(service, emulator):
    ecs, (first, _) = service
    stopped = [
        _task(f"f{n}", first, "STOPPED", failed=True, stopCode="EssentialContainerExited") for n in range(3)
    ]
    _report(emulator, "web", stopped)
    (deployment,) = _described(ecs)["deployments"]
    assert (deployment["rolloutState"], deployment["failedTasks"]) == ("FAILED", 3)


def test_list_tasks_lists_the_services_running_tasks_and_describe_tasks_describes_them(service, emulator):
    ecs, (first, _) = service
    _report(
        emulator,
        "web",
        [
            _task("t1", first, "RUNNING"),
            _task("t3", first, "DEACTIVATING"),
            _task(
                "t2",
                first,
                "STOPPED",
                stopCode="EssentialContainerExited",
                stoppedReason="Essential container in task exited",
                exitCode=3,
            ),
        ],
    )
    running = ecs.list_tasks(cluster="c", serviceName="web")["taskArns"]
    assert [arn.split("/")[-1] for arn in running] == ["t1"], "a task being stopped wants to be STOPPED"
    stopped = ecs.list_tasks(cluster="c", serviceName="web", desiredStatus="STOPPED")["taskArns"]
    (task,) = [
        t for t in ecs.describe_tasks(cluster="c", tasks=stopped)["tasks"] if t["lastStatus"] == "STOPPED"
    ]
    assert (task["lastStatus"], task["stopCode"], task["stoppedReason"], task["group"]) == (
        "STOPPED",
        "EssentialContainerExited",
        "Essential container in task exited",
        "service:web",
    )
    assert task["containers"][0]["exitCode"] == 3
    assert task["taskDefinitionArn"] == first


def test_a_report_on_a_service_that_does_not_exist_is_refused(service, emulator):
    with pytest.raises(urllib.error.HTTPError) as refused:
        _report(emulator, "nope", [])
    assert refused.value.code == 404


def test_deleting_the_service_forgets_its_tasks(service, emulator):
    ecs, (first, _) = service
    _report(emulator, "web", [_task("t1", first, "RUNNING")])
    ecs.delete_service(cluster="c", service="web", force=True)
    assert ecs.list_tasks(cluster="c")["taskArns"] == []
