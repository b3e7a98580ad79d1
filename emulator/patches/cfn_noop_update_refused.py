"""UpdateStack with nothing changed answers "No updates are to be performed.", as AWS does.

Stock moto compares the incoming parameter text with its *resolved* values (lists split, numbers
converted), so any stack with a List or Number parameter — or with no parameters at all — is
"updated" every time: a second `sceptre launch` with nothing changed runs a real update (and
moto's update then touches resources) instead of being the no-op Sceptre reports. Here the
template, the parameters as given and the tags are compared as sent.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.responses import CloudFormationResponse

from emulator import moto_internals


def _validate_different_update(
    self: CloudFormationResponse,
    incoming_params: list[dict[str, Any]] | None,
    stack_body: str,
    old_stack: Any,
) -> None:
    if stack_body is None or old_stack.template != stack_body:
        return
    new_params = {
        p["ParameterKey"]: old_stack.parameters.get(p["ParameterKey"])
        if p.get("UsePreviousValue")
        else p.get("ParameterValue")
        for p in incoming_params or []
    }
    if new_params != dict(old_stack.parameters or {}):
        return
    tags = moto_internals.request_param(self, "Tags", [])
    if tags and {t["Key"]: t["Value"] for t in tags} != dict(old_stack.tags or {}):
        return
    role_arn = moto_internals.request_param(self, "RoleARN")
    if role_arn and role_arn != old_stack.role_arn:
        return
    raise ValidationError(old_stack.name, message="No updates are to be performed.")


def install() -> None:
    """Internals: the no-op check is a private response method; replacing it is narrower than UpdateStack."""
    moto_internals.replace_private(moto_internals.CFN_VALIDATE_DIFFERENT_UPDATE, _validate_different_update)
