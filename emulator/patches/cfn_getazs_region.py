"""`Fn::GetAZs` answers the availability zones of the stack's own region.

Stock moto answers `us-east-1a..d` whatever the region, and reads `Fn::GetAZs: ""` as us-east-1,
so a subnet placed with `!Select [0, !GetAZs ""]` in eu-west-1 gets a zone that does not exist
there. Here `""` (or `!Ref AWS::Region`) means the stack's region, and the zones are the ones
moto's EC2 backend reports for that region (the same DescribeAvailabilityZones answers).
"""

from __future__ import annotations

from typing import Any, cast

from moto.cloudformation import parsing
from moto.ec2.models import ec2_backends

from emulator import moto_internals

_original_clean_json = parsing.clean_json


def availability_zones(account_id: str, region: str) -> list[str]:
    zones = ec2_backends[account_id][region].describe_availability_zones()
    return sorted(zone.name for zone in zones if zone.zone_type == "availability-zone")


def clean_json(resource_json: Any, resources_map: parsing.ResourceMap) -> Any:
    if isinstance(resource_json, dict) and "Fn::GetAZs" in resource_json:
        # moto types every entry of the map as a resource; pseudo parameters are text.
        region = cast(
            str,
            _original_clean_json(resource_json["Fn::GetAZs"], resources_map) or resources_map["AWS::Region"],
        )
        return availability_zones(cast(str, resources_map["AWS::AccountId"]), region)
    return _original_clean_json(resource_json, resources_map)


def install() -> None:
    """Internals: intrinsic functions are resolved in parsing.clean_json only."""
    # clean_json calls itself through the module global, so nested GetAZs go through this too.
    moto_internals.replace(parsing, "clean_json", clean_json)
