"""SetStackPolicy refuses a stack whose creation failed or that is being deleted, as AWS does.

Stock moto sets a policy on a stack in any state, so a hook that calls SetStackPolicy on a
ROLLBACK_COMPLETE stack (after a failed create) works on the emulator and fails only on AWS.
"""
from __future__ import annotations

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse

# A failed first create or a delete: the stack holds no deployed version to guard.
_REFUSED = frozenset(
    {
        "CREATE_FAILED",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_FAILED",
        "ROLLBACK_COMPLETE",
        "DELETE_IN_PROGRESS",
        "DELETE_FAILED",
    }
)

_original_set_stack_policy = CloudFormationResponse.set_stack_policy


def set_stack_policy(self: CloudFormationResponse):
    name_or_id = self._get_param("StackName")
    for stack in self.cloudformation_backend.stacks.values():
        if name_or_id in (stack.name, stack.stack_id) and stack.status in _REFUSED:
            # AWS's wording for an operation on a stack in a state that cannot be updated.
            raise ValidationError(
                name_or_id,
                message=f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated.",
            )
    return _original_set_stack_policy(self)


CloudFormationResponse.set_stack_policy = set_stack_policy
