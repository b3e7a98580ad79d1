"""With no `api` in an environment's config, its cognito and alb-ecs stacks are exactly what they
were before machine clients existed: the same template, byte for byte, and the same parameters.

tests/golden/ holds them as the last release without the feature generated them. A template change
that is meant for everyone (not for the api) updates them on purpose:

    .venv/bin/python tests/test_templates_without_api.py --write

and the diff of tests/golden/ in the commit shows exactly what changed for environments without an api.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_environment_config import merged

from templates import ENVIRONMENTS, PROJECT_ROOT, stack_config

GOLDEN = Path(__file__).parent / "golden"
# The stacks the api adds to: the rest never read it.
STACKS = ("cognito", "alb-ecs")


def generated(environment: str, stack: str) -> tuple[str, str]:
    """(the template body Sceptre sends, the names of the parameters it passes, one a line)."""
    config = stack_config(environment, stack)
    return config.template.body, "".join(f"{name}\n" for name in sorted(config._parameters))


def golden(environment: str, stack: str) -> tuple[Path, Path]:
    folder = GOLDEN / environment
    return folder / f"{stack}.template", folder / f"{stack}.parameters"


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_without_an_api_the_template_and_parameters_are_unchanged(environment, stack):
    assert merged(environment)["api"] == {}
    body, parameters = generated(environment, stack)
    template_file, parameters_file = golden(environment, stack)
    # Compared as bytes: a changed blank line or a trailing newline is a change CloudFormation sees.
    assert body.encode() == template_file.read_bytes(), (
        f"{environment}/{stack} without an api differs from {template_file.relative_to(PROJECT_ROOT)}"
    )
    assert parameters == parameters_file.read_text()


def write() -> None:
    for environment in ENVIRONMENTS:
        for stack in STACKS:
            body, parameters = generated(environment, stack)
            template_file, parameters_file = golden(environment, stack)
            template_file.parent.mkdir(parents=True, exist_ok=True)
            template_file.write_bytes(body.encode())
            parameters_file.write_text(parameters)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write()
