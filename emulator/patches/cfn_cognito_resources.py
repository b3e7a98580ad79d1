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

from emulator import moto_internals
from emulator.cfn_resource import UpdatableCfnResource


def _backend(account_id: str, region_name: str):
    return cognitoidp_backends[account_id][region_name]


def _without(properties: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in properties.items() if k not in names}


class CfnUserPool(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::Cognito::UserPool"
    NAME_PROPERTY = "UserPoolName"
    ATTRIBUTES = ("Arn", "ProviderName", "ProviderURL", "UserPoolId")

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

    def attribute(self, name: str) -> Any:
        host = f"cognito-idp.{self.region_name}.amazonaws.com"
        return {
            "Arn": lambda: self.pool.arn,
            "ProviderName": lambda: f"{host}/{self.pool_id}",
            "ProviderURL": lambda: f"https://{host}/{self.pool_id}",
            "UserPoolId": lambda: self.pool_id,
        }[name]()

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        pool = _backend(account_id, region_name).create_user_pool(name, _without(properties, "UserPoolName"))
        return cls(account_id, region_name, pool.id)

    def update(self, name, properties, account_id, region_name):
        # Every user pool property CloudFormation can change in place is an UpdateUserPool call.
        _backend(account_id, region_name).update_user_pool(
            self.pool_id, _without(properties, "UserPoolName", "Schema")
        )
        self.pool.name = name
        return self

    def delete(self, account_id, region_name):
        with contextlib.suppress(ResourceNotFoundError):
            _backend(account_id, region_name).delete_user_pool(self.pool_id)


class CfnUserPoolClient(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::Cognito::UserPoolClient"
    NAME_PROPERTY = "ClientName"
    ATTRIBUTES = ("ClientId", "ClientSecret", "Name")

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

    def attribute(self, name: str) -> Any:
        if name == "ClientId":
            return self.client_id
        if name == "ClientSecret":
            client = self.client
            if not client.generate_secret:
                raise UnformattedGetAttTemplateException()
            return client.secret
        return self.client.extended_config.get("ClientName")  # Name

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        pool_id = properties["UserPoolId"]
        config = _without(properties, "UserPoolId", "GenerateSecret")
        config["ClientName"] = properties.get("ClientName", name)
        client = _backend(account_id, region_name).create_user_pool_client(
            pool_id, bool(properties.get("GenerateSecret", False)), config
        )
        return cls(account_id, region_name, pool_id, client.id)

    def update(self, name, properties, account_id, region_name):
        client = self.client
        # Another pool or a secret added/removed replaces the client (new id, new secret), as in AWS.
        if (
            properties["UserPoolId"] != self.pool_id
            or bool(properties.get("GenerateSecret", False)) != client.generate_secret
        ):
            return self.replace(name, properties, account_id, region_name)
        # UpdateUserPoolClient replaces the whole configuration: drop what the template no longer sets.
        config = _without(properties, "UserPoolId", "GenerateSecret")
        config["ClientName"] = properties.get("ClientName", name)
        kept = {k: v for k, v in client.extended_config.items() if k not in _SETTABLE_CLIENT_PROPERTIES}
        # Through the backend's update, so what it checks (as AWS does: the scopes a client names)
        # is checked for a template's update too; then without what the template no longer sets.
        _backend(account_id, region_name).update_user_pool_client(self.pool_id, self.client_id, config)
        client.extended_config = {**kept, **config}
        return self

    def delete(self, account_id: str, region_name: str) -> None:
        # The pool may have gone first: its clients went with it.
        with contextlib.suppress(ResourceNotFoundError):
            _backend(account_id, region_name).delete_user_pool_client(self.pool_id, self.client_id)


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


class CfnUserPoolDomain(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::Cognito::UserPoolDomain"
    ATTRIBUTES = ("CloudFrontDistribution",)

    def __init__(self, account_id: str, region_name: str, domain: str):
        self.account_id = account_id
        self.region_name = region_name
        self.domain = domain

    @property
    def physical_resource_id(self) -> str:
        return self.domain

    def attribute(self, name: str) -> Any:
        domain = _backend(self.account_id, self.region_name).describe_user_pool_domain(self.domain)
        return moto_internals.user_pool_domain_distribution(domain)  # CloudFrontDistribution

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        domain = _backend(account_id, region_name).create_user_pool_domain(
            properties["UserPoolId"], properties["Domain"], properties.get("CustomDomainConfig")
        )
        return cls(account_id, region_name, domain.domain)

    def update(self, name, properties, account_id, region_name):
        backend = _backend(account_id, region_name)
        current = backend.describe_user_pool_domain(self.domain)
        if properties["Domain"] != self.domain or properties["UserPoolId"] != current.user_pool_id:
            # A domain belongs to one pool: the old association goes before the new one is made.
            return self.replace(name, properties, account_id, region_name, delete_first=True)
        backend.update_user_pool_domain(self.domain, properties.get("CustomDomainConfig") or {})
        return self

    def delete(self, account_id, region_name):
        with contextlib.suppress(ResourceNotFoundError):
            _backend(account_id, region_name).delete_user_pool_domain(self.domain)


def install() -> None:
    """Public hook: moto registers each CloudFormationModel subclass once defined (imported): nothing to patch."""
