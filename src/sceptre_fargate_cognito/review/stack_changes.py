"""What a launch would change in one stack: parameters, and resources added, removed, modified or
replaced, computed from Sceptre's own diff inputs (the deployed and the generated stack).

`ReportDiffer` is a Sceptre `StackDiffer`, so Sceptre's normalisation applies before we compare:
NoEcho parameters masked, parameters left at their template default dropped, trailing newlines
ignored, list parameters joined with commas, unresolvable resolvers (a dependency not launched yet)
replaced by `{ !StackOutput(...) }` placeholders.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import cfn_flip
from sceptre.diffing.stack_differ import StackConfiguration, StackDiff, StackDiffer

from sceptre_fargate_cognito.review import update_behaviour
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

PLACEHOLDER = re.compile(r"^\{ !(\w+)\((.*)\) \}$")  # sceptre.resolvers.placeholders' text form
_SUB_NAME = re.compile(r"\$\{(?!!)([A-Za-z0-9_:]+)(?:\.[A-Za-z0-9_.]+)?\}")


@dataclass(frozen=True)
class ParameterChange:
    key: str
    old: str | None  # None: not passed before
    new: str | None  # None: no longer passed (the template default applies)


@dataclass
class ResourceChange:
    logical_id: str
    type: str
    action: str  # Add | Remove | Modify
    replacement: str = NO_REPLACE  # True | Conditional | False, as in a change set
    causes: list[str] = field(default_factory=list)
    retained: bool = False  # DeletionPolicy/UpdateReplacePolicy Retain: the old one is kept

    @property
    def stateful_or_public(self) -> str | None:
        return STATEFUL_OR_PUBLIC.get(self.type)

    @property
    def destructive(self) -> bool:
        return self.action == "Remove" or self.replacement in (REPLACE, MAY_REPLACE)


@dataclass
class StackChanges:
    name: str  # the Sceptre path, e.g. dev/network.yaml
    external_name: str
    deployed: bool
    parameters: list[ParameterChange] = field(default_factory=list)
    resources: list[ResourceChange] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # e.g. "Outputs: AlbDnsName modified"
    settings: list[str] = field(default_factory=list)  # tags, notifications, service role
    masked_parameters: list[str] = field(default_factory=list)  # NoEcho: cannot be compared

    @property
    def changed(self) -> bool:
        return bool(not self.deployed or self.parameters or self.resources or self.sections or self.settings)

    @property
    def call_outs(self) -> list[ResourceChange]:
        return [r for r in self.resources if r.destructive and r.stateful_or_public and r.action != "Add"]


class ReportDiffer(StackDiffer):
    """Keeps both sides as data; `stack_changes()` does the comparing."""

    def compare_templates(self, deployed: str, generated: str):
        return cfn_flip.load(deployed)[0] or {}, cfn_flip.load(generated)[0] or {}

    def compare_stack_configurations(
        self, deployed: StackConfiguration | None, generated: StackConfiguration
    ):
        return deployed, generated


def stack_changes(name: str, diff: StackDiff, region: str = "us-east-1") -> StackChanges:
    deployed_template, generated_template = diff.template_diff
    deployed_config, generated_config = diff.config_diff
    changes = StackChanges(name=name, external_name=diff.stack_name, deployed=diff.is_deployed)
    if not diff.is_deployed:
        changes.parameters = [
            ParameterChange(k, None, v) for k, v in sorted(generated_config.parameters.items())
        ]
        changes.resources = [
            ResourceChange(lid, res.get("Type", "?"), "Add")
            for lid, res in (generated_template.get("Resources") or {}).items()
        ]
        return changes

    changes.parameters = _parameter_changes(deployed_config.parameters, generated_config.parameters)
    changes.masked_parameters = sorted(
        k for k, v in generated_config.parameters.items() if v == StackDiffer.NO_ECHO_REPLACEMENT
    )
    changes.settings = _setting_changes(deployed_config, generated_config)
    changes.resources = _resource_changes(
        deployed_template, generated_template, {p.key for p in changes.parameters}, region
    )
    changes.sections = _section_changes(deployed_template, generated_template)
    return changes


def _parameter_changes(deployed: dict, generated: dict) -> list[ParameterChange]:
    result = []
    for key in sorted(set(deployed) | set(generated)):
        old, new = deployed.get(key), generated.get(key)
        if old != new:
            result.append(ParameterChange(key, old, new))
    return result


def _setting_changes(deployed: StackConfiguration, generated: StackConfiguration) -> list[str]:
    result = []
    old_tags, new_tags = dict(deployed.stack_tags or {}), dict(generated.stack_tags or {})
    for key in sorted(set(old_tags) | set(new_tags)):
        if old_tags.get(key) != new_tags.get(key):
            result.append(f"tag {key}: {old_tags.get(key)!r} → {new_tags.get(key)!r}")
    if sorted(deployed.notifications or []) != sorted(generated.notifications or []):
        result.append(f"notifications: {deployed.notifications or []} → {generated.notifications or []}")
    if (deployed.cloudformation_service_role or None) != (generated.cloudformation_service_role or None):
        result.append(
            f"service role: {deployed.cloudformation_service_role} → {generated.cloudformation_service_role}"
        )
    return result


def references(node: Any) -> set[str]:
    """Names a template fragment depends on: Ref, GetAtt, ${Sub} names, and `condition:<Name>` for Fn::If."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) and value else str(value).split(".")[0]
                found.add(str(target))
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                if isinstance(text, str):
                    found.update(name.split(".")[0] for name in _SUB_NAME.findall(text))
            elif key == "Fn::If" and isinstance(value, list) and value:
                found.add(f"condition:{value[0]}")
            elif key == "Condition" and isinstance(value, str):
                found.add(f"condition:{value}")
            found |= references(value)
    elif isinstance(node, list):
        for item in node:
            found |= references(item)
    return found


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
    out = set()
    for name in names:
        out |= conditions.get(name.split(":", 1)[1], set()) if name.startswith("condition:") else {name}
    return out


def _resource_changes(
    old: dict, new: dict, changed_parameters: set[str], region: str
) -> list[ResourceChange]:
    old_resources, new_resources = old.get("Resources") or {}, new.get("Resources") or {}
    conditions = _condition_inputs(new)
    result: dict[str, ResourceChange] = {}

    for lid in new_resources.keys() - old_resources.keys():
        result[lid] = ResourceChange(lid, new_resources[lid].get("Type", "?"), "Add")
    for lid in old_resources.keys() - new_resources.keys():
        res = old_resources[lid]
        result[lid] = ResourceChange(
            lid,
            res.get("Type", "?"),
            "Remove",
            retained=res.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate"),
        )

    kept = sorted(old_resources.keys() & new_resources.keys())
    properties_changed: dict[str, set[str]] = {lid: set() for lid in kept}
    causes: dict[str, list[str]] = {lid: [] for lid in kept}
    type_changed = set()
    for lid in kept:
        before, after = old_resources[lid], new_resources[lid]
        if before.get("Type") != after.get("Type"):
            type_changed.add(lid)
            causes[lid].append(f"type {before.get('Type')} → {after.get('Type')}")
            continue
        old_props, new_props = before.get("Properties") or {}, after.get("Properties") or {}
        for prop in sorted(old_props.keys() | new_props.keys()):
            if old_props.get(prop) != new_props.get(prop):
                properties_changed[lid].add(prop)
                causes[lid].append(f"property {prop}")
        for attribute in (
            "DeletionPolicy",
            "UpdateReplacePolicy",
            "DependsOn",
            "Metadata",
            "UpdatePolicy",
            "Condition",
        ):
            if before.get(attribute) != after.get(attribute):
                causes[lid].append(attribute)

    # A changed parameter, or a resource given a new physical id, changes every property that
    # reads it; a replacement can cascade (a new VPC id replaces the target group), to a fixpoint.
    replaced = {lid for lid, c in result.items() if c.action in ("Add", "Remove")} | type_changed
    moving = set(changed_parameters) | replaced
    while True:
        grew = False
        for lid in kept:
            if lid in type_changed:
                continue
            resource = new_resources[lid]
            for prop, value in (resource.get("Properties") or {}).items():
                hit = _expand(references(value), conditions) & moving
                new_hits = sorted(
                    hit - {c.split(" ", 1)[1] for c in causes[lid] if c.startswith(("parameter ", "new "))}
                )
                for name in new_hits:
                    causes[lid].append(f"{'parameter' if name in changed_parameters else 'new'} {name}")
                    grew = True
                if hit:
                    properties_changed[lid].add(prop)
            condition = resource.get("Condition")
            if condition and _expand({f"condition:{condition}"}, conditions) & changed_parameters:
                note = f"condition {condition} (may create or delete it)"
                if note not in causes[lid]:
                    causes[lid].append(note)
                    grew = True
            if (
                update_behaviour.replacement(resource.get("Type", "?"), properties_changed[lid], region)
                == REPLACE
                and lid not in moving
            ):
                moving.add(lid)
                grew = True
        if not grew:
            break

    for lid in kept:
        if not causes[lid]:
            continue
        resource = new_resources[lid]
        rtype = resource.get("Type", "?")
        if lid in type_changed:
            verdict = REPLACE
        else:
            verdict = update_behaviour.replacement(rtype, properties_changed[lid], region)
            if any(c.startswith("condition ") for c in causes[lid]) and verdict == NO_REPLACE:
                verdict = MAY_REPLACE
        retained = old_resources[lid].get("UpdateReplacePolicy") == "Retain" and verdict != NO_REPLACE
        result[lid] = ResourceChange(lid, rtype, "Modify", verdict, causes[lid], retained)

    order = {"Remove": 0, "Modify": 1, "Add": 2}
    return sorted(result.values(), key=lambda c: (order[c.action], c.logical_id))


def _section_changes(old: dict, new: dict) -> list[str]:
    result = []
    for section in (
        "Parameters",
        "Conditions",
        "Mappings",
        "Outputs",
        "Rules",
        "Transform",
        "Description",
        "Metadata",
    ):
        before, after = old.get(section), new.get(section)
        if before == after:
            continue
        if isinstance(before, dict) and isinstance(after, dict):
            parts = (
                _named(after.keys() - before.keys(), "added")
                + _named(before.keys() - after.keys(), "removed")
                + _named({k for k in before.keys() & after.keys() if before[k] != after[k]}, "modified")
            )
            result.append(f"{section}: " + "; ".join(parts))
        else:
            result.append(f"{section}: changed")
    return result


def _named(names: Iterable[str], verb: str) -> list[str]:
    names = sorted(names)
    return [f"{verb} {', '.join(names)}"] if names else []


def placeholder(value: str | None) -> str | None:
    """`{ !StackOutput(dev/network.yaml::VpcId) }` -> `!stack_output dev/network.yaml::VpcId`, else None."""
    match = PLACEHOLDER.match(value or "")
    if not match:
        return None
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", match.group(1)).lower()
    return f"!{snake} {match.group(2)}"
