"""CloudFormation templates are parsed by libyaml, not by PyYAML's pure-Python parser.

moto 5.2.5 parses every template body it receives (CreateStack, UpdateStack, change sets,
GetTemplateSummary, ValidateTemplate) with `yaml.load(body, Loader=yaml.Loader)`: 74 ms of CPU for
the project's alb-ecs template (measured), and most of a GetTemplateSummary. PyYAML's CLoader is
libyaml's parser under the same constructor and resolver, so it builds the same data (JSON
templates included), with the same errors, in 7 ms. So moto's CloudFormation modules see a `yaml`
whose `Loader` is the CLoader, and whose `add_multi_constructor` (moto registers its short-form tag
constructor before each parse) registers on both.
"""

from __future__ import annotations

from typing import Any

import yaml
from moto.cloudformation import models, responses

from emulator import moto_internals


class _YamlWithLibyaml:
    """PyYAML as moto's CloudFormation modules use it, with the CLoader as its Loader."""

    Loader = getattr(yaml, "CLoader", yaml.Loader)

    @staticmethod
    def add_multi_constructor(tag_prefix: str, constructor: Any, Loader: Any = None) -> None:  # noqa: N803 (PyYAML's name)
        if Loader is None:
            yaml.add_multi_constructor(tag_prefix, constructor)
            yaml.add_multi_constructor(tag_prefix, constructor, Loader=_YamlWithLibyaml.Loader)
        else:
            yaml.add_multi_constructor(tag_prefix, constructor, Loader=Loader)

    def __getattr__(self, name: str) -> Any:
        return getattr(yaml, name)


def install() -> None:
    """Internals: both modules call `yaml.load(..., Loader=yaml.Loader)` through their `yaml` global.
    A PyYAML built without libyaml has no CLoader: moto's own parser stays."""
    if not yaml.__with_libyaml__:
        return
    for module in (models, responses):
        moto_internals.replace(module, "yaml", _YamlWithLibyaml())
