"""The shared base of the CloudFormation resource models the emulator adds to moto.

A model says which type it is, which property names it and which GetAtt attributes it has, and
implements `create`, `delete` and (if CloudFormation can update it) `update`; the moto-facing
methods (`cloudformation_type`, `create_from_cloudformation_json`, ...) live here once.

These are mixins, not CloudFormationModel subclasses: moto registers a resource type for each
*direct* subclass of CloudFormationModel only (`CloudFormationModel.__subclasses__()`), so a
model is declared `class CfnThing(UpdatableCfnResource, CloudFormationModel)`.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException


class CfnResource:
    """A resource CloudFormation can create and delete; any change to it replaces it."""

    CFN_TYPE = ""  # "AWS::Service::Thing"
    NAME_PROPERTY = ""  # the property that names it, if any: without it moto generates a name
    ATTRIBUTES: tuple[str, ...] = ()  # its Fn::GetAtt attributes, answered by attribute()

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.CFN_TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return self.attribute(attribute_name)

    def attribute(self, name: str) -> Any:
        """The value of one of ATTRIBUTES (raise UnformattedGetAttTemplateException if it has none)."""
        raise UnformattedGetAttTemplateException()

    @classmethod
    def create_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: dict, account_id: str, region_name: str, **kwargs: Any
    ) -> CfnResource:
        return cls.create(resource_name, cloudformation_json.get("Properties", {}), account_id, region_name)

    @classmethod
    def create(cls, name: str, properties: dict, account_id: str, region_name: str) -> CfnResource:
        raise NotImplementedError

    def delete(self, account_id: str, region_name: str) -> None:
        """Delete it; already gone is not an error (its parent may have taken it along)."""
        raise NotImplementedError


class UpdatableCfnResource(CfnResource):
    """A resource CloudFormation updates: in place, or by replacing it when `update` says so."""

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: UpdatableCfnResource,
        new_resource_name: str,
        cloudformation_json: dict,
        account_id: str,
        region_name: str,
    ) -> CfnResource:
        properties = cloudformation_json.get("Properties", {})
        return original_resource.update(new_resource_name, properties, account_id, region_name)

    def update(self, name: str, properties: dict, account_id: str, region_name: str) -> CfnResource:
        """Apply the new properties; return this resource, or `self.replace(...)`'s replacement."""
        raise NotImplementedError

    def replace(
        self, name: str, properties: dict, account_id: str, region_name: str, delete_first: bool = False
    ) -> CfnResource:
        """CloudFormation's replacement: a new resource, and this one deleted. `delete_first` when
        both cannot exist at once (the same unique name)."""
        if delete_first:
            self.delete(account_id, region_name)
            return type(self).create(name, properties, account_id, region_name)
        replacement = type(self).create(name, properties, account_id, region_name)
        self.delete(account_id, region_name)
        return replacement
