"""Waiting in tests for what happens in other processes (a task runner, a launched `local`)."""

from __future__ import annotations

import os
import time

import pytest


def wait_for(what: str, check, timeout: float = 120.0, every: float = 0.5):
    """Poll `check` until it returns something true; fail naming `what` and the last value seen."""
    deadline = time.monotonic() + timeout
    while True:
        seen = check()
        if seen:
            return seen
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout} s; last seen: {seen!r}")
        time.sleep(every)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
