"""Which tier a test is in, decided by what it uses, so a new test lands in the right one unmarked.

A test needs the **emulator** when one of its fixtures is the emulator (`aws`, `module_aws` and
`launched_local` all stand on it) or it starts one itself; it needs the **sceptre CLI** when it, a
fixture of its, or a helper it calls runs `sceptre` as a subprocess (generating templates
included), the CDK synth (Node, through jsii: seconds of CPU each) or checkov (half a minute). The tiers are named after what they need:

| tier         | needs                                   |
|--------------|-----------------------------------------|
| `fast`       | neither: Python, files, loopback servers |
| `sceptre_cli`| the `sceptre` CLI, the CDK synth or checkov, no emulator |
| `emulator`   | the emulator, no `sceptre` subprocess   |
| `end_to_end` | both: stacks launched with the real CLI |

"Uses" is found by reading the code objects of the test, its fixtures, and every function defined
under tests/ that they name, transitively (names looked up in each function's globals, and
attributes of the modules it names).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TIERS = ("fast", "sceptre_cli", "emulator", "end_to_end")
EMULATOR = "emulator"
SCEPTRE_CLI = "sceptre_cli"
# Not a tier of its own: the CDK app loaded into the test process (a sceptre_cli need too), which
# tests/conftest.py runs on one worker, so one worker pays for importing aws_cdk.
CDK_IN_PROCESS = "cdk_in_process"

# Fixtures that are, by themselves, a need (fixtures that use them inherit it through pytest's
# fixture closure: `aws` and `module_aws` request `emulator`).
FIXTURE_NEEDS = {
    "emulator": {EMULATOR},
    "launched_local": {EMULATOR, SCEPTRE_CLI},
}


def tier_of(needs: set[str]) -> str:
    if {EMULATOR, SCEPTRE_CLI} <= needs:
        return "end_to_end"
    if EMULATOR in needs:
        return "emulator"
    if SCEPTRE_CLI in needs:
        return "sceptre_cli"
    return "fast"


def _code_objects(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


@cache
def _in_tests(filename: str) -> bool:
    return Path(filename).resolve().is_relative_to(TESTS)


def _defined_in_tests(obj: object) -> bool:
    code = getattr(_unwrapped(obj), "__code__", None)
    return isinstance(code, types.CodeType) and _in_tests(code.co_filename)


def _unwrapped(obj: object) -> object:
    """The function under decorators such as functools.cache, which keep it as __wrapped__."""
    while hasattr(obj, "__wrapped__"):
        obj = obj.__wrapped__
    return obj


def _named(function: Callable) -> Iterator[object]:
    """Every object `function` names: its string constants, its globals, and attributes of the
    modules or classes among them (`templates.template`, `local_project.run_sceptre`)."""
    function = _unwrapped(function)  # type: ignore[assignment]
    code = getattr(function, "__code__", None)
    if code is None:
        return
    namespace = getattr(function, "__globals__", {})
    codes = list(_code_objects(code))
    yield from (const for c in codes for const in c.co_consts if isinstance(const, str))
    names = {name for c in codes for name in c.co_names}
    for name in names:
        if name not in namespace:
            continue
        value = namespace[name]
        yield value
        if isinstance(value, types.ModuleType | type):
            for attribute in names:
                if attribute in vars(value):
                    yield vars(value)[attribute]


class Needs:
    """What marks a need: the objects (functions, paths, classes) that start the emulator or run
    `sceptre`, and text that does (a `python -m` module name, a script that imports the CDK)."""

    def __init__(self, markers: dict[str, Iterable[object]]):
        self._markers = [(need, marker) for need, objects in markers.items() for marker in objects]
        self._memo: dict[int, set[str]] = {}

    def _direct(self, value: object) -> set[str]:
        found = set()
        for need, marker in self._markers:
            try:
                if isinstance(marker, str):
                    if isinstance(value, str) and marker in value:
                        found.add(need)
                elif value is marker or (isinstance(marker, Path) and value == marker):
                    found.add(need)
            except Exception:  # an object whose == misbehaves is no marker
                continue
        return found

    def of_functions(self, functions: Iterable[Callable]) -> set[str]:
        """The needs of these functions and of every tests/ function they name, transitively."""
        needs: set[str] = set()
        for function in functions:
            needs |= self._of(function, set())
        return needs

    def _of(self, function: Callable, visiting: set[int]) -> set[str]:
        key = id(function)
        if key in self._memo:
            return self._memo[key]
        if key in visiting:  # a cycle: what the rest of it needs is added where it started
            return set()
        visiting.add(key)
        needs: set[str] = set()
        for value in _named(function):
            needs |= self._direct(value)
            if _defined_in_tests(value):
                needs |= self._of(value, visiting)  # type: ignore[arg-type]
            elif isinstance(value, type) and value.__module__ in TEST_MODULES:
                for member in vars(value).values():
                    if _defined_in_tests(member):
                        needs |= self._of(member, visiting)
        visiting.discard(key)
        self._memo[key] = needs
        return needs


TEST_MODULES = {path.stem for path in TESTS.glob("*.py")}
