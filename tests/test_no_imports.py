"""Outputs are exported for consumers outside the project, but no template of ours imports them:
an imported export can never change."""

import json

import pytest

from templates import ENVIRONMENTS, STACKS, template


@pytest.mark.parametrize("environment", ENVIRONMENTS)
@pytest.mark.parametrize("stack", STACKS)
def test_no_template_imports_an_export(environment, stack):
    assert "Fn::ImportValue" not in json.dumps(template(environment, stack))
