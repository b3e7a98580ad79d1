"""The slower tiers run in parallel with `--dist loadgroup`, and every module that launches `local`
or holds a module-scoped emulator relies on its tests staying on one worker (tests/conftest.py marks
them with xdist_group). pytest 9.2 made pytest-xdist drop those marks silently, so each worker
launched its own copy: this checks the installed pair still honours them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

GROUPED = """
import os
from pathlib import Path

import pytest

WORKERS = Path(__file__).parent / "workers"


@pytest.mark.parametrize("n", range(6))
@pytest.mark.xdist_group("shared_launch")
def test_grouped(n):
    (WORKERS / f"grouped-{n}").write_text(os.environ["PYTEST_XDIST_WORKER"])


@pytest.mark.parametrize("n", range(6))
def test_free(n):
    (WORKERS / f"free-{n}").write_text(os.environ["PYTEST_XDIST_WORKER"])
"""


def test_the_tests_of_one_group_run_on_one_worker(tmp_path: Path):
    (tmp_path / "workers").mkdir()
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "3", "--dist", "loadgroup"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ran_on = {path.name: path.read_text() for path in (tmp_path / "workers").iterdir()}
    grouped = {worker for name, worker in ran_on.items() if name.startswith("grouped-")}
    assert len(ran_on) == 12
    assert len(grouped) == 1, f"one group ran on workers {sorted(grouped)}: pytest-xdist ignored xdist_group"


SHOW_GROUPS = """
def pytest_collection_finish(session):
    for item in session.items:
        groups = [mark.args[0] for mark in item.iter_markers("xdist_group")]
        print("GROUP", item.nodeid, *groups)
"""


@pytest.fixture(scope="module")
def collected_groups(tmp_path_factory) -> dict[str, str | None]:
    """Each collected test of the modules below -> its xdist_group (None: scheduled alone)."""
    folder = tmp_path_factory.mktemp("show-groups")
    (folder / "show_groups.py").write_text(SHOW_GROUPS)
    tests = Path(__file__).parent
    modules = ("test_network_template.py", "test_exposure.py", "test_scanners.py")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "show_groups"]
        + [str(tests / module) for module in modules],
        cwd=tests.parent,
        env={**os.environ, "PYTHONPATH": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return {
        words[1]: (words[2:] or [None])[0]
        for words in (line.split() for line in result.stdout.splitlines() if line.startswith("GROUP "))
    }


def test_the_tests_that_load_the_cdk_app_in_their_process_share_one_worker(collected_groups):
    """Each worker that loads the CDK app imports aws_cdk and starts Node: seconds of CPU."""
    in_process = [
        "tests/test_network_template.py::test_valid_settings_are_accepted",
        "tests/test_network_template.py::test_a_malformed_setting_is_refused_naming_the_key[change0-vpc_cidr]",
        "tests/test_exposure.py::test_the_design_covers_a_network_with_every_endpoint_and_no_nat_gateway",
    ]
    assert {collected_groups.get(test) for test in in_process} == {"cdk_in_process"}
    assert (
        collected_groups["tests/test_network_template.py::test_prod_spans_three_availability_zones"] is None
    )


def test_the_tests_of_a_module_scoped_fixture_share_one_worker(collected_groups):
    """Each worker that runs one of them sets the fixture up: here, checkov over every template."""
    scans = [test for test in collected_groups if "checkov" in test or "cfn_lint" in test]
    assert len(scans) == 10
    assert {collected_groups[test] for test in scans} == {"test_scanners"}
    alone = "tests/test_scanners.py::test_every_suppression_gives_a_reason_and_names_known_stacks"
    assert collected_groups[alone] is None
