"""What `webctl status` counts as needing attention, for the states an emulator cannot produce (a
failed or rolled-back deployment, a stack left in a failed state): the verdict over a report of the
shape `status --json` prints, with the values AWS returns."""

from __future__ import annotations

import pytest

from sceptre_fargate_cognito.webctl.status import attention, capacity_mix


def report(**changes) -> dict:
    """A healthy environment's report, with `changes` applied to its parts."""
    healthy = {
        "stacks": [{"stackName": "webapp-prod-alb-ecs", "status": "UPDATE_COMPLETE"}],
        "service": {
            "deployments": [
                {
                    "id": "ecs-svc/1",
                    "status": "PRIMARY",
                    "rolloutState": "COMPLETED",
                    "rolloutStateReason": "ECS deployment ecs-svc/1 completed.",
                }
            ]
        },
        "targets": [
            {"id": "10.0.1.5", "port": 8080, "state": "healthy", "reason": None, "description": None}
        ],
        "alarms": [],
        "certificate": {
            "domainName": "app.example.com",
            "daysToExpiry": 80,
            "notAfter": "2027-03-01T00:00:00Z",
        },
    }
    return healthy | changes


def test_a_healthy_environment_needs_nothing():
    assert attention(report()) == []


@pytest.mark.parametrize(
    "deployment, expected",
    [
        (
            {
                "rolloutState": "FAILED",
                "rolloutStateReason": "ECS deployment circuit breaker: tasks failed to start.",
            },
            "deployment ecs-svc/2 FAILED: ECS deployment circuit breaker: tasks failed to start.",
        ),
        (
            {
                "rolloutState": "IN_PROGRESS",
                "rolloutStateReason": "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.",
            },
            "deployment ecs-svc/2 is rolling back: ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.",
        ),
    ],
)
def test_a_failed_or_rolling_back_deployment_needs_attention(deployment, expected):
    deployments = [{"id": "ecs-svc/2", "status": "PRIMARY"} | deployment]
    assert attention(report(service={"deployments": deployments})) == [expected]


def test_a_deployment_in_progress_needs_nothing():
    deployments = [
        {
            "id": "ecs-svc/2",
            "status": "PRIMARY",
            "rolloutState": "IN_PROGRESS",
            "rolloutStateReason": "ECS deployment ecs-svc/2 in progress.",
        }
    ]
    assert attention(report(service={"deployments": deployments})) == []


@pytest.mark.parametrize("state", ["initial", "draining", "healthy"])
def test_targets_in_a_normal_rollout_need_nothing(state):
    targets = [{"id": "10.0.1.5", "port": 8080, "state": state, "reason": None, "description": None}]
    assert attention(report(targets=targets)) == []


@pytest.mark.parametrize("state", ["unhealthy", "unused", "unavailable"])
def test_a_target_out_of_service_is_named_with_its_reason(state):
    targets = [
        {
            "id": "10.0.1.5",
            "port": 8080,
            "state": state,
            "reason": "Target.ResponseCodeMismatch",
            "description": "Health checks failed with these codes: [500]",
        }
    ]
    assert attention(report(targets=targets)) == [
        f"target 10.0.1.5:8080 is {state} (Target.ResponseCodeMismatch: Health checks failed with these codes: [500])"
    ]


@pytest.mark.parametrize("days, needs", [(31, False), (30, True), (0, True), (-2, True)])
def test_a_certificate_needs_attention_from_30_days_before_it_expires(days, needs):
    certificate = {"domainName": "app.example.com", "daysToExpiry": days, "notAfter": "2027-01-01T00:00:00Z"}
    assert bool(attention(report(certificate=certificate))) == needs


@pytest.mark.parametrize(
    "status, needs",
    [
        ("UPDATE_COMPLETE", False),
        ("CREATE_COMPLETE", False),
        ("UPDATE_IN_PROGRESS", False),
        ("UPDATE_ROLLBACK_COMPLETE", True),
        ("UPDATE_ROLLBACK_FAILED", True),
        ("ROLLBACK_COMPLETE", True),
        ("CREATE_FAILED", True),
    ],
)
def test_a_stack_left_failed_or_rolled_back_needs_attention(status, needs):
    stacks = [{"stackName": "webapp-prod-alb-ecs", "status": status}]
    assert bool(attention(report(stacks=stacks))) == needs


@pytest.mark.parametrize(
    "strategy, shown",
    [
        (
            [{"capacityProvider": "FARGATE", "base": 0, "weight": 1}],
            "all on demand (Fargate): FARGATE weight 1",
        ),
        (
            [
                {"capacityProvider": "FARGATE", "base": 0, "weight": 0},
                {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 1},
            ],
            "all Fargate Spot: FARGATE weight 0, FARGATE_SPOT weight 1",
        ),
        (
            [
                {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
                {"capacityProvider": "FARGATE_SPOT", "base": 0, "weight": 3},
            ],
            "FARGATE base 2 weight 1, FARGATE_SPOT weight 3",
        ),
        ([], "unknown"),
    ],
)
def test_the_capacity_mix_says_what_runs_where(strategy, shown):
    assert capacity_mix(strategy) == shown
