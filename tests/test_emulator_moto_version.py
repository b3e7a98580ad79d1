"""The emulator refuses to start on a moto other than the one its extensions were written for."""

import subprocess
import sys

import pytest

from emulator.moto_version import REQUIRED, MotoVersionError, check
from sceptre_fargate_cognito.local_env.emulator_process import MOTO_PYTHON, PROJECT_ROOT


def _start(python, *pythonpath):
    return subprocess.run(
        [str(python), "-m", "emulator", "--port", "0"],
        cwd=PROJECT_ROOT,
        env={"PYTHONPATH": ":".join([*map(str, pythonpath), str(PROJECT_ROOT)]), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_version_the_extensions_were_written_for_passes():
    check(REQUIRED)


def test_another_version_fails_saying_what_was_found_what_is_needed_and_how_to_fix_it():
    with pytest.raises(MotoVersionError) as error:
        check("5.3.0")
    message = str(error.value)
    assert "moto 5.3.0 is installed" in message
    assert f"moto {REQUIRED} exactly" in message
    assert "bin/setup --local" in message


def test_the_emulator_started_with_another_moto_exits_with_that_message(tmp_path):
    # A moto 9.9.9 distribution ahead of the real one on the path: what `pip install -U moto` leaves.
    dist_info = tmp_path / "moto-9.9.9.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: moto\nVersion: 9.9.9\n")

    result = _start(MOTO_PYTHON, tmp_path)

    assert result.returncode == 1
    assert result.stdout == ""  # no endpoint line: a caller does not mistake it for a server
    assert "moto 9.9.9 is installed" in result.stderr and "bin/setup --local" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_emulator_started_without_moto_exits_with_that_message():
    result = _start(sys.executable)  # the project's own environment, which has no moto

    assert result.returncode == 1
    assert "moto is not installed" in result.stderr and "bin/setup --local" in result.stderr
