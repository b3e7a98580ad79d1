"""Loads every extension module; each one is small and named after the gap it closes."""
import importlib
import pkgutil

import emulator.patches as _patches


def load_all() -> list[str]:
    """Import every module under emulator.patches (importing one installs it). Returns their names."""
    names = []
    for info in sorted(pkgutil.iter_modules(_patches.__path__), key=lambda i: i.name):
        importlib.import_module(f"{_patches.__name__}.{info.name}")
        names.append(info.name)
    return names
