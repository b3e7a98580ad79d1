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
from pathlib import PurePosixPath

import cfn_flip
from sceptre.diffing.stack_differ import StackConfiguration, StackDiff, StackDiffer

from sceptre_fargate_cognito.review import update_behaviour
from sceptre_fargate_cognito.review.exposure import (
    CALLED_OUT_TYPES,
    ExposureChange,
    exposure_changes,
    stack_paths,
)
from sceptre_fargate_cognito.review.resource_changes import ResourceChange, resource_changes

PLACEHOLDER = re.compile(r"^\{ !(\w+)\((.*)\) \}$")  # sceptre.resolvers.placeholders' text form


@dataclass(frozen=True)
class ParameterChange:
    key: str
    old: str | None  # None: not passed before
    new: str | None  # None: no longer passed (the template default applies)


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
    exposure: list[ExposureChange] = field(default_factory=list)  # who may reach what

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


def stack_changes(name: str, diff: StackDiff, region: str | None = None) -> StackChanges:
    """What the diff changes; `region` (the stack's, if Sceptre knows it) picks the resource schemas."""
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
        changes.exposure = _exposure_changes(
            name, {}, {}, generated_template, generated_config.parameters, []
        )
        return changes

    changes.parameters = _parameter_changes(deployed_config.parameters, generated_config.parameters)
    changes.masked_parameters = sorted(
        k for k, v in generated_config.parameters.items() if v == StackDiffer.NO_ECHO_REPLACEMENT
    )
    changes.settings = _setting_changes(deployed_config, generated_config)
    changes.resources = resource_changes(
        deployed_template,
        generated_template,
        {p.key for p in changes.parameters},
        region or update_behaviour.SCHEMAS_REGION,
    )
    changes.sections = _section_changes(deployed_template, generated_template)
    changes.exposure = _exposure_changes(
        name,
        deployed_template,
        deployed_config.parameters,
        generated_template,
        generated_config.parameters,
        changes.resources,
    )
    return changes


def _exposure_changes(
    name: str,
    old: dict,
    old_parameters: dict,
    new: dict,
    new_parameters: dict,
    resources: list[ResourceChange],
) -> list[ExposureChange]:
    """The paths in or out the launch opens or closes, and the rules and listeners it changes."""
    stack = PurePosixPath(name).stem  # dev/network.yaml -> network, as the exposure tables name it

    def readable(parameters: dict) -> dict:
        # A dependency not launched yet: its !stack_output, not Sceptre's placeholder text.
        return {key: placeholder(value) or value for key, value in (parameters or {}).items()}

    before = stack_paths(stack, old, readable(old_parameters)) if old else []
    after = stack_paths(stack, new, readable(new_parameters))
    past = {"Add": "added", "Remove": "removed", "Modify": "modified"}
    touched = {
        r.logical_id: f"`{r.logical_id}` ({r.type}) {past[r.action]}"
        + (" — because of " + ", ".join(r.causes) if r.causes else "")
        for r in resources
        if r.type in CALLED_OUT_TYPES
    }
    return exposure_changes(before, after, touched)


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
