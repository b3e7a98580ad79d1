"""CloudFormation support for AWS::Cognito::ManagedLoginBranding (managed login's page style).

moto 5.2.5 has no managed-login API, so the branding styles are kept here, on moto's user pool
model (so a reset or a deleted pool forgets them), one per app client as in AWS, and only for a
user pool and app client that exist. `ManagedLoginVersion` on
AWS::Cognito::UserPoolDomain needs nothing: the domain model ignores properties it does not use.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel

from emulator.cfn_resource import CfnResource, UpdatableCfnResource


def _brandings(account_id: str, region_name: str, pool_id: str) -> dict[str, str]:
    """App client id -> branding id, for a user pool that exists (ResourceNotFoundError if not)."""
    pool = cognitoidp_backends[account_id][region_name].describe_user_pool(pool_id)
    return pool.__dict__.setdefault("managed_login_brandings", {})


class CfnManagedLoginBranding(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::Cognito::ManagedLoginBranding"
    ATTRIBUTES = ("ManagedLoginBrandingId",)

    def __init__(self, pool_id: str, client_id: str, branding_id: str):
        self.pool_id, self.client_id = pool_id, client_id
        self.branding_id = branding_id

    @property
    def physical_resource_id(self) -> str:
        return self.branding_id

    def attribute(self, name: str) -> Any:
        return self.branding_id

    @classmethod
    def create(
        cls, name: str, properties: dict, account_id: str, region_name: str
    ) -> CfnManagedLoginBranding:
        pool_id, client_id = properties.get("UserPoolId"), properties.get("ClientId")
        if not pool_id or not client_id:
            raise ValidationError(message="ManagedLoginBranding needs UserPoolId and ClientId")
        if not properties.get("UseCognitoProvidedValues") and not properties.get("Settings"):
            raise ValidationError(
                message="ManagedLoginBranding needs Settings or UseCognitoProvidedValues: true"
            )
        # Raises ResourceNotFoundError, as AWS does, for a pool or client that does not exist.
        cognitoidp_backends[account_id][region_name].describe_user_pool_client(pool_id, client_id)
        brandings = _brandings(account_id, region_name, pool_id)
        if client_id in brandings:
            raise ValidationError(
                message=f"app client {client_id} already has a managed login branding style"
            )
        brandings[client_id] = str(uuid.uuid4())
        return cls(pool_id, client_id, brandings[client_id])

    def update(self, name: str, properties: dict, account_id: str, region_name: str) -> CfnResource:
        if (properties.get("UserPoolId"), properties.get("ClientId")) == (self.pool_id, self.client_id):
            return self  # style settings only: nothing the emulator keeps
        # One style per app client: the old one goes before the new one is made.
        return self.replace(name, properties, account_id, region_name, delete_first=True)

    def delete(self, account_id: str, region_name: str) -> None:
        pool = cognitoidp_backends[account_id][region_name].user_pools.get(self.pool_id)
        if pool is not None:  # a deleted pool took its styles with it
            pool.__dict__.get("managed_login_brandings", {}).pop(self.client_id, None)


def install() -> None:
    """Nothing to patch: the model registers its type when this module is imported."""
