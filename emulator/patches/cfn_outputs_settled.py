"""DescribeStacks shows a stack's outputs only as they stand between operations, as CloudFormation
does: none while the stack is being created (or rolled back), the previous ones while it is being
updated or deleted.

Stock moto computes the outputs on every DescribeStacks through the stack's lazy resource map,
where reading a resource not made yet *creates* it. A DescribeStacks answered on another request
thread while CreateStack runs (the local task runner polls its stack once a second) therefore
creates the resources the outputs name (`!Ref Cluster`, `!GetAtt Service.Name`) a second time
when both threads reach one at once: the create then went on with one cluster and a service of the
other, and failed ("ECS service doesn't exist: service/<cluster>/<service>" when registering the
scalable target, then ROLLBACK_FAILED: "cluster ... still contains services"). Updates and deletes do the same: a
resource being replaced (cfn_update_keeps_resources) or deleted (moto's ResourceMap.delete) is
briefly or finally missing from the map, and moto recomputes the exports on every read, so a read
made it again (benchmarks/cfn_describe_during_stack_operations.py counts them). Here a reader
never evaluates the outputs while an operation is under way: it gets the outputs last settled.
"""

from __future__ import annotations

import threading
from typing import Any

from moto.cloudformation.models import Stack

from emulator import moto_internals

# Statuses of a create (moto keeps CREATE_IN_PROGRESS through our rollback of a failed create).
CREATING = {"CREATE_PENDING", "CREATE_IN_PROGRESS", "ROLLBACK_IN_PROGRESS"}

# Taken to read the outputs and to start an operation, so no reader is half-way through the
# lazy map when an operation starts changing it (one lock: reading settled outputs is quick).
_lock = threading.RLock()

_original: dict[str, Any] = {}


def _busy(stack: Stack) -> bool:
    return stack.status in CREATING or moto_internals.extension_state(stack, "operation_under_way", False)


def outputs(self: Stack) -> list[dict[str, Any]] | None:
    with _lock:
        if _busy(self):
            return moto_internals.extension_state(self, "settled_outputs", None)
        settled = _original["outputs"](self)
        moto_internals.set_extension_state(self, "settled_outputs", settled)
        return settled


def _under_way(name: str):
    def operation(self: Stack, *args, **kwargs):
        with _lock:
            if not _busy(self):
                # Read now, on the operation's own thread, before anything changes.
                moto_internals.set_extension_state(self, "settled_outputs", _original["outputs"](self))
            moto_internals.set_extension_state(self, "operation_under_way", True)
        try:
            return _original[name](self, *args, **kwargs)
        finally:
            moto_internals.set_extension_state(self, "operation_under_way", False)

    operation.__name__ = name
    return operation


def install() -> None:
    """Internals: DescribeStacks reads Stack.outputs; UpdateStack and DeleteStack run Stack.update
    and Stack.delete (CreateStack shows in the stack's status)."""
    _original["outputs"] = vars(Stack)["outputs"].fget  # the property's getter
    moto_internals.replace(Stack, "outputs", property(outputs))
    for name in ("update", "delete"):
        _original[name] = getattr(Stack, name)
        moto_internals.replace(Stack, name, _under_way(name))
