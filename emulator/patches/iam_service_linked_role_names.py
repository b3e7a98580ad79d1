"""IAM CreateServiceLinkedRole names the roles of ECS, ELB and ECS autoscaling as AWS does.

moto 5.2.5 derives the name from the service's host name, giving `AWSServiceRoleForecs`,
`AWSServiceRoleForelasticloadbalancing` and `AWSServiceRoleForApplicationAutoScaling_Ecs`, so a
check for AWS's names (`AWSServiceRoleForECS`, ...) never finds the role a preflight created.
"""

from __future__ import annotations

import json

from moto.iam.models import IAMBackend

from emulator import moto_internals

ROLE_NAMES = {
    "ecs.amazonaws.com": "AWSServiceRoleForECS",
    "elasticloadbalancing.amazonaws.com": "AWSServiceRoleForElasticLoadBalancing",
    "ecs.application-autoscaling.amazonaws.com": "AWSServiceRoleForApplicationAutoScaling_ECSService",
}

_original_create_service_linked_role = IAMBackend.create_service_linked_role


def create_service_linked_role(self: IAMBackend, service_name: str, description: str, suffix: str):
    role_name = ROLE_NAMES.get(service_name)
    if role_name is None:
        return _original_create_service_linked_role(self, service_name, description, suffix)
    if suffix:
        role_name += f"_{suffix}"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Action": ["sts:AssumeRole"], "Effect": "Allow", "Principal": {"Service": [service_name]}}
        ],
    }
    # The same role moto makes, under AWS's name.
    return self.create_role(
        role_name,
        json.dumps(trust),
        f"/aws-service-role/{service_name}/",
        permissions_boundary=None,
        description=description,
        tags=[],
        max_session_duration="3600",
        linked_service=service_name,
    )


def install() -> None:
    """Internals: the name is made inside this one backend method."""
    moto_internals.replace(IAMBackend, "create_service_linked_role", create_service_linked_role)
