"""moto's internals are touched in one module, emulator/moto_internals.py: no other module of the
emulator names a private name of moto, and every moto attribute the extensions replace was
replaced through it (so a moto upgrade breaks there, by name)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from moto_python import run_in_moto_python

from emulator.extensions import EXTENSIONS
from sceptre_fargate_cognito.local_env.emulator_process import PROJECT_ROOT

EMULATOR = PROJECT_ROOT / "emulator"
ADAPTER = EMULATOR / "moto_internals.py"


def is_private(name: str) -> bool:
    """`_name`, not `__dunder__` (Python's own, such as `__dict__`)."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def moto_names(tree: ast.AST) -> set[str]:
    """Names the module binds to something of moto's (a module, class or function)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "moto":
            names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(
                (alias.asname or alias.name).split(".")[0]
                for alias in node.names
                if alias.name.split(".")[0] == "moto"
            )
    return names


def private_uses(path: Path) -> list[str]:
    """Each use of a private name of moto in the file, as `line: what`."""
    tree = ast.parse(path.read_text(), str(path))
    ours = moto_names(tree)
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Attribute) and is_private(node.attr):
            found.append(f"{line}: .{node.attr}")
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "moto":
            private = [part for part in node.module.split(".") if is_private(part)]
            private += [alias.name for alias in node.names if is_private(alias.name)]
            found += [f"{line}: import {name} (from {node.module})" for name in private]
        elif isinstance(node, ast.Import):
            found += [
                f"{line}: import {alias.name}"
                for alias in node.names
                if alias.name.split(".")[0] == "moto" and any(map(is_private, alias.name.split(".")))
            ]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            arguments = node.args
            if node.func.id in ("getattr", "setattr", "hasattr", "delattr") and len(arguments) > 1:
                name = arguments[1]
                if isinstance(name, ast.Constant) and isinstance(name.value, str) and is_private(name.value):
                    found.append(f"{line}: {node.func.id}(..., {name.value!r})")
            if node.func.id == "setattr" and arguments and _base_name(arguments[0]) in ours:
                found.append(f"{line}: setattr on moto's {_base_name(arguments[0])}")
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and _base_name(target.value) in ours:
                    found.append(f"{line}: {_base_name(target.value)}.{target.attr} replaced")
    return sorted(found, key=lambda use: int(use.split(":")[0]))


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def test_no_module_of_the_emulator_but_moto_internals_names_a_private_name_of_moto():
    uses = {
        str(path.relative_to(PROJECT_ROOT)): private_uses(path)
        for path in sorted(EMULATOR.rglob("*.py"))
        if path != ADAPTER
    }
    assert {path: found for path, found in uses.items() if found} == {}, (
        "reach moto's internals through emulator/moto_internals.py (add a function there)"
    )


def test_the_check_sees_private_names_imports_and_replaced_methods(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from moto.moto_api._internal import urls\n"
        "from moto.cloudformation.parsing import ResourceMap\n"
        "x = resource_map._parsed_resources\n"
        "ResourceMap.update = None\n"
        "getattr(stack, '_add_stack_event')\n"
        "own.__dict__\n"
    )
    assert private_uses(sample) == [
        "1: import _internal (from moto.moto_api._internal)",
        "3: ._parsed_resources",
        "4: ResourceMap.update replaced",
        "5: getattr(..., '_add_stack_event')",
    ]


CHANGES = """
import ast, importlib, json, pathlib, sys, types

emulator = pathlib.Path("emulator")
for path in emulator.rglob("*.py"):
    for node in ast.walk(ast.parse(path.read_text())):
        modules = []
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("moto"):
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names if alias.name.startswith("moto")]
        for module in modules:
            try:
                importlib.import_module(module)
            except ImportError:
                pass  # a class or function, not a module


def snapshot():
    seen = {}
    for name, module in list(sys.modules.items()):
        if not (name == "moto" or name.startswith("moto.")) or module is None:
            continue
        for attr, value in list(vars(module).items()):
            seen[f"{name}.{attr}"] = id(value)
            if isinstance(value, type) and value.__module__ == name:
                for key, member in list(vars(value).items()):
                    seen[f"{name}.{value.__qualname__}.{key}"] = id(member)
    return seen


before = snapshot()
from emulator import extensions, moto_internals

extensions.install()
after = snapshot()
changed = sorted(key for key in before if key in after and before[key] != after[key])
added = sorted(
    key for key in after if key not in before and key.rsplit(".", 1)[0] + ".__init__" in before
)
print(json.dumps({
    "changed": changed + added,
    "through_moto_internals": [a.describe() for a in moto_internals.REPLACED],
}))
"""


def test_every_moto_attribute_the_extensions_replace_is_replaced_through_moto_internals():
    result = run_in_moto_python(CHANGES)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["changed"], "the check saw no replacement at all: it is not looking"
    assert sorted(set(report["changed"]) - set(report["through_moto_internals"])) == []


def documented_tables() -> tuple[set[str], set[str]]:
    """The extensions docs/emulator.md lists as touching no private name of moto, and as using some."""
    text = (PROJECT_ROOT / "docs" / "emulator.md").read_text()
    section = text.split("## What each extension relies on in moto", 1)[1].split("\n## ", 1)[0]
    public_part, private_part = section.split("use **private names**", 1)

    def first_column(part: str) -> set[str]:
        rows = [line.split("|")[1] for line in part.splitlines() if line.startswith("| `")]
        return {name.strip("` ") for row in rows for name in row.split(",")}

    return first_column(public_part), first_column(private_part)


def test_the_docs_say_for_each_extension_whether_it_touches_a_private_name_of_moto():
    public, private = documented_tables()
    assert sorted(public | private) == sorted(EXTENSIONS)
    assert not public & private
    # Touching none: it reaches moto_internals only to replace or add an attribute.
    for name in sorted(public):
        tree = ast.parse((EMULATOR / "patches" / f"{name}.py").read_text())
        used = {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "moto_internals"
        }
        assert used <= {"replace", "add", "define"}, name
