"""The emulator installs every extension in emulator/patches, once each, in the listed order."""

import json
import os
import pkgutil
import subprocess

import emulator.patches
from emulator.extensions import EXTENSIONS
from sceptre_fargate_cognito.local_env.emulator_process import MOTO_PYTHON, PROJECT_ROOT


def test_every_extension_module_is_listed_exactly_once():
    modules = sorted(info.name for info in pkgutil.iter_modules(emulator.patches.__path__))
    assert sorted(EXTENSIONS) == modules
    assert len(set(EXTENSIONS)) == len(EXTENSIONS)


def test_the_started_emulator_reports_the_extensions_it_installed_in_the_listed_order():
    process = subprocess.Popen(
        [str(MOTO_PYTHON), "-m", "emulator", "--port", "0"],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        started = json.loads(process.stdout.readline())
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert started["extensions"] == list(EXTENSIONS)
