"""Optional: an ECS service cannot be created before the ECS service-linked role exists.

In a new AWS account the role `AWSServiceRoleForECS` is made on first use, and a first stack
create can fail with "Unable to assume the service linked role" while it is; moto 5.2.5 never
needs it. With EMULATOR_REQUIRE_SERVICE_LINKED_ROLES=1 in the emulator's environment,
CreateService (and so AWS::ECS::Service) fails with AWS's InvalidParameterException until the
role exists (IAM CreateServiceLinkedRole for ecs.amazonaws.com). Off by default, so a test can
create ECS services directly; the local environment turns it on, and the preflight makes the role.
"""

from __future__ import annotations

import os

from moto.ecs.exceptions import InvalidParameterException
from moto.ecs.models import EC2ContainerServiceBackend
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

from emulator import moto_internals
from emulator.patches.iam_service_linked_role_names import ROLE_NAMES

SWITCH = "EMULATOR_REQUIRE_SERVICE_LINKED_ROLES"
SERVICE = "ecs.amazonaws.com"
ROLE_NAME = ROLE_NAMES[SERVICE]
ROLE_PATH = f"/aws-service-role/{SERVICE}/"

_original_create_service = EC2ContainerServiceBackend.create_service


def _role_exists(account_id: str, region_name: str) -> bool:
    roles = iam_backends[account_id][get_partition(region_name)].roles.values()
    return any(role.name == ROLE_NAME and role.path == ROLE_PATH for role in roles)


def create_service(self: EC2ContainerServiceBackend, *args, **kwargs):
    if not _role_exists(self.account_id, self.region_name):
        raise InvalidParameterException(
            "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
        )
    return _original_create_service(self, *args, **kwargs)


def install() -> None:
    """Internals: the backend method is what the API and moto's AWS::ECS::Service both call."""
    if os.environ.get(SWITCH) == "1":
        moto_internals.replace(EC2ContainerServiceBackend, "create_service", create_service)
