"""The project installs as one import package, and works installed as well as editable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from templates import PROJECT_ROOT

DIST = "sceptre-fargate-cognito"


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A non-editable install of the project (no dependencies) into a folder of its own."""
    target = tmp_path_factory.mktemp("site")
    uv = subprocess.run([str(PROJECT_ROOT / "bin" / "uv-path")], capture_output=True, text=True, check=True)
    subprocess.run(
        [
            uv.stdout.strip(),
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--python",
            sys.executable,
            "--target",
            str(target),
            str(PROJECT_ROOT),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return target


def test_nothing_but_the_project_package_lands_in_site_packages(installed):
    record = next(installed.glob("*.dist-info")) / "RECORD"
    modules = [
        line.split(",")[0] for line in record.read_text().splitlines() if line.split(",")[0].endswith(".py")
    ]
    assert {module.split("/")[0] for module in modules} == {"sceptre_fargate_cognito"}
    assert {"hooks", "resolvers", "health_check", "review"} <= {
        p.name for p in (installed / "sceptre_fargate_cognito").iterdir()
    }


def test_every_entry_point_loads_from_the_installed_copy_outside_the_project(installed, tmp_path):
    script = f"""
import json
from importlib.metadata import distribution
dist = distribution({DIST!r})
loaded = {{}}
for ep in dist.entry_points:
    obj = ep.load()
    loaded[ep.group + ":" + ep.name] = __import__("sys").modules[obj.__module__].__file__
print(json.dumps(loaded))
"""
    env = {**os.environ, "PYTHONPATH": str(installed)}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert {
        "sceptre.resolvers:ecr_image",
        "sceptre.hooks:https_health_check",
        "sceptre.template_handlers:cached_cdk",
        "console_scripts:diff-report",
        "console_scripts:webctl",
    } <= set(loaded)
    assert all(path.startswith(str(installed)) for path in loaded.values()), loaded
