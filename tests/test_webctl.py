"""`webctl`, the operator's command, through its real console script: what it says when it cannot work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sceptre_fargate_cognito.aws_environment import without_aws

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WEBCTL = Path(sys.executable).parent / "webctl"


def webctl(*args: str, env: dict | None = None, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(WEBCTL), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


# Every command that reads an environment: what each says when it cannot reach it.
COMMANDS = [
    ("users", "{env}", "list"),
    ("clients", "{env}", "list"),
    ("clients", "{env}", "token", "partner"),
    ("status", "{env}"),
    ("logs", "{env}"),
]


def command(words: tuple[str, ...], env: str) -> list[str]:
    return [word.format(env=env) for word in words]


@pytest.mark.parametrize("words", COMMANDS, ids=lambda words: " ".join(w for w in words if w != "{env}"))
def test_an_unknown_environment_is_named_with_the_ones_that_exist(words):
    result = webctl(*command(words, "staging"), env=without_aws())
    assert result.returncode == 2
    assert "no environment 'staging'" in result.stderr
    assert "dev, local, prod" in result.stderr


@pytest.mark.parametrize("words", COMMANDS, ids=lambda words: " ".join(w for w in words if w != "{env}"))
def test_missing_credentials_say_how_to_get_them(words):
    result = webctl(*command(words, "dev"), env=without_aws())
    assert result.returncode == 2
    assert "no AWS credentials for environment 'dev'" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_environment_not_launched_says_to_launch_it(aws):
    result = webctl("users", "local", "list", env=None)
    assert result.returncode == 2
    assert "stack webapp-local-cognito (local/cognito.yaml)" in result.stderr
    assert "is not launched: run `sceptre launch local` first" in result.stderr


def test_outside_the_project_it_says_where_to_run_it(tmp_path):
    result = webctl("users", "dev", "list", env=without_aws(), cwd=tmp_path)
    assert result.returncode == 2
    assert "not inside the project" in result.stderr
