"""Every stack of every environment, generated offline with the real `sceptre generate`, each once
per process: what the policy tests and benchmarks/rollout_timing.py read.

A CDK synth costs seconds, so all of them are started together on first use and each caller waits
only for the template it reads.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from sceptre_fargate_cognito.aws_environment import without_aws
from sceptre_fargate_cognito.project import project_root
from sceptre_fargate_cognito.sceptre_command import SCEPTRE

PROJECT_ROOT = project_root()
ENVIRONMENTS = ("local", "dev", "prod")
STACKS = ("network", "cognito", "edge", "alb-ecs", "monitoring")


# Set by the test run (tests/conftest.py) to a folder of its own, shared by its parallel workers:
# each stack is generated once per run there, whichever worker asks first.
RUN_CACHE = "GENERATED_TEMPLATES_DIR"


def offline_env() -> dict[str, str]:
    """The environment with every way to reach AWS credentials removed."""
    env = without_aws()
    # Prove the real CDK synth, not a cached copy of it (tests/test_cached_cdk.py tests the cache):
    # off, or a cache that is new with this run (SCEPTRE_CDK_CACHE_DIR), so its first synth is real.
    if not env.get("SCEPTRE_CDK_CACHE_DIR"):
        env["SCEPTRE_CDK_CACHE"] = "off"
    return env


class GenerationError(RuntimeError):
    pass


def _generate(environment: str, stack: str) -> dict:
    shared = os.environ.get(RUN_CACHE)
    if not shared:
        return _run_generate(environment, stack)
    path = Path(shared) / f"{environment}-{stack}.json"
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker generating it: wait, then read its result
        if not path.exists():
            path.write_text(json.dumps(_run_generate(environment, stack)))
        return json.loads(path.read_text())


def _run_generate(environment: str, stack: str) -> dict:
    result = subprocess.run(
        [
            str(SCEPTRE),
            "--output",
            "json",
            "--ignore-dependencies",
            "generate",
            f"{environment}/{stack}.yaml",
        ],
        cwd=PROJECT_ROOT,
        env=offline_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise GenerationError(f"sceptre generate {environment}/{stack}.yaml failed:\n{result.stderr[-4000:]}")
    # `sceptre --output json generate` prints the template itself as JSON, for every handler.
    return json.loads(result.stdout)


@cache
def _futures() -> dict:
    """Starts generating every stack of every environment, three processes at a time.

    Each stack is its own process: a CDK synth never shares a process with another (jsii is not
    thread-safe), and one stack that fails to generate does not hide the others.
    """
    pool = ThreadPoolExecutor(max_workers=3)
    return {
        (env, stack): pool.submit(_generate, env, stack) for stack in sorted(STACKS) for env in ENVIRONMENTS
    }


def template(environment: str, stack: str) -> dict:
    """The generated template of `<environment>/<stack>.yaml`, generated once per test process."""
    return _futures()[(environment, stack)].result()


@cache
def stack_config(environment: str, stack: str):
    """The Sceptre Stack of `<environment>/<stack>.yaml`, read in-process with nothing resolved."""
    from sceptre.context import SceptreContext
    from sceptre.plan.plan import SceptrePlan

    context = SceptreContext(project_path=str(PROJECT_ROOT), command_path=f"{environment}/{stack}.yaml")
    plan = SceptrePlan(context)
    (sceptre_stack,) = plan.command_stacks
    return sceptre_stack


def stack_parameters(environment: str, stack: str) -> dict:
    """The parameters the stack config passes, as written: resolvers stay Resolver objects."""
    return dict(stack_config(environment, stack)._parameters)
