"""CloudFormation support for AWS::Cognito::ManagedLoginBranding (managed login's page style).

moto 5.2.5 has no managed-login API, so the branding styles live here, one per app client as in
AWS, and only for a user pool and app client that exist. `ManagedLoginVersion` on
AWS::Cognito::UserPoolDomain needs nothing: the domain model ignores properties it does not use.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.cloudformation.exceptions import ValidationError
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel

from emulator.cfn_resource import UpdatableCfnResource

# (account, region, user pool id, client id) -> branding id
_BRANDINGS: dict[tuple[str, str, str, str], str] = {}


class CfnManagedLoginBranding(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::Cognito::ManagedLoginBranding"
    ATTRIBUTES = ("ManagedLoginBrandingId",)

    def __init__(self, key: tuple[str, str, str, str], branding_id: str):
        self.key = key
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
        key = (account_id, region_name, pool_id, client_id)
        if key in _BRANDINGS:
            raise ValidationError(
                message=f"app client {client_id} already has a managed login branding style"
            )
        _BRANDINGS[key] = str(uuid.uuid4())
        return cls(key, _BRANDINGS[key])

    def update(
        self, name: str, properties: dict, account_id: str, region_name: str
    ) -> CfnManagedLoginBranding:
        key = (account_id, region_name, properties.get("UserPoolId"), properties.get("ClientId"))
        if key == self.key:
            return self  # style settings only: nothing the emulator keeps
        # One style per app client: the old one goes before the new one is made.
        return self.replace(name, properties, account_id, region_name, delete_first=True)

    def delete(self, account_id: str, region_name: str) -> None:
        _BRANDINGS.pop(self.key, None)


def install() -> None:
    """Nothing to patch: the model registers its type when this module is imported."""
