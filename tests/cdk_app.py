"""The network stack's CDK app loaded into the test process, for its settings checks and for
synths of settings no environment uses. Loading it imports aws_cdk and starts jsii's Node runtime
(seconds of CPU), so tests/conftest.py runs every test that uses this module on one worker."""

from __future__ import annotations

import importlib.util
import sys
from functools import cache

from templates import PROJECT_ROOT

VALID = dict(
    export_prefix="webapp-dev",
    vpc_cidr="10.20.0.0/16",
    az_count=2,
    nat_gateways=1,
    vpc_endpoints=False,
    container_port=8080,
    flow_log_retention_days=30,
    app_uses_dynamodb=False,
    app_uses_bedrock=False,
)


@cache
def network_module():
    # Loaded by path: `templates` here is tests/templates.py. Registered in sys.modules because
    # dataclasses need their module (sceptre-cdk-handler's loader does not register it).
    spec = importlib.util.spec_from_file_location(
        "network_template", PROJECT_ROOT / "templates" / "network.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def synthesize(**changes) -> dict:
    """The stack synthesised in this process for settings no environment uses (yet)."""
    from sceptre_fargate_cognito.template_handlers.cached_cdk import use_project_node

    use_project_node(PROJECT_ROOT)
    import aws_cdk

    module = network_module()
    app = aws_cdk.App()
    module.NetworkStack(app, "CDKStack", {**VALID, **changes})
    return app.synth().get_stack_by_name("CDKStack").template
