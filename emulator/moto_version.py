"""The emulator runs only on the moto version its extensions were written for.

Every extension reaches into moto 5.2.5's code (its method names, its private attributes), so on
any other version some would silently do nothing or break a call half-way; failing at start-up
says why instead.
"""

from __future__ import annotations

from importlib import metadata

REQUIRED = "5.2.5"


class MotoVersionError(RuntimeError):
    """moto is missing or not the version the extensions were written for."""


def installed() -> str | None:
    try:
        return metadata.version("moto")
    except metadata.PackageNotFoundError:
        return None


def check(found: str | None = None) -> None:
    """Raise MotoVersionError unless moto (or `found`, when given) is exactly REQUIRED."""
    found = installed() if found is None else found
    if found == REQUIRED:
        return
    what = "moto is not installed" if found is None else f"moto {found} is installed"
    raise MotoVersionError(
        f"{what}, but the emulator's extensions are written for moto {REQUIRED} exactly. "
        "Run `bin/setup --local` to install the locked version into .venv-moto, "
        "and start the emulator with .venv-moto/bin/python -m emulator."
    )
