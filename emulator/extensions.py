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
    # moto caches its CloudFormation type map on first use: forget it, so the resource types the
    # extensions define are found even if something looked the map up while they loaded.
    from moto.cloudformation import parsing

    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    return names
