"""A resource is created after the resources its DependsOn names, however moto comes to create it.

moto creates a stack's resources in DependsOn order, but lazily: a resource another one (or an
exported output, which CreateStack evaluates first to check export names are unique) refers to is
created at that moment, before what it depends on. In AWS DependsOn always holds. It matters where
the dependency is not a reference: an app client whose scopes a resource server defines (Cognito
refuses the client while the scopes do not exist). Here, before moto creates a resource, the
resources its DependsOn names are created first.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation import parsing

from emulator import moto_internals

_original_parse_and_create = parsing.parse_and_create_resource


def _depends_on(resource_json: dict[str, Any]) -> list[str]:
    names = resource_json.get("DependsOn") or []
    return [names] if isinstance(names, str) else list(names)


def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    template = moto_internals.template_resources(resources_map) or {}
    created = moto_internals.created_resources(resources_map)
    for dependency in _depends_on(resource_json):
        if dependency in template and dependency not in created:
            resources_map[dependency]  # moto's lazy lookup creates it (and, through here, its own)
    return _original_parse_and_create(logical_id, resource_json, resources_map, account_id, region_name)


def install() -> None:
    """Internals: every creation of a stack's resource, lazy or in order, calls this module function."""
    moto_internals.replace(parsing, "parse_and_create_resource", parse_and_create_resource)
