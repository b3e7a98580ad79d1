"""UpdateTerminationProtection works, and DeleteStack refuses a stack that has it, as AWS does.

Stock moto stores EnableTerminationProtection given to CreateStack and shows it in DescribeStacks,
but has no UpdateTerminationProtection (HTTP 500) and deletes a protected stack anyway, so the
project's `!termination_protection` hook could neither be run nor shown to protect anything.
"""

from __future__ import annotations

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult

from emulator import moto_internals

_original_delete_stack = CloudFormationResponse.delete_stack


def _find_live_stack(self: CloudFormationResponse, name_or_id: str):
    for stack in self.cloudformation_backend.stacks.values():
        if name_or_id in (stack.name, stack.stack_id) and stack.status != "DELETE_COMPLETE":
            return stack
    return None


def update_termination_protection(self: CloudFormationResponse) -> ActionResult:
    name_or_id = moto_internals.request_param(self, "StackName")
    enabled = str(moto_internals.request_param(self, "EnableTerminationProtection")).lower() == "true"
    stack = _find_live_stack(self, name_or_id)
    if stack is None:
        raise ValidationError(name_or_id, message=f"Stack [{name_or_id}] does not exist")
    stack.enable_termination_protection = enabled
    return ActionResult({"StackId": stack.stack_id})


def delete_stack(self: CloudFormationResponse) -> ActionResult:
    name_or_id = moto_internals.request_param(self, "StackName")
    stack = _find_live_stack(self, name_or_id)
    if stack is not None and stack.enable_termination_protection:
        # AWS's own wording, so callers (and Sceptre's log) read the same message as on AWS.
        raise ValidationError(
            name_or_id,
            message=f"Stack [{stack.name}] cannot be deleted while TerminationProtection is enabled",
        )
    return _original_delete_stack(self)


def install() -> None:
    """Internals: a response method is missing (UpdateTerminationProtection); DeleteStack is wrapped, not rewritten."""
    moto_internals.add(CloudFormationResponse, "update_termination_protection", update_termination_protection)
    moto_internals.replace(CloudFormationResponse, "delete_stack", delete_stack)
