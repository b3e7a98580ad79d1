"""Checks of the keys that say what the platform gives the application.

Each check takes the value written in config.yaml and returns it normalised, or raises ValueError
with what was expected; `keys.KEYS` names them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    check: dict[str, object] = {"command": command}
    for name, (low, high, ecs_default) in _HEALTH_CHECK_LIMITS.items():
        number = value.get(name, ecs_default)
        if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
            raise ValueError(
                f"{name} must be a whole number of {'tries' if name == 'retries' else 'seconds'} from {low} to {high}"
            )
        check[name] = number
    return check


_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Names the platform sets in the container itself: PORT from container_port, AUTH_* (the sign-in
# contract: AUTH_SIGN_OUT_URL, AUTH_SIGNER_ARN, AUTH_PUBLIC_KEYS_URL, and any it adds later), and
# ECS's own (AWS_REGION, AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, ECS_CONTAINER_METADATA_URI_V4, ...).
_PLATFORM_NAMES = ("PORT",)
_AUTH_PREFIX = "AUTH_"
_PLATFORM_PREFIXES = ("AWS_", "ECS_")
_SECRET_SHAPED = re.compile(r"arn:aws[a-z-]*:(secretsmanager:|ssm:[^:]*:[^:]*:parameter/)")


def _variable_names(value) -> dict:
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of NAME: value, such as {LOG_LEVEL: info}")
    for name in value:
        if not isinstance(name, str) or not _VARIABLE_NAME.fullmatch(name):
            raise ValueError(
                f"{name!r} is not an environment variable name (letters, digits, _; not a digit first)"
            )
        if name in _PLATFORM_NAMES:
            raise ValueError(f"{name} is set by the platform (from container_port) and cannot be overridden")
        if name.startswith(_AUTH_PREFIX):
            raise ValueError(
                f"{name}: names starting with {_AUTH_PREFIX} are the platform's sign-in contract "
                "(docs/application-contract.md) and cannot be set"
            )
        if name.startswith(_PLATFORM_PREFIXES):
            raise ValueError(
                f"{name}: names starting with {' or '.join(_PLATFORM_PREFIXES)} are set by ECS and cannot be overridden"
            )
    return value


def app_environment(value):
    """Plain configuration for the container (name -> value), visible in the template and diffs."""
    names = _variable_names(value)
    settings = {}
    for name in sorted(names):
        item = names[name]
        if isinstance(item, bool):
            item = "true" if item else "false"
        elif isinstance(item, (int, float)):
            item = str(item)
        if not isinstance(item, str):
            raise ValueError(f"{name} must be a text, number or true/false, not {type(item).__name__}")
        if _SECRET_SHAPED.search(item):
            raise ValueError(
                f"{name} looks like a secret's ARN: put it in app_secrets, so the container gets its value, not its name"
            )
        settings[name] = item
    return settings


_SECRET_ARN = re.compile(
    r"(?P<arn>arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6})"
    r"(?::(?P<json_key>[^:]*):(?P<version_stage>[^:]*):(?P<version_id>[^:]*))?"
)
_PARAMETER_ARN = re.compile(r"arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter/[\w.-]+(/[\w.-]+)*")
# A parameter name as a path from "/": a bare word could as well be a pasted secret value.
_PARAMETER_NAME = re.compile(r"(/[\w.-]+)+")


def app_secrets(value):
    """Secrets for the container (name -> where ECS reads the value at task start), never values.

    Each is a Secrets Manager secret ARN (full, with its 6-character suffix), optionally
    `:<json key>:<version stage>:<version id>` after it; or an SSM parameter ARN or name (a path
    from "/"). Returns
    name -> {service, value_from (what ECS reads), arn (what the execution role may read;
    for a parameter name, empty: the template builds it in the stack's own account and region),
    parameter (the name without its leading "/")}.
    """
    names = _variable_names(value)
    secrets = {}
    for name in sorted(names):
        where = names[name]
        if not isinstance(where, str):
            raise ValueError(f"{name} must be a Secrets Manager secret ARN or an SSM parameter name or ARN")
        if match := _SECRET_ARN.fullmatch(where):
            secrets[name] = {
                "service": "secretsmanager",
                "value_from": where,
                "arn": match["arn"],
                "parameter": "",
            }
        elif _PARAMETER_ARN.fullmatch(where):
            secrets[name] = {"service": "ssm", "value_from": where, "arn": where, "parameter": ""}
        elif _PARAMETER_NAME.fullmatch(where):
            secrets[name] = {"service": "ssm", "value_from": where, "arn": "", "parameter": where.lstrip("/")}
        else:
            raise ValueError(
                f"{name} is not a Secrets Manager secret ARN (arn:...:secret:<name>-AbCdEf[:<json key>::]) "
                "nor an SSM parameter name (a path from /, such as /app/db-url) or ARN; give where the secret is, never its value"
            )
    return secrets


def command(value):
    """A program and its arguments, run without a shell: a non-empty list of non-empty strings."""
    if not value or not all(isinstance(part, str) and part for part in value):
        raise ValueError("expected a list of strings, the program first, such as [.venv/bin/python, app.py]")
    return list(value)


def health_paths(s: dict) -> set[str]:
    """The template's HealthCheckPath (/healthz) and the path the after-launch health check probes."""
    return {"/healthz", s.get("health_check", {}).get("health_path", "/healthz")}


def cross_checks(s: dict) -> list[str]:
    """Contradictions between the keys above."""
    problems = []
    if s.get("signed_out_path") in health_paths(s):
        problems.append(
            f"signed_out_path {s['signed_out_path']} is the health path: the signed-out page needs a path of its own"
        )
    both = sorted(set(s.get("app_environment", {})) & set(s.get("app_secrets", {})))
    if both:
        problems.append(f"{', '.join(both)} in both app_environment and app_secrets: keep each name in one")
    if s.get("app_secrets_kms_key_arn") and not s.get("app_secrets"):
        problems.append(
            "app_secrets_kms_key_arn is set but app_secrets is empty: nothing would be decrypted with it"
        )
    return problems


@dataclass(frozen=True)
class SecretReference:
    """One place a secret is read from, for a check that it exists before launch."""

    service: str  # "secretsmanager" or "ssm"
    identifier: str  # secret ARN; parameter ARN or name (as GetParameters takes it)


def secret_references(settings: dict) -> list[SecretReference]:
    """Every secret and parameter the environment's app_secrets names, once each, in order."""
    found = []
    for secret in settings.get("app_secrets", {}).values():
        reference = SecretReference(secret["service"], secret["arn"] or secret["value_from"])
        if reference not in found:
            found.append(reference)
    return found
