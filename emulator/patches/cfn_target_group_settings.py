"""A stack's target group gets its TargetGroupAttributes and health-check settings, on create and
in place on update, as in AWS.

moto 5.2.5's AWS::ElasticLoadBalancingV2::TargetGroup drops TargetGroupAttributes (so the
deregistration delay stays moto's 300 s whatever the template says) and HealthCheckEnabled, and
an update of any of them replaces the target group. Here they are applied on create and changed
in place on update (with the health-check path, port, protocol, interval, timeout, thresholds and
matcher), so what health checks and drains a target is what was launched.
"""

from __future__ import annotations

from typing import Any

from moto.elbv2.models import FakeTargetGroup, elbv2_backends

from emulator import moto_internals
from emulator.patches import cfn_update_keeps_resources

# A bound classmethod; its __func__ is called with the class moto calls it on.
_original_create_from_cloudformation_json: Any = FakeTargetGroup.create_from_cloudformation_json

# Template property -> the moto attribute it sets (values as moto keeps them).
HEALTH_CHECK = {
    "HealthCheckPath": "health_check_path",
    "HealthCheckPort": "health_check_port",
    "HealthCheckProtocol": "health_check_protocol",
    "HealthCheckIntervalSeconds": "health_check_interval_seconds",
    "HealthCheckTimeoutSeconds": "health_check_timeout_seconds",
    "HealthyThresholdCount": "healthy_threshold_count",
    "UnhealthyThresholdCount": "unhealthy_threshold_count",
}


def _text(value: Any) -> str:
    # A template may give a boolean or a number where the API takes text.
    return str(value).lower() if isinstance(value, bool) else str(value)


def _apply_attributes(group: FakeTargetGroup, attributes: list[dict[str, Any]] | None) -> None:
    pairs = {a["Key"]: _text(a["Value"]) for a in attributes or [] if isinstance(a, dict) and "Key" in a}
    if pairs:
        elbv2_backends[group.account_id][group.region_name].modify_target_group_attributes(group.arn, pairs)


def _apply_enabled(group: FakeTargetGroup, value: Any) -> None:
    group.health_check_enabled = value is None or _text(value) == "true"


def _setter(attribute: str):
    def apply(group: FakeTargetGroup, value: Any) -> None:
        if value is not None:
            setattr(group, attribute, value)

    return apply


def _apply_matcher(group: FakeTargetGroup, value: Any) -> None:
    group.matcher = value or {"HttpCode": "200"}


def create_from_cloudformation_json(
    cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
):
    group = _original_create_from_cloudformation_json.__func__(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )
    properties = cloudformation_json.get("Properties", {})
    _apply_attributes(group, properties.get("TargetGroupAttributes"))
    if "HealthCheckEnabled" in properties:
        _apply_enabled(group, properties["HealthCheckEnabled"])
    return group


def install() -> None:
    """Internals: moto's CloudFormation model is wrapped; updates go through cfn_update_keeps_resources."""
    moto_internals.replace(
        FakeTargetGroup, "create_from_cloudformation_json", classmethod(create_from_cloudformation_json)
    )
    cfn_update_keeps_resources.IN_PLACE_SETTINGS[FakeTargetGroup] = {
        "TargetGroupAttributes": _apply_attributes,
        "HealthCheckEnabled": _apply_enabled,
        "Matcher": _apply_matcher,
        **{name: _setter(attribute) for name, attribute in HEALTH_CHECK.items()},
    }
