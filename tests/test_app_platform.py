"""What every platform gives an application (issue 11), on every environment's generated alb-ecs
stack: cheaper capacity, releases that roll back on errors, container health checks,
configuration and secrets.

Removing or weakening any one of them must fail a test here.
"""

from __future__ import annotations

import pytest
from test_alb_ecs_template import alb_ecs, one
from test_environment_config import merged

from sceptre_fargate_cognito.config_schema import ConfigError, validate
from templates import ENVIRONMENTS

each_environment = pytest.mark.parametrize("environment", ENVIRONMENTS)


def strategy(items: list[dict]) -> dict[str, dict]:
    return {item["CapacityProvider"]: item for item in items}


def invalid(environment: str, **change) -> str:
    with pytest.raises(ConfigError) as error:
        validate(merged(environment) | change, environment=environment)
    return str(error.value)


# ---------------------------------------------------------------- capacity


@each_environment
def test_the_cluster_offers_fargate_and_fargate_spot(environment):
    _, cluster = one(alb_ecs(environment), "AWS::ECS::Cluster")
    assert sorted(cluster["CapacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]


@each_environment
def test_the_service_places_tasks_by_the_environments_capacity_mix_not_a_launch_type(environment):
    t = alb_ecs(environment)
    _, service = one(t, "AWS::ECS::Service")
    mix = merged(environment)["capacity"]
    assert "LaunchType" not in service
    placed = strategy(service["CapacityProviderStrategy"])
    assert int(placed["FARGATE"]["Base"]) == mix["on_demand_base"]
    assert int(placed["FARGATE"]["Weight"]) == mix["on_demand_weight"]
    assert int(placed.get("FARGATE_SPOT", {}).get("Weight", 0)) == mix["spot_weight"]
    _, cluster = one(t, "AWS::ECS::Cluster")
    assert cluster["DefaultCapacityProviderStrategy"] == service["CapacityProviderStrategy"]


def test_prod_runs_on_demand_only_and_dev_and_local_on_spot():
    for environment in ENVIRONMENTS:
        _, service = one(alb_ecs(environment), "AWS::ECS::Service")
        placed = strategy(service["CapacityProviderStrategy"])
        if environment == "prod":
            assert set(placed) == {"FARGATE"} and int(placed["FARGATE"]["Weight"]) > 0
        else:
            assert int(placed["FARGATE_SPOT"]["Weight"]) > 0


@pytest.mark.parametrize(
    "capacity, expected",
    [
        ({"spot_weight": 0}, "on_demand_weight or spot_weight must be above 0"),
        ({"spot_weight": -1}, "spot_weight must be a whole number from 0 to 1000"),
        ({"on_demand_base": "1"}, "on_demand_base must be a whole number from 0 to 100000"),
        ({"spot": True}, "unknown option spot"),
        ("spot", "expected a mapping"),
    ],
)
def test_a_capacity_mix_ecs_would_refuse_is_refused_at_config_time(capacity, expected):
    assert expected in invalid("dev", capacity=capacity)
