"""Modelled rollout timings of each environment's generated alb-ecs template, beside known defaults.

Per batch: the least time a rolling deploy needs to move one batch of traffic to new tasks once
they run: healthy threshold x health-check interval (a new target takes traffic) + deregistration
delay (an old target drains).

Worst case to a failed verdict for a deploy whose tasks never get healthy, with the ECS
deployment circuit breaker: it trips after max(3, min(200, ceil(desired / 2))) failed tasks; each
fails after the grace period plus unhealthy threshold x interval, and with MaximumPercent 200 ECS
starts up to `desired` replacements at a time. Task start-up time (image pull) is left out.

Run: .venv/bin/python benchmarks/rollout_timing.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

# The template evaluator and the generated templates are the tests' helpers (tests/), not the package's.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from cfn_values import Template  # noqa: E402

from templates import ENVIRONMENTS, stack_parameters, template  # noqa: E402


def worst_case(grace: int, unhealthy: int, interval: int, desired: int, breaker: bool) -> str:
    if not breaker:
        return "unbounded (no circuit breaker: CloudFormation waits up to 3 h)"
    threshold = max(3, min(200, math.ceil(desired / 2)))
    rounds = math.ceil(threshold / desired)
    return f"{rounds * (grace + unhealthy * interval)} s ({threshold} failed tasks, {rounds} round(s))"


def ours(environment: str) -> dict:
    t = Template(template(environment, "alb-ecs"), stack_parameters(environment, "alb-ecs"))
    group = t.properties("TargetGroup")
    service = t.properties("Service")
    drain = int(
        {a["Key"]: a["Value"] for a in group["TargetGroupAttributes"]}["deregistration_delay.timeout_seconds"]
    )
    breaker = service["DeploymentConfiguration"]["DeploymentCircuitBreaker"]["Enable"]
    return dict(
        interval=int(group["HealthCheckIntervalSeconds"]),
        healthy=int(group["HealthyThresholdCount"]),
        unhealthy=int(group["UnhealthyThresholdCount"]),
        drain=drain,
        grace=int(service["HealthCheckGracePeriodSeconds"]),
        desired=int(service["DesiredCount"]),
        breaker=breaker,
    )


# Published defaults (docs/decisions.md, "The target group is tuned for fast rollouts"; CDK ApplicationLoadBalancedFargateService; Copilot's Load Balanced Web Service).
REFERENCES = {
    "article's template": dict(
        interval=30, healthy=2, unhealthy=2, drain=300, grace=0, desired=1, breaker=False
    ),
    "CDK ALB Fargate defaults": dict(
        interval=30, healthy=5, unhealthy=2, drain=300, grace=60, desired=1, breaker=False
    ),
    "Copilot defaults": dict(
        interval=30, healthy=5, unhealthy=2, drain=60, grace=60, desired=1, breaker=True
    ),
}


def main() -> int:
    print("generating every environment's templates offline (the CDK synth takes 10-30 s)...", flush=True)
    rows = [(f"ours: {env}", ours(env)) for env in ENVIRONMENTS] + list(REFERENCES.items())
    print(f"{'template':28} {'per batch (healthy x interval + drain)':40} worst case to a failed deploy")
    for name, r in rows:
        batch = r["healthy"] * r["interval"] + r["drain"]
        formula = f"{r['healthy']} x {r['interval']} s + {r['drain']} s = {batch} s"
        print(
            f"{name:28} {formula:40} {worst_case(r['grace'], r['unhealthy'], r['interval'], r['desired'], r['breaker'])}"
        )
    worst = max(ours(env)["healthy"] * ours(env)["interval"] + ours(env)["drain"] for env in ENVIRONMENTS)
    print(f"\nslowest batch of our environments: {worst} s (target: 30 s or less)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
