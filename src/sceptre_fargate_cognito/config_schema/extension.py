"""The Jinja extension that exposes `environment()` to Sceptre's config files."""

from __future__ import annotations

from jinja2 import pass_context
from jinja2.ext import Extension

from sceptre_fargate_cognito.config_schema.validate import sources_for, validate


@pass_context
def _environment(context) -> dict:
    # Sceptre renders each config with the merged stack-group config (root config.yaml + the
    # environment's) plus `project_path` and `stack_group_path`, the environment's folder under config/.
    name = context.get("stack_group_path") or "<root>"
    globals_ = context.environment.globals
    values = {key: value for key, value in context.parent.items() if key not in globals_}
    project = context.get("project_path")
    return validate(values, environment=name, sources=sources_for(project, name) if project else ())


class EnvironmentSettings(Extension):
    """Adds the `environment()` global: the environment's validated settings."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals["environment"] = _environment
