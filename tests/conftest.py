"""Fixtures shared by every test: the emulator on loopback."""

from __future__ import annotations

import pytest

from sceptre_fargate_cognito.local_env import emulator_process

pytest_plugins = ("health_check_support", "resolver_support")


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    """One real emulator server for the session (moto + the project's extensions) on 127.0.0.1;
    the email it would send goes to `emulator.outbox`."""
    folder = tmp_path_factory.mktemp("emulator")
    server = emulator_process.start(log_path=folder / "emulator.log", outbox=folder / "outbox")
    try:
        yield server
    finally:
        server.stop()


def point_at(emulator, monkeypatch) -> None:
    """Send boto3 and Sceptre to this emulator, with its dummy credentials."""
    for name, value in emulator.aws_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture
def aws(emulator, monkeypatch):
    """A clean emulator for one test, with boto3/Sceptre pointed at it through the environment."""
    emulator.reset()
    point_at(emulator, monkeypatch)
    return emulator


@pytest.fixture(scope="module")
def module_aws(emulator):
    """A clean emulator for a whole module, whose tests share what one launch made."""
    emulator.reset()
    with pytest.MonkeyPatch.context() as monkeypatch:
        point_at(emulator, monkeypatch)
        yield emulator


@pytest.fixture(scope="session")
def launched_local(tmp_path_factory):
    """The `local` environment launched with `sceptre launch local --yes` on its own emulator,
    from a copy of the project (tests may change its config and must put it back)."""
    from local_project import start_local

    local = start_local(tmp_path_factory.mktemp("launched-local"))
    try:
        result = local.sceptre("launch", "local", "--yes")
        assert result.returncode == 0, result.stdout + result.stderr
        yield local
    finally:
        local.stop()
