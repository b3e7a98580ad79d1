"""A throwaway copy of the Sceptre project, whose config a test may change, launched on `local`."""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from sceptre_fargate_cognito.local_env import launch
from sceptre_fargate_cognito.local_env.project_copy import copy_project
from sceptre_fargate_cognito.sceptre_command import SCEPTRE

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def run_sceptre(
    project: Path, *args: str, input: str | None = None, env: dict | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """The real `sceptre` CLI in `project`, with stdin closed unless `input` answers its question."""
    return subprocess.run(
        [str(SCEPTRE), *args],
        cwd=project,
        env=dict(os.environ) if env is None else env,
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def small_project(root: Path, files: dict[str, str]) -> Path:
    """A Sceptre project of a test's own (project t, region eu-west-1) holding `files` (path: text)."""
    for path, text in {"config/config.yaml": "project_code: t\nregion: eu-west-1\n", **files}.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


@contextlib.contextmanager
def edited(path: Path, pattern: str, replacement: str):
    """Change one line of a config file for the duration of the block."""
    original = path.read_text()
    changed = re.sub(pattern, replacement, original, count=1, flags=re.M)
    assert changed != original, f"{pattern!r} not found in {path}"
    path.write_text(changed)
    try:
        yield
    finally:
        path.write_text(original)


def start_local(tmp: Path, log=lambda message: None) -> launch.LocalEnvironment:
    """A fresh emulator, certificate, image and stand-in for a copy of the project (nothing launched)."""
    project = copy_project(tmp / "project", source=PROJECT_ROOT)
    return launch.start(tmp / "state", project=project, log=log)


TASK_APP = PROJECT_ROOT / "tests" / "apps" / "task_app.py"


def task_app_project(tmp: Path, desired: int, environment: dict[str, str]) -> tuple[Path, Path, Path]:
    """A copy of the project whose `local` tasks run the test application (tests/apps/task_app.py),
    `desired` of them, each recording its start in the records folder: (project, its local
    config.yaml, records)."""
    project = copy_project(tmp / "project", source=PROJECT_ROOT)
    records = tmp / "records"
    config = project / "config" / "local" / "config.yaml"
    config.write_text(
        config.read_text().replace("desired_count: 1\n", f"desired_count: {desired}\n")
        + f"local_app_command: [{json.dumps(sys.executable)}, {json.dumps(str(TASK_APP))}]\n"
        + "app_environment:\n"
        + f"  TASK_APP_DIR: {json.dumps(str(records))}\n"
        + "".join(f"  {name}: {value}\n" for name, value in environment.items())
    )
    return project, config, records
