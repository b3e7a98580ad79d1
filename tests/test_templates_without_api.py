"""With no `api` in an environment's config, its cognito and alb-ecs stacks are exactly what they
were before machine clients existed: the same template, byte for byte, and the same parameters.

tests/golden/<stack>.txt holds, for every environment, the names of the parameters its stack
config passes and the template body Sceptre sends, as main generated them before the api. A
template change meant for everyone (not for the api) updates them on purpose:

    .venv/bin/python tests/test_templates_without_api.py --write

and the diff of tests/golden/ in that commit shows exactly what changed for environments without an api.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_environment_config import merged

from templates import ENVIRONMENTS, stack_config

GOLDEN = Path(__file__).parent / "golden"
# The stacks the api adds to: the rest never read it.
STACKS = ("cognito", "alb-ecs")
# A section starts with a marker line and ends with one newline of its own, after the text.
MARKER = "==> {environment}/{stack}.yaml: {part} <==\n"
PARTS = ("parameters", "template")


def generated(environment: str, stack: str) -> dict[str, str]:
    """The names of the parameters the stack config passes (one a line), and the template body."""
    config = stack_config(environment, stack)
    return {
        "parameters": "".join(f"{name}\n" for name in sorted(config._parameters)),
        "template": config.template.body,
    }


def golden(environment: str, stack: str) -> dict[str, str]:
    text = (GOLDEN / f"{stack}.txt").read_text()
    sections = {}
    for part in PARTS:
        start = text.index(MARKER.format(environment=environment, stack=stack, part=part))
        body = text[start:].split("\n", 1)[1]
        following = body.find("\n==> ")
        sections[part] = body[:following] if following >= 0 else body.removesuffix("\n")
    return sections


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_without_an_api_the_template_and_parameters_are_unchanged(environment, stack):
    assert merged(environment)["api"] == {}
    now, before = generated(environment, stack), golden(environment, stack)
    assert now["parameters"] == before["parameters"]
    # Compared as bytes: a changed blank line or a trailing newline is a change CloudFormation sees.
    assert now["template"].encode() == before["template"].encode(), (
        f"{environment}/{stack} without an api differs from tests/golden/{stack}.txt"
    )


def write() -> None:
    for stack in STACKS:
        text = ""
        for environment in ENVIRONMENTS:
            for part, body in generated(environment, stack).items():
                text += MARKER.format(environment=environment, stack=stack, part=part) + body + "\n"
        (GOLDEN / f"{stack}.txt").write_text(text)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write()
