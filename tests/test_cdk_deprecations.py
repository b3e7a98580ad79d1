"""The network stack uses no deprecated CDK API: with jsii told to fail on deprecated calls,
it still synthesises for the settings of every environment. (The two deprecation warnings a cold
synth prints come from cdk-bootstrapless-synthesizer, which sceptre-cdk-handler uses, not from
templates/network.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from templates import ENVIRONMENTS, PROJECT_ROOT, stack_config

SYNTH = """
import importlib.util, json, sys
import aws_cdk
spec = importlib.util.spec_from_file_location("network_template", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
for user_data in json.loads(sys.argv[2]):
    app = aws_cdk.App()
    module.NetworkStack(app, "CDKStack", user_data)
    print(len(app.synth().get_stack_by_name("CDKStack").template["Resources"]))
"""


def test_the_network_stack_calls_no_deprecated_cdk_api():
    user_data = [
        dict(stack_config(environment, "network")._sceptre_user_data) for environment in ENVIRONMENTS
    ]
    node = PROJECT_ROOT / "node_modules" / ".bin" / "node"
    env = {**os.environ, "JSII_DEPRECATED": "fail", "JSII_NODE": str(node)}
    result = subprocess.run(
        [sys.executable, "-c", SYNTH, str(PROJECT_ROOT / "templates" / "network.py"), json.dumps(user_data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert [int(count) > 10 for count in result.stdout.split()] == [True] * len(ENVIRONMENTS)
    assert "deprecated" not in result.stderr
