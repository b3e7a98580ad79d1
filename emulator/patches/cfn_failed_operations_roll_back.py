"""A stack operation that fails part-way ends in a failed status instead of wedging the server.

Stock moto lets the exception of a failing resource escape CreateStack: the client gets HTTP 500,
the stack stays CREATE_IN_PROGRESS with half its resources, and every later call that touches it
(DescribeStacks outputs, ListStackResources, DeleteStack) answers 500 until the server is reset.
Here, as in CloudFormation:
- a failed create records CREATE_FAILED with the reason, deletes what it created (but what has
  `DeletionPolicy: Retain`) and ends in ROLLBACK_COMPLETE (CreateStack itself succeeds; the
  failure is in the status and the events), or in ROLLBACK_FAILED when a resource could not be
  deleted (it stays listed, for DeleteStack);
- a failed update ends in UPDATE_ROLLBACK_COMPLETE with the previous template and parameters
  (resources changed before the failure are not changed back: the emulator has no snapshots);
- a failed delete ends in DELETE_FAILED and the stack stays listed, so it can be deleted again.
"""

from __future__ import annotations

import logging

from moto.cloudformation.models import CloudFormationBackend, Stack

from emulator import moto_internals
from emulator.patches.cfn_deletion_policy import kept_on_create_rollback
from emulator.resource_deletion import delete_in_passes, event_reason, failed_to_delete

logger = logging.getLogger("emulator")

_original_create_stack = CloudFormationBackend.create_stack
_original_update_stack = CloudFormationBackend.update_stack
_original_delete_stack = CloudFormationBackend.delete_stack


def _delete_created_resources(stack: Stack) -> dict[str, Exception]:
    """Delete what the failed create made; return the resources that could not be deleted."""
    resource_map = stack.resource_map
    parsed = moto_internals.created_resources(resource_map)
    template_resources = moto_internals.template_resources(resource_map)
    created = {
        name: resource
        for name, resource in parsed.items()
        if name in template_resources and resource is not None and not isinstance(resource, str)
    }
    for name in [n for n in created if kept_on_create_rollback(template_resources[n])]:
        created.pop(name)  # kept, and no longer the stack's
        parsed.pop(name, None)
    failed = delete_in_passes(resource_map, {n: (r, template_resources[n]) for n, r in created.items()})
    for name in set(created) - set(failed):
        parsed.pop(name, None)
    for name, error in failed.items():
        logger.warning("rollback of %s could not delete %s: %s", stack.name, name, event_reason(error))
    # Only what could not be deleted stays listed (a later DeleteStack retries it); nothing is
    # left to resolve outputs from, and nothing gets created lazily again.
    moto_internals.set_template_resources(resource_map, {name: template_resources[name] for name in failed})
    moto_internals.clear_output_definitions(stack.output_map)
    return failed


def create_stack(self: CloudFormationBackend, name: str, *args, **kwargs) -> Stack:
    existing = set(self.stacks)
    try:
        return _original_create_stack(self, name, *args, **kwargs)
    except Exception as error:
        stack = next((s for sid, s in self.stacks.items() if sid not in existing and s.name == name), None)
        if stack is None:
            raise  # rejected before the stack existed (template or parameter error): say so
        reason = event_reason(error)
        logger.warning("create of stack %s failed, rolling back: %s", name, reason)
        moto_internals.add_stack_event(stack, "CREATE_FAILED", reason)
        moto_internals.add_stack_event(stack, "ROLLBACK_IN_PROGRESS", reason)
        failed = _delete_created_resources(stack)
        for export_name in [n for n, e in self.exports.items() if e.exporting_stack_id == stack.stack_id]:
            del self.exports[export_name]
        if failed:
            # AWS's wording, then why (e.g. an ALB with deletion protection on).
            reason = failed_to_delete(failed)
            moto_internals.add_stack_event(stack, "ROLLBACK_FAILED", reason)
            stack.status = "ROLLBACK_FAILED"
            return stack
        moto_internals.add_stack_event(stack, "ROLLBACK_COMPLETE")
        stack.status = "ROLLBACK_COMPLETE"
        return stack


def update_stack(self: CloudFormationBackend, name: str, *args, **kwargs) -> Stack:
    stack = self.get_stack(name)
    before = (stack.template, stack.template_dict, stack.parameters, stack.status)
    try:
        return _original_update_stack(self, name, *args, **kwargs)
    except Exception as error:
        reason = event_reason(error)
        logger.warning(
            "update of stack %s failed: %s", name, reason, exc_info=True
        )  # the log is for debugging
        stack.template, stack.template_dict, stack.parameters, _ = before
        moto_internals.add_stack_event(stack, "UPDATE_ROLLBACK_IN_PROGRESS", reason)
        moto_internals.add_stack_event(stack, "UPDATE_ROLLBACK_COMPLETE")
        stack.status = "UPDATE_ROLLBACK_COMPLETE"
        return stack


def delete_stack(self: CloudFormationBackend, name_or_stack_id: str) -> None:
    stacks = [s for sid, s in self.stacks.items() if name_or_stack_id in (sid, s.name)]
    try:
        _original_delete_stack(self, name_or_stack_id)
    except Exception as error:
        reason = event_reason(error)
        for stack in stacks:
            logger.warning("delete of stack %s failed: %s", stack.name, reason)
            self.deleted_stacks.pop(stack.stack_id, None)
            self.stacks[stack.stack_id] = stack
            moto_internals.add_stack_event(stack, "DELETE_FAILED", reason)
            stack.status = "DELETE_FAILED"


def install() -> None:
    """Internals: moto has no failure hook in a stack operation; the backend methods are the narrowest wrap."""
    moto_internals.replace(CloudFormationBackend, "create_stack", create_stack)
    moto_internals.replace(CloudFormationBackend, "update_stack", update_stack)
    moto_internals.replace(CloudFormationBackend, "delete_stack", delete_stack)
