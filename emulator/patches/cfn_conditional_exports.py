"""A conditional output is exported only when its condition holds, as in CloudFormation.

Stock moto builds a stack's exports from every output that has an Export, ignoring the output's
Condition, so an output such as `WebAclArn: {Condition: CreatesWaf, Value: !GetAtt WebAcl.Arn}`
fails the whole create ("Fn::GetAtt references undefined resource") when the condition is false.
"""

from __future__ import annotations

from moto.cloudformation.parsing import Export, OutputMap, clean_json


def _exports(self: OutputMap) -> list[Export]:
    exports = []
    conditions = self._resource_map.lazy_condition_map
    for value in (self._output_json_map or {}).values():
        if not value.get("Export"):
            continue
        if "Condition" in value and not conditions.get(value["Condition"]):
            continue  # not shown, so not exported
        name = clean_json(value["Export"].get("Name"), self._resource_map)
        exports.append(Export(self._stack_id, name, clean_json(value.get("Value"), self._resource_map)))
    return exports


def install() -> None:
    """Internals: moto computes exports in this one property of its OutputMap."""
    OutputMap.exports = property(_exports)  # type: ignore[assignment]
