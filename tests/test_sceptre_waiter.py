"""Sceptre's stack waiter, as the project's hooks leave it: it returns as soon as a status ends the
wait, instead of sleeping 4 s more (sceptre_fargate_cognito/sceptre_waiter.py).

The emulator finishes a stack action within its call, so the waiter's in-progress path (looking
again every 4 s, the timeout) is driven by a scripted series of statuses.
"""

from __future__ import annotations

import logging
import time

import boto3
import pytest
import sceptre
from sceptre.plan.actions import StackActions
from sceptre.stack import Stack
from sceptre.stack_status import StackStatus
from sceptre_stack import REGION

import sceptre_fargate_cognito.plugin_base.hook  # noqa: F401  what loading any hook of ours does
from sceptre_fargate_cognito import sceptre_waiter


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Every time.sleep of the test, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


def test_a_launch_whose_stack_is_complete_at_the_first_look_returns_without_sleeping(
    aws, tmp_path, sleeps, caplog
):
    caplog.set_level(logging.INFO, logger="sceptre")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "topic.yaml").write_text("Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n")
    stack = Stack(
        name="t/topic",
        project_code="t",
        region=REGION,
        template_handler_config={"type": "file", "path": "topic.yaml"},
        stack_group_config={"project_path": str(tmp_path)},
    )

    assert StackActions(stack).launch() == StackStatus.COMPLETE

    assert sleeps == []
    described = boto3.client("cloudformation", region_name=REGION).describe_stacks(StackName="t-t-topic")
    assert described["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    # The stack's events are still logged, as Sceptre's own waiter logs them.
    assert "t-t-topic AWS::CloudFormation::Stack CREATE_COMPLETE" in caplog.text


class ScriptedStatuses(StackActions):
    """The real waiter over a stack whose status reads come from a script."""

    def __init__(self, statuses: list[str]):
        self.statuses = iter(statuses)
        self.reads = 0

    def _get_status(self):
        self.reads += 1
        return next(self.statuses)

    def _log_new_events(self, after_datetime):
        return after_datetime


def test_while_the_stack_is_in_progress_it_looks_again_every_4_s_and_returns_at_the_status_that_ends_it(
    sleeps,
):
    actions = ScriptedStatuses(["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "never read"])

    assert actions._wait_for_completion() == StackStatus.COMPLETE

    assert (actions.reads, sleeps) == (3, [4, 4])


def test_a_failed_action_ends_the_wait_too(sleeps):
    actions = ScriptedStatuses(["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"])

    assert actions._wait_for_completion() == StackStatus.FAILED
    assert sleeps == [4]


def test_a_timeout_ends_the_wait_in_progress_after_as_many_looks_as_sceptres_own(sleeps):
    actions = ScriptedStatuses(["UPDATE_IN_PROGRESS"] * 100)

    assert actions._wait_for_completion(timeout=1) == StackStatus.IN_PROGRESS
    # Sceptre's: look, sleep 4 s, until 60 s have been slept.
    assert (actions.reads, sum(sleeps)) == (15, 60)


def test_the_pinned_sceptre_is_a_release_the_waiter_was_read_from():
    assert sceptre.__version__ in sceptre_waiter.SCEPTRE_RELEASES, (
        f"sceptre {sceptre.__version__}: read its StackActions._wait_for_completion, then add the release "
        "to sceptre_waiter.SCEPTRE_RELEASES"
    )
    assert StackActions._wait_for_completion is sceptre_waiter._wait_for_completion


def test_another_sceptre_release_keeps_its_own_waiter(monkeypatch):
    monkeypatch.setattr(StackActions, "_wait_for_completion", sceptre_waiter.SCEPTRE_WAITER)
    monkeypatch.setattr(sceptre, "__version__", "4.8.0")

    assert sceptre_waiter.install() is False
    assert StackActions._wait_for_completion is sceptre_waiter.SCEPTRE_WAITER
