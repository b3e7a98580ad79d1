"""A resource type the emulator cannot create fails the stack, instead of being skipped.

Stock moto logs a warning and carries on without the resource: the stack reports
CREATE_COMPLETE, lists an empty row for it, and a GetAtt on it answers HTTP 500. Here CreateStack
(and an update that adds one) is rejected with a message naming the type, so a gap shows up as
the first thing a user sees, not as a missing rule or output later.
"""

from __future__ import annotations

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import Stack

from emulator import moto_internals

_original_resource_class_from_type = parsing.resource_class_from_type


def resource_class_from_type(resource_type: str):
    resource_class = _original_resource_class_from_type(resource_type)
    if resource_class is None and resource_type not in parsing.NULL_MODELS:
        raise ValidationError(
            message=f"Template error: the local emulator does not implement resource type {resource_type}"
        )
    return resource_class


_original_create_resource_map = moto_internals.STACK_CREATE_RESOURCE_MAP.current()


def _create_resource_map(self: Stack):
    resource_map = _original_create_resource_map(self)
    # Checked while the stack is being built, so CreateStack is refused before the stack exists;
    # a resource whose Condition is false is never created, so its type does not matter.
    for resource in (self.template_dict or {}).get("Resources", {}).values():
        condition = resource.get("Condition")
        if condition is None or resource_map.lazy_condition_map[condition]:
            resource_class_from_type(resource.get("Type", ""))
    return resource_map


def install() -> None:
    """Internals: moto's type lookup is the one place a missing type is noticed."""
    moto_internals.replace(parsing, "resource_class_from_type", resource_class_from_type)
    moto_internals.replace_private(moto_internals.STACK_CREATE_RESOURCE_MAP, _create_resource_map)
