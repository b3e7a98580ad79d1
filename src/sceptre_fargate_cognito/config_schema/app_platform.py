"""Checks of the keys that say what the platform gives the application (issue 11).

Each check takes the value written in config.yaml and returns it normalised, or raises ValueError
with what was expected; `keys.KEYS` names them.
"""

from __future__ import annotations

_CAPACITY_KEYS = ("on_demand_base", "on_demand_weight", "spot_weight")


def capacity(value):
    """The mix of Fargate (on-demand) and Fargate Spot tasks, as ECS capacity-provider weights.

    `on_demand_base` tasks run on demand first; the rest are split by weight. An absent weight
    is 0, so `{spot_weight: 0}` (or no `spot_weight`) runs everything on demand.
    """
    if not isinstance(value, dict):
        raise ValueError(
            "expected a mapping such as {on_demand_base: 1, on_demand_weight: 0, spot_weight: 1}"
        )
    unknown = sorted(set(value) - set(_CAPACITY_KEYS))
    if unknown:
        raise ValueError(f"unknown option {', '.join(unknown)}; expected {', '.join(_CAPACITY_KEYS)}")
    mix = {}
    for name in _CAPACITY_KEYS:
        number = value.get(name, 0)
        high = 100000 if name == "on_demand_base" else 1000
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= high:
            raise ValueError(f"{name} must be a whole number from 0 to {high}")
        mix[name] = number
    if mix["on_demand_weight"] == mix["spot_weight"] == 0:
        # ECS refuses a strategy without a positive weight: it would place no task past the base.
        raise ValueError("on_demand_weight or spot_weight must be above 0")
    return mix


# ECS's limits (and, for an option left out, its defaults) for a container health check.
_HEALTH_CHECK_LIMITS = {
    "interval": (5, 300, 30),
    "timeout": (2, 60, 5),
    "retries": (1, 10, 3),
    "start_period": (0, 300, 0),
}


def container_health_check(value):
    """A command the image carries that exits 0 when the container is healthy; ECS replaces a
    task whose check fails `retries` times in a row. Empty: no container health check.

    `command` is a list starting with CMD (run directly) or CMD-SHELL (run by /bin/sh), or a
    string, run by the shell.
    """
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping such as {command: [CMD, /app/healthcheck], interval: 10}")
    unknown = sorted(set(value) - {"command", *_HEALTH_CHECK_LIMITS})
    if unknown:
        raise ValueError(
            f"unknown option {', '.join(unknown)}; expected command, {', '.join(_HEALTH_CHECK_LIMITS)}"
        )
    command = value.get("command")
    if isinstance(command, str) and command.strip():
        command = ["CMD-SHELL", command]
    if (
        not isinstance(command, list)
        or len(command) < 2
        or command[0] not in ("CMD", "CMD-SHELL")
        or not all(isinstance(part, str) and part for part in command)
    ):
        raise ValueError(
            "command must be a shell command, or a list [CMD, program, args...] or [CMD-SHELL, command]"
        )
    check = {"command": command}
    for name, (low, high, ecs_default) in _HEALTH_CHECK_LIMITS.items():
        number = value.get(name, ecs_default)
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise ValueError(
                f"{name} must be a whole number of {'tries' if name == 'retries' else 'seconds'} from {low} to {high}"
            )
        check[name] = number
    return check
