"""Which resources a template and parameter change adds, removes, modifies or replaces, and why.

A changed parameter, or a resource given a new physical id, changes every property that reads it;
a replacement can cascade (a new VPC id replaces the target group that names it), so the causes
are propagated to a fixpoint. Whether a property change replaces is update_behaviour's call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sceptre_fargate_cognito.review import update_behaviour
from sceptre_fargate_cognito.review.change_cause import Cause, CauseKind
from sceptre_fargate_cognito.review.update_behaviour import MAY_REPLACE, NO_REPLACE, REPLACE

# Resources whose replacement or removal loses data or changes what the public reaches.
STATEFUL_OR_PUBLIC = {
    "AWS::Cognito::UserPool": "user pool (users, passwords and MFA enrolments)",
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "load balancer (its DNS name is what clients and DNS reach)",
    "AWS::EC2::VPC": "VPC (every subnet, endpoint and task in it)",
    "AWS::EC2::EIP": "Elastic IP (a public address allow-listed elsewhere)",
    "AWS::Route53::RecordSet": "DNS record",
    "AWS::Logs::LogGroup": "log group (the logs kept so far)",
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::DynamoDB::Table": "DynamoDB table",
    "AWS::RDS::DBInstance": "database",
    "AWS::RDS::DBCluster": "database cluster",
    "AWS::EFS::FileSystem": "file system",
}

# Resource attributes whose change is reported but never replaces the resource by itself.
_ATTRIBUTES = ("DeletionPolicy", "UpdateReplacePolicy", "DependsOn", "Metadata", "UpdatePolicy", "Condition")
_RETAIN_ON_DELETE = ("Retain", "RetainExceptOnCreate")
_ORDER = {"Remove": 0, "Modify": 1, "Add": 2}
_SUB_NAME = re.compile(r"\$\{(?!!)([A-Za-z0-9_:]+)(?:\.[A-Za-z0-9_.]+)?\}")


@dataclass
class ResourceChange:
    logical_id: str
    type: str
    action: str  # Add | Remove | Modify
    replacement: str = NO_REPLACE  # True | Conditional | False, as in a change set
    reasons: list[Cause] = field(default_factory=list)
    retained: bool = False  # DeletionPolicy/UpdateReplacePolicy Retain: the old one is kept

    @property
    def causes(self) -> list[str]:
        """The reasons, as the report prints them ("parameter ImageUri", "new Vpc")."""
        return [str(reason) for reason in self.reasons]

    @property
    def stateful_or_public(self) -> str | None:
        return STATEFUL_OR_PUBLIC.get(self.type)

    @property
    def destructive(self) -> bool:
        return self.action == "Remove" or self.replacement in (REPLACE, MAY_REPLACE)


def resource_changes(old: dict, new: dict, changed_parameters: set[str], region: str) -> list[ResourceChange]:
    """Every resource the update adds, removes or modifies, removals first, each group by logical id."""
    old_resources, new_resources = old.get("Resources") or {}, new.get("Resources") or {}
    added = [
        ResourceChange(lid, new_resources[lid].get("Type", "?"), "Add")
        for lid in new_resources.keys() - old_resources.keys()
    ]
    removed = [_removed(lid, old_resources[lid]) for lid in old_resources.keys() - new_resources.keys()]
    kept = [
        _compare(lid, old_resources[lid], new_resources[lid])
        for lid in sorted(old_resources.keys() & new_resources.keys())
    ]
    replaced = {c.logical_id for c in added + removed} | {k.logical_id for k in kept if k.type_changed}
    moving = set(changed_parameters) | replaced
    _propagate(kept, _Inputs(set(changed_parameters), moving, _condition_inputs(new)), region)
    modified = [k.change(region) for k in kept if k.causes]
    return sorted(added + removed + modified, key=lambda c: (_ORDER[c.action], c.logical_id))


def _removed(logical_id: str, resource: dict) -> ResourceChange:
    retained = resource.get("DeletionPolicy") in _RETAIN_ON_DELETE
    return ResourceChange(logical_id, resource.get("Type", "?"), "Remove", retained=retained)


@dataclass
class _Kept:
    """A resource in both templates, and what the comparison has found so far."""

    logical_id: str
    before: dict
    after: dict
    causes: list[Cause] = field(default_factory=list)
    properties: set[str] = field(default_factory=set)  # top-level properties whose value changes

    @property
    def type(self) -> str:
        return self.after.get("Type", "?")

    @property
    def type_changed(self) -> bool:
        return self.before.get("Type") != self.after.get("Type")

    def verdict(self, region: str) -> str:
        if self.type_changed:
            return REPLACE
        verdict = update_behaviour.replacement(self.type, self.properties, region)
        if verdict == NO_REPLACE and any(c.kind is CauseKind.CONDITION for c in self.causes):
            return MAY_REPLACE
        return verdict

    def change(self, region: str) -> ResourceChange:
        verdict = self.verdict(region)
        retained = self.before.get("UpdateReplacePolicy") == "Retain" and verdict != NO_REPLACE
        return ResourceChange(self.logical_id, self.type, "Modify", verdict, list(self.causes), retained)


def _compare(logical_id: str, before: dict, after: dict) -> _Kept:
    """What changed in the template itself: the type, properties and resource attributes."""
    kept = _Kept(logical_id, before, after)
    if kept.type_changed:
        kept.causes.append(Cause.type_changed(before.get("Type"), after.get("Type")))
        return kept
    old_props, new_props = before.get("Properties") or {}, after.get("Properties") or {}
    kept.properties = {p for p in old_props.keys() | new_props.keys() if old_props.get(p) != new_props.get(p)}
    kept.causes = [Cause(CauseKind.PROPERTY, p) for p in sorted(kept.properties)]
    kept.causes += [Cause(CauseKind.ATTRIBUTE, a) for a in _ATTRIBUTES if before.get(a) != after.get(a)]
    return kept


@dataclass
class _Inputs:
    """What moves: the changed parameters, and every resource that gets a new physical id."""

    parameters: set[str]
    moving: set[str]
    conditions: dict[str, set[str]]  # condition name -> parameters it reads


def _propagate(kept: list[_Kept], inputs: _Inputs, region: str) -> None:
    while True:
        grew = False
        for resource in kept:
            if not resource.type_changed:
                grew |= _absorb(resource, inputs, region)
        if not grew:
            return


def _absorb(resource: _Kept, inputs: _Inputs, region: str) -> bool:
    """Adds the causes that reach the resource from what moves; True if it found anything new."""
    grew = _absorb_references(resource, inputs)
    grew = _absorb_condition(resource, inputs) or grew
    if resource.verdict(region) == REPLACE and resource.logical_id not in inputs.moving:
        inputs.moving.add(resource.logical_id)
        grew = True
    return grew


def _absorb_references(resource: _Kept, inputs: _Inputs) -> bool:
    named = {c.name for c in resource.causes if c.feeds_properties}
    grew = False
    for prop, value in (resource.after.get("Properties") or {}).items():
        hit = _expand(references(value), inputs.conditions) & inputs.moving
        for name in sorted(hit - named):
            kind = CauseKind.PARAMETER if name in inputs.parameters else CauseKind.REPLACED_REFERENCE
            resource.causes.append(Cause(kind, name))
            named.add(name)
            grew = True
        if hit:
            resource.properties.add(prop)
    return grew


def _absorb_condition(resource: _Kept, inputs: _Inputs) -> bool:
    condition = resource.after.get("Condition")
    if not condition or not _expand({f"condition:{condition}"}, inputs.conditions) & inputs.parameters:
        return False
    cause = Cause(CauseKind.CONDITION, condition)
    if cause in resource.causes:
        return False
    resource.causes.append(cause)
    return True


def references(node: Any) -> set[str]:
    """Names a template fragment depends on: Ref, GetAtt, ${Sub} names, and `condition:<Name>` for Fn::If."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            found |= _direct_references(key, value) | references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


def _direct_references(key: str, value: Any) -> set[str]:
    if key == "Ref" and isinstance(value, str):
        return {value}
    if key == "Fn::GetAtt":
        target = value[0] if isinstance(value, list) and value else str(value).split(".")[0]
        return {str(target)}
    if key == "Fn::Sub":
        text = value[0] if isinstance(value, list) else value
        return {name.split(".")[0] for name in _SUB_NAME.findall(text)} if isinstance(text, str) else set()
    if key == "Fn::If" and isinstance(value, list) and value:
        return {f"condition:{value[0]}"}
    if key == "Condition" and isinstance(value, str):
        return {f"condition:{value}"}
    return set()


def _condition_inputs(template: dict) -> dict[str, set[str]]:
    """Condition name -> parameters it reads, through other conditions too."""
    conditions = template.get("Conditions") or {}
    direct = {name: references(body) for name, body in conditions.items()}
    resolved: dict[str, set[str]] = {}

    def inputs(name: str, seen: frozenset = frozenset()) -> set[str]:
        if name in resolved:
            return resolved[name]
        out = set()
        for ref in direct.get(name, set()):
            if ref.startswith("condition:"):
                inner = ref.split(":", 1)[1]
                if inner not in seen:
                    out |= inputs(inner, seen | {name})
            else:
                out.add(ref)
        resolved[name] = out
        return out

    for name in direct:
        inputs(name)
    return resolved


def _expand(names: set[str], conditions: dict[str, set[str]]) -> set[str]:
    """Condition references replaced by the parameters the condition reads."""
    out = set()
    for name in names:
        out |= conditions.get(name.split(":", 1)[1], set()) if name.startswith("condition:") else {name}
    return out
