"""With EMULATOR_REQUIRE_SERVICE_LINKED_ROLES=1, an ECS service needs the ECS service-linked role first."""

import boto3
import pytest
from botocore.exceptions import ClientError
from cfn_stacks import event_reasons

from sceptre_fargate_cognito.local_env import emulator_process

MESSAGE = "Unable to assume the service linked role. Please verify that the ECS service linked role exists."
TEMPLATE = """
Resources:
  Cluster: {Type: AWS::ECS::Cluster}
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties: {Family: app, ContainerDefinitions: [{Name: app, Image: nginx, Memory: 512}]}
  Service: {Type: AWS::ECS::Service, Properties: {Cluster: !Ref Cluster, TaskDefinition: !Ref TaskDef, DesiredCount: 1}}
"""


@pytest.fixture(scope="module")
def strict_emulator(tmp_path_factory):
    """An emulator of its own, started with the switch on (the session's one has it off)."""
    server = emulator_process.start(
        log_path=tmp_path_factory.mktemp("strict") / "emulator.log", require_service_linked_roles=True
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def strict(strict_emulator, monkeypatch):
    strict_emulator.reset()
    for name, value in strict_emulator.aws_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return strict_emulator


def _service(ecs):
    ecs.create_cluster(clusterName="app")
    ecs.register_task_definition(
        family="app", containerDefinitions=[{"name": "app", "image": "nginx", "memory": 512}]
    )
    return ecs.create_service(cluster="app", serviceName="web", taskDefinition="app", desiredCount=1)


def test_create_service_fails_while_the_ecs_service_linked_role_is_missing(strict):
    with pytest.raises(ClientError) as refused:
        _service(boto3.client("ecs"))

    assert refused.value.response["Error"]["Code"] == "InvalidParameterException"
    assert refused.value.response["Error"]["Message"] == MESSAGE


def test_a_stack_with_a_service_fails_and_rolls_back_while_the_role_is_missing(strict):
    cf = boto3.client("cloudformation")

    cf.create_stack(StackName="app", TemplateBody=TEMPLATE)

    assert cf.describe_stacks(StackName="app")["Stacks"][0]["StackStatus"] == "ROLLBACK_COMPLETE"
    assert any(MESSAGE in r for r in event_reasons(cf, "app"))


def test_once_the_role_is_created_services_and_stacks_with_services_are_created(strict):
    iam, cf = boto3.client("iam"), boto3.client("cloudformation")
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")

    assert _service(boto3.client("ecs"))["service"]["serviceName"] == "web"
    cf.create_stack(StackName="app", TemplateBody=TEMPLATE)
    assert cf.describe_stacks(StackName="app")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"


def test_without_the_switch_services_need_no_role(aws):
    assert _service(boto3.client("ecs"))["service"]["serviceName"] == "web"
