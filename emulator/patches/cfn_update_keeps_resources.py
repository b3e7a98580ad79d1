"""A stack update changes what changed, keeps everything else, and never drops a resource.

Stock moto decides what to update by comparing template text that it mutated itself at create
time (a resource without `Properties` always looks changed), regenerates random names on every
update (so an ECS cluster without a ClusterName is replaced and its service orphaned), and for a
changed resource whose type has no update support it stores None: the resource vanishes from the
stack while the real object stays behind. Parameter changes reach only resources that `Ref` the
parameter directly (not through `Fn::Sub`), and a replaced resource's dependents keep pointing at
the old one.

Here a resource is updated when its *resolved* properties (parameters, Refs and GetAtts
substituted) differ from the ones it was created with, walked in dependency order so a
replacement cascades to whatever refers to it. A type without update support is updated in place
when only its tags (or a setting we know how to apply, e.g. log retention) changed, and otherwise
replaced: the new one is created, and the old one deleted once the update succeeded, as
CloudFormation does. Removed resources are deleted last.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from moto.cloudformation import parsing
from moto.cloudformation.exceptions import ValidationError
from moto.cloudformation.parsing import ResourceMap
from moto.ec2.models.core import TaggedEC2Resource
from moto.logs.models import LogGroup, logs_backends

from emulator import moto_internals
from emulator.patches.cfn_deletion_policy import kept_on_delete
from emulator.resource_deletion import delete_in_passes, failed_to_delete

# Changing these types' properties creates a new one in CloudFormation (a task definition change is
# a new revision); moto's own update for them loses properties.
ALWAYS_REPLACED = {"AWS::ECS::TaskDefinition"}

# Properties of a type moto cannot update that CloudFormation changes in place, and how to apply a
# new value (None: removed from the template) to the moto object. Other extensions add to it.
IN_PLACE_SETTINGS: dict[type, dict[str, Callable[[Any, Any], None]]] = {
    LogGroup: {
        "RetentionInDays": lambda group, days: setattr(
            group, "retention_in_days", None if days is None else int(days)
        )
    },
}


def _references(node: Any) -> set[str]:
    """Logical names a template fragment refers to (Ref, GetAtt, Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0] if isinstance(value, list) else str(value).split(".")[0])
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                found.update(m.split(".")[0] for m in re.findall(r"\$\{([^!}][^}]*)\}", str(text)))
                found |= _references(value[1] if isinstance(value, list) else None)
            else:
                found |= _references(value)
    elif isinstance(node, list):
        for item in node:
            found |= _references(item)
    return found


def _depends_on(resource: dict[str, Any]) -> set[str]:
    """What a resource needs first: what it refers to, and its own DependsOn (an ECS container's
    DependsOn, inside Properties, is a setting, not a resource)."""
    depends_on = resource.get("DependsOn") or []
    rest = {key: value for key, value in resource.items() if key != "DependsOn"}
    return _references(rest) | set([depends_on] if isinstance(depends_on, str) else depends_on)


def dependency_order(resources: dict[str, Any]) -> list[str]:
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str) -> None:
        if state.get(name) == "done" or name not in resources:
            return
        if state.get(name) == "visiting":
            return  # a cycle is the template's error; CloudFormation would reject it
        state[name] = "visiting"
        for dependency in sorted(_depends_on(resources[name])):
            visit(dependency)
        state[name] = "done"
        order.append(name)

    for name in resources:
        visit(name)
    return order


def _resolve(resource_map: ResourceMap, logical_id: str, resource_json: dict[str, Any]) -> Any:
    resolved = parsing.clean_json(copy.deepcopy(resource_json), resource_map)
    resolved.pop("DependsOn", None)
    resolved.pop("Metadata", None)
    return resolved


# Remember, per resource, what it was created with: its resolved JSON and its physical name.
_original_parse_and_create = parsing.parse_and_create_resource
_original_parse_and_generate_name = parsing.parse_resource_and_generate_name


def parse_resource_and_generate_name(logical_id, resource_json, resources_map):
    result = _original_parse_and_generate_name(logical_id, resource_json, resources_map)
    if result:
        physical_names: dict[str, str] = moto_internals.extension_state(resources_map, "physical_names", {})
        physical_names[logical_id] = result[2]
    return result


def parse_and_create_resource(logical_id, resource_json, resources_map, account_id, region_name):
    resource = _original_parse_and_create(logical_id, resource_json, resources_map, account_id, region_name)
    if resource is not None:
        resolved_json: dict[str, Any] = moto_internals.extension_state(resources_map, "resolved_json", {})
        resolved_json[logical_id] = _resolve(resources_map, logical_id, resource_json)
    return resource


def _properties(resolved: Any) -> dict[str, Any]:
    return dict((resolved or {}).get("Properties") or {})


def _retag_log_group(group: LogGroup, before: list | None, after: list | None) -> None:
    backend = logs_backends[group.account_id][group.region]
    backend.untag_resource(group.arn, [t["Key"] for t in (before or [])])
    backend.tag_resource(group.arn, {t["Key"]: t["Value"] for t in (after or [])})


def _retag_ec2(resource: Any, before: list | None, after: list | None) -> None:
    # resource: a TaggedEC2Resource model; each such model has ec2_backend and physical_resource_id.
    backend = resource.ec2_backend
    old_keys = {t["Key"] for t in (before or [])} - {t["Key"] for t in (after or [])}
    if old_keys:
        backend.delete_tags([resource.physical_resource_id], {k: None for k in old_keys})
    if after:
        backend.create_tags([resource.physical_resource_id], {t["Key"]: t["Value"] for t in after})


# How a changed Tags property reaches the moto object, by type (others keep their tags).
RETAG: dict[type, Callable[[Any, list | None, list | None], None]] = {
    LogGroup: _retag_log_group,
    TaggedEC2Resource: _retag_ec2,
}


def _update_in_place(resource: Any, old: Any, new: Any) -> bool:
    """Apply a change to a type moto cannot update, when we know how. True if applied."""
    before, after = _properties(old), _properties(new)
    before_tags, after_tags = before.pop("Tags", None), after.pop("Tags", None)
    settings = next((s for model, s in IN_PLACE_SETTINGS.items() if isinstance(resource, model)), {})
    changed = {}
    for key in settings:
        old_value, new_value = before.pop(key, None), after.pop(key, None)
        if old_value != new_value:
            changed[key] = new_value
    if before != after:
        return False
    for key, value in changed.items():
        settings[key](resource, value)
    retag = next((r for model, r in RETAG.items() if isinstance(resource, model)), None)
    if retag is not None and after_tags != before_tags:
        retag(resource, before_tags, after_tags)
    return True


def _update_one(
    self: ResourceMap, logical_id: str, resource_json: dict[str, Any], resolved: Any, pending_deletes: dict
):
    parsed = moto_internals.created_resources(self)
    resolved_json: dict[str, Any] = moto_internals.extension_state(self, "resolved_json", {})
    physical_names: dict[str, str] = moto_internals.extension_state(self, "physical_names", {})
    previous_json: dict[str, Any] = moto_internals.extension_state(self, "previous_json", {})
    original = parsed[logical_id]
    old_resolved = resolved_json.get(logical_id)
    resource_type = resource_json["Type"]
    resource_class = parsing.resource_class_from_type(resource_type)
    can_update = not hasattr(resource_class.update_from_cloudformation_json, "__isabstractmethod__")
    same_type = (old_resolved or {}).get("Type") == resource_type

    if same_type and can_update and resource_type not in ALWAYS_REPLACED:
        _, cleaned, new_name = _original_parse_and_generate_name(logical_id, resource_json, self)
        name_property = parsing.resource_name_property_from_type(resource_type)
        if not (name_property and name_property in cleaned.get("Properties", {})):
            # A generated name stays the same for the life of the resource, as in CloudFormation.
            new_name = physical_names.get(logical_id, new_name)
        updated = resource_class.update_from_cloudformation_json(
            original_resource=original,
            new_resource_name=new_name,
            cloudformation_json=cleaned,
            account_id=moto_internals.account_id(self),
            region_name=moto_internals.region_name(self),
        )
        updated.cf_resource_type = resource_type
        updated.logical_resource_id = logical_id
        parsed[logical_id] = updated
        physical_names[logical_id] = new_name
    elif (
        same_type
        and resource_type not in ALWAYS_REPLACED
        and _update_in_place(original, old_resolved, resolved)
    ):
        pass
    else:
        # Replacement: create the new one now, delete the old one after the update succeeded.
        del parsed[logical_id]
        replacement = parse_and_create_resource(
            logical_id, resource_json, self, moto_internals.account_id(self), moto_internals.region_name(self)
        )
        parsed[logical_id] = replacement
        pending_deletes[logical_id] = (original, previous_json[logical_id])
    resolved_json[logical_id] = resolved


def update(self: ResourceMap, template: dict[str, Any], parameters: dict[str, Any] | None = None) -> None:
    parsed = moto_internals.created_resources(self)
    resolved_json: dict[str, Any] = moto_internals.extension_state(self, "resolved_json", {})
    previous_json = dict(moto_internals.template_resources(self))
    moto_internals.set_extension_state(self, "previous_json", previous_json)

    moto_internals.set_template(self, template)
    if parameters:
        self.input_parameters = parameters
    self.load_mapping()
    self.load_parameters()
    self.load_conditions()
    new_resources = template["Resources"]
    moto_internals.set_template_resources(self, new_resources)

    # logical id -> (the resource it named until now, its old template JSON): replaced or removed
    pending_deletes: dict[str, tuple[Any, dict[str, Any]]] = {}
    kept: set[str] = set()
    for logical_id in dependency_order(new_resources):
        resource_json = new_resources[logical_id]
        condition = resource_json.get("Condition")
        if condition and not self.lazy_condition_map[condition]:
            continue
        kept.add(logical_id)
        if logical_id not in parsed:
            _ = self[logical_id]  # an added resource (created through the lazy map)
            continue
        resolved = _resolve(self, logical_id, resource_json)
        if resolved != resolved_json.get(logical_id):
            _update_one(self, logical_id, resource_json, resolved, pending_deletes)

    removed = [
        name
        for name in dependency_order(previous_json)[::-1]
        if name not in kept and parsed.get(name) is not None and not isinstance(parsed.get(name), str)
    ]
    for name in removed:
        if not kept_on_delete(previous_json[name]):
            pending_deletes[name] = (parsed[name], previous_json[name])
        parsed.pop(name)
        resolved_json.pop(name, None)
    failed = delete_in_passes(self, pending_deletes)
    if failed:
        # The update fails (and rolls back) naming each resource that could not be deleted, and why.
        raise ValidationError(message=failed_to_delete(failed))


def install() -> None:
    """Internals: moto's ResourceMap.update is replaced whole: its diff reads template text it mutated; no smaller hook."""
    moto_internals.replace(parsing, "parse_resource_and_generate_name", parse_resource_and_generate_name)
    moto_internals.replace(parsing, "parse_and_create_resource", parse_and_create_resource)
    moto_internals.replace(ResourceMap, "update", update)
