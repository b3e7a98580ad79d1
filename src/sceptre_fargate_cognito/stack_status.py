"""Whether a stack's last launch completed, from DescribeStacks and DescribeStackEvents answers.

Sceptre runs after_create and after_launch hooks even when the action returned a failed status,
and does not wait for a stack already in progress: so every hook reads the status itself. The
health check probes only a stack whose last operation completed; the guards act on any stack that
has a deployed version.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The only states in which the resources match the template the launch asked for.
# UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: the update succeeded; old resources are being removed.
COMPLETED = frozenset(
    {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "IMPORT_COMPLETE"}
)

# The stack's first create has not succeeded: it failed or has not finished (Sceptre deletes a
# CREATE_FAILED, ROLLBACK_COMPLETE or REVIEW_IN_PROGRESS stack and creates it again).
NOT_CREATED = frozenset(
    {
        "CREATE_IN_PROGRESS",
        "CREATE_FAILED",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_FAILED",
        "ROLLBACK_COMPLETE",
        "REVIEW_IN_PROGRESS",
    }
)
# No version of the template is in place: not created yet, or being deleted. A stack whose
# *update* rolled back is not here: its previous version serves.
NOT_DEPLOYED = NOT_CREATED | {"DELETE_IN_PROGRESS", "DELETE_FAILED", "DELETE_COMPLETE"}

# Stack-level events that open a new operation: failure reasons are collected back to the newest one.
_OPERATION_STARTS = frozenset(
    {
        "CREATE_IN_PROGRESS",
        "UPDATE_IN_PROGRESS",
        "IMPORT_IN_PROGRESS",
        "REVIEW_IN_PROGRESS",
        "DELETE_IN_PROGRESS",
    }
)

Call = Callable[[str, Mapping[str, Any]], Mapping[str, Any]]  # (command, kwargs) -> CloudFormation answer


@dataclass
class StackState:
    name: str
    exists: bool
    status: str | None = None
    status_reason: str | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    termination_protection: bool = False
    failure_reasons: list[str] = field(default_factory=list)

    @property
    def completed(self) -> bool:
        return self.status in COMPLETED

    @property
    def created(self) -> bool:
        """Its first create succeeded (it may be updating, rolled back an update, or be deleting)."""
        return self.exists and self.status not in NOT_CREATED

    @property
    def deployed(self) -> bool:
        return self.exists and self.status not in NOT_DEPLOYED

    def describe_problem(self, then: str = "Nothing probed") -> str:
        """One paragraph for a stack that is not completed, ending with what was `then` not done."""
        if not self.exists:
            return f"stack {self.name} does not exist: nothing was launched. {then}."
        if self.status and self.status.endswith("_IN_PROGRESS"):
            what = "is still in progress (the launch did not complete)"
        elif self.status and ("ROLLBACK" in self.status or self.status.endswith("FAILED")):
            what = "failed or rolled back"
        else:
            what = "is not in a completed state"
        text = f"stack {self.name} {what}: {self.status}"
        if self.status_reason:
            text += f" ({self.status_reason})"
        if self.failure_reasons:
            text += "; last failure reasons: " + "; ".join(r.rstrip(".") for r in self.failure_reasons)
        if self.status == "UPDATE_ROLLBACK_COMPLETE":
            # CloudFormation restored the previous state (e.g. after the ECS circuit breaker tripped).
            return text + f". {then}: the update was rolled back and the previous version is still serving."
        return text + f". {then}."


def failure_reasons(stack_name: str, events: list[Mapping[str, Any]], limit: int = 5) -> list[str]:
    """Reasons of the failed resources of the newest operation, oldest first (the root cause first).

    `events` is DescribeStackEvents' StackEvents, newest first.
    """
    reasons = []
    for event in events:
        status = event.get("ResourceStatus", "")
        is_stack = (
            event.get("LogicalResourceId") == stack_name
            and event.get("ResourceType", "AWS::CloudFormation::Stack") == "AWS::CloudFormation::Stack"
        )
        if status.endswith("FAILED") and event.get("ResourceStatusReason"):
            reasons.append(f"{event.get('LogicalResourceId')} {status}: {event['ResourceStatusReason']}")
        if is_stack and status in _OPERATION_STARTS:
            break
    reasons.reverse()
    return reasons[:limit]


def read(call: Call, stack_name: str) -> StackState:
    """Read the stack through `call` (the stack's connection manager, so its region and role apply)."""
    try:
        answer = call("describe_stacks", {"StackName": stack_name})
    except Exception as err:  # botocore's ClientError without importing botocore here
        message = str(err)
        if "does not exist" in message:
            return StackState(stack_name, exists=False)
        raise
    stacks = answer.get("Stacks") or []
    if not stacks:
        return StackState(stack_name, exists=False)
    stack = stacks[0]
    state = StackState(
        name=stack_name,
        exists=True,
        status=stack.get("StackStatus"),
        status_reason=stack.get("StackStatusReason"),
        outputs={o["OutputKey"]: o.get("OutputValue", "") for o in stack.get("Outputs") or []},
        termination_protection=bool(stack.get("EnableTerminationProtection")),
    )
    if not state.completed:
        events = call("describe_stack_events", {"StackName": stack_name}).get("StackEvents") or []
        state.failure_reasons = failure_reasons(stack_name, list(events))
    return state
