"""CloudFormation support for AWS::WAFv2::WebACL, LoggingConfiguration and WebACLAssociation.

Stock moto has a WAFv2 API but no CloudFormation model for any of the three, so the edge stack's
web ACL (and alb-ecs associating it with the ALB) is refused. These models put them in moto's own
wafv2 backend, so GetWebACL, GetLoggingConfiguration and GetWebACLForResource show them, and a
stack delete removes them. As in AWS, Ref of a web ACL is "name|id|scope", GetAtt Arn/Id its ARN
and id; a logging destination must be a log group named aws-waf-logs-..., or it is refused.
"""

from __future__ import annotations

import contextlib
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.wafv2.exceptions import WAFNonexistentItemException, WAFv2ClientError
from moto.wafv2.models import GLOBAL_REGION, wafv2_backends

from emulator.cfn_resource import CfnResource, UpdatableCfnResource

# Numbers CloudFormation passes as text (a Ref to a Number parameter) that the WAFv2 API holds as numbers.
_NUMBERS = {"Priority", "Limit", "EvaluationWindowSec", "Size"}
LOG_GROUP_PREFIX = "aws-waf-logs-"


def _backend(account_id: str, region_name: str, scope: str = "REGIONAL"):
    return wafv2_backends[account_id][GLOBAL_REGION if scope == "CLOUDFRONT" else region_name]


def _backend_of(arn: str):
    # arn:<partition>:wafv2:<region>:<account>:<regional|global>/webacl/<name>/<id>
    _, _, _, region, account, rest = arn.split(":", 5)
    return wafv2_backends[account][GLOBAL_REGION if rest.startswith("global/") else region]


def _as_api(value: Any) -> Any:
    if isinstance(value, list):
        return [_as_api(item) for item in value]
    if isinstance(value, dict):
        return {
            key: int(item) if key in _NUMBERS and isinstance(item, str) and item.isdigit() else _as_api(item)
            for key, item in value.items()
        }
    return value


class CfnWebAcl(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::WAFv2::WebACL"
    NAME_PROPERTY = "Name"
    ATTRIBUTES = ("Arn", "Id", "LabelNamespace", "Capacity")

    def __init__(self, name: str, acl_id: str, arn: str, scope: str):
        self.name, self.acl_id, self.arn, self.scope = name, acl_id, arn, scope

    @property
    def physical_resource_id(self) -> str:
        return f"{self.name}|{self.acl_id}|{self.scope}"

    def attribute(self, name: str) -> Any:
        if name == "Arn":
            return self.arn
        if name == "Id":
            return self.acl_id
        acl = _backend_of(self.arn).get_web_acl(self.arn, None, None)
        return acl.label_namespace if name == "LabelNamespace" else acl.capacity

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        p = _as_api(properties)
        acl = _backend(account_id, region_name, p["Scope"]).create_web_acl(
            name=name,
            visibility_config=p["VisibilityConfig"],
            default_action=p["DefaultAction"],
            scope=p["Scope"],
            description=p.get("Description", ""),
            tags=p.get("Tags", []),
            rules=p.get("Rules", []),
            association_config=p.get("AssociationConfig"),
            captcha_config=p.get("CaptchaConfig"),
            challenge_config=p.get("ChallengeConfig"),
            custom_response_bodies=p.get("CustomResponseBodies"),
            token_domains=p.get("TokenDomains"),
        )
        return cls(name, acl.id, acl.arn, p["Scope"])

    def update(self, name, properties, account_id, region_name):
        p = _as_api(properties)
        if name != self.name or p["Scope"] != self.scope:  # Name and Scope are create-only
            return self.replace(name, properties, account_id, region_name, delete_first=name == self.name)
        backend = _backend_of(self.arn)
        backend.update_web_acl(
            name=self.name,
            _id=self.acl_id,
            default_action=p["DefaultAction"],
            rules=p.get("Rules", []),
            description=p.get("Description", ""),
            visibility_config=p["VisibilityConfig"],
            lock_token=backend.get_web_acl(self.arn, None, None).lock_token,
            custom_response_bodies=p.get("CustomResponseBodies"),
            captcha_config=p.get("CaptchaConfig"),
            challenge_config=p.get("ChallengeConfig"),
            token_domains=p.get("TokenDomains"),
            association_config=p.get("AssociationConfig"),
        )
        return self

    def delete(self, account_id, region_name):
        backend = _backend_of(self.arn)
        with contextlib.suppress(WAFNonexistentItemException):
            acl = backend.get_web_acl(self.arn, None, None)
            backend.delete_web_acl(self.name, self.scope, self.acl_id, acl.lock_token)


class CfnLoggingConfiguration(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::WAFv2::LoggingConfiguration"

    def __init__(self, resource_arn: str):
        self.resource_arn = resource_arn

    @property
    def physical_resource_id(self) -> str:
        return self.resource_arn

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        p = _as_api(properties)
        for destination in p["LogDestinationConfigs"]:
            # arn:<partition>:logs:<region>:<account>:log-group:<name>
            if ":log-group:" in destination and not destination.split(":log-group:")[1].startswith(
                LOG_GROUP_PREFIX
            ):
                raise WAFv2ClientError(
                    "WAFInvalidParameterException",
                    f"The log group name of {destination} must start with {LOG_GROUP_PREFIX}",
                )
        _backend_of(p["ResourceArn"]).put_logging_configuration(
            p["ResourceArn"],
            p["LogDestinationConfigs"],
            p.get("RedactedFields"),
            p.get("ManagedByFirewallManager", False),
            p.get("LoggingFilter"),
        )
        return cls(p["ResourceArn"])

    def update(self, name, properties, account_id, region_name):
        if properties["ResourceArn"] != self.resource_arn:  # ResourceArn is create-only
            return self.replace(name, properties, account_id, region_name)
        return self.create(name, properties, account_id, region_name)  # Put replaces it

    def delete(self, account_id, region_name):
        with contextlib.suppress(WAFNonexistentItemException):  # the web ACL went first
            _backend_of(self.resource_arn).delete_logging_configuration(self.resource_arn)


class CfnWebAclAssociation(CfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::WAFv2::WebACLAssociation"

    def __init__(self, web_acl_arn: str, resource_arn: str):
        self.web_acl_arn, self.resource_arn = web_acl_arn, resource_arn

    @property
    def physical_resource_id(self) -> str:
        return f"{self.web_acl_arn}|{self.resource_arn}"

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        _backend_of(properties["WebACLArn"]).associate_web_acl(
            properties["WebACLArn"], properties["ResourceArn"]
        )
        return cls(properties["WebACLArn"], properties["ResourceArn"])

    def delete(self, account_id, region_name):
        _backend_of(self.web_acl_arn).disassociate_web_acl(self.resource_arn)


def install() -> None:
    """Nothing to patch: the models register their types when this module is imported."""
