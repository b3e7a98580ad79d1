"""Evaluates a generated template as CloudFormation would for given parameter values.

The policy tests ask "what will this property be in prod?", which depends on parameters passed by
the stack config, their defaults, and conditions. References to resources and values only AWS
knows stay symbolic (a `Ref`/`GetAtt` dict), so tests can assert what they point at.
"""

from __future__ import annotations

from typing import Any

NO_VALUE = object()


class Template:
    def __init__(
        self,
        template: dict,
        parameters: dict[str, Any],
        region: str | None = None,
        partition: str | None = None,
    ):
        self.raw = template
        # Given a region, Ref AWS::Region and Fn::FindInMap keyed by it evaluate as in that region;
        # given a partition, Ref AWS::Partition (and conditions on it) as in that partition.
        self.pseudo = {"AWS::Region": region} if region else {}
        if partition:
            self.pseudo["AWS::Partition"] = partition
        declared = template.get("Parameters", {})
        unknown = set(parameters) - set(declared)
        assert not unknown, f"the stack config passes parameters the template lacks: {unknown}"
        self.parameters = {name: spec.get("Default") for name, spec in declared.items()}
        self.parameters.update({k: v for k, v in parameters.items()})
        self.conditions: dict[str, bool] = {}
        for name in template.get("Conditions", {}):
            self.condition(name)

    def condition(self, name: str) -> bool:
        if name not in self.conditions:
            self.conditions[name] = bool(self.value(self.raw["Conditions"][name]))
        return self.conditions[name]

    def resources(self, type_: str | None = None) -> dict[str, dict]:
        """Resources that exist under these parameters, optionally of one type."""
        return {
            name: resource
            for name, resource in self.raw["Resources"].items()
            if (type_ is None or resource["Type"] == type_)
            and ("Condition" not in resource or self.condition(resource["Condition"]))
        }

    def properties(self, logical_id: str) -> dict:
        return self.value(self.raw["Resources"][logical_id].get("Properties", {}))

    def value(self, node: Any) -> Any:
        if isinstance(node, list):
            return [v for v in (self.value(item) for item in node) if v is not NO_VALUE]
        if not isinstance(node, dict):
            return node
        if len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                if arg == "AWS::NoValue":
                    return NO_VALUE
                if arg in self.pseudo:
                    return self.pseudo[arg]
                if arg in self.parameters:
                    value = self.parameters[arg]
                    spec = self.raw["Parameters"][arg]
                    if spec["Type"].startswith("List<") or spec["Type"] == "CommaDelimitedList":
                        return value.split(",") if isinstance(value, str) else value
                    return value
                return node
            if key == "Fn::If":
                name, when_true, when_false = arg
                return self.value(when_true if self.condition(name) else when_false)
            if key == "Fn::Equals":
                left, right = (self.value(v) for v in arg)
                return str(left) == str(right)
            if key == "Fn::Not":
                return not self.value(arg[0])
            if key == "Fn::And":
                return all(self.value(v) for v in arg)
            if key == "Fn::Or":
                return any(self.value(v) for v in arg)
            if key == "Fn::FindInMap":
                keys = [self.value(v) for v in arg]
                if all(isinstance(k, str) for k in keys):
                    return self.raw["Mappings"][keys[0]][keys[1]][keys[2]]
            if key == "Condition":
                return self.condition(arg)
            # Evaluated only over known values; over a value only AWS knows they stay symbolic.
            if key == "Fn::Split":
                delimiter, source = arg[0], self.value(arg[1])
                if isinstance(source, str):
                    return source.split(delimiter)
            if key == "Fn::Select":
                index, items = self.value(arg[0]), self.value(arg[1])
                if isinstance(items, list) and int(index) < len(items):
                    return items[int(index)]
            if key == "Fn::Join":
                delimiter, items = arg[0], self.value(arg[1])
                if isinstance(items, list) and all(isinstance(i, str) for i in items):
                    return delimiter.join(items)
        return {k: v for k, v in ((k, self.value(v)) for k, v in node.items()) if v is not NO_VALUE}
