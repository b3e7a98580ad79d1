"""DeletionPolicy as CloudFormation reads it: `RetainExceptOnCreate` too, not only `Retain`.

moto 5.2.5 knows `Retain` alone, so its stack delete deletes a `RetainExceptOnCreate` resource,
and the emulator's rollback of a failed create deleted even `Retain` ones. In AWS, `Retain` keeps
the resource on stack delete, on removal by an update and on rollback of a failed first create;
`RetainExceptOnCreate` keeps it likewise except on that rollback, where it is deleted. The stack
delete here keeps both; cfn_failed_operations_roll_back and cfn_update_keeps_resources ask
`kept_on_delete` / `kept_on_create_rollback`.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.parsing import ResourceMap

from emulator import moto_internals

_original_delete = ResourceMap.delete


def kept_on_delete(resource_json: dict[str, Any]) -> bool:
    """Kept when its stack is deleted or an update removes it."""
    return resource_json.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")


def kept_on_create_rollback(resource_json: dict[str, Any]) -> bool:
    """Kept when the stack's first create fails and rolls back."""
    return resource_json.get("DeletionPolicy") == "Retain"


def delete(self: ResourceMap) -> None:
    # moto's delete skips `DeletionPolicy: Retain` only: show it every kept resource as Retain.
    template_resources = moto_internals.template_resources(self)
    kept_as_retain = {
        name: {**resource, "DeletionPolicy": "Retain"} if kept_on_delete(resource) else resource
        for name, resource in template_resources.items()
    }
    moto_internals.set_template_resources(self, kept_as_retain)
    try:
        _original_delete(self)
    finally:
        moto_internals.set_template_resources(self, template_resources)


def install() -> None:
    """Internals: moto's stack delete reads DeletionPolicy in ResourceMap.delete only; wrapped, not rewritten."""
    moto_internals.replace(ResourceMap, "delete", delete)
