"""cfn-lint and checkov over every generated template of every environment.

Zero cfn-lint errors or warnings; checkov fails exactly the checks that tests/scanner_suppressions.yaml
accepts for that stack, each with its reason — so a new finding fails, and so does a stale entry.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from templates import ENVIRONMENTS, PROJECT_ROOT, STACKS, template

CHECKOV = PROJECT_ROOT / ".venv-checkov" / "bin" / "checkov"
CFN_LINT = Path(sys.executable).parent / "cfn-lint"
SUPPRESSIONS = yaml.safe_load((Path(__file__).parent / "scanner_suppressions.yaml").read_text())


def accepted(scanner: str, stack: str) -> set[str]:
    return {rule for rule, entry in (SUPPRESSIONS.get(scanner) or {}).items() if stack in entry["templates"]}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Each stack's generated templates of every environment, written as files for the scanners."""

    def write(stack: str) -> Path:
        folder = tmp_path_factory.mktemp(stack)
        for environment in ENVIRONMENTS:
            (folder / f"{environment}-{stack}.json").write_text(
                json.dumps(template(environment, stack), indent=1)
            )
        return folder

    return write


def test_every_suppression_gives_a_reason_and_names_known_stacks():
    for scanner in ("checkov", "cfn_lint"):
        for rule, entry in (SUPPRESSIONS.get(scanner) or {}).items():
            assert entry.get("reason", "").strip(), f"{scanner} {rule} has no reason"
            assert entry["templates"] and set(entry["templates"]) <= set(STACKS), rule


def cfn_lint(paths: list[Path], stack: str) -> subprocess.CompletedProcess:
    """cfn-lint over the files, ignoring only what the suppressions accept for that stack."""
    ignored = sorted(accepted("cfn_lint", stack))
    args = [
        str(CFN_LINT),
        "--format",
        "parseable",
        *(["--ignore-checks", *ignored] if ignored else []),
        "--",
        *map(str, paths),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("stack", STACKS)
def test_cfn_lint_finds_nothing(written, stack):
    result = cfn_lint(sorted(written(stack).glob("*.json")), stack)
    assert result.stdout.strip() == "" and result.returncode == 0, result.stdout + result.stderr


def checkov_failed(folder: Path) -> set[tuple[str, str]]:
    """(check id, file name) of every check checkov fails in the templates in `folder`."""
    result = subprocess.run(
        [
            str(CHECKOV),
            "-d",
            str(folder),
            "--framework",
            "cloudformation",
            "--skip-download",
            "--quiet",
            "--compact",
            "-o",
            "json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    report = json.loads(result.stdout) if result.stdout.strip() else {}
    reports = report if isinstance(report, list) else [report]
    return {
        (check["check_id"], Path(check["file_path"]).name)
        for r in reports
        for check in r.get("results", {}).get("failed_checks", [])
    }


@pytest.mark.parametrize("stack", STACKS)
def test_checkov_fails_exactly_the_accepted_checks(written, stack):
    failed = checkov_failed(written(stack))
    unexpected = sorted(
        f"{rule} in {name}" for rule, name in failed if rule not in accepted("checkov", stack)
    )
    assert not unexpected, f"checkov failed checks nobody accepted: {unexpected}"
    stale = accepted("checkov", stack) - {rule for rule, _ in failed}
    assert not stale, f"suppressions no longer needed for {stack}, remove them: {sorted(stale)}"
