"""An environment with an api (machine clients, docs/machine-clients.md), as Sceptre renders its
stacks: a copy of the project whose environment config.yaml ends with the api below."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from cfn_values import Template
from local_project import start_local
from sceptre.cli.helpers import CfnYamlLoader

from templates import PROJECT_ROOT

API_YAML = """
api:
  paths: ["/api/*", "/v2/orders/*"]
  scopes:
    orders.read: Read orders
    orders.write: Create and change orders
  clients:
    partnerSync: [orders.read]
    nightly: [orders.read, orders.write]
"""
API = yaml.safe_load(API_YAML)["api"]


def project_with_api(folder: Path, environment: str, api_yaml: str = API_YAML) -> Path:
    """A copy of the project's config and templates in `folder`, the api added to `environment`."""
    for name in ("config", "templates"):
        shutil.copytree(PROJECT_ROOT / name, folder / name)
    config = folder / "config" / environment / "config.yaml"
    config.write_text(config.read_text() + api_yaml)
    return folder


def rendered(project: Path, environment: str, stack: str) -> tuple[str, Template]:
    """(the template body Sceptre sends, the template evaluated with the parameters its stack
    config passes) of `<environment>/<stack>.yaml` in `project`, read in-process, nothing resolved."""
    from sceptre.context import SceptreContext
    from sceptre.plan.plan import SceptrePlan

    context = SceptreContext(project_path=str(project), command_path=f"{environment}/{stack}.yaml")
    (sceptre_stack,) = SceptrePlan(context).command_stacks
    body = sceptre_stack.template.body
    return body, Template(yaml.load(body, CfnYamlLoader), dict(sceptre_stack._parameters))


@contextmanager
def launched_with_api(folder: Path, what: str = "local") -> Iterator:
    """A local environment in `folder` whose config has the api above, `what` (the environment or
    one of its stack configs) launched by the real `sceptre launch`; stopped afterwards."""
    local = start_local(folder)
    try:
        config = local.project / "config" / "local" / "config.yaml"
        config.write_text(config.read_text() + API_YAML)
        result = local.sceptre("launch", what, "--yes")
        assert result.returncode == 0, result.stdout + result.stderr
        yield local
    finally:
        local.stop()
