"""The slower tiers run in parallel with `--dist loadgroup`, and every module that launches `local`
or holds a module-scoped emulator relies on its tests staying on one worker (tests/conftest.py marks
them with xdist_group). pytest 9.2 made pytest-xdist drop those marks silently, so each worker
launched its own copy: this checks the installed pair still honours them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
