"""Wall time of `sceptre launch local`, `sceptre diff local` and `sceptre delete local` on the
emulator, each run on a fresh emulator (certificate, image and stand-in ready beforehand).

Sceptre polls stack status every 4 s, so two dependency levels cost at least ~8 s. The first run
synthesises the network stack with the CDK (cold cache); later runs reuse the cached synth, as a
user's second launch does.

Run: .venv/bin/python benchmarks/local_stack_ops.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sceptre_fargate_cognito.local_env import launch
from sceptre_fargate_cognito.local_env.project_copy import copy_project


def timed(local, *args: str) -> float:
    started = time.monotonic()
    result = local.sceptre(*args)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"sceptre {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    figures: dict[str, list[float]] = {"launch": [], "diff": [], "delete": []}
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        for run in range(runs):
            local = launch.start(Path(tmp) / f"state-{run}", project=project, log=lambda message: None)
            try:
                figures["launch"].append(timed(local, "launch", "local", "--yes"))
                figures["diff"].append(timed(local, "diff", "local"))
                figures["delete"].append(timed(local, "delete", "local", "--yes"))
            finally:
                local.stop()
            print(
                f"run {run + 1} ({'cold CDK cache' if run == 0 else 'warm CDK cache'}): "
                + ", ".join(f"{name} {values[-1]:.1f} s" for name, values in figures.items()),
                flush=True,
            )
    for name, values in figures.items():
        warm = values[1:] or values
        print(
            f"sceptre {name:7} local: warm median {statistics.median(warm):5.1f} s, cold {values[0]:5.1f} s"
        )
    print("target: launch in 10 s or less")
    return 0


if __name__ == "__main__":
    sys.exit(main())
