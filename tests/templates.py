"""The generated templates the policy tests read (sceptre_fargate_cognito.generated_templates)."""

from sceptre_fargate_cognito.generated_templates import (  # noqa: F401 (re-exported for the tests)
    ENVIRONMENTS,
    PROJECT_ROOT,
    SCEPTRE,
    STACKS,
    GenerationError,
    offline_env,
    stack_config,
    stack_parameters,
    template,
)
