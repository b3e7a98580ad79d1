"""Starting the servers the local environment runs, and stopping them: only ours, by handle or
pid, never by name."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO


def start_announced(
    argv: Sequence[str],
    *,
    what: str,
    error: type[Exception] = RuntimeError,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    stderr: IO[bytes] | int | None = None,
    hint: str = "",
) -> tuple[subprocess.Popen, dict]:
    """Start a server that prints one JSON line on stdout once it listens (its port, its pid);
    return the process and that line. `stderr` is as for Popen (None: ours); `hint` ends the
    error raised when it exits first."""
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(os.environ if env is None else env),
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    assert process.stdout is not None  # stdout=PIPE
    line = process.stdout.readline()
    try:
        return process, json.loads(line)
    except ValueError:
        # Closed stdout (it exited, or is about to) or printed something else: stopped either way.
        stop(process, timeout=5)
        said = f"printed {line.strip()[:200]!r} instead of its address" if line else "stopped"
        raise error(f"{what} {said} before it listened (exit status {process.returncode}){hint}") from None


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM a process we started, KILL it if it does not stop in time, and close its pipes."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()


def terminate(pid: int) -> None:
    """SIGTERM a process recorded by pid (a kept environment); gone already is fine."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def wait_gone(pid: int, timeout: float) -> bool:
    """Wait until a process recorded by pid has exited (True), or `timeout` seconds (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, PermissionError):  # gone (or the pid is someone else's now)
            return True
        time.sleep(0.1)
    return False
