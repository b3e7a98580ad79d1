"""The pre-commit hooks: each one passes on the tree as committed, and each one can fail."""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest
import yaml

from templates import PROJECT_ROOT

HOOKS = {
    hook["id"]: hook
    for repo in yaml.safe_load((PROJECT_ROOT / ".pre-commit-config.yaml").read_text())["repos"]
    for hook in repo["hooks"]
}
TYPES = {"python": ".py", "pyi": ".pyi"}


def files_for(hook: dict) -> list[str]:
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    names = tracked.stdout.split()
    if "files" in hook:
        return [n for n in names if re.search(hook["files"], n)]
    suffixes = tuple(TYPES[t] for t in hook["types_or"])
    return [n for n in names if n.endswith(suffixes)]


def run(hook: dict, files: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*shlex.split(hook["entry"]), *files], cwd=PROJECT_ROOT, capture_output=True, text=True
    )


def test_ruff_cfn_lint_and_actionlint_run_on_every_commit():
    assert set(HOOKS) == {"ruff-check", "ruff-format", "cfn-lint", "actionlint"}
    # Every plain CloudFormation template (a .j2 one is linted once rendered, by tests/test_scanners.py).
    plain = sorted(str(p.relative_to(PROJECT_ROOT)) for p in (PROJECT_ROOT / "templates").glob("*.yaml"))
    assert files_for(HOOKS["cfn-lint"]) == plain and "templates/edge.yaml" in plain
    assert files_for(HOOKS["actionlint"])


@pytest.mark.parametrize("hook_id", ["ruff-check", "ruff-format", "cfn-lint", "actionlint"])
def test_each_hook_passes_on_the_tree(hook_id):
    hook = HOOKS[hook_id]
    result = run(hook, files_for(hook))
    assert result.returncode == 0, result.stdout + result.stderr


def test_cfn_lint_hook_fails_a_broken_template(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n    Properties:\n      NoSuchProperty: 1\n"
    )
    assert run(HOOKS["cfn-lint"], [str(broken)]).returncode != 0
