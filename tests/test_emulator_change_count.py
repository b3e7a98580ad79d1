"""The emulator counts what may have changed, so the local task runner can skip its looks while
nothing did: every request but the runner's own, and each target health change the emulator's
own checker records with no request at all (emulator/change_count.py)."""

from __future__ import annotations

import json
import socket
import urllib.request

import boto3
from botocore.config import Config
from target_groups import target_group
from waiting import wait_for

from sceptre_fargate_cognito.local_env.task_runner import CHANGES_PATH, RUNNER_AGENT


def changes(emulator) -> int:
    with urllib.request.urlopen(emulator.endpoint + CHANGES_PATH, timeout=10) as answer:
        return json.load(answer)["changes"]


def test_every_request_but_the_task_runners_own_raises_the_count_and_asking_does_not(aws):
    before = changes(aws)
    assert changes(aws) == before, "asking changes nothing"
    boto3.client("ecs").list_clusters()
    after_a_call = changes(aws)
    assert after_a_call > before
    boto3.client("ecs", config=Config(user_agent_extra=RUNNER_AGENT)).list_clusters()
    assert changes(aws) == after_a_call, "the runner's own call is not counted"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_targets_health_the_checker_records_raises_the_count_without_any_request(aws):
    elb, group = target_group(unhealthy=2)
    elb.register_targets(TargetGroupArn=group, Targets=[{"Id": "127.0.0.1", "Port": closed_port()}])
    registered = changes(aws)
    # Only the count is asked from here on: a rise is the checker's own doing.
    wait_for("the checker's record counted", lambda: changes(aws) > registered, timeout=30)
    (described,) = elb.describe_target_health(TargetGroupArn=group)["TargetHealthDescriptions"]
    assert described["TargetHealth"]["Reason"] != "Elb.RegistrationInProgress"
