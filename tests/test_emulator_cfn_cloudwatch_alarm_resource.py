"""The emulator creates a stack's CloudWatch alarms (single metric and metric math), with their
actions, updates them in place and deletes them with the stack."""

import boto3

TEMPLATE = """
Parameters:
  Threshold: {Type: Number, Default: 10}
Resources:
  Topic:
    Type: AWS::SNS::Topic
  Errors:
    Type: AWS::CloudWatch::Alarm
    Properties:
      Namespace: AWS/ApplicationELB
      MetricName: HTTPCode_ELB_5XX_Count
      Dimensions: [{Name: LoadBalancer, Value: app/x/123}]
      Statistic: Sum
      Period: 300
      EvaluationPeriods: 1
      Threshold: !Ref Threshold
      ComparisonOperator: GreaterThanOrEqualToThreshold
      AlarmActions: [!Ref Topic]
      OKActions: [!Ref Topic]
  Shortfall:
    Type: AWS::CloudWatch::Alarm
    Properties:
      EvaluationPeriods: 5
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      Metrics:
        - Id: running
          ReturnData: false
          MetricStat:
            Metric: {Namespace: ECS/ContainerInsights, MetricName: RunningTaskCount, Dimensions: [{Name: ClusterName, Value: c}]}
            Period: 60
            Stat: Minimum
        - Id: shortfall
          Expression: desired - running
Outputs:
  Errors: {Value: !Ref Errors}
  ErrorsArn: {Value: !GetAtt Errors.Arn}
"""


def test_stack_alarms_exist_with_their_actions_update_in_place_and_go_with_the_stack(aws):
    cf, cloudwatch = boto3.client("cloudformation"), boto3.client("cloudwatch")
    cf.create_stack(StackName="alarms", TemplateBody=TEMPLATE)
    outputs = {
        o["OutputKey"]: o["OutputValue"]
        for o in cf.describe_stacks(StackName="alarms")["Stacks"][0]["Outputs"]
    }
    alarms = {a["AlarmName"]: a for a in cloudwatch.describe_alarms()["MetricAlarms"]}
    assert len(alarms) == 2
    errors = alarms[outputs["Errors"]]
    assert errors["AlarmArn"] == outputs["ErrorsArn"]
    assert errors["Threshold"] == 10 and errors["AlarmActions"] == errors["OKActions"] != []
    (math,) = [a for name, a in alarms.items() if name != outputs["Errors"]]
    assert [m["Id"] for m in math["Metrics"]] == ["running", "shortfall"]

    cf.update_stack(
        StackName="alarms",
        TemplateBody=TEMPLATE,
        Parameters=[{"ParameterKey": "Threshold", "ParameterValue": "5"}],
    )
    (updated,) = cloudwatch.describe_alarms(AlarmNames=[outputs["Errors"]])["MetricAlarms"]
    assert updated["Threshold"] == 5

    cf.delete_stack(StackName="alarms")
    assert cloudwatch.describe_alarms()["MetricAlarms"] == []
