"""A count of what may have changed in the emulator, for the local task runner.

The task runner (sceptre_fargate_cognito.local_env.task_runner) plays ECS's scheduler: every second
for as long as `local` runs, it looks at the launched stack, its service and its targets' health.
A look is three AWS calls, about 12 ms of the emulator's CPU, and most of an idle environment's
load. So before a look the runner asks `GET /moto-api/emulator/changes` (answered here, without
moto: about a millisecond) and skips the AWS calls while the count stands still and its own tasks
are settled.

The count rises with every request but this endpoint and the runner's own (its User-Agent carries
RUNNER_AGENT; it knows what it did itself), and whenever the health checker records a target's
new state or the end of its draining (emulator/patches/elbv2_target_health.py). Counting every
other request, reads too, is coarse on purpose: no change can slip past a list of writes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

PATH = "/moto-api/emulator/changes"
# What the task runner's requests carry in their User-Agent (task_runner.RUNNER_AGENT).
RUNNER_AGENT = "sceptre-fargate-cognito-task-runner"

_lock = threading.Lock()
_count = 0


def bump() -> None:
    global _count
    with _lock:
        _count += 1


def count() -> int:
    with _lock:
        return _count


class Counting:
    """The emulator's WSGI application, counting requests and answering PATH itself."""

    def __init__(self, app: Callable[..., Iterable[bytes]]):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH and environ.get("REQUEST_METHOD") == "GET":
            body = json.dumps({"changes": count()}).encode()
            start_response(
                "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            )
            return [body]
        if RUNNER_AGENT not in environ.get("HTTP_USER_AGENT", ""):
            bump()
        return self.app(environ, start_response)
