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
def written(tmp_path_factory) -> Path:
    """Every environment's generated template of every stack, written as `<environment>-<stack>.json`
    in one folder: each scanner runs once over all of them (a start of checkov costs more CPU
    than the templates it reads: 5 s for one stack's three, 7.6 s for all fifteen)."""
    folder = tmp_path_factory.mktemp("templates")
    for environment in ENVIRONMENTS:
        for stack in STACKS:
            (folder / f"{environment}-{stack}.json").write_text(
                json.dumps(template(environment, stack), indent=1)
            )
    return folder


def of_stack(stack: str) -> set[str]:
    """The file names the stack's templates are written under."""
    return {f"{environment}-{stack}.json" for environment in ENVIRONMENTS}


def test_every_suppression_gives_a_reason_and_names_known_stacks():
    for scanner in ("checkov", "cfn_lint"):
        for rule, entry in (SUPPRESSIONS.get(scanner) or {}).items():
            assert entry.get("reason", "").strip(), f"{scanner} {rule} has no reason"
            assert entry["templates"] and set(entry["templates"]) <= set(STACKS), rule


def cfn_lint(paths: list[Path], stack: str | None) -> subprocess.CompletedProcess:
    """cfn-lint over the files, ignoring only what the suppressions accept for that stack (for
    None, nothing)."""
    ignored = sorted(accepted("cfn_lint", stack)) if stack else []
    args = [
        str(CFN_LINT),
        "--format",
        "parseable",
        *(["--ignore-checks", *ignored] if ignored else []),
        "--",
        *map(str, paths),
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=300)


def cfn_lint_findings(paths: list[Path]) -> dict[str, list[tuple[str, str]]]:
    """cfn-lint once over all the files, ignoring nothing: (rule, finding) per file name."""
    result = cfn_lint(paths, stack=None)
    # A non-zero exit with nothing on stdout is cfn-lint failing, not a finding.
    assert result.returncode == 0 or result.stdout.strip(), result.stderr[-2000:]
    findings: dict[str, list[tuple[str, str]]] = {}
    for line in result.stdout.splitlines():
        path, _, _, _, _, rule, _ = line.split(":", 6)  # the parseable format
        findings.setdefault(Path(path).name, []).append((rule, line))
    return findings


def unaccepted(findings: dict[str, list[tuple[str, str]]], stack: str, names: set[str]) -> list[str]:
    """cfn-lint's findings in these files of the stack that the suppressions do not accept."""
    return [
        line
        for name in sorted(names)
        for rule, line in findings.get(name, [])
        if rule not in accepted("cfn_lint", stack)
    ]


@pytest.fixture(scope="module")
def cfn_lint_found(written) -> dict[str, list[tuple[str, str]]]:
    return cfn_lint_findings(sorted(written.glob("*.json")))


@pytest.mark.parametrize("stack", STACKS)
def test_cfn_lint_finds_nothing(cfn_lint_found, stack):
    found = unaccepted(cfn_lint_found, stack, of_stack(stack))
    assert not found, "\n".join(found)


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


@pytest.fixture(scope="module")
def checkov_found(written) -> set[tuple[str, str]]:
    return checkov_failed(written)


@pytest.mark.parametrize("stack", STACKS)
def test_checkov_fails_exactly_the_accepted_checks(checkov_found, stack):
    failed = {(rule, name) for rule, name in checkov_found if name in of_stack(stack)}
    unexpected = sorted(
        f"{rule} in {name}" for rule, name in failed if rule not in accepted("checkov", stack)
    )
    assert not unexpected, f"checkov failed checks nobody accepted: {unexpected}"
    stale = accepted("checkov", stack) - {rule for rule, _ in failed}
    assert not stale, f"suppressions no longer needed for {stack}, remove them: {sorted(stale)}"
