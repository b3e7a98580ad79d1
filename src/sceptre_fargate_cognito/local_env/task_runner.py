"""The local task runner: ECS's scheduler and agent for `local`, with the app run as a local command.

For the service the alb-ecs stack launched (its outputs ClusterName, ServiceName, TargetGroupArn),
it runs one process of `local_app_command` per task the service wants (desiredCount), each with
the environment ECS gives the container: PORT (a free loopback port per task), the task
definition's `environment`, and each of its `secrets` resolved from the emulator's Secrets Manager
or SSM (a JSON key too). It registers each task in the target group as 127.0.0.1:<port>; the
emulator health-checks it as the target group says (emulator/patches/elbv2_target_health.py), and
the runner reads that health through DescribeTargetHealth, as ECS does:

- a task is PENDING until its target is healthy, then RUNNING; a RUNNING task whose target turns
  unhealthy, or a task still unhealthy after the service's health-check grace period, is stopped
  ("Task failed ELB health checks") and replaced, as ECS does;
- a new task definition is rolled out as ECS's rolling deployment with minimum healthy 100 % and
  maximum 200 %: new tasks start, and an old one is deregistered and stopped for each new one that
  is healthy; a lower desired count stops tasks, a higher one starts them;
- a task whose process exits is stopped ("Essential container in task exited") and replaced, with a
  growing pause after failures in a row;
- when the service or its stack is deleted, every task is stopped.

Each task's stdout and stderr go to the container's awslogs group, stream
`<prefix>/<container>/<task-id>` as ECS names it, through PutLogEvents. The runner reports its
tasks to the emulator (emulator/patches/ecs_service_tasks.py), so DescribeServices, ListTasks and
DescribeTasks show what runs.

As a process: python -m sceptre_fargate_cognito.local_env.task_runner --stack NAME --command JSON [--cwd DIR]
              with AWS_ENDPOINT_URL (and dummy credentials, region) in its environment; prints one
              JSON line {"pid": ..} once running; SIGTERM or SIGINT stops every task, then it exits.
              Tasks are their own process groups, stopped by the runner (SIGTERM, then SIGKILL after
              the container's stopTimeout); if the runner itself is killed, the kernel kills them.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

from sceptre_fargate_cognito.local_env import processes

REPORT_PATH = "/moto-api/emulator/ecs/service-tasks"
# The emulator counts every request that might change what a look reads, but the runner's own
# (its User-Agent carries RUNNER_AGENT): emulator/change_count.py.
CHANGES_PATH = "/moto-api/emulator/changes"
RUNNER_AGENT = "sceptre-fargate-cognito-task-runner"
HOST = "127.0.0.1"
STOP_TIMEOUT = 30  # seconds between SIGTERM and SIGKILL (ECS's default stopTimeout)
STOPPED_SHOWN = 60  # seconds a stopped task is still reported
GIVE_UP_AFTER = 30  # seconds without the emulator before the runner stops everything and exits
# What a task's environment keeps of the runner's, besides what ECS gives: enough to run a program.
KEPT_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "SSL_CERT_FILE")


class NotNow(RuntimeError):
    """What the service wants cannot be told right now (a stack operation is half-way): wait."""


class SecretError(RuntimeError):
    """A secret of the task definition could not be read; the message names it, never its value."""


@dataclass
class ServiceView:
    """What the launched stack says the service should run."""

    cluster: str
    service: str
    target_group_arn: str
    desired: int
    task_definition: dict
    grace_period: float


@dataclass
class Task:
    task_id: str
    task_definition_arn: str
    port: int
    container: str
    stream: str | None
    process: subprocess.Popen | None = None
    created_at: float = field(default_factory=time.time)
    started_at: float | None = None
    stopped_at: float | None = None
    status: str = "PENDING"  # PENDING, RUNNING, DEACTIVATING, STOPPING, STOPPED
    registered: bool = False
    was_healthy: bool = False
    stop_code: str | None = None
    stopped_reason: str | None = None
    failed: bool = False
    exit_code: int | None = None
    stop_after: float = 0.0  # DEACTIVATING: when to send SIGTERM
    kill_after: float = 0.0  # STOPPING: when to send SIGKILL
    stop_timeout: float = STOP_TIMEOUT

    def report(self) -> dict[str, Any]:
        return {
            "taskId": self.task_id,
            "taskDefinitionArn": self.task_definition_arn,
            "lastStatus": self.status,
            "createdAt": self.created_at,
            "startedAt": self.started_at,
            "stoppedAt": self.stopped_at,
            "stopCode": self.stop_code,
            "stoppedReason": self.stopped_reason,
            "failed": self.failed,
            "container": self.container,
            "exitCode": self.exit_code,
        }


def say(message: str) -> None:
    """One line of the runner's own log (its stderr): what it did to which task, never a value."""
    print(f"{time.strftime('%H:%M:%S')} task runner: {message}", file=sys.stderr, flush=True)


def _die_with_parent() -> None:
    """In the task's process: the kernel kills it if the runner dies without stopping it (Linux)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port(host: str = HOST) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def split_secret_reference(value_from: str) -> tuple[str, str, str, str]:
    """An ECS secrets valueFrom for Secrets Manager: (secret ARN, json key, version stage, version id).
    `arn:aws:secretsmanager:<region>:<account>:secret:<name>-AbCdEf[:<json key>:<stage>:<version id>]`"""
    parts = value_from.split(":")
    json_key, stage, version = (parts[7:] + ["", "", ""])[:3]
    return ":".join(parts[:7]), json_key, stage, version


class LogShipper:
    """Sends lines to CloudWatch Logs (PutLogEvents), batched per stream, about once a second."""

    def __init__(self, logs, group: str | None):
        self.logs, self.group = logs, group
        self.lines: queue.Queue[tuple[str, int, str]] = queue.Queue()
        self.streams: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="log-shipper", daemon=True)
        self._thread.start()

    def follow(self, stream_name: str, pipe) -> threading.Thread:
        def read() -> None:
            for raw in iter(pipe.readline, b""):
                line = raw.decode("utf-8", "replace").rstrip("\n")
                self.lines.put((stream_name, int(time.time() * 1000), line))
            pipe.close()

        reader = threading.Thread(target=read, name=f"log-{stream_name}", daemon=True)
        reader.start()
        return reader

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.flush()
        self.flush()

    def flush(self) -> None:
        batches: dict[str, list[dict]] = {}
        while True:
            try:
                stream, timestamp, message = self.lines.get_nowait()
            except queue.Empty:
                break
            batches.setdefault(stream, []).append({"timestamp": timestamp, "message": message or " "})
        if not self.group:
            return
        for stream, events in batches.items():
            # stdout and stderr are read by two threads: PutLogEvents wants them in time order.
            events.sort(key=lambda event: event["timestamp"])
            try:
                if stream not in self.streams:
                    with contextlib.suppress(self.logs.exceptions.ResourceAlreadyExistsException):
                        self.logs.create_log_stream(logGroupName=self.group, logStreamName=stream)
                    self.streams.add(stream)
                for start in range(0, len(events), 1000):
                    self.logs.put_log_events(
                        logGroupName=self.group, logStreamName=stream, logEvents=events[start : start + 1000]
                    )
            except (ClientError, EndpointConnectionError) as err:
                say(f"could not send {len(events)} log lines to {stream}: {err}")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


class TaskRunner:
    def __init__(self, stack: str, command: Sequence[str], cwd: Path, interval: float = 1.0):
        self.stack, self.command, self.cwd, self.interval = stack, list(command), cwd, interval
        self.endpoint = os.environ["AWS_ENDPOINT_URL"]
        session = boto3.session.Session()
        self.region = session.region_name or "us-east-1"
        marked = Config(user_agent_extra=RUNNER_AGENT)
        self.cloudformation = session.client("cloudformation", config=marked)
        self.ecs = session.client("ecs", config=marked)
        self.elbv2 = session.client("elbv2", config=marked)
        self.logs = session.client("logs", config=marked)
        self.secretsmanager = session.client("secretsmanager", config=marked)
        self.ssm = session.client("ssm", config=marked)
        self.tasks: list[Task] = []
        self.shippers: dict[str | None, LogShipper] = {}
        self.view: ServiceView | None = None
        self.failures_in_a_row = 0
        self.next_start = 0.0
        self.last_report: str = ""
        self.last_report_at = 0.0
        self.unreachable_since: float | None = None
        self.stopping = threading.Event()
        self._task_definitions: dict[str, dict] = {}
        self.changes_at_look: int | None = None  # the emulator's change count before the last full look
        self.last_look_known = False

    # ------------------------------------------------------------------ what the stack launched
    def read_service(self) -> ServiceView | None:
        """What the launched stack's service wants; None when there is no such service (not
        launched, or deleted). Raises NotNow while it cannot be told (a stack operation half-way)."""
        try:
            (stack,) = self.cloudformation.describe_stacks(StackName=self.stack)["Stacks"]
        except ClientError as err:
            if "does not exist" in str(err):
                return None
            raise NotNow(str(err)) from None
        status = stack["StackStatus"]
        if status.startswith("DELETE") or status == "ROLLBACK_COMPLETE":
            return None
        if status.endswith("_IN_PROGRESS"):
            raise NotNow(status)
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        parameters = {p["ParameterKey"]: p.get("ParameterValue", "") for p in stack.get("Parameters", [])}
        if not {"ClusterName", "ServiceName", "TargetGroupArn"} <= set(outputs):
            return None
        try:
            services = self.ecs.describe_services(
                cluster=outputs["ClusterName"], services=[outputs["ServiceName"]]
            )
        except self.ecs.exceptions.ClusterNotFoundException:
            return None
        (service,) = services["services"] or [None]
        if service is None or service["status"] != "ACTIVE":
            return None
        # A stack update replaces the task definition before it updates the service: a reference
        # that does not resolve now is not a deleted service.
        try:
            task_definition = self._task_definition(service["taskDefinition"])
        except (ClientError, ValueError) as err:
            raise NotNow(str(err)) from None
        return ServiceView(
            cluster=outputs["ClusterName"],
            service=outputs["ServiceName"],
            target_group_arn=outputs["TargetGroupArn"],
            desired=int(service["desiredCount"]),
            task_definition=task_definition,
            grace_period=float(
                service.get("healthCheckGracePeriodSeconds")
                or parameters.get("HealthCheckGracePeriodSeconds")
                or 0
            ),
        )

    # The runner looks every second for as long as `local` runs, so a look reads only what can
    # change between two: a task definition revision never does, and the target group's port and
    # deregistration delay are read when a task starts or stops (halves an idle environment's load).
    def _task_definition(self, arn: str) -> dict:
        if arn not in self._task_definitions:
            self._task_definitions[arn] = self.ecs.describe_task_definition(taskDefinition=arn)[
                "taskDefinition"
            ]
        return self._task_definitions[arn]

    def _deregistration_delay(self, target_group_arn: str) -> float:
        try:
            attributes = self.elbv2.describe_target_group_attributes(TargetGroupArn=target_group_arn)
        except ClientError:
            return 0.0  # the target group is gone: nothing to drain from
        return float(
            next(
                (
                    a["Value"]
                    for a in attributes["Attributes"]
                    if a["Key"] == "deregistration_delay.timeout_seconds"
                ),
                "0",
            )
        )

    @staticmethod
    def _app_container(task_definition: dict, port: int | None) -> dict:
        """The container the target group sends traffic to (its port mapping), else the first essential one."""
        containers = task_definition["containerDefinitions"]
        for container in containers:
            if any(m.get("containerPort") == port for m in container.get("portMappings", [])):
                return container
        return next((c for c in containers if c.get("essential", True)), containers[0])

    # ------------------------------------------------------------------ a task's environment
    def resolve_secret(self, name: str, value_from: str) -> str:
        try:
            if value_from.startswith("arn:") and ":secretsmanager:" in value_from:
                arn, json_key, stage, version = split_secret_reference(value_from)
                request: dict[str, str] = {"SecretId": arn}
                if stage:
                    request["VersionStage"] = stage
                if version:
                    request["VersionId"] = version
                value = self.secretsmanager.get_secret_value(**request)["SecretString"]
                if not json_key:
                    return value
                document = json.loads(value)
                if not isinstance(document, dict):
                    raise ValueError("not a JSON object")
                if json_key not in document:
                    raise SecretError(f"secret {name}: the secret {arn} has no JSON key {json_key!r}")
                field_value = document[json_key]
                return field_value if isinstance(field_value, str) else json.dumps(field_value)
            answer = self.ssm.get_parameters(Names=[value_from], WithDecryption=True)
            if not answer["Parameters"]:
                raise SecretError(f"secret {name}: no SSM parameter {value_from}")
            return answer["Parameters"][0]["Value"]
        except ClientError as err:
            raise SecretError(f"secret {name}: {value_from}: {err.response['Error']['Code']}") from None
        except ValueError:
            raise SecretError(f"secret {name}: the secret {value_from} is not a JSON object") from None

    def environment(self, container: dict, port: int) -> dict[str, str]:
        """What ECS gives the container, on loopback: its environment, its secrets, PORT; and the
        emulator as AWS (with dummy credentials), where ECS would give the task role."""
        env = {name: os.environ[name] for name in KEPT_VARIABLES if name in os.environ}
        env |= {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            # A container's Python writes lines as they come when its image says so; here, always.
            "PYTHONUNBUFFERED": "1",
        }
        env |= {item["name"]: item["value"] for item in container.get("environment", [])}
        for secret in container.get("secrets", []):
            env[secret["name"]] = self.resolve_secret(secret["name"], secret["valueFrom"])
        env["PORT"] = str(port)
        return env

    # ------------------------------------------------------------------ starting and stopping tasks
    def start_task(self, view: ServiceView) -> Task:
        (group,) = self.elbv2.describe_target_groups(TargetGroupArns=[view.target_group_arn])["TargetGroups"]
        container = self._app_container(view.task_definition, group.get("Port"))
        options = (container.get("logConfiguration") or {}).get("options", {})
        task_id = uuid.uuid4().hex
        prefix = options.get("awslogs-stream-prefix")
        stream = f"{prefix}/{container['name']}/{task_id}" if prefix else None
        group = options.get("awslogs-group")
        task = Task(
            task_id,
            view.task_definition["taskDefinitionArn"],
            free_port(),
            container["name"],
            stream,
            stop_timeout=float(container.get("stopTimeout") or STOP_TIMEOUT),
        )
        self.tasks.append(task)
        try:
            env = self.environment(container, task.port)
        except SecretError as err:
            return self._failed_to_start(task, f"ResourceInitializationError: unable to pull secrets: {err}")
        try:
            task.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # its own process group, stopped as one
                preexec_fn=_die_with_parent,  # noqa: PLW1509 (only prctl, async-signal-safe enough)
            )
        except OSError as err:
            return self._failed_to_start(
                task, f"CannotStartContainerError: {self.command[0]}: {err.strerror} (local_app_command)"
            )
        task.started_at = time.time()
        say(
            f"task {task_id} started on {HOST}:{task.port} (pid {task.process.pid}), {task.task_definition_arn}"
        )
        if group not in self.shippers:
            self.shippers[group] = LogShipper(self.logs, group)
        if stream:
            assert task.process.stdout and task.process.stderr
            self.shippers[group].follow(stream, task.process.stdout)
            self.shippers[group].follow(stream, task.process.stderr)
        try:
            self.elbv2.register_targets(
                TargetGroupArn=view.target_group_arn, Targets=[{"Id": HOST, "Port": task.port}]
            )
            task.registered = True
        except ClientError as err:
            say(f"could not register task {task_id}: {err}")
        return task

    def _failed_to_start(self, task: Task, reason: str) -> Task:
        task.status, task.stopped_at = "STOPPED", time.time()
        task.stop_code, task.stopped_reason, task.failed = "TaskFailedToStart", reason, True
        self._count_failure()
        say(f"task {task.task_id} failed to start: {reason}")
        return task

    def _count_failure(self) -> None:
        self.failures_in_a_row += 1
        # ECS throttles a service whose tasks keep failing; so does the runner, up to 30 s.
        self.next_start = time.monotonic() + min(2**self.failures_in_a_row, 30)

    def _deregister(self, task: Task, target_group_arn: str | None) -> None:
        if task.registered and target_group_arn:
            with contextlib.suppress(ClientError, EndpointConnectionError):
                self.elbv2.deregister_targets(
                    TargetGroupArn=target_group_arn, Targets=[{"Id": HOST, "Port": task.port}]
                )
        task.registered = False

    def stop_task(
        self,
        task: Task,
        reason: str,
        *,
        stop_code: str = "ServiceSchedulerInitiated",
        failed=False,
        drain: bool = True,
    ) -> None:
        """Deregister, let it drain for the deregistration delay, then SIGTERM (and SIGKILL later)."""
        if task.status in ("DEACTIVATING", "STOPPING", "STOPPED"):
            return
        view = self.view
        self._deregister(task, view.target_group_arn if view else None)
        task.stop_code, task.stopped_reason, task.failed = stop_code, reason, failed
        say(f"task {task.task_id} stopping: {reason}")
        task.status = "DEACTIVATING"
        delay = self._deregistration_delay(view.target_group_arn) if view and drain else 0.0
        task.stop_after = time.monotonic() + delay
        if failed:
            self._count_failure()

    def _advance_stopping(self, task: Task, now: float) -> None:
        process = task.process
        if task.status == "DEACTIVATING" and now >= task.stop_after:
            if process is not None and process.poll() is None:
                say(f"task {task.task_id}: SIGTERM")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            task.status, task.kill_after = "STOPPING", now + task.stop_timeout
        if task.status == "STOPPING":
            if process is not None and process.poll() is None and now >= task.kill_after:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
            if process is None or process.poll() is not None:
                self._stopped(task)

    def _stopped(self, task: Task) -> None:
        if task.process is not None:
            task.exit_code = task.process.poll()
            # Whatever it left in its group goes with it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(task.process.pid, signal.SIGKILL)
        task.status, task.stopped_at = "STOPPED", time.time()
        say(f"task {task.task_id} stopped (exit status {task.exit_code})")

    # ------------------------------------------------------------------ one look at the world
    def _health(self, view: ServiceView) -> dict[int, dict]:
        try:
            described = self.elbv2.describe_target_health(TargetGroupArn=view.target_group_arn)
        except ClientError:
            return {}
        return {
            int(d["Target"]["Port"]): d["TargetHealth"]
            for d in described["TargetHealthDescriptions"]
            if d["Target"]["Id"] == HOST
        }

    def _changes(self) -> int | None:
        """The emulator's change count; None when it cannot be had (then the runner looks anyway)."""
        request = urllib.request.Request(self.endpoint + CHANGES_PATH, headers={"User-Agent": RUNNER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return int(json.load(answer)["changes"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _settled(self) -> bool:
        """Nothing of the runner's own in motion: every task RUNNING, as many as the service wants."""
        live = self.live()
        if not self.last_look_known or any(t.status != "RUNNING" for t in live):
            return False
        if self.view is None:
            return not live
        arn = self.view.task_definition["taskDefinitionArn"]
        return len(live) == self.view.desired and all(t.task_definition_arn == arn for t in live)

    def step(self) -> None:
        now = time.monotonic()
        # An idle environment: nothing changed in the emulator since the last look, and nothing of
        # the runner's own is under way: only the tasks' processes need watching.
        changes = self._changes()
        if changes is not None and changes == self.changes_at_look and self._settled():
            self._watch_processes()
            self._forget_old()
            self.report()
            return
        try:
            view, known = self.read_service(), True
        except NotNow as err:
            # Half-way through a stack operation: schedule nothing on a half-read, look again.
            say(f"waiting for the stack: {err}")
            view, known = self.view, False
        if view is None and known:
            for task in self.live():
                self.stop_task(task, "Service deleted" if self.view else "Service not launched")
        elif view is not None:
            self.view = view
        self._watch_processes()
        if view is not None:
            self._follow_health(view, now)
            if known:
                self._schedule(view, now)
        for task in self.tasks:
            self._advance_stopping(task, now)
        self._forget_old()
        self.report()
        self.changes_at_look, self.last_look_known = changes, known

    def _watch_processes(self) -> None:
        """A task whose process exited is stopped, as ECS stops a task whose essential container exits."""
        for task in self.live():
            process = task.process
            if task.status in ("PENDING", "RUNNING") and process is not None and process.poll() is not None:
                code = process.returncode
                self._deregister(task, self.view.target_group_arn if self.view else None)
                task.stop_code, task.failed = "EssentialContainerExited", True
                task.stopped_reason = f"Essential container in task exited (exit code {code})"
                self._stopped(task)
                self._count_failure()

    def _follow_health(self, view: ServiceView, now: float) -> None:
        health = self._health(view)
        for task in self.live():
            if task.status not in ("PENDING", "RUNNING") or not task.registered:
                continue
            state = health.get(task.port, {}).get("State")
            if state == "healthy":
                if task.status == "PENDING":
                    say(f"task {task.task_id} is healthy: RUNNING")
                    task.status = "RUNNING"
                    self.failures_in_a_row = 0
                task.was_healthy = True
            elif state == "unhealthy" and (
                task.was_healthy or time.time() - (task.started_at or time.time()) >= view.grace_period
            ):
                self.stop_task(
                    task,
                    f"Task failed ELB health checks in (target-group {view.target_group_arn})",
                    failed=True,
                )

    def _schedule(self, view: ServiceView, now: float) -> None:
        arn = view.task_definition["taskDefinitionArn"]
        serving = [t for t in self.tasks if t.status in ("PENDING", "RUNNING")]
        current = [t for t in serving if t.task_definition_arn == arn]
        old = [t for t in serving if t.task_definition_arn != arn]
        # Too many of the current kind: stop the ones not yet serving first, newest first.
        extra = len(current) - view.desired
        for task in sorted(current, key=lambda t: (t.status == "RUNNING", t.created_at))[: max(extra, 0)]:
            self.stop_task(task, "Scaling activity initiated by (deployment)")
        # Too few: start more (up to desired; old tasks keep serving meanwhile: at most 200 %).
        while len(current) < view.desired and now >= self.next_start and not self.stopping.is_set():
            task = self.start_task(view)
            if task.status == "STOPPED":
                break
            current.append(task)
        # Minimum healthy 100 %: an old task stops once a new one runs in its place.
        running_new = sum(t.status == "RUNNING" for t in current)
        keep_old = max(0, view.desired - running_new)
        for task in sorted(old, key=lambda t: (t.status == "RUNNING", t.created_at))[
            : max(len(old) - keep_old, 0)
        ]:
            self.stop_task(task, "Replaced by a new deployment of the service")

    def live(self) -> list[Task]:
        return [t for t in self.tasks if t.status != "STOPPED"]

    def _forget_old(self) -> None:
        cutoff = time.time() - STOPPED_SHOWN
        self.tasks = [t for t in self.tasks if t.status != "STOPPED" or (t.stopped_at or 0) > cutoff]

    def report(self, force: bool = False) -> None:
        view = self.view
        if view is None:
            return
        body = json.dumps(
            {
                "region": self.region,
                "cluster": view.cluster,
                "service": view.service,
                "tasks": [t.report() for t in self.tasks],
            }
        )
        if body == self.last_report and not force and time.monotonic() - self.last_report_at < 10:
            return
        request = urllib.request.Request(
            self.endpoint + REPORT_PATH,
            data=body.encode(),
            method="POST",
            headers={"Content-Type": "application/json", "User-Agent": RUNNER_AGENT},
        )
        try:
            urllib.request.urlopen(request, timeout=10).close()
            self.last_report, self.last_report_at = body, time.monotonic()
        except OSError:
            pass  # the service is gone (404) or the emulator is: the next step sees which

    # ------------------------------------------------------------------ the loop
    def run(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    self.step()
                    self.unreachable_since = None
                except EndpointConnectionError:
                    self.unreachable_since = self.unreachable_since or time.monotonic()
                    if time.monotonic() - self.unreachable_since > GIVE_UP_AFTER:
                        say("the emulator is gone; stopping every task")
                        break
                except Exception as err:  # one bad look must not orphan the tasks
                    say(f"{type(err).__name__}: {err}")
                self.stopping.wait(self.interval)
        finally:
            self.shutdown()

    def shutdown(self, timeout: float = 20.0) -> None:
        """Stop every task now (deregistered, SIGTERM, SIGKILL after `timeout`), report, send the logs."""
        for task in self.live():
            self.stop_task(task, "Task runner stopped", drain=False)
            task.stop_timeout = min(task.stop_timeout, timeout)
        deadline = time.monotonic() + timeout + 1
        while self.live() and time.monotonic() < deadline:
            for task in self.live():
                self._advance_stopping(task, time.monotonic())
            time.sleep(0.05)
        for task in self.live():
            if task.process is not None:
                processes.stop(task.process, timeout=1)
            self._stopped(task)
        with contextlib.suppress(Exception):
            self.report(force=True)
        for shipper in self.shippers.values():
            shipper.stop()


@dataclass
class RunnerProcess:
    """A task runner running as its own process, stopped by its pid only."""

    pid: int
    process: subprocess.Popen

    def stop(self) -> None:
        # Long enough for the runner to stop its tasks (each gets up to 20 s) and send their logs.
        processes.stop(self.process, timeout=40)


def start_process(
    stack: str,
    command: Sequence[str],
    cwd: Path,
    *,
    env: dict[str, str],
    log_path: Path | None = None,
    python: str = sys.executable,
) -> RunnerProcess:
    """Start `python -m sceptre_fargate_cognito.local_env.task_runner` and return once it runs;
    its own messages go to `log_path` (the tasks' output goes to CloudWatch Logs)."""
    stderr: IO[bytes] | int = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
    try:
        process, info = processes.start_announced(
            [
                python,
                "-m",
                "sceptre_fargate_cognito.local_env.task_runner",
                *("--stack", stack, "--command", json.dumps(list(command)), "--cwd", str(cwd)),
            ],
            what="the task runner",
            env=env,
            stderr=stderr,
            hint=f"; see {log_path}" if log_path else "",
        )
    finally:
        if not isinstance(stderr, int):
            stderr.close()
    return RunnerProcess(info["pid"], process)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sceptre_fargate_cognito.local_env.task_runner", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--stack", required=True, help="the alb-ecs stack's name, e.g. webapp-local-alb-ecs")
    parser.add_argument(
        "--command", required=True, help="the app's command as a JSON list (local_app_command)"
    )
    parser.add_argument(
        "--cwd", type=Path, default=Path.cwd(), help="where the command runs (the project root)"
    )
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the service")
    args = parser.parse_args(argv)
    command = json.loads(args.command)
    if not isinstance(command, list) or not command or not all(isinstance(p, str) and p for p in command):
        parser.error("--command must be a JSON list of strings, the program first")
    if "AWS_ENDPOINT_URL" not in os.environ:
        parser.error("AWS_ENDPOINT_URL must point at the emulator")
    runner = TaskRunner(args.stack, command, args.cwd.resolve(), args.interval)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: runner.stopping.set())
    print(json.dumps({"pid": os.getpid()}), flush=True)
    runner.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
