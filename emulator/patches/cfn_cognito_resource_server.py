"""CloudFormation support for AWS::Cognito::UserPoolResourceServer, and Cognito's refusal of an app
client that names a scope no resource server defines.

Stock moto skips the type (a stack "creates" it without creating anything), and its
CreateUserPoolClient/UpdateUserPoolClient accept any AllowedOAuthScopes. In AWS a client's custom
scope `<identifier>/<scope>` must be one of a resource server of its pool (else
ScopeDoesNotExistException), so a template whose client names a scope it does not define fails.
The model makes the same object CreateResourceServer makes, so DescribeResourceServer,
ListResourceServers and the local hosted UI's token endpoint see what a stack made.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.cognitoidp.exceptions import ResourceNotFoundError
from moto.cognitoidp.models import CognitoIdpBackend, CognitoResourceServer, cognitoidp_backends
from moto.core.common_models import CloudFormationModel
from moto.core.exceptions import JsonRESTError

from emulator import moto_internals
from emulator.cfn_resource import UpdatableCfnResource

# Scopes Cognito defines itself; any other must be a resource server's.
BUILT_IN_SCOPES = frozenset({"openid", "email", "phone", "profile", "aws.cognito.signin.user.admin"})


class ScopeDoesNotExistException(JsonRESTError):
    def __init__(self, scope: str):
        super().__init__("ScopeDoesNotExistException", f"Invalid scope requested: {scope}")


def _backend(account_id: str, region_name: str) -> CognitoIdpBackend:
    return cognitoidp_backends[account_id][region_name]


def _resource_servers(backend: CognitoIdpBackend, pool_id: str) -> dict[str, CognitoResourceServer]:
    return backend.describe_user_pool(pool_id).resource_servers


def _check_scopes(backend: CognitoIdpBackend, pool_id: str, config: dict[str, Any]) -> None:
    defined = {
        f"{server.identifier}/{scope['ScopeName']}"
        for server in _resource_servers(backend, pool_id).values()
        for scope in server.scopes or []
    }
    for scope in config.get("AllowedOAuthScopes") or []:
        if scope not in BUILT_IN_SCOPES and scope not in defined:
            raise ScopeDoesNotExistException(scope)


_original_create_user_pool_client = CognitoIdpBackend.create_user_pool_client
_original_update_user_pool_client = CognitoIdpBackend.update_user_pool_client


def create_user_pool_client(self, user_pool_id: str, generate_secret: bool, extended_config: dict):
    _check_scopes(self, user_pool_id, extended_config)
    return _original_create_user_pool_client(self, user_pool_id, generate_secret, extended_config)


def update_user_pool_client(self, user_pool_id: str, client_id: str, extended_config: dict):
    _check_scopes(self, user_pool_id, extended_config)
    return _original_update_user_pool_client(self, user_pool_id, client_id, extended_config)


def _scopes(properties: dict[str, Any]) -> list[dict[str, str]]:
    return [
        {"ScopeName": scope["ScopeName"], "ScopeDescription": scope["ScopeDescription"]}
        for scope in properties.get("Scopes") or []
    ]


class CfnUserPoolResourceServer(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::Cognito::UserPoolResourceServer"

    def __init__(self, account_id: str, region_name: str, pool_id: str, identifier: str):
        self.account_id = account_id
        self.region_name = region_name
        self.pool_id = pool_id
        self.identifier = identifier

    @property
    def physical_resource_id(self) -> str:
        # Ref gives the identifier, as in AWS.
        return self.identifier

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        server = _backend(account_id, region_name).create_resource_server(
            properties["UserPoolId"], properties["Identifier"], properties["Name"], _scopes(properties)
        )
        return cls(account_id, region_name, server.user_pool_id, server.identifier)

    def update(self, name, properties, account_id, region_name):
        # Identifier and UserPoolId are create-only: a new one replaces the resource server.
        if properties["UserPoolId"] != self.pool_id or properties["Identifier"] != self.identifier:
            return self.replace(name, properties, account_id, region_name)
        server = _backend(account_id, region_name).describe_resource_server(self.pool_id, self.identifier)
        server.name = properties["Name"]
        server.scopes = _scopes(properties)
        return self

    def delete(self, account_id, region_name):
        # The pool may have gone first: its resource servers went with it.
        with contextlib.suppress(ResourceNotFoundError):
            _resource_servers(_backend(account_id, region_name), self.pool_id).pop(self.identifier, None)


def install() -> None:
    """The model registers when imported; the client checks wrap the backend methods the API and
    the CloudFormation model of app clients both call."""
    moto_internals.replace(CognitoIdpBackend, "create_user_pool_client", create_user_pool_client)
    moto_internals.replace(CognitoIdpBackend, "update_user_pool_client", update_user_pool_client)
