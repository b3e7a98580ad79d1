"""An ALB with deletion protection on cannot be deleted, and a stack's LoadBalancerAttributes apply.

moto 5.2.5 stores `deletion_protection.enabled` but deletes the load balancer anyway, and its
CloudFormation model drops LoadBalancerAttributes (on create, and an update of them replaces the
ALB). Here DeleteLoadBalancer, and so a stack delete or rollback, fails with AWS's
OperationNotPermitted while protection is on (the stack ends DELETE_FAILED or ROLLBACK_FAILED),
and LoadBalancerAttributes are set on create and changed in place on update, as in AWS.
"""

from __future__ import annotations

from typing import Any

from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend, FakeLoadBalancer, elbv2_backends

from emulator import moto_internals
from emulator.patches import cfn_update_keeps_resources

_original_delete_load_balancer = ELBv2Backend.delete_load_balancer
# A bound classmethod; its __func__ is called with the class moto calls it on.
_original_create_from_cloudformation_json: Any = FakeLoadBalancer.create_from_cloudformation_json


class OperationNotPermitted(ELBClientError):
    code = "OperationNotPermitted"


def delete_load_balancer(self: ELBv2Backend, arn: str) -> None:
    balancer = self.load_balancers.get(arn)
    if balancer is not None and balancer.attrs.get("deletion_protection.enabled") == "true":
        raise OperationNotPermitted(
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled"
        )
    _original_delete_load_balancer(self, arn)


def _text(value: Any) -> str:
    # A template may give a boolean (`true`) where the API takes the text "true".
    return str(value).lower() if isinstance(value, bool) else str(value)


def _apply_attributes(balancer: FakeLoadBalancer, attributes: list[dict[str, Any]] | None) -> None:
    region, account_id = balancer.arn.split(":")[3:5]
    pairs = {a["Key"]: _text(a["Value"]) for a in attributes or [] if isinstance(a, dict) and "Key" in a}
    if pairs:
        elbv2_backends[account_id][region].modify_load_balancer_attributes(balancer.arn, pairs)


def create_from_cloudformation_json(
    cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
):
    balancer = _original_create_from_cloudformation_json.__func__(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )
    _apply_attributes(balancer, cloudformation_json.get("Properties", {}).get("LoadBalancerAttributes"))
    return balancer


def install() -> None:
    """Internals: the backend's delete is the one path API and stack deletes share; moto's
    CloudFormation model is wrapped, its attributes updated through cfn_update_keeps_resources."""
    moto_internals.replace(ELBv2Backend, "delete_load_balancer", delete_load_balancer)
    moto_internals.replace(
        FakeLoadBalancer, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json)
    )
    # An attribute removed from the template keeps its current value (the emulator resets nothing).
    cfn_update_keeps_resources.IN_PLACE_SETTINGS[FakeLoadBalancer] = {
        "LoadBalancerAttributes": _apply_attributes,
    }
