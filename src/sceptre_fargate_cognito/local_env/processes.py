"""Stopping the servers the local environment starts: only ours, by handle or pid, never by name."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


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
