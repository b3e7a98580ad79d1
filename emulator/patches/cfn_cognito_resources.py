"""CloudFormation support for AWS::Cognito::UserPool, UserPoolClient and UserPoolDomain.

Stock moto skips these types (no CloudFormationModel), so a stack "creates" them without
creating anything and a GetAtt on them fails. These models are thin wrappers around moto's own
cognito-idp backend, so the pool, client and domain a stack makes are the ones the cognito-idp
API (and the stand-in ALB) sees.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.models import cognitoidp_backends
from moto.core.common_models import CloudFormationModel


def _backend(account_id: str, region_name: str):
    return cognitoidp_backends[account_id][region_name]


def _without(properties: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in properties.items() if k not in names}


class CfnUserPool(CloudFormationModel):
    def __init__(self, account_id: str, region_name: str, pool_id: str):
        self.account_id = account_id
        self.region_name = region_name
        self.pool_id = pool_id

    @property
    def pool(self):
        return _backend(self.account_id, self.region_name).describe_user_pool(self.pool_id)

    @property
    def physical_resource_id(self) -> str:
        return self.pool_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "UserPoolName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPool"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        host = f"cognito-idp.{self.region_name}.amazonaws.com"
        if attribute_name == "Arn":
            return self.pool.arn
        if attribute_name == "ProviderName":
            return f"{host}/{self.pool_id}"
        if attribute_name == "ProviderURL":
            return f"https://{host}/{self.pool_id}"
        if attribute_name == "UserPoolId":
            return self.pool_id
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        properties = cloudformation_json.get("Properties", {})
        pool = _backend(account_id, region_name).create_user_pool(
            resource_name, _without(properties, "UserPoolName")
        )
        return cls(account_id, region_name, pool.id)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        # Every user pool property CloudFormation can change in place is an UpdateUserPool call.
        properties = cloudformation_json.get("Properties", {})
        backend = _backend(account_id, region_name)
        backend.update_user_pool(original_resource.pool_id, _without(properties, "UserPoolName", "Schema"))
        original_resource.pool.name = new_resource_name
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        with contextlib.suppress(ResourceNotFoundError):
            _backend(account_id, region_name).delete_user_pool(resource_name)


class CfnUserPoolClient(CloudFormationModel):
    def __init__(self, account_id: str, region_name: str, pool_id: str, client_id: str):
        self.account_id = account_id
        self.region_name = region_name
        self.pool_id = pool_id
        self.client_id = client_id

    @property
    def client(self):
        return _backend(self.account_id, self.region_name).describe_user_pool_client(
            self.pool_id, self.client_id
        )

    @property
    def physical_resource_id(self) -> str:
        return self.client_id

    @staticmethod
    def cloudformation_name_type() -> str:
        return "ClientName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPoolClient"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("ClientId", "ClientSecret", "Name")

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "ClientId":
            return self.client_id
        if attribute_name == "ClientSecret":
            client = self.client
            if not client.generate_secret:
                raise UnformattedGetAttTemplateException()
            return client.secret
        if attribute_name == "Name":
            return self.client.extended_config.get("ClientName")
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        properties = cloudformation_json.get("Properties", {})
        pool_id = properties["UserPoolId"]
        config = _without(properties, "UserPoolId", "GenerateSecret")
        config["ClientName"] = properties.get("ClientName", resource_name)
        client = _backend(account_id, region_name).create_user_pool_client(
            pool_id, bool(properties.get("GenerateSecret", False)), config
        )
        return cls(account_id, region_name, pool_id, client.id)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        properties = cloudformation_json.get("Properties", {})
        client = original_resource.client
        # Another pool or a secret added/removed replaces the client (new id, new secret), as in AWS.
        if (
            properties["UserPoolId"] != original_resource.pool_id
            or bool(properties.get("GenerateSecret", False)) != client.generate_secret
        ):
            replacement = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            cls.delete_from_cloudformation_json(
                original_resource.client_id, {}, account_id, region_name, original_resource.pool_id
            )
            return replacement
        # UpdateUserPoolClient replaces the whole configuration: drop what the template no longer sets.
        config = _without(properties, "UserPoolId", "GenerateSecret")
        config["ClientName"] = properties.get("ClientName", new_resource_name)
        kept = {k: v for k, v in client.extended_config.items() if k not in _SETTABLE_CLIENT_PROPERTIES}
        client.extended_config = {**kept, **config}
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, pool_id=None
    ):
        backend = _backend(account_id, region_name)
        pool_id = pool_id or cloudformation_json.get("Properties", {}).get("UserPoolId")
        # The pool may have gone first: its clients went with it.
        with contextlib.suppress(ResourceNotFoundError):
            backend.delete_user_pool_client(pool_id, resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.client_id, {}, account_id, region_name, self.pool_id)


# Client properties a template sets; anything else in the client's config is moto's defaults.
_SETTABLE_CLIENT_PROPERTIES = {
    "AccessTokenValidity",
    "AllowedOAuthFlows",
    "AllowedOAuthFlowsUserPoolClient",
    "AllowedOAuthScopes",
    "AnalyticsConfiguration",
    "AuthSessionValidity",
    "CallbackURLs",
    "ClientName",
    "DefaultRedirectURI",
    "EnablePropagateAdditionalUserContextData",
    "EnableTokenRevocation",
    "ExplicitAuthFlows",
    "IdTokenValidity",
    "LogoutURLs",
    "PreventUserExistenceErrors",
    "ReadAttributes",
    "RefreshTokenValidity",
    "SupportedIdentityProviders",
    "TokenValidityUnits",
    "WriteAttributes",
}


class CfnUserPoolDomain(CloudFormationModel):
    def __init__(self, account_id: str, region_name: str, domain: str):
        self.account_id = account_id
        self.region_name = region_name
        self.domain = domain

    @property
    def physical_resource_id(self) -> str:
        return self.domain

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Cognito::UserPoolDomain"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "CloudFrontDistribution"

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name == "CloudFrontDistribution":
            domain = _backend(self.account_id, self.region_name).describe_user_pool_domain(self.domain)
            return domain._distribution_name()
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    ):
        properties = cloudformation_json.get("Properties", {})
        domain = _backend(account_id, region_name).create_user_pool_domain(
            properties["UserPoolId"], properties["Domain"], properties.get("CustomDomainConfig")
        )
        return cls(account_id, region_name, domain.domain)

    @classmethod
    def update_from_cloudformation_json(
        cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name
    ):
        properties = cloudformation_json.get("Properties", {})
        backend = _backend(account_id, region_name)
        current = backend.describe_user_pool_domain(original_resource.domain)
        if (
            properties["Domain"] != original_resource.domain
            or properties["UserPoolId"] != current.user_pool_id
        ):
            cls.delete_from_cloudformation_json(original_resource.domain, {}, account_id, region_name)
            return cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
        backend.update_user_pool_domain(original_resource.domain, properties.get("CustomDomainConfig") or {})
        return original_resource

    @classmethod
    def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
        with contextlib.suppress(ResourceNotFoundError):
            _backend(account_id, region_name).delete_user_pool_domain(resource_name)


def install() -> None:
    """Nothing to patch: moto finds a CloudFormationModel subclass once it is defined (imported)."""
