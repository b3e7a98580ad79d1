"""The Jinja extension that exposes `environment()` to Sceptre's config files."""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.ext import Extension

from sceptre_fargate_cognito.config_schema.keys import validate


@pass_context
def _environment(context) -> dict:
    # Sceptre puts the merged stack-group config (root config.yaml + the environment's) into the
    # render context, plus `stack_group_path`, the environment's folder under config/.
    name = context.get("stack_group_path") or "<root>"
    values = {key: context[key] for key in context.keys() if not key.startswith("_")}  # noqa: SIM118 (a jinja Context does not iterate its keys)
    return validate(values, environment=name)


class EnvironmentSettings(Extension):
    """Adds the `environment()` global: the environment's validated settings."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["environment"] = _environment
