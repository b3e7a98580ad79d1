"""Listener rules and default actions take the `jwt-validation` action, with AWS's refusals.

moto 5.2.5 refuses the action type (`ALLOWED_ACTIONS`, `_validate_actions`), so a template with
the ALB's token check cannot launch locally. Here it is accepted and its `JwtValidationConfig`
kept as given, through CreateRule/ModifyRule, CreateListener/ModifyListener and CloudFormation
(which calls them), and refused where AWS refuses it (the ELB API reference,
JwtValidationActionConfig and JwtValidationActionAdditionalClaim; the ELB guide, "Verify JWTs"):
- only on an HTTPS listener;
- at most one of authenticate-oidc, authenticate-cognito and jwt-validation per rule;
- `JwksEndpoint` (an https URL) and `Issuer` required, each at most 256 characters;
- at most 10 `AdditionalClaims`, each with a `Format` of single-string, string-array or
  space-separated-values, a `Name` other than exp, iss, nbf and iat, and 1 to 10 `Values` of at
  most 256 characters (without spaces for space-separated-values);
- a final action (forward, redirect, fixed-response) after it, by Order.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from moto.elbv2 import models as elbv2_models
from moto.elbv2.exceptions import ELBClientError
from moto.elbv2.models import ELBv2Backend, FakeAction

from emulator import moto_internals

ACTION = "jwt-validation"
AUTHENTICATING = ("authenticate-oidc", "authenticate-cognito", ACTION)
FINAL = ("forward", "redirect", "fixed-response")
FORMATS = ("single-string", "string-array", "space-separated-values")
CHECKED_BY_DEFAULT = ("exp", "iss", "nbf", "iat")
MAX_CLAIMS = 10
MAX_VALUES = 10
MAX_LENGTH = 256

_original_validate_actions = moto_internals.ELBV2_VALIDATE_ACTIONS.current()
_original_create_rule = ELBv2Backend.create_rule
_original_modify_rule = ELBv2Backend.modify_rule
_original_create_listener = ELBv2Backend.create_listener
_original_modify_listener = ELBv2Backend.modify_listener


class ValidationError(ELBClientError):
    code = "ValidationError"


class InvalidLoadBalancerAction(ELBClientError):
    code = "InvalidLoadBalancerAction"


def _refuse(index: int, text: str) -> ValidationError:
    return ValidationError(f"Action {index} ({ACTION}): {text}")


def _check_config(index: int, config: Any) -> None:
    if not isinstance(config, dict):
        raise _refuse(index, "JwtValidationConfig is required")
    for key in ("JwksEndpoint", "Issuer"):
        value = config.get(key)
        if not isinstance(value, str) or not value:
            raise _refuse(index, f"JwtValidationConfig.{key} is required")
        if len(value) > MAX_LENGTH:
            raise _refuse(index, f"JwtValidationConfig.{key} is longer than {MAX_LENGTH} characters")
    endpoint = urlparse(config["JwksEndpoint"])
    if endpoint.scheme != "https" or not endpoint.netloc:
        raise _refuse(index, "JwtValidationConfig.JwksEndpoint must be a full https:// URL")
    claims = config.get("AdditionalClaims") or []
    if len(claims) > MAX_CLAIMS:
        raise _refuse(index, f"at most {MAX_CLAIMS} AdditionalClaims, not {len(claims)}")
    for claim in claims:
        name, claim_format, values = claim.get("Name"), claim.get("Format"), claim.get("Values")
        if not name:
            raise _refuse(index, "each of AdditionalClaims needs a Name")
        if name in CHECKED_BY_DEFAULT:
            raise _refuse(
                index, f"the claim {name} is validated by default and cannot be an additional claim"
            )
        if claim_format not in FORMATS:
            raise _refuse(index, f"the claim {name} has Format {claim_format!r}: one of {', '.join(FORMATS)}")
        if not values or len(values) > MAX_VALUES:
            raise _refuse(index, f"the claim {name} needs 1 to {MAX_VALUES} Values")
        for value in values:
            if len(value) > MAX_LENGTH:
                raise _refuse(index, f"a value of the claim {name} is longer than {MAX_LENGTH} characters")
            if claim_format == "space-separated-values" and " " in value:
                raise _refuse(index, f"a value of the claim {name} (space-separated-values) contains a space")


def _order(action: FakeAction, position: int) -> tuple[int, int]:
    order = action.data.get("Order")
    return (int(order) if order is not None else position + 1, position)


def validate_actions(self: ELBv2Backend, actions: list[FakeAction]) -> None:
    """moto's checks for the other actions; AWS's for jwt-validation and for the rule as a whole."""
    authenticating = [a for a in actions if a.type in AUTHENTICATING]
    if len(authenticating) > 1:
        kinds = ", ".join(a.type for a in authenticating)  # type: ignore[misc]
        raise InvalidLoadBalancerAction(
            f"A rule can have at most one authenticate-oidc, authenticate-cognito or {ACTION} action, not {kinds}"
        )
    ordered = sorted(enumerate(actions), key=lambda pair: _order(pair[1], pair[0]))
    for place, (position, action) in enumerate(ordered):
        if action.type != ACTION:
            continue
        _check_config(position + 1, action.data.get("JwtValidationConfig"))
        if not any(later.type in FINAL for _, later in ordered[place + 1 :]):
            raise _refuse(position + 1, "it must be followed by a forward, redirect or fixed-response action")
    _original_validate_actions(self, [a for a in actions if a.type != ACTION])


def _https_only(protocol: str | None, actions: list[dict[str, Any]] | None) -> None:
    if protocol != "HTTPS" and any((a or {}).get("Type") == ACTION for a in actions or []):
        raise InvalidLoadBalancerAction(f"{ACTION} actions are supported only on HTTPS listeners")


def _listener_protocol(self: ELBv2Backend, listener_arn: str) -> str | None:
    listeners = self.describe_listeners(None, [listener_arn])
    return listeners[0].protocol if listeners else None


def create_rule(self: ELBv2Backend, listener_arn: str, conditions, priority, actions, tags=None):
    _https_only(_listener_protocol(self, listener_arn), actions)
    return _original_create_rule(self, listener_arn, conditions, priority, actions, tags)


def modify_rule(self: ELBv2Backend, rule_arn: str, conditions, actions):
    rules = self.describe_rules(listener_arn=None, rule_arns=[rule_arn])
    if rules:
        _https_only(_listener_protocol(self, rules[0].listener_arn), actions)
    return _original_modify_rule(self, rule_arn, conditions, actions)


def create_listener(
    self: ELBv2Backend, load_balancer_arn, protocol, port, ssl_policy, certificate, actions, *args, **kwargs
):
    _https_only(protocol, actions)
    return _original_create_listener(
        self, load_balancer_arn, protocol, port, ssl_policy, certificate, actions, *args, **kwargs
    )


def modify_listener(
    self: ELBv2Backend, arn, port=None, protocol=None, ssl_policy=None, certificates=None, actions=None
):
    if actions or protocol:
        (listener,) = self.describe_listeners(None, [arn])
        # The actions it will have, on the protocol it will have.
        _https_only(protocol or listener.protocol, actions or [a.data for a in listener.default_actions])
    return _original_modify_listener(self, arn, port, protocol, ssl_policy, certificates, actions)


def install() -> None:
    """Internals: ALLOWED_ACTIONS is what the CloudFormation models check action types against;
    _validate_actions is the one check CreateRule, ModifyRule, CreateListener and ModifyListener share."""
    moto_internals.replace(elbv2_models, "ALLOWED_ACTIONS", [*elbv2_models.ALLOWED_ACTIONS, ACTION])
    moto_internals.replace_private(moto_internals.ELBV2_VALIDATE_ACTIONS, validate_actions)
    moto_internals.replace(ELBv2Backend, "create_rule", create_rule)
    moto_internals.replace(ELBv2Backend, "modify_rule", modify_rule)
    moto_internals.replace(ELBv2Backend, "create_listener", create_listener)
    moto_internals.replace(ELBv2Backend, "modify_listener", modify_listener)
