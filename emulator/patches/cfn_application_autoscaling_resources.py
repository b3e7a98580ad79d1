"""CloudFormation support for AWS::ApplicationAutoScaling::ScalableTarget and ScalingPolicy.

Stock moto skips both types, so a stack's service autoscaling silently does not exist. These
models register the target and put the policy in moto's applicationautoscaling backend.
Ref of a target is CloudFormation's `resource-id|dimension|namespace`; Ref of a policy is its ARN.
"""

from __future__ import annotations

import contextlib

from moto.applicationautoscaling.exceptions import AWSValidationException
from moto.applicationautoscaling.models import applicationautoscaling_backends
from moto.core.common_models import CloudFormationModel

from emulator.cfn_resource import UpdatableCfnResource


def _backend(account_id: str, region_name: str):
    return applicationautoscaling_backends[account_id][region_name]


def _int_or_none(value):
    return None if value is None else int(value)


class CfnScalableTarget(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
    ATTRIBUTES = ("Id",)

    def __init__(self, namespace: str, resource_id: str, dimension: str):
        self.namespace = namespace
        self.resource_id = resource_id
        self.dimension = dimension

    @property
    def physical_resource_id(self) -> str:
        return f"{self.resource_id}|{self.dimension}|{self.namespace}"

    def attribute(self, name):
        return self.physical_resource_id  # Id

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        _backend(account_id, region_name).register_scalable_target(
            namespace=properties["ServiceNamespace"],
            r_id=properties["ResourceId"],
            dimension=properties["ScalableDimension"],
            min_capacity=_int_or_none(properties.get("MinCapacity")),
            max_capacity=_int_or_none(properties.get("MaxCapacity")),
            role_arn=properties.get("RoleARN"),
            suspended_state=properties.get("SuspendedState"),
        )
        return cls(properties["ServiceNamespace"], properties["ResourceId"], properties["ScalableDimension"])

    def update(self, name, properties, account_id, region_name):
        identity = (properties["ServiceNamespace"], properties["ResourceId"], properties["ScalableDimension"])
        if identity != (self.namespace, self.resource_id, self.dimension):
            return self.replace(name, properties, account_id, region_name)
        return self.create(
            name, properties, account_id, region_name
        )  # RegisterScalableTarget updates in place

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        # Deregistering a target removes its policies too, as in AWS.
        for policy in list(backend.policies.values()):
            if (policy.service_namespace, policy.resource_id, policy.scalable_dimension) == (
                self.namespace,
                self.resource_id,
                self.dimension,
            ):
                backend.delete_scaling_policy(
                    policy.policy_name, self.namespace, self.resource_id, self.dimension
                )
        with contextlib.suppress(AWSValidationException):  # already gone
            backend.deregister_scalable_target(self.namespace, self.resource_id, self.dimension)


class CfnScalingPolicy(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"
    NAME_PROPERTY = "PolicyName"
    ATTRIBUTES = ("Arn",)

    def __init__(self, name: str, namespace: str, resource_id: str, dimension: str, arn: str):
        self.name = name
        self.namespace = namespace
        self.resource_id = resource_id
        self.dimension = dimension
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.arn

    def attribute(self, name):
        return self.arn  # Arn

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        if properties.get("ScalingTargetId"):
            resource_id, dimension, namespace = properties["ScalingTargetId"].split("|")
        else:
            namespace = properties["ServiceNamespace"]
            resource_id = properties["ResourceId"]
            dimension = properties["ScalableDimension"]
        policy_type = properties["PolicyType"]
        body_key = {
            "TargetTrackingScaling": "TargetTrackingScalingPolicyConfiguration",
            "StepScaling": "StepScalingPolicyConfiguration",
        }.get(policy_type)
        policy = _backend(account_id, region_name).put_scaling_policy(
            policy_name=name,
            service_namespace=namespace,
            resource_id=resource_id,
            scalable_dimension=dimension,
            policy_body=properties.get(body_key) if body_key else None,
            policy_type=policy_type,
        )
        return cls(name, namespace, resource_id, dimension, policy.policy_arn)

    def update(self, name, properties, account_id, region_name):
        # A new policy under the same name: the old one must go first.
        return self.replace(name, properties, account_id, region_name, delete_first=True)

    def delete(self, account_id: str, region_name: str) -> None:
        # Deregistering its target may have removed it already.
        with contextlib.suppress(AWSValidationException):
            _backend(account_id, region_name).delete_scaling_policy(
                self.name, self.namespace, self.resource_id, self.dimension
            )


def install() -> None:
    """Public hook: moto registers each CloudFormationModel subclass once defined (imported): nothing to patch."""
