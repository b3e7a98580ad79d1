"""The emulator parses a template body with libyaml, into exactly what moto's pure-Python parse
gave, for YAML with short forms and for JSON (emulator/patches/cfn_templates_parsed_by_libyaml.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from moto_python import run_in_moto_python
from test_emulator_cfn_yaml_short_form import TEMPLATE as SHORT_FORMS

GOLDEN = Path(__file__).parent / "golden"


def golden_template(stack: str) -> str:
    """The project's rendered YAML template of that stack for `local` (tests/golden)."""
    sections = re.split(r"^==> (.*) <==$", (GOLDEN / f"{stack}.txt").read_text(), flags=re.M)
    return sections[sections.index(f"local/{stack}.yaml: template") + 1]


JSON_TEMPLATE = json.dumps(
    {
        "Parameters": {"Env": {"Type": "String", "Default": "1e3"}},
        "Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}}},
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Logs", "Arn"]}}, "When": {"Value": "2010-09-09"}},
    },
    indent="\t",
)

PARSES = """
import json, sys
import yaml
import yaml.parser
import yaml.scanner
from emulator import extensions

extensions.install()
from moto.cloudformation import models

parsed_by_libyaml = []
init = yaml.CLoader.__init__
yaml.CLoader.__init__ = lambda self, stream: parsed_by_libyaml.append(1) or init(self, stream)
results = []
for body in json.load(sys.stdin):
    ours = models.Stack.parse_template(body)
    try:  # moto's own parse, with its constructors registered
        pure_python = yaml.load(body, Loader=yaml.Loader)
    except (yaml.parser.ParserError, yaml.scanner.ScannerError):
        pure_python = json.loads(body)
    results.append(ours == pure_python)
print(json.dumps({"same": results, "by_libyaml": len(parsed_by_libyaml)}))
"""


def test_yaml_and_json_templates_parse_by_libyaml_into_what_moto_parsed():
    bodies = [SHORT_FORMS, golden_template("alb-ecs"), golden_template("cognito"), JSON_TEMPLATE]
    result = run_in_moto_python(PARSES, stdin=json.dumps(bodies))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found == {"same": [True] * 4, "by_libyaml": 4}
