"""Wall time of `sceptre launch local`, `sceptre diff local` and `sceptre delete local` on the
emulator, each from a fresh start (emulator, certificate, image and stand-in ready beforehand).

Sceptre polls stack status every 4 s, so two dependency levels cost at least ~8 s; the CDK synth
of the network stack (several seconds) is on the same path.

Run: .venv/bin/python benchmarks/local_stack_ops.py [--runs N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from local_project import start_local  # noqa: E402


def timed(local, *args: str) -> float:
    started = time.monotonic()
    result = local.sceptre(*args)
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"sceptre {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    runs = parser.parse_args().runs
    figures: dict[str, list[float]] = {"launch": [], "diff": [], "delete": []}
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            local = start_local(Path(tmp))
            try:
                figures["launch"].append(timed(local, "launch", "local", "--yes"))
                figures["diff"].append(timed(local, "diff", "local"))
                figures["delete"].append(timed(local, "delete", "local", "--yes"))
            finally:
                local.stop()
    for name, values in figures.items():
        print(f"sceptre {name:7} local: median {statistics.median(values):5.1f} s, "
              f"min {min(values):5.1f} s, max {max(values):5.1f} s over {runs} run(s)")
    print("target: launch in 10 s or less")
    return 0


if __name__ == "__main__":
    sys.exit(main())
