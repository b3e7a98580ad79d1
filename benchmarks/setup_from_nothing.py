"""Wall time from nothing to a HEALTHY local launch: a fresh clone, every package cache empty
(pip, uv, npm, jsii), then the README's first command, `bin/launch-local`; each step timed.

With --tests it then runs the README's test command, `bin/test`, in the same clone and prints the
time of each of its steps (set-up, lint, types, the fast tier, the slower tiers in parallel) and
where the suite spends its time: each test file's total and the slowest tests.

The caches are emptied by pointing every tool at new empty folders (XDG_CACHE_HOME, UV_CACHE_DIR,
npm_config_cache, PIP_CACHE_DIR, JSII_RUNTIME_PACKAGE_CACHE_ROOT), never by deleting yours.

Run: python3 benchmarks/setup_from_nothing.py [--tests] [--keep]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STEP = re.compile(r"^==> (.*)")


def empty_caches(base: Path) -> dict[str, str]:
    folders = {
        "XDG_CACHE_HOME": base / "xdg",
        "UV_CACHE_DIR": base / "uv",
        "npm_config_cache": base / "npm",
        "PIP_CACHE_DIR": base / "pip",
        "JSII_RUNTIME_PACKAGE_CACHE_ROOT": base / "jsii",
    }
    for folder in folders.values():
        folder.mkdir(parents=True)
    return {name: str(folder) for name, folder in folders.items()}


def run_timed_steps(
    command: list[str], cwd: Path, env: dict[str, str]
) -> tuple[int, list[tuple[str, float]], str]:
    """Run `command`, splitting its wall time at every `==> step` line it prints."""
    steps: list[tuple[str, float]] = []
    current, started = f"{command[0]} (start)", time.monotonic()
    output = []
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        match = STEP.match(line)
        if match:
            now = time.monotonic()
            steps.append((current, now - started))
            current, started = match[1], now
    process.wait()
    steps.append((current, time.monotonic() - started))
    return process.returncode, steps, "".join(output)


def print_time_by_file(durations: str) -> None:
    """Print pytest's `--durations` report folded by test file, then its ten slowest entries."""
    rows = re.findall(r"^([\d.]+)s (call|setup|teardown)\s+(\S+)", durations, re.M)
    by_file: collections.Counter[str] = collections.Counter()
    for seconds, _, test in rows:
        by_file[test.split("::")[0]] += float(seconds)
    print("\nwhere bin/test spends its time (per file, setup + call + teardown):")
    for name, seconds in by_file.most_common():
        print(f"  {seconds:7.1f} s  {name}")
    print("\nslowest single entries:")
    for seconds, phase, test in sorted(rows, key=lambda r: -float(r[0]))[:10]:
        print(f"  {float(seconds):7.1f} s  {phase:8} {test}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tests", action="store_true", help="also time bin/test in the fresh clone")
    parser.add_argument("--keep", action="store_true", help="keep the clone and caches")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="setup-from-nothing-"))
    clone = base / "project"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    # Only the clone: nothing outside the repository is needed to launch.
    env = {**os.environ, **empty_caches(base / "caches")}
    env.pop("VIRTUAL_ENV", None)
    try:
        started = time.monotonic()
        status, steps, output = run_timed_steps(["bin/launch-local"], clone, env)
        total = time.monotonic() - started
        print("bin/launch-local on a fresh clone, every package cache empty:")
        for name, seconds in steps:
            print(f"  {seconds:6.1f} s  {name}")
        print(f"  {total:6.1f} s  total ({'HEALTHY' if status == 0 and 'HEALTHY ' in output else 'FAILED'})")
        if status != 0:
            print(output[-3000:], file=sys.stderr)
            return 1
        if args.tests:
            started = time.monotonic()
            # The README's command as written: each pytest run reports its durations.
            test_env = env | {"PYTEST_ADDOPTS": "-q -p no:cacheprovider --durations=0 --durations-min=0.5"}
            status, steps, output = run_timed_steps(["bin/test"], clone, test_env)
            print(f"\nbin/test in the same clone: {time.monotonic() - started:.1f} s, exit {status}")
            for name, seconds in steps:
                print(f"  {seconds:6.1f} s  {name}")
            print(output.strip().splitlines()[-1] if output.strip() else "(no output)")
            print_time_by_file(output)
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
