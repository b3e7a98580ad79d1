"""YAML short-form intrinsics (`!GetAZs {Ref: ...}`, `!GetAtt [A, B]`, `!Base64 {...}`) parse right.

Stock moto turns a tag on a mapping node into a list of raw PyYAML nodes and returns the raw
nodes of `!GetAtt [Res, Attr]`, and reads `!Condition X` as `Fn::Condition` (which its condition
parser does not know, so `!And [!Condition A, ...]` is evaluated wrongly), so such templates fail with a server error. This constructor
builds the full-form function (`{"Fn::X": ...}`) from the node's real value, deeply, so nested
short forms resolve too.
"""

from __future__ import annotations

from typing import Any

import yaml
from moto.cloudformation import models, responses, utils

from emulator import moto_internals


def yaml_tag_constructor(loader: Any, tag: str, node: Any) -> Any:
    if isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_scalar(node)
        if tag == "!GetAtt":
            value = value.split(".", 1)
    # `!Condition X` is the plain `Condition` key (used inside Fn::And/Or/Not), not a function.
    key = tag[1:] if tag in ("!Ref", "!Condition") else f"Fn::{tag[1:]}"
    return {key: value}


def install() -> None:
    """Internals: moto registers its YAML constructor by module global before every parse."""
    # Each module imported the function by name and registers it before every parse.
    for module in (utils, models, responses):
        moto_internals.replace(module, "yaml_tag_constructor", yaml_tag_constructor)
    yaml.add_multi_constructor("", yaml_tag_constructor)
