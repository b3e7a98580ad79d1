"""A conditional output is exported only when its condition holds, as in CloudFormation.

Stock moto builds a stack's exports from every output that has an Export, ignoring the output's
Condition, so an output such as `WebAclArn: {Condition: CreatesWaf, Value: !GetAtt WebAcl.Arn}`
fails the whole create ("Fn::GetAtt references undefined resource") when the condition is false.
"""

from __future__ import annotations

from moto.cloudformation.parsing import Export, OutputMap, clean_json

from emulator import moto_internals


def _exports(self: OutputMap) -> list[Export]:
    exports = []
    resource_map = moto_internals.output_resource_map(self)
    conditions = resource_map.lazy_condition_map
    for value in (moto_internals.output_definitions(self) or {}).values():
        if not value.get("Export"):
            continue
        if "Condition" in value and not conditions.get(value["Condition"]):
            continue  # not shown, so not exported
        name = clean_json(value["Export"].get("Name"), resource_map)
        exports.append(
            Export(moto_internals.output_stack_id(self), name, clean_json(value.get("Value"), resource_map))
        )
    return exports


def install() -> None:
    """Internals: moto computes exports in this one property of its OutputMap."""
    moto_internals.replace(OutputMap, "exports", property(_exports))
