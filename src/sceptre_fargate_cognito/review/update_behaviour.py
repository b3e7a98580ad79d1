"""Which property changes make CloudFormation replace a resource.

The knowledge is the CloudFormation registry's own resource schemas, as shipped with cfn-lint:
`createOnlyProperties` are the properties whose change requires replacement ("Update requires:
Replacement" in the reference), `conditionalCreateOnlyProperties` those that may. A few legacy
types publish no createOnlyProperties although their reference documents replacement; those are
listed in _DOCUMENTED below, each with its source.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
from functools import cache
from pathlib import Path

from sceptre.exceptions import SceptreException

REPLACE = "True"  # the vocabulary of a change set's `Replacement`
MAY_REPLACE = "Conditional"
NO_REPLACE = "False"

# Type -> (always, conditional) top-level properties, where the registry schema has none.
_DOCUMENTED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # CloudFormation reference, AWS::Cognito::UserPool: AliasAttributes and UsernameAttributes
    # "Update requires: Replacement"; Cognito's "Settings you can't change" after creation adds
    # required attributes (Schema) and username case sensitivity (UsernameConfiguration).
    "AWS::Cognito::UserPool": (
        frozenset({"AliasAttributes", "UsernameAttributes"}),
        frozenset({"Schema", "UsernameConfiguration"}),
    ),
}


class SchemasMissing(SceptreException):
    """cfn-lint is installed without its resource schemas: replacement cannot be decided."""


def _cfn_lint_dir() -> Path:
    # Found, not imported: importing cfn-lint costs half a second, and the refuse_replacement hook
    # that needs this is loaded by every sceptre command.
    spec = importlib.util.find_spec("cfnlint")
    return Path(spec.origin).parent if spec and spec.origin else Path("cfnlint (not installed)")


def _schemas_dir() -> Path:
    path = _cfn_lint_dir() / "data" / "schemas"
    if not (path / "providers" / "us-east-1.json").is_file():
        raise SchemasMissing(
            f"cfn-lint {_version()} ships no resource schemas under {path}: "
            "cannot tell which changes replace a resource (reinstall the project with bin/setup)"
        )
    return path


def _version() -> str:
    try:
        return importlib.metadata.version("cfn-lint")
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"


# The region whose resource schemas stand in where a region has none, or none is known.
SCHEMAS_REGION = "us-east-1"


@cache
def _schema(resource_type: str, region: str) -> dict | None:
    """The registry schema of the type in the region (us-east-1's where the region has none)."""
    root = _schemas_dir()
    for name in (region, SCHEMAS_REGION):
        index = root / "providers" / f"{name}.json"
        if index.is_file():
            digest = json.loads(index.read_text()).get(resource_type)
            if digest:
                return json.loads((root / "resources" / f"{digest}.json").read_text())
    return None


def _top_level(pointers: list[str] | None) -> tuple[set[str], set[str]]:
    """('/properties/A', '/properties/B/C') -> ({'A'}, {'B'}): whole properties, nested ones."""
    whole: set[str] = set()
    nested: set[str] = set()
    for pointer in pointers or []:
        parts = pointer.split("/")
        if len(parts) >= 3 and parts[1] == "properties":
            (whole if len(parts) == 3 else nested).add(parts[2])
    return whole, nested


def replacement(resource_type: str, changed_properties: set[str], region: str = SCHEMAS_REGION) -> str:
    """True, Conditional or False: what CloudFormation does when these top-level properties change."""
    if not changed_properties:
        return NO_REPLACE
    if resource_type in _DOCUMENTED:
        always, conditional = (set(s) for s in _DOCUMENTED[resource_type])
    else:
        schema = _schema(resource_type, region)
        if schema is None:
            return MAY_REPLACE  # unknown type (custom resource, new type): say so rather than guess
        always, nested = _top_level(schema.get("createOnlyProperties"))
        cond_whole, cond_nested = _top_level(schema.get("conditionalCreateOnlyProperties"))
        # A change anywhere inside a property that has a create-only part may touch that part.
        conditional = nested | cond_whole | cond_nested
    if changed_properties & always:
        return REPLACE
    if changed_properties & conditional:
        return MAY_REPLACE
    return NO_REPLACE
