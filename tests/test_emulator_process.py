"""Starting the emulator (and any server of the local environment): it answers on loopback, or
the start fails saying why and leaves nothing running."""

import sys

import boto3
import pytest
from waiting import alive

from sceptre_fargate_cognito.local_env import processes
from sceptre_fargate_cognito.local_env.emulator_process import EmulatorError


def test_the_emulator_answers_aws_calls_on_loopback(aws):
    assert aws.endpoint.startswith("http://127.0.0.1:")
    sts = boto3.client("sts")
    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_a_reset_forgets_every_resource(aws):
    ecr = boto3.client("ecr")
    ecr.create_repository(repositoryName="forgotten")
    aws.reset()
    assert ecr.describe_repositories()["repositories"] == []


def _start(tmp_path, code: str):
    pid_file = tmp_path / "pid"
    script = f"import os, pathlib, time; pathlib.Path({str(pid_file)!r}).write_text(str(os.getpid()))\n{code}"
    with pytest.raises(EmulatorError) as failed:
        processes.start_announced([sys.executable, "-c", script], what="the server", error=EmulatorError)
    return str(failed.value), int(pid_file.read_text())


def test_a_server_that_exits_before_it_listens_is_reported_with_its_status(tmp_path):
    message, pid = _start(tmp_path, "raise SystemExit(3)")
    assert message == "the server stopped before it listened (exit status 3)"
    assert not alive(pid)


def test_a_server_that_prints_something_else_is_stopped_and_what_it_printed_is_shown(tmp_path):
    message, pid = _start(tmp_path, "print('Traceback: no module named moto', flush=True); time.sleep(60)")
    assert message.startswith("the server printed 'Traceback: no module named moto' instead of its address")
    assert not alive(pid)
