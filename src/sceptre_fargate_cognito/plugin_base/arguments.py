"""Checks shared by the resolvers' argument parsers."""

from __future__ import annotations

from typing import Any

from sceptre.resolvers import Resolver


class ArgumentProblem(ValueError):
    """The argument has the wrong shape; the resolver adds its accepted forms to the message."""


def is_unresolved(value: Any) -> bool:
    """A nested resolver (`{domain: !stack_output ...}`) is only known at resolve time."""
    return isinstance(value, Resolver)


def check_keys(argument: dict, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> None:
    unknown = sorted(str(key) for key in argument if key not in allowed)
    if unknown:
        raise ArgumentProblem(f"unknown key(s) {', '.join(unknown)}; the keys are {', '.join(allowed)}")
    missing = [key for key in required if argument.get(key) is None]
    if missing:
        raise ArgumentProblem(f"missing {', '.join(missing)}")


def optional_text(argument: dict, key: str) -> str | None:
    """A string value or nothing; a nested resolver passes through untouched until resolve time."""
    value = argument.get(key)
    if value is None or is_unresolved(value):
        return value
    if not isinstance(value, str):
        raise ArgumentProblem(
            f"{key} must be a string, not {type(value).__name__} {value!r} (quote it in YAML)"
        )
    return value.strip()
