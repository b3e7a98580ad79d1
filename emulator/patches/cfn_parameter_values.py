"""DescribeStacks returns parameter values as they were given; NoEcho values are masked.

Stock moto stores List/CommaDelimitedList parameters split and returns them as Python text
(`['a', 'b']`), returns numbers re-formatted, never masks NoEcho parameters (it compares values
against key names), and leaves list defaults unsplit (so `!Join [",", !Ref List]` joins
characters). `sceptre diff` then reports differences that do not exist. Here every parameter is
returned as the text given (or its default), `****` for NoEcho, and list defaults are split
like given values.
"""

from __future__ import annotations

from typing import Any

from moto.cloudformation.models import Stack
from moto.cloudformation.parsing import ResourceMap

from emulator import moto_internals

_original_load_parameters = ResourceMap.load_parameters


def _is_list_type(value_type: str) -> bool:
    return value_type == "CommaDelimitedList" or value_type.startswith("List<")


def load_parameters(self: ResourceMap) -> None:
    _original_load_parameters(self)
    slots = moto_internals.template(self).get("Parameters", {}) or {}
    parameter_text: dict[str, str | None] = {}
    moto_internals.set_extension_state(self, "parameter_text", parameter_text)
    for key, slot in slots.items():
        given = self.input_parameters.get(key)
        text = given if given is not None else slot.get("Default")
        parameter_text[key] = None if text is None else str(text)
        value = self.resolved_parameters.get(key)
        if _is_list_type(slot.get("Type", "String")) and isinstance(value, str):
            self.resolved_parameters[key] = value.split(",") if value else []
            moto_internals.created_resources(self)[key] = self.resolved_parameters[key]


def parameter_list(self: Stack) -> list[dict[str, Any]]:
    resource_map = self.resource_map
    slots = (self.template_dict or {}).get("Parameters", {}) or {}
    text: dict[str, str | None] = moto_internals.extension_state(resource_map, "parameter_text", {})
    return [
        {
            "ParameterKey": key,
            "ParameterValue": "****"
            if slots.get(key, {}).get("NoEcho") in (True, "true", "True")
            else text.get(key, value),
        }
        for key, value in resource_map.resolved_parameters.items()
    ]


def install() -> None:
    """Internals: parameters are loaded and listed only in ResourceMap/Stack."""
    moto_internals.replace(ResourceMap, "load_parameters", load_parameters)
    moto_internals.replace(Stack, "parameter_list", property(parameter_list))
