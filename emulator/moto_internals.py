"""The emulator's one contact with moto's internals: every private name of moto it uses, and every
moto attribute it replaces, goes through this module (tests/test_emulator_moto_internals.py holds
the rest of emulator/ to it).

A moto upgrade that renames or removes one of these breaks here, at install, naming it: `replace`
refuses an attribute moto no longer has, and `add` one that moto now has itself (its own version
may then make the extension unnecessary). docs/emulator.md says, per extension, what it relies on.

Written against moto 5.2.5 (emulator/moto_version.py refuses any other).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from moto.acm.models import CertBundle, acm_backends
from moto.cloudformation.models import Stack
from moto.cloudformation.parsing import OutputMap, ResourceMap
from moto.cloudformation.responses import CloudFormationResponse
from moto.cognitoidp.models import (
    CognitoIdpBackend,
    CognitoIdpUser,
    CognitoIdpUserPool,
    CognitoIdpUserPoolDomain,
)
from moto.core.responses import BaseResponse
from moto.ec2.models.nat_gateways import NatGateway
from moto.ecr.models import ECRBackend, Image, Repository
from moto.ecs.models import Cluster, EC2ContainerServiceBackend, Service
from moto.elbv2.models import ELBv2Backend, FakeListener
from moto.iam.access_control import IAMRequest
from moto.moto_api._internal import urls as moto_api_urls

T = TypeVar("T")


class MotoChanged(RuntimeError):
    """moto no longer looks the way an extension was written for."""


class MotoAttribute(NamedTuple):
    """An attribute of a moto class or module, by owner and name."""

    owner: Any
    name: str

    def current(self) -> Any:
        """What moto (or an extension installed earlier) has there now."""
        return getattr(self.owner, self.name)

    def describe(self) -> str:
        owner = self.owner
        prefix = (
            owner.__name__
            if isinstance(owner, types.ModuleType)
            else f"{owner.__module__}.{owner.__qualname__}"
        )
        return f"{prefix}.{self.name}"


# Every attribute the extensions replaced or added, in install order.
REPLACED: list[MotoAttribute] = []


def replace(owner: Any, name: str, new: Any) -> None:
    """Put `new` in place of moto's public `owner.name` (a method, property or module function).

    Capture the original before (`owner.name`) to wrap it. A private one is named below."""
    if name.startswith("_"):
        raise ValueError(f"{name} is private to moto: name it in emulator/moto_internals.py")
    _replace(MotoAttribute(owner, name), new)


def replace_private(attribute: MotoAttribute, new: Any) -> None:
    """Put `new` in place of one of the private methods below."""
    _replace(attribute, new)


def add(owner: Any, name: str, new: Any) -> None:
    """Give a moto class an attribute it lacks (a missing API action)."""
    attribute = MotoAttribute(owner, name)
    if hasattr(owner, name):
        raise MotoChanged(f"moto now has {attribute.describe()}: check whether the extension is still needed")
    setattr(owner, name, new)
    REPLACED.append(attribute)


def define(owner: Any, name: str, new: Any) -> None:
    """Replace moto's public `owner.name`, or add it where moto leaves it out (a CloudFormation
    model method that some models lack, such as `delete` or `get_cfn_attribute`)."""
    (replace if hasattr(owner, name) else add)(owner, name, new)


def _replace(attribute: MotoAttribute, new: Any) -> None:
    if not hasattr(attribute.owner, attribute.name):
        raise MotoChanged(
            f"moto has no {attribute.describe()} any more: the extension that replaces it needs a rewrite"
        )
    setattr(attribute.owner, attribute.name, new)
    REPLACED.append(attribute)


# --- private methods the extensions replace: moto has no public hook for these behaviours ----------

# Builds a stack's ResourceMap: where CreateStack first sees the template's resource types.
STACK_CREATE_RESOURCE_MAP = MotoAttribute(Stack, "_create_resource_map")
# Every ECR call finds its repository through it.
ECR_GET_REPOSITORY = MotoAttribute(ECRBackend, "_get_repository")
# Computes an image's digest when it is put.
ECR_IMAGE_CREATE_DIGEST = MotoAttribute(Image, "_create_digest")
# UpdateStack's "No updates are to be performed." check.
CFN_VALIDATE_DIFFERENT_UPDATE = MotoAttribute(CloudFormationResponse, "_validate_different_update")
# The IAM access check raises its two refusals from these.
IAM_RAISE_ACCESS_DENIED = MotoAttribute(IAMRequest, "_raise_access_denied")
IAM_RAISE_INVALID_ACCESS_KEY = MotoAttribute(IAMRequest, "_raise_invalid_access_key")
# A user pool's one lookup of a user by name: every admin call, AdminCreateUser's "exists" check
# and sign-in go through it.
COGNITO_POOL_GET_USER = MotoAttribute(CognitoIdpUserPool, "_get_user")
# The action-type check CreateRule, ModifyRule, CreateListener and ModifyListener share.
ELBV2_VALIDATE_ACTIONS = MotoAttribute(ELBv2Backend, "_validate_actions")


# --- a stack's resources (moto's ResourceMap) ------------------------------------------------------


def created_resources(resource_map: ResourceMap) -> dict[str, Any]:
    """Logical id -> the moto object made for it (and parameters, pseudo parameters): moto's own
    dict, so a change to it changes the stack."""
    return resource_map._parsed_resources


def template_resources(resource_map: ResourceMap) -> dict[str, Any]:
    """The template's Resources section the map works from."""
    return resource_map._resource_json_map


def set_template_resources(resource_map: ResourceMap, resources: dict[str, Any]) -> None:
    resource_map._resource_json_map = resources


def template(resource_map: ResourceMap) -> dict[str, Any]:
    return resource_map._template


def set_template(resource_map: ResourceMap, new: dict[str, Any]) -> None:
    resource_map._template = new


def account_id(resource_map: ResourceMap) -> str:
    return resource_map._account_id


def region_name(resource_map: ResourceMap) -> str:
    return resource_map._region_name


def delete_resource(resource_map: ResourceMap, resource: Any, resource_json: dict[str, Any]) -> None:
    """moto's delete of one resource of the stack (by its type's model), as its stack delete does."""
    resource_map._delete_resource(resource, resource_json)


# --- a stack's outputs (moto's OutputMap) and events ------------------------------------------------


def output_definitions(output_map: OutputMap) -> dict[str, Any]:
    """The template's Outputs section (None when it has none)."""
    return output_map._output_json_map


def clear_output_definitions(output_map: OutputMap) -> None:
    output_map._output_json_map = {}


def output_resource_map(output_map: OutputMap) -> ResourceMap:
    return output_map._resource_map


def output_stack_id(output_map: OutputMap) -> str:
    return output_map._stack_id


def add_stack_event(stack: Stack, status: str, reason: str | None = None) -> None:
    """A stack-level event (logical id = the stack's name), as moto records its own."""
    stack._add_stack_event(status, resource_status_reason=reason)


# --- requests ------------------------------------------------------------------------------------------


def request_param(response: BaseResponse, name: str, default: Any = None) -> Any:
    """A parameter of the request being answered, parsed by moto's protocol handling."""
    return response._get_param(name, default)


def iam_request_headers(request: IAMRequest) -> Any:
    return request._headers


def iam_request_access_key_arn(request: IAMRequest) -> str:
    return request._access_key.arn


def iam_request_action(request: IAMRequest) -> str:
    """`service:Action`, as IAM policies name it."""
    return request._action


def replace_route(urls_module: types.ModuleType, path: str, handler: Callable[..., Any]) -> None:
    """Serve `handler` at one of a service's own URL patterns (`url_paths` of its urls module),
    in place of moto's handler: the server reads the patterns when it builds its routes."""
    if path not in urls_module.url_paths:
        raise MotoChanged(
            f"moto serves no {path} in {urls_module.__name__} any more: the extension needs a rewrite"
        )
    urls_module.url_paths[path] = handler


def add_moto_api_route(path: str, handler: Callable[..., Any]) -> None:
    """Serve `handler` at `path` (a moto URL pattern, `{0}` the host) beside moto's own /moto-api/
    endpoints: the way moto's server adds a non-AWS endpoint."""
    moto_api_urls.url_paths[path] = handler


# --- service models ----------------------------------------------------------------------------------


def acm_certificate(account: str, region: str, arn: str) -> CertBundle | None:
    return acm_backends[account][region]._certificates.get(arn)


def ecr_repository(backend: ECRBackend, name: str, registry_id: str | None) -> Repository:
    """The repository an ECR call names (raising moto's RepositoryNotFoundException)."""
    return backend._get_repository(name, registry_id)


def set_ecr_image_digest(image: Image, digest: str) -> None:
    image._image_digest = digest


def ecs_cluster(backend: EC2ContainerServiceBackend, name_or_arn: str) -> Cluster:
    """The cluster an ECS call names (raising moto's ClusterNotFoundException)."""
    return backend._get_cluster(name_or_arn)


def ecs_service(backend: EC2ContainerServiceBackend, cluster: str, service: str) -> Service:
    """A cluster's service by name or ARN (raising moto's ClusterNotFoundException or
    ServiceNotFoundException)."""
    return backend._get_service(cluster, service)


def nat_gateway_interface(gateway: NatGateway) -> Any:
    """The network interface moto made for a NAT gateway (None if it made none)."""
    return getattr(gateway, "_eni", None)


def listener_rules(listener: FakeListener) -> dict[str, Any]:
    """ARN -> rule, of the listener's rules but its default one."""
    return listener._non_default_rules


def user_pool_domain_distribution(domain: CognitoIdpUserPoolDomain) -> str:
    """The CloudFront distribution a user pool domain answers with (its CloudFrontDistribution)."""
    return domain._distribution_name()


def cognito_pool_user(pool: CognitoIdpUserPool, username: str) -> CognitoIdpUser | None:
    """The pool's user by name (or username attribute), None if there is none."""
    return pool._get_user(username)


def cognito_validate_password(backend: CognitoIdpBackend, user_pool_id: str, password: str) -> None:
    """Refuse (InvalidPasswordException) a password the pool's policy does not accept."""
    backend._validate_password(user_pool_id, password)


# --- an extension's own state on moto's objects ---------------------------------------------------------


def extension_state(obj: object, name: str, default: T) -> T:
    """What an extension keeps on one of moto's objects, which have no place for it: `name` in the
    object's __dict__, set to `default` on first use."""
    return obj.__dict__.setdefault(name, default)


def set_extension_state(obj: object, name: str, value: Any) -> None:
    obj.__dict__[name] = value
