"""CloudFormation support for AWS::Cognito::ManagedLoginBranding (managed login's page style).

moto 5.2.5 has no managed-login API, so the branding styles live here, one per app client as in
AWS, and only for a user pool and app client that exist. `ManagedLoginVersion` on
AWS::Cognito::UserPoolDomain needs nothing: the domain model ignores properties it does not use.
"""

from __future__ import annotations

import uuid
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel

# (account, region, user pool id, client id) -> branding id
_BRANDINGS: dict[tuple[str, str, str, str], str] = {}


class CfnManagedLoginBranding(CloudFormationModel):
    def __init__(self, key: tuple[str, str, str, str], branding_id: str):
        self.key = key
        self.branding_id = branding_id

    @property
    def physical_resource_id(self) -> str:
        return self.branding_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::ManagedLoginBranding"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "ManagedLoginBrandingId"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "ManagedLoginBrandingId":
            return self.branding_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        properties = cloudformation_json.get("Properties", {})
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

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        properties = cloudformation_json.get("Properties", {})
        key = (account_id, region_name, properties.get("UserPoolId"), properties.get("ClientId"))
        if key == original_resource.key:
            return original_resource  # style settings only: nothing the emulator keeps
        original_resource.delete(account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        for key, branding_id in list(_BRANDINGS.items()):
            if branding_id == resource_name:
                del _BRANDINGS[key]

    def delete(self, account_id: str, region_name: str) -> None:
        _BRANDINGS.pop(self.key, None)


def install() -> None:
    """Nothing to patch: the model registers its type when this module is imported."""
