"""The emulator creates, updates and deletes CloudWatch alarms declared in a stack."""

import boto3
from cfn_stacks import outputs, put_stack

TEMPLATE = """
Parameters:
  Threshold: {Type: Number}
Resources:
  ErrorRate:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: 5xx share of requests
      Metrics:
        - Id: errors
          ReturnData: false
          MetricStat:
            Metric:
              Namespace: AWS/ApplicationELB
              MetricName: HTTPCode_Target_5XX_Count
              Dimensions: [{Name: TargetGroup, Value: targetgroup/tg/0123456789abcdef}]
            Period: 60
            Stat: Sum
        - Id: rate
          Expression: 100 * FILL(errors, 0)
          ReturnData: true
      ComparisonOperator: GreaterThanThreshold
      Threshold: !Ref Threshold
      EvaluationPeriods: 2
      TreatMissingData: notBreaching
  Unhealthy:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/ApplicationELB
      MetricName: UnHealthyHostCount
      Dimensions: [{Name: TargetGroup, Value: targetgroup/tg/0123456789abcdef}]
      Statistic: Maximum
      Period: 60
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
Outputs:
  ErrorRateName: {Value: !Ref ErrorRate}
  ErrorRateArn: {Value: !GetAtt ErrorRate.Arn}
"""


def _launch(cf, threshold, update=False):
    stack = put_stack(cf, "alarms", TEMPLATE, {"Threshold": threshold}, update=update)
    assert stack["StackStatus"].endswith("_COMPLETE"), stack["StackStatus"]
    return outputs(stack)


def test_a_stack_alarm_exists_in_cloudwatch_with_its_metric_math_and_is_deleted_with_the_stack(aws):
    cf, cloudwatch = boto3.client("cloudformation"), boto3.client("cloudwatch")
    out = _launch(cf, 10)

    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert len(alarms) == 2
    error_rate = alarms[out["ErrorRateName"]]
    assert error_rate["AlarmArn"] == out["ErrorRateArn"]
    assert error_rate["Threshold"] == 10
    assert [m["Id"] for m in error_rate["Metrics"]] == ["errors", "rate"]
    assert error_rate["Metrics"][0]["MetricStat"]["Metric"]["MetricName"] == "HTTPCode_Target_5XX_Count"

    _launch(cf, 25, update=True)
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert alarms[out["ErrorRateName"]]["Threshold"] == 25

    cf.delete_stack(StackName="alarms")
    assert cloudwatch.describe_alarms()["MetricAlarms"] == []
