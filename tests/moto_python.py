"""Python run in the emulator's own environment (.venv-moto) with the project importable, as the
emulator runs: for tests of what the extensions do to moto's own classes."""

from __future__ import annotations

import os
import subprocess

from sceptre_fargate_cognito.local_env.emulator_process import MOTO_PYTHON, PROJECT_ROOT


def run_in_moto_python(code: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(MOTO_PYTHON), "-c", code],
        input=stdin,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
