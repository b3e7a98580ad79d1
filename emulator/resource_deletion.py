"""Deleting a stack's resources when moto knows no order for them: in passes.

moto keeps no dependency graph for deletes, so a resource still used by another (a subnet with a
load balancer in it) fails to delete until its dependents are gone. Each pass deletes what it
can; what fails is tried again in the next, as moto's own stack update does.
"""

from __future__ import annotations

from typing import Any, TypeVar

from moto.cloudformation import parsing
from moto.cloudformation.parsing import ResourceMap

from emulator import moto_internals

Key = TypeVar("Key")


def delete_in_passes(
    resource_map: ResourceMap, doomed: dict[Key, tuple[Any, dict[str, Any]]]
) -> dict[Key, Exception]:
    """Delete each (resource, its template JSON); return those still not deleted after the last
    pass, each with its last error (empty when everything went)."""
    remaining = dict(doomed)
    failed: dict[Key, Exception] = {}
    for _ in range(parsing.MAX_UPDATE_ATTEMPTS):
        failed = {}
        for key, (resource, resource_json) in remaining.items():
            try:
                moto_internals.delete_resource(resource_map, resource, resource_json)
            except Exception as error:  # a dependent not yet deleted: try again next pass
                failed[key] = error
        remaining = {key: remaining[key] for key in failed}
        if not remaining:
            break
    return failed


def event_reason(error: Exception) -> str:
    """An error as a stack event's reason: its type, then its message."""
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    return f"{type(error).__name__}: {message}"


def failed_to_delete(failed: dict[Any, Exception]) -> str:
    """CloudFormation's wording for resources left behind, then why each one could not go."""
    why = "; ".join(event_reason(error) for error in failed.values())
    return f"The following resource(s) failed to delete: [{', '.join(map(str, failed))}]. {why}"
