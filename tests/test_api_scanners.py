"""The templates with an api pass checkov as the templates without one do: nothing fails that the
project has not accepted (tests/scanner_suppressions.yaml). Checked on prod: the api's resources
are alike in every environment, and checkov takes half a minute."""

from __future__ import annotations

import json

from api_support import project_with_api, rendered
from test_scanners import accepted, checkov_failed


def test_checkov_finds_nothing_new_in_the_templates_with_an_api(tmp_path):
    project = project_with_api(tmp_path / "project", "prod")
    folder = tmp_path / "templates"
    folder.mkdir()
    for stack in ("cognito", "alb-ecs"):
        (folder / f"{stack}.json").write_text(json.dumps(rendered(project, "prod", stack)[1].raw))
    unexpected = sorted(
        f"{rule} in {name}"
        for rule, name in checkov_failed(folder)
        if rule not in accepted("checkov", name.removesuffix(".json"))
    )
    assert not unexpected, f"checkov failed checks nobody accepted: {unexpected}"
