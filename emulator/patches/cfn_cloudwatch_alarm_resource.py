"""CloudFormation support for AWS::CloudWatch::Alarm.

Stock moto has no CloudFormation model for alarms, so a stack that declares one (the alb-ecs
stack's deployment rollback alarms) is refused. This model puts the alarm, metric-math queries
included, in moto's own CloudWatch backend, so DescribeAlarms shows it; updates put it again
(a changed AlarmName replaces it, as in CloudFormation) and a stack delete deletes it.
Ref is the alarm name; GetAtt Arn its ARN.
"""

from __future__ import annotations

from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from emulator.cfn_resource import CfnResource, UpdatableCfnResource


def _backend(account_id: str, region_name: str):
    return cloudwatch_backends[account_id][region_name]


def _number(value, kind=float):
    return None if value is None else kind(value)


def _dimensions(items) -> list[Dimension]:
    return [Dimension(name=d["Name"], value=d["Value"]) for d in items or []]


def _queries(metrics) -> list[MetricDataQuery] | None:
    if not metrics:
        return None
    queries = []
    for query in metrics:
        stat = query.get("MetricStat")
        queries.append(
            MetricDataQuery(
                query_id=query["Id"],
                label=query.get("Label"),
                period=query.get("Period"),
                return_data=query.get("ReturnData"),
                expression=query.get("Expression"),
                metric_stat=MetricStat(
                    metric=Metric(
                        metric_name=stat["Metric"]["MetricName"],
                        namespace=stat["Metric"]["Namespace"],
                        dimensions=_dimensions(stat["Metric"].get("Dimensions")),
                    ),
                    period=stat["Period"],
                    stat=stat["Stat"],
                    unit=stat.get("Unit"),
                )
                if stat
                else None,
            )
        )
    return queries


class CfnAlarm(UpdatableCfnResource, CloudFormationModel):
    CFN_TYPE = "AWS::CloudWatch::Alarm"
    NAME_PROPERTY = "AlarmName"
    ATTRIBUTES = ("Arn",)

    def __init__(self, name: str, arn: str):
        self.name = name
        self.arn = arn

    @property
    def physical_resource_id(self) -> str:
        return self.name

    def attribute(self, name: str) -> str:
        return self.arn

    @classmethod
    def create(cls, name: str, properties: dict, account_id: str, region_name: str) -> CfnAlarm:
        alarm = _backend(account_id, region_name).put_metric_alarm(
            name=name,
            namespace=properties.get("Namespace"),
            metric_name=properties.get("MetricName"),
            metric_data_queries=_queries(properties.get("Metrics")),
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=_number(properties["EvaluationPeriods"], int),
            datapoints_to_alarm=_number(properties.get("DatapointsToAlarm"), int),
            period=_number(properties.get("Period"), int),
            threshold=_number(properties.get("Threshold")),
            statistic=properties.get("Statistic"),
            extended_statistic=properties.get("ExtendedStatistic"),
            description=properties.get("AlarmDescription"),
            dimensions=properties.get("Dimensions", []),
            alarm_actions=properties.get("AlarmActions", []),
            ok_actions=properties.get("OKActions", []),
            insufficient_data_actions=properties.get("InsufficientDataActions", []),
            unit=properties.get("Unit"),
            actions_enabled=str(properties.get("ActionsEnabled", True)).lower() == "true",
            treat_missing_data=properties.get("TreatMissingData"),
            threshold_metric_id=properties.get("ThresholdMetricId"),
        )
        return cls(name, alarm.alarm_arn)

    def update(self, name: str, properties: dict, account_id: str, region_name: str) -> CfnResource:
        if name != self.name:  # a new AlarmName: a new alarm, the old one deleted
            return self.replace(name, properties, account_id, region_name)
        return type(self).create(name, properties, account_id, region_name)  # PutMetricAlarm overwrites

    def delete(self, account_id: str, region_name: str) -> None:
        _backend(account_id, region_name).delete_alarms([self.name])


def install() -> None:
    """Nothing to patch: the model registers its type when this module is imported."""
