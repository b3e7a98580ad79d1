"""SetStackPolicy is refused on a stack that cannot be updated, as AWS refuses it.

moto 5.2.5 stores a stack policy whatever the stack's state, so setting one on a stack that
failed its create (ROLLBACK_COMPLETE), failed a delete or was deleted "works" here and fails in
AWS with ValidationError "Stack:<id> is in <STATE> state and can not be updated.".
"""

from __future__ import annotations

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.models import CloudFormationBackend

from emulator import moto_internals

_original_set_stack_policy = CloudFormationBackend.set_stack_policy


def _not_updatable(status: str) -> bool:
    return status.endswith("_FAILED") or status in ("ROLLBACK_COMPLETE", "DELETE_COMPLETE")


def set_stack_policy(self: CloudFormationBackend, stack_name: str, policy_body: str) -> None:
    try:
        stack = self.get_stack(stack_name)
    except ValidationError:
        stack = None  # moto's own call says it does not exist
    if stack is not None and _not_updatable(stack.status):
        raise ValidationError(
            stack_name, message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
        )
    _original_set_stack_policy(self, stack_name, policy_body)


def install() -> None:
    """Internals: the backend method is the one place SetStackPolicy reaches the stack."""
    moto_internals.replace(CloudFormationBackend, "set_stack_policy", set_stack_policy)
