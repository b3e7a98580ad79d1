"""ListStackResources / DescribeStackResources list exactly the resources the stack created.

Stock moto lists the stack through its lazy resource map: a resource whose Condition is false
shows up as an empty row (no logical id, no type), and listing a stack whose create failed
creates the missing resources on the spot. Here the list is the resources that exist, in
template order, and reading it creates nothing.
"""

from __future__ import annotations

from moto.cloudformation.models import Stack

from emulator import moto_internals


def stack_resources(self: Stack) -> list:
    resource_map = self.resource_map
    created = moto_internals.created_resources(resource_map)
    return [
        created[name]
        for name in moto_internals.template_resources(resource_map)
        if created.get(name) is not None and hasattr(created[name], "logical_resource_id")
    ]


def install() -> None:
    """Internals: every resource listing reads Stack.stack_resources."""
    moto_internals.replace(Stack, "stack_resources", property(stack_resources))
