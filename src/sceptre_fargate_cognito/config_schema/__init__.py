"""Validation of each environment's config.yaml, run while Sceptre reads the config.

Sceptre renders every config file with Jinja; `config/config.yaml` loads
`config_schema.EnvironmentSettings` into that Jinja environment, which gives the stack configs a
global `environment()`. It checks the merged environment values against `config_schema.keys.KEYS`
and returns them normalised, or fails, before any AWS call, with a message that names the key and
the environment file to fix.
"""

from sceptre_fargate_cognito.config_schema.extension import EnvironmentSettings
from sceptre_fargate_cognito.config_schema.keys import KEYS, ConfigError, load_environment, validate

__all__ = ["EnvironmentSettings", "KEYS", "ConfigError", "load_environment", "validate"]
