"""ECS reports the tasks that really run: a service's counts, deployments and tasks come from
what the local task runner reports, not from a fixed stub.

moto 5.2.5 starts no task for a service: DescribeServices answers `runningCount` from the
MOTO_ECS_SERVICE_RUNNING environment variable and `pendingCount` = desired, keeps one PRIMARY
deployment IN_PROGRESS with its first task definition across updates (an update through
CloudFormation even leaves the task definition's family where its ARN belongs), and ListTasks
never lists a service's tasks.

Here the local task runner (sceptre_fargate_cognito.local_env.task_runner), which plays ECS's
scheduler and agent on loopback, reports each service's tasks to a private endpoint of the
emulator:

    POST /moto-api/emulator/ecs/service-tasks
    {"region": "eu-west-1", "cluster": "<name>", "service": "<name>",
     "tasks": [{"taskId": "...", "taskDefinitionArn": "...", "lastStatus": "PENDING|RUNNING|STOPPED",
                "startedAt": <epoch s>, "stoppedAt": <epoch s>, "stopCode": "...",
                "stoppedReason": "...", "failed": false, "container": "app", "exitCode": null}]}

and ECS answers from those reports, as AWS does from its agents:
- DescribeServices (and CreateService/UpdateService): `runningCount` (tasks RUNNING), `pendingCount`
  (tasks started, not yet RUNNING), the task definition's ARN, and one deployment per task
  definition still running tasks: PRIMARY for the service's own (rollout IN_PROGRESS until its
  tasks all run and no older one is left, then COMPLETED; FAILED once as many of its tasks failed
  as ECS's circuit breaker allows), ACTIVE for older ones being replaced;
- ListTasks (`serviceName`, `desiredStatus` RUNNING by default, as AWS) and DescribeTasks list the
  reported tasks (stopped ones stay listed, as ECS shows them for a while).
"""

from __future__ import annotations

import json
import math
import random
import threading
from datetime import datetime, timezone
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ecs.models import EC2ContainerServiceBackend, Service, ecs_backends

from emulator import moto_internals

PATH = "/moto-api/emulator/ecs/service-tasks"
KEPT_STOPPED = 50  # stopped tasks kept per service, newest first
STARTING = {"PROVISIONING", "PENDING", "ACTIVATING"}

_lock = threading.RLock()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _time(epoch: float | None) -> datetime | None:
    return datetime.fromtimestamp(epoch, timezone.utc) if epoch else None


class ReportedTask:
    """A task as DescribeTasks shows it (attributes in moto's snake_case)."""

    def __init__(self, backend: EC2ContainerServiceBackend, service: Service, report: dict[str, Any]):
        self.task_id = str(report["taskId"])
        self.cluster_arn = service.cluster_arn
        self.cluster_name = service.cluster_name
        self.task_arn = f"arn:aws:ecs:{backend.region_name}:{backend.account_id}:task/{service.cluster_name}/{self.task_id}"
        self.task_definition_arn = str(report["taskDefinitionArn"])
        self.last_status = str(report.get("lastStatus") or "PENDING")
        # As ECS: a task being stopped (DEACTIVATING, STOPPING...) already wants to be STOPPED.
        self.desired_status = "RUNNING" if self.last_status in STARTING | {"RUNNING"} else "STOPPED"
        self.group = f"service:{service.name}"
        self.started_by = str(report.get("startedBy") or "")
        self.launch_type = "FARGATE"
        self.capacity_provider_name = report.get("capacityProviderName")
        self.created_at = _time(report.get("createdAt"))
        self.started_at = _time(report.get("startedAt"))
        self.stopped_at = _time(report.get("stoppedAt"))
        self.stop_code = report.get("stopCode")
        self.stopped_reason = report.get("stoppedReason")
        self.health_status = report.get("healthStatus") or "UNKNOWN"
        self.failed = bool(report.get("failed"))
        self.containers = [
            {
                "containerArn": f"{self.task_arn.replace(':task/', ':container/')}/{report.get('container') or 'app'}",
                "taskArn": self.task_arn,
                "name": report.get("container") or "app",
                "lastStatus": self.last_status,
                **({"exitCode": report["exitCode"]} if report.get("exitCode") is not None else {}),
            }
        ]
        self.tags: list[dict[str, str]] = []
        self.attachments: list[dict[str, Any]] = []


def _tasks(backend: EC2ContainerServiceBackend) -> dict[str, list[ReportedTask]]:
    """The reported tasks of each service (by service ARN), kept on the backend so a reset forgets them."""
    return moto_internals.extension_state(backend, "service_tasks", {})


def _deployments(backend: EC2ContainerServiceBackend) -> dict[str, dict[str, dict[str, Any]]]:
    """Each service's deployments (by service ARN, then task definition), kept on the backend too."""
    return moto_internals.extension_state(backend, "service_deployments", {})


def _deployment(
    backend: EC2ContainerServiceBackend, service: Service, task_definition: str
) -> dict[str, Any]:
    """The deployment of a task definition on a service: one id and creation time for its life."""
    known = _deployments(backend).setdefault(service.arn, {})
    if task_definition not in known:
        known[task_definition] = {
            "id": f"ecs-svc/{random.randint(10**18, 10**19 - 1)}",
            "createdAt": _now(),
            "updatedAt": _now(),
        }
    return known[task_definition]


def _task_definition_arn(backend: EC2ContainerServiceBackend, service: Service) -> str | None:
    if not service.task_definition:
        return None
    if service.task_definition.startswith("arn:"):
        return service.task_definition
    try:
        return backend.describe_task_definition(service.task_definition).arn
    except Exception:
        return service.task_definition


def _circuit_breaker_threshold(desired: int) -> int:
    # ECS: the deployment fails after max(3, min(200, ceil(desired / 2))) failed tasks.
    return max(3, min(200, math.ceil(desired / 2)))


def _refresh(backend: EC2ContainerServiceBackend, service: Service) -> Service:
    """Counts and deployments of a service from its reported tasks."""
    with _lock:
        primary = _task_definition_arn(backend, service)
        if primary:
            service.task_definition = primary
        tasks = _tasks(backend).get(service.arn, [])
        live = [t for t in tasks if t.last_status != "STOPPED"]
        service.running_count = sum(t.last_status == "RUNNING" for t in live)
        service.pending_count = sum(t.last_status in STARTING for t in live)
        if service.deployment_controller.get("type", "ECS") != "ECS" or not primary:
            return service
        deployments = []
        others = sorted({t.task_definition_arn for t in live} - {primary})
        for task_definition in [primary, *others]:
            mine = [t for t in live if t.task_definition_arn == task_definition]
            running = sum(t.last_status == "RUNNING" for t in mine)
            pending = sum(t.last_status in STARTING for t in mine)
            failed = sum(t.failed for t in tasks if t.task_definition_arn == task_definition)
            known = _deployment(backend, service, task_definition)
            if task_definition == primary:
                desired = service.desired_count
                if failed >= _circuit_breaker_threshold(desired) and running < desired:
                    state, reason = "FAILED", "ECS deployment circuit breaker: tasks failed to start."
                elif running == desired and pending == 0 and not others:
                    state, reason = "COMPLETED", f"ECS deployment {known['id']} completed."
                else:
                    state, reason = "IN_PROGRESS", f"ECS deployment {known['id']} in progress."
                status = "PRIMARY"
            else:
                desired, state, reason, status = len(mine), "COMPLETED", None, "ACTIVE"
            deployments.append(
                {
                    "id": known["id"],
                    "status": status,
                    "taskDefinition": task_definition,
                    "desiredCount": desired,
                    "runningCount": running,
                    "pendingCount": pending,
                    "failedTasks": failed,
                    "createdAt": known["createdAt"],
                    "updatedAt": known["updatedAt"],
                    "launchType": service.launch_type,
                    "platformFamily": "Linux",
                    "rolloutState": state,
                    **({"rolloutStateReason": reason} if reason else {}),
                }
            )
        service.deployments = deployments
        return service


def report(body: dict[str, Any]) -> str:
    """Replace a service's reported tasks; returns the service's ARN."""
    backend = ecs_backends[body.get("account_id", DEFAULT_ACCOUNT_ID)][body["region"]]
    service = moto_internals.ecs_service(backend, body["cluster"], body["service"])
    with _lock:
        previous = {t.task_id: t for t in _tasks(backend).get(service.arn, [])}
        reported = [ReportedTask(backend, service, task) for task in body.get("tasks", [])]
        seen = {t.task_id for t in reported}
        # Stopped tasks the runner no longer mentions stay listed, as ECS keeps them a while.
        kept = [t for t in previous.values() if t.task_id not in seen and t.last_status == "STOPPED"]
        live = [t for t in reported if t.last_status != "STOPPED"]
        stopped = sorted(
            [t for t in reported if t.last_status == "STOPPED"] + kept,
            key=lambda t: t.stopped_at or _now(),
            reverse=True,
        )[:KEPT_STOPPED]
        for task in reported:
            before = previous.get(task.task_id)
            if before is None or before.last_status != task.last_status:
                _deployment(backend, service, task.task_definition_arn)["updatedAt"] = _now()
        _tasks(backend)[service.arn] = live + stopped
        _refresh(backend, service)
    return service.arn


def service_tasks_response(request: Any, full_url: str, headers: Any):
    """The private endpoint the task runner reports to (moto's handler signature)."""
    from moto.ecs.exceptions import ECSException

    try:
        body = json.loads(request.data or b"{}")
        arn = report(body)
    except ECSException as err:  # no such cluster or service
        return 404, {"Content-Type": "application/json"}, json.dumps({"error": type(err).__name__})
    except (KeyError, ValueError, TypeError) as err:
        return 400, {"Content-Type": "application/json"}, json.dumps({"error": f"bad report: {err!r}"})
    return 200, {"Content-Type": "application/json"}, json.dumps({"serviceArn": arn})


_original: dict[str, Any] = {}


def describe_services(self, cluster_str, service_names_or_arns):
    services, failures = _original["describe_services"](self, cluster_str, service_names_or_arns)
    return [_refresh(self, service) for service in services], failures


def create_service(self, *args, **kwargs):
    return _refresh(self, _original["create_service"](self, *args, **kwargs))


def update_service(self, service_properties):
    return _refresh(self, _original["update_service"](self, service_properties))


def delete_service(self, cluster_name, service_name, force):
    service = _original["delete_service"](self, cluster_name, service_name, force)
    with _lock:
        _tasks(self).pop(service.arn, None)
        _deployments(self).pop(service.arn, None)
    service.running_count = service.pending_count = 0
    return service


def _reported(backend: EC2ContainerServiceBackend) -> list[ReportedTask]:
    with _lock:
        return [task for tasks in _tasks(backend).values() for task in tasks]


def list_tasks(
    self,
    cluster_str=None,
    container_instance=None,
    family=None,
    started_by=None,
    service_name=None,
    desiredStatus=None,  # noqa: N803 (moto's name)
):
    listed = _original["list_tasks"](
        self, cluster_str, container_instance, family, started_by, service_name, desiredStatus
    )
    if service_name:
        # moto lists every task for a service name (it starts none); only reported tasks are a service's.
        listed = []
    tasks = _reported(self)
    if cluster_str:
        cluster = moto_internals.ecs_cluster(self, cluster_str)
        tasks = [t for t in tasks if t.cluster_name == cluster.name]
    if container_instance:
        tasks = []
    if family:
        tasks = [t for t in tasks if t.task_definition_arn.split("/")[-1].split(":")[0] == family]
    if started_by:
        tasks = [t for t in tasks if t.started_by == started_by]
    if service_name:
        tasks = [t for t in tasks if t.group == f"service:{service_name.split('/')[-1]}"]
    tasks = [t for t in tasks if t.desired_status == (desiredStatus or "RUNNING")]
    return list(listed) + tasks


def describe_tasks(self, cluster_str, tasks):
    described = _original["describe_tasks"](self, cluster_str, tasks)
    cluster = moto_internals.ecs_cluster(self, cluster_str)
    wanted = {str(t).split("/")[-1] for t in tasks}
    return list(described) + [
        t for t in _reported(self) if t.cluster_name == cluster.name and t.task_id in wanted
    ]


def install() -> None:
    """Internals: the backend methods are what the API and CloudFormation call; the endpoint is
    added to moto's own /moto-api/ paths, as moto's static-result endpoints are."""
    for name in (
        "describe_services",
        "create_service",
        "update_service",
        "delete_service",
        "list_tasks",
        "describe_tasks",
    ):
        _original[name] = getattr(EC2ContainerServiceBackend, name)
        moto_internals.replace(EC2ContainerServiceBackend, name, globals()[name])
    moto_internals.add_moto_api_route("{0}" + PATH, service_tasks_response)
