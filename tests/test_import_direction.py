"""Imports run one way: the Sceptre plugins (hooks/, resolvers/) build on the package
(src/sceptre_fargate_cognito/), never on each other, and the package builds on neither the plugins
nor the tests' helpers. Read from the source, so a plugin imported only at run time counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import tomllib

from templates import PROJECT_ROOT

PACKAGE = "sceptre_fargate_cognito"
PLUGIN_FOLDERS = {"hooks": "sceptre.hooks", "resolvers": "sceptre.resolvers"}  # folder: entry-point group
PLUGIN_PACKAGES = tuple(f"{PACKAGE}.{folder}" for folder in PLUGIN_FOLDERS)
TEST_MODULES = {path.stem for path in (PROJECT_ROOT / "tests").glob("*.py")}


def plugin_files() -> list[Path]:
    return sorted(
        path
        for folder in PLUGIN_FOLDERS
        for path in (PROJECT_ROOT / folder).glob("*.py")
        if path.name != "__init__.py"
    )


def package_files() -> list[Path]:
    return sorted((PROJECT_ROOT / "src" / PACKAGE).rglob("*.py"))


def module_name(path: Path) -> str:
    """The installed name of a file: hooks/x.py is sceptre_fargate_cognito.hooks.x."""
    relative = path.relative_to(PROJECT_ROOT)
    parts = list(relative.with_suffix("").parts)
    parts = parts[1:] if parts[0] == "src" else [PACKAGE, *parts]
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every module the file imports, anywhere in it: `from a import b` counts as a and a.b (b may
    be a module); relative imports are made absolute."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def is_within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def test_no_plugin_imports_another_plugins_module():
    offending = {
        str(path.relative_to(PROJECT_ROOT)): sorted(
            module for module in imported_modules(path) if is_within(module, PLUGIN_PACKAGES)
        )
        for path in plugin_files()
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}, (
        "move what plugins share into src/sceptre_fargate_cognito/"
    )


def test_the_package_imports_no_plugin_and_nothing_from_the_tests():
    offending = {
        str(path.relative_to(PROJECT_ROOT)): sorted(
            module
            for module in imported_modules(path)
            if is_within(module, PLUGIN_PACKAGES) or module.split(".")[0] in TEST_MODULES
        )
        for path in package_files()
    }
    assert {path: modules for path, modules in offending.items() if modules} == {}


def test_every_module_in_the_plugin_folders_is_a_registered_plugin_and_every_plugin_lives_there():
    entry_points = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["entry-points"]
    for folder, group in PLUGIN_FOLDERS.items():
        registered = {target.split(":")[0] for target in entry_points.get(group, {}).values()}
        in_folder = {module_name(path) for path in plugin_files() if path.parent.name == folder}
        assert registered == in_folder, group
