"""Start and stop the emulator server process (`python -m emulator` in .venv-moto)."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sceptre_fargate_cognito.aws_environment import emulator_credentials
from sceptre_fargate_cognito.local_env import processes
from sceptre_fargate_cognito.project import project_root

PROJECT_ROOT = project_root()
MOTO_PYTHON = PROJECT_ROOT / ".venv-moto" / "bin" / "python"


class EmulatorError(RuntimeError):
    """The emulator could not be started or reached."""


@dataclass
class Emulator:
    endpoint: str
    pid: int
    process: subprocess.Popen | None = None
    outbox: Path | None = None  # where the email it would send is written (None: not written)
    log_path: Path | None = None  # its log: one line per request served

    def reset(self) -> None:
        """Forget every resource (moto's own reset API)."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=10).close()

    def aws_env(self, region: str = "eu-west-1") -> dict[str, str]:
        """Environment variables that point boto3/Sceptre at this emulator with dummy credentials."""
        return emulator_credentials(self.endpoint, region)

    def stop(self) -> None:
        """Stop the server this object started (by its pid only)."""
        if self.process is not None:
            processes.stop(self.process)
        else:
            processes.terminate(self.pid)


def start(
    port: int = 0,
    log_path: Path | None = None,
    timeout: float = 60.0,
    require_service_linked_roles: bool = False,
    outbox: Path | None = None,
) -> Emulator:
    """Start the emulator on 127.0.0.1 (a free port unless given) and wait until it answers.

    `require_service_linked_roles`: as in a new AWS account, an ECS service cannot be created until
    the ECS service-linked role exists (the local environment launches this way, so the preflight
    that makes the role is tested). `outbox`: the directory where the email Cognito would send
    (an invitation with its temporary password) is written, one file a message."""
    if not MOTO_PYTHON.exists():
        raise EmulatorError(f"{MOTO_PYTHON} is missing: run bin/setup --local first")
    stderr: IO[bytes] | int = open(log_path, "ab") if log_path else subprocess.DEVNULL  # noqa: SIM115 (the child keeps it)
    try:
        process, info = processes.start_announced(
            [
                str(MOTO_PYTHON),
                "-m",
                "emulator",
                "--port",
                str(port),
                *(["--outbox", str(outbox)] if outbox else []),
            ],
            what="the emulator",
            error=EmulatorError,
            cwd=PROJECT_ROOT,
            env={
                **os.environ,
                "PYTHONPATH": str(PROJECT_ROOT),
                **({"EMULATOR_REQUIRE_SERVICE_LINKED_ROLES": "1"} if require_service_linked_roles else {}),
            },
            stderr=stderr,
            hint=f"; see {log_path}" if log_path else "",
        )
    finally:
        if not isinstance(stderr, int):
            stderr.close()
    emulator = Emulator(
        endpoint=info["endpoint"], pid=info["pid"], process=process, outbox=outbox, log_path=log_path
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{emulator.endpoint}/moto-api/", timeout=2).close()
            return emulator
        except OSError as err:
            if time.monotonic() > deadline:
                emulator.stop()
                raise EmulatorError(f"the emulator at {emulator.endpoint} did not answer: {err}") from err
            time.sleep(0.1)
