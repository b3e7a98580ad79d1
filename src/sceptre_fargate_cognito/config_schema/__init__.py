"""The environment keys' schema and its validation, run while Sceptre reads the config.

Sceptre renders every config file with Jinja; `config/config.yaml` loads
`config_schema.EnvironmentSettings` into that Jinja environment, which gives the stack configs a
global `environment()`. It checks the merged environment values against the schema
(`config_schema.keys.KEYS`) and returns them with defaults filled in, or fails, before any AWS
call, with a message that names the key and the file to fix.
"""

from sceptre_fargate_cognito.config_schema.extension import EnvironmentSettings
from sceptre_fargate_cognito.config_schema.keys import KEYS, REQUIRED, Key
from sceptre_fargate_cognito.config_schema.validate import ConfigError, load_environment, validate

__all__ = ["EnvironmentSettings", "KEYS", "REQUIRED", "Key", "ConfigError", "load_environment", "validate"]
