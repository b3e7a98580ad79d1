"""The monitoring stack as each environment deploys it: every alarm an operator needs, each one
telling someone when it fires and when it clears, and a dashboard to look at."""

from __future__ import annotations

import pytest
from cfn_values import Template
from test_environment_config import merged

from templates import ENVIRONMENTS, stack_parameters, template

pytestmark = pytest.mark.parametrize("environment", ENVIRONMENTS)

TOPIC = "arn:aws:sns:eu-west-1:111122223333:ops"


def monitoring(environment: str, **overrides) -> Template:
    return Template(
        template(environment, "monitoring"), stack_parameters(environment, "monitoring") | overrides
    )


def alarms(t: Template) -> dict[str, dict]:
    return {logical_id: t.properties(logical_id) for logical_id in t.resources("AWS::CloudWatch::Alarm")}


def metrics(t: Template) -> set[tuple[str, str]]:
    found = set()
    for props in alarms(t).values():
        for query in props.get("Metrics", [{"MetricStat": {"Metric": props}}]):
            if "MetricStat" in query:
                metric = query["MetricStat"]["Metric"]
                found.add((metric["Namespace"], metric["MetricName"]))
    return found


def test_an_alarm_watches_each_way_the_service_can_fail(environment):
    assert metrics(monitoring(environment)) == {
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"),
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
        ("AWS/ApplicationELB", "TargetResponseTime"),
        ("AWS/ApplicationELB", "UnHealthyHostCount"),
        ("AWS/ECS", "CPUUtilization"),
        ("AWS/ECS", "MemoryUtilization"),
        ("ECS/ContainerInsights", "RunningTaskCount"),
        ("ECS/ContainerInsights", "DesiredTaskCount"),
    }


def test_every_alarm_notifies_the_created_topic_when_it_fires_and_when_it_clears(environment):
    for name, props in alarms(monitoring(environment)).items():
        assert props["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
        assert props["OKActions"] == [{"Ref": "AlarmTopic"}], name


def test_with_alarm_topic_arn_every_alarm_notifies_that_topic_and_none_is_created(environment):
    t = monitoring(environment, AlarmTopicArn=TOPIC)
    assert not t.resources("AWS::SNS::Topic")
    for name, props in alarms(t).items():
        assert props["AlarmActions"] == props["OKActions"] == [TOPIC], name


def test_the_topic_is_encrypted_and_subscribes_alarm_email_only_when_set(environment):
    t = monitoring(environment)
    topic = t.properties("AlarmTopic")
    assert topic["KmsMasterKeyId"] == "alias/aws/sns"
    assert ("Subscription" in topic) is bool(merged(environment)["alarm_email"])
    with_email = monitoring(environment, AlarmEmail="ops@example.com").properties("AlarmTopic")
    assert with_email["Subscription"] == [{"Protocol": "email", "Endpoint": "ops@example.com"}]


def test_running_tasks_below_desired_is_metric_math_on_container_insights(environment):
    props = alarms(monitoring(environment))["TasksBelowDesiredAlarm"]
    (expression,) = [q for q in props["Metrics"] if q.get("ReturnData") is True]
    assert expression["Expression"] == "desired - running"
    assert props["ComparisonOperator"] == "GreaterThanThreshold" and props["Threshold"] == 0


def test_thresholds_follow_the_environment(environment):
    settings = merged(environment)
    found = alarms(monitoring(environment))
    assert float(found["Target5xxAlarm"]["Threshold"]) == settings["alarm_5xx_count"]
    assert float(found["LatencyP99Alarm"]["Threshold"]) == settings["alarm_p99_latency_ms"] / 1000
    assert found["LatencyP99Alarm"]["ExtendedStatistic"] == "p99"
    assert float(found["CpuAlarm"]["Threshold"]) == settings["alarm_utilization_percent"]


def test_the_dashboard_url_is_an_output(environment):
    t = monitoring(environment)
    assert t.resources("AWS::CloudWatch::Dashboard")
    url = t.raw["Outputs"]["DashboardUrl"]["Value"]["Fn::Sub"]
    assert url == (
        "https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}"
        "#dashboards:name=${Dashboard}"
    )
