"""Creating or updating a stack on the emulator in one call, as the emulator tests do."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def parameters(values: Mapping[str, Any]) -> list[dict[str, str]]:
    """{"Name": value} as CloudFormation's Parameters list (values as strings)."""
    return [{"ParameterKey": name, "ParameterValue": str(value)} for name, value in values.items()]


def put_stack(
    cf, name: str, template: str, values: Mapping[str, Any] | None = None, *, update=False, **more
) -> dict:
    """Create the stack (or update it) and return its description as it then stands."""
    (cf.update_stack if update else cf.create_stack)(
        StackName=name, TemplateBody=template, Parameters=parameters(values or {}), **more
    )
    (stack,) = cf.describe_stacks(StackName=name)["Stacks"]
    return stack


def outputs(stack: dict) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def event_reasons(cf, name: str) -> list[str]:
    """The reason of every event of the stack, newest first ('' where an event has none)."""
    return [
        e.get("ResourceStatusReason") or "" for e in cf.describe_stack_events(StackName=name)["StackEvents"]
    ]


def scaled_service(
    *, max_capacity: str = "2", service_name: str = "", cluster_depends_on: Sequence[str] = ()
) -> str:
    """The resources (YAML, indented as under `Resources:`) of an ECS cluster, a task definition, a
    service of it and the service's scalable target: what the alb-ecs stack makes for ECS, in small.
    `max_capacity` is YAML (`2`, or `!Ref MaxCount`)."""
    depends_on = f", DependsOn: [{', '.join(cluster_depends_on)}]" if cluster_depends_on else ""
    name = f", ServiceName: {service_name}" if service_name else ""
    return f"""\
  Cluster: {{Type: AWS::ECS::Cluster{depends_on}}}
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: app
      ContainerDefinitions: [{{Name: app, Image: nginx, Memory: 512}}]
  Service:
    Type: AWS::ECS::Service
    Properties: {{Cluster: !Ref Cluster, TaskDefinition: !Ref TaskDef, DesiredCount: 1{name}}}
  ScalableTarget:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Properties:
      MinCapacity: 1
      MaxCapacity: {max_capacity}
      ResourceId: !Sub service/${{Cluster}}/${{Service.Name}}
      ScalableDimension: ecs:service:DesiredCount
      ServiceNamespace: ecs
"""


# One task definition whose image is a parameter: each new image is a new revision.
TASK_DEFINITION = """
Parameters:
  Image: {Type: String}
Resources:
  TaskDef:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: app
      ContainerDefinitions: [{Name: app, Image: !Ref Image, Memory: 512}]
Outputs:
  TaskDef: {Value: !Ref TaskDef, Export: {Name: !Sub "${AWS::StackName}-TaskDef"}}
"""
