"""The emulator registers an ECS service's scalable target and scaling policy from a stack."""

import boto3
from cfn_stacks import outputs, put_stack, scaled_service

TEMPLATE = (
    """
Parameters:
  MaxCount: {Type: Number}
Resources:
"""
    + scaled_service(max_capacity="!Ref MaxCount", service_name="web")
    + """  CpuPolicy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Properties:
      PolicyName: cpu
      PolicyType: TargetTrackingScaling
      ScalingTargetId: !Ref ScalableTarget
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: 60
        PredefinedMetricSpecification: {PredefinedMetricType: ECSServiceAverageCPUUtilization}
Outputs:
  TargetId: {Value: !Ref ScalableTarget}
  PolicyArn: {Value: !Ref CpuPolicy}
"""
)


def _launch(cf, max_count, update=False):
    return outputs(put_stack(cf, "scaling", TEMPLATE, {"MaxCount": max_count}, update=update))


def test_a_stack_registers_the_target_and_its_policy(aws):
    cf, aas = boto3.client("cloudformation"), boto3.client("application-autoscaling")
    out = _launch(cf, 4)

    [target] = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 4)
    assert out["TargetId"] == f"{target['ResourceId']}|ecs:service:DesiredCount|ecs"
    assert target["ResourceId"].endswith("/web")
    [policy] = aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
    assert policy["PolicyARN"] == out["PolicyArn"]
    assert policy["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 60


def test_an_update_changes_the_capacity_of_the_same_target(aws):
    cf, aas = boto3.client("cloudformation"), boto3.client("application-autoscaling")
    _launch(cf, 4)
    _launch(cf, 6, update=True)

    [target] = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    assert target["MaxCapacity"] == 6
    assert len(aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]) == 1


def test_deleting_the_stack_deregisters_target_and_policy(aws):
    cf, aas = boto3.client("cloudformation"), boto3.client("application-autoscaling")
    _launch(cf, 4)
    cf.delete_stack(StackName="scaling")

    assert aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"] == []
    assert aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
