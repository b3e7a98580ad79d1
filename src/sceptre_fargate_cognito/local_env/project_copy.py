"""A throwaway copy of the Sceptre project whose config can be changed without touching the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

from sceptre_fargate_cognito.project import project_root


def copy_project(destination: Path, source: Path | None = None) -> Path:
    """config/ copied (callers edit it); templates, package.json, node_modules, and what the local
    task runner's default command runs (.venv, sample_app) linked."""
    source = source or project_root()
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source / "config", destination / "config")
    for shared in ("templates", "node_modules", "package.json", ".venv", "sample_app"):
        if (source / shared).exists() or shared in ("templates", "node_modules", "package.json"):
            (destination / shared).symlink_to(source / shared)
    return destination
