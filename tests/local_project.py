"""A throwaway copy of the Sceptre project, whose config a test may change, launched on `local`."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

from sceptre_fargate_cognito.local_env import launch
from sceptre_fargate_cognito.local_env.project_copy import copy_project

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
