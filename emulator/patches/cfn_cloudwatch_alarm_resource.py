"""CloudFormation support for AWS::CloudWatch::Alarm.

Stock moto 5.2.5 has no CloudFormation model for alarms, so a monitoring stack would create none.
This model puts the alarm in moto's CloudWatch backend (a single metric, or metric math through
`Metrics`), puts it again on update (PutMetricAlarm replaces an alarm of the same name) and deletes
it with its stack. Ref is the alarm name; GetAtt Arn its ARN.
"""

from __future__ import annotations

from moto.cloudwatch.models import Dimension, Metric, MetricDataQuery, MetricStat, cloudwatch_backends
from moto.core.common_models import CloudFormationModel

from emulator.cfn_resource import UpdatableCfnResource


def _backend(account_id: str, region_name: str):
    return cloudwatch_backends[account_id][region_name]


def _query(item: dict) -> MetricDataQuery:
    stat = item.get("MetricStat")
    metric_stat = None
    if stat:
        metric = stat["Metric"]
        dimensions = [Dimension(d["Name"], d["Value"]) for d in metric.get("Dimensions") or []]
        metric_stat = MetricStat(
            Metric(metric["MetricName"], metric["Namespace"], dimensions),
            int(stat["Period"]),
            stat["Stat"],
            stat.get("Unit"),
        )
    return MetricDataQuery(
        query_id=item["Id"],
        # As PutMetricAlarm passes them: CloudFormation may hand over "false" for false.
        label=item.get("Label"),
        period=_int_or_none(item.get("Period")),
        return_data=None if "ReturnData" not in item else str(item["ReturnData"]).lower() == "true",
        expression=item.get("Expression"),
        metric_stat=metric_stat,
    )


def _int_or_none(value):
    return None if value is None else int(value)


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

    def attribute(self, name):
        return self.arn

    @classmethod
    def create(cls, name, properties, account_id, region_name):
        alarm = _backend(account_id, region_name).put_metric_alarm(
            name=properties.get("AlarmName", name),
            namespace=properties.get("Namespace"),
            metric_name=properties.get("MetricName"),
            comparison_operator=properties["ComparisonOperator"],
            evaluation_periods=int(properties["EvaluationPeriods"]),
            period=_int_or_none(properties.get("Period")),
            threshold=float(properties["Threshold"]) if "Threshold" in properties else None,
            statistic=properties.get("Statistic"),
            description=properties.get("AlarmDescription", ""),
            dimensions=list(properties.get("Dimensions") or []),
            alarm_actions=list(properties.get("AlarmActions") or []),
            metric_data_queries=[_query(m) for m in properties["Metrics"]]
            if properties.get("Metrics")
            else None,
            datapoints_to_alarm=_int_or_none(properties.get("DatapointsToAlarm")),
            extended_statistic=properties.get("ExtendedStatistic"),
            ok_actions=list(properties.get("OKActions") or []),
            insufficient_data_actions=list(properties.get("InsufficientDataActions") or []),
            unit=properties.get("Unit"),
            actions_enabled=str(properties.get("ActionsEnabled", True)).lower() == "true",
            treat_missing_data=properties.get("TreatMissingData"),
            threshold_metric_id=properties.get("ThresholdMetricId"),
        )
        return cls(alarm.name, alarm.alarm_arn)

    def update(self, name, properties, account_id, region_name):
        if properties.get("AlarmName", self.name) != self.name:  # AlarmName is create-only
            return self.replace(name, properties, account_id, region_name)
        return self.create(self.name, properties, account_id, region_name)

    def delete(self, account_id, region_name):
        _backend(account_id, region_name).delete_alarms([self.name])  # already gone is not an error


def install() -> None:
    """Public hook: moto registers each CloudFormationModel subclass once defined (imported): nothing to patch."""
