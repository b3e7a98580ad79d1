"""`webctl status <env>` through the real command, on `local` launched once for the session: what it
shows, when it exits 0, 1 and 2, and that it changes nothing."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import time

import pytest
from local_project import PROJECT_ROOT
from webctl_support import WEBCTL, outputs, webctl

from sceptre_fargate_cognito.local_env import certificate_authority

pytestmark = pytest.mark.e2e


def stack_resource(local, stack: str, logical_id: str) -> str:
    name = f"{local.settings['project_code']}-local-{stack}"
    return local.client("cloudformation").describe_stack_resource(
        StackName=name, LogicalResourceId=logical_id
    )["StackResourceDetail"]["PhysicalResourceId"]


def test_after_a_launch_it_shows_every_stack_the_service_its_image_and_the_urls_and_exits_0(launched_local):
    local = launched_local
    result = webctl(local, "status", "local")
    assert result.returncode == 0, result.stdout + result.stderr
    for stack in ("network", "cognito", "edge", "alb-ecs", "monitoring"):
        assert f"webapp-local-{stack} " in result.stdout
    assert f"desired {local.settings['desired_count']}," in result.stdout
    digest = local.client("ecr").describe_images(repositoryName="webapp", imageIds=[{"imageTag": "local"}])[
        "imageDetails"
    ][0]["imageDigest"]
    assert f"webapp:local {digest}" in result.stdout
    # local runs every task on Spot (its capacity key); the emulator's ECS does not say, the template does.
    assert "capacity: all Fargate Spot" in result.stdout
    assert f"URL        {local.env['LOCAL_APP_URL'].rstrip('/')}" in result.stdout
    assert (
        "DASHBOARD  https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name="
        in (result.stdout)
    )
    assert f"CERTIFICATE {local.settings['domain_name']}: ISSUED" in result.stdout
    assert result.stdout.rstrip().endswith("ALL WELL")


def test_json_gives_the_service_counts_under_ecs_names_and_each_deployments_image(launched_local):
    local = launched_local
    result = webctl(local, "status", "local", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    alb_ecs = outputs(local, "alb-ecs")
    ecs = local.client("ecs").describe_services(
        cluster=alb_ecs["ClusterName"], services=[alb_ecs["ServiceName"]]
    )
    service = ecs["services"][0]
    for count in ("desiredCount", "runningCount", "pendingCount"):
        assert report["service"][count] == service[count]
    assert report["service"]["desiredCount"] == local.settings["desired_count"]
    [deployment] = report["service"]["deployments"]
    assert deployment["taskDefinition"] == service["deployments"][0]["taskDefinition"]
    assert deployment["revision"] == int(deployment["taskDefinition"].rsplit(":", 1)[1])
    assert deployment["image"]["repository"] == "webapp"
    assert deployment["image"]["tags"] == ["local"]
    assert deployment["image"]["digest"].startswith("sha256:")
    assert report["certificate"]["daysToExpiry"] > 30
    assert report["urls"]["application"] == alb_ecs["ServiceUrl"]
    assert report["urls"]["dashboard"] == outputs(local, "monitoring")["DashboardUrl"]
    assert report["attention"] == [] and report["exitStatus"] == 0


def test_an_unhealthy_target_is_named_with_its_reason_and_status_exits_1(launched_local):
    local = launched_local
    ec2, elbv2 = local.client("ec2"), local.client("elbv2")
    group = outputs(local, "alb-ecs")["TargetGroupArn"]
    image = ec2.describe_images()["Images"][0]["ImageId"]
    instance = ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1)["Instances"][0]["InstanceId"]
    target = {"Id": instance, "Port": 8080}
    elbv2.register_targets(TargetGroupArn=group, Targets=[target])
    try:
        # A target whose instance stopped is out of service; wait until the load balancer says so.
        ec2.stop_instances(InstanceIds=[instance])
        deadline = time.monotonic() + 60
        while True:
            [health] = elbv2.describe_target_health(TargetGroupArn=group, Targets=[target])[
                "TargetHealthDescriptions"
            ]
            if health["TargetHealth"]["State"] not in ("healthy", "initial") or time.monotonic() > deadline:
                break
            time.sleep(1)
        reason = health["TargetHealth"]["Reason"]
        result = webctl(local, "status", "local")
        assert result.returncode == 1, result.stdout + result.stderr
        assert "NEEDS ATTENTION" in result.stdout
        assert f"target {instance}:8080 is {health['TargetHealth']['State']} ({reason}" in result.stdout
    finally:
        elbv2.deregister_targets(TargetGroupArn=group, Targets=[target])
        ec2.terminate_instances(InstanceIds=[instance])


def test_an_alarm_of_the_environment_in_alarm_is_named_with_since_when_and_status_exits_1(launched_local):
    local = launched_local
    cloudwatch = local.client("cloudwatch")
    alarm = stack_resource(local, "monitoring", "UnhealthyHostsAlarm")
    cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="ALARM", StateReason="webctl status test")
    try:
        since = cloudwatch.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateUpdatedTimestamp"]
        result = webctl(local, "status", "local", "--json")
        assert result.returncode == 1, result.stdout + result.stderr
        report = json.loads(result.stdout)
        [firing] = report["alarms"]
        assert firing["name"] == alarm
        assert firing["since"] == since.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace(
            "+00:00", "Z"
        )
        assert f"alarm {alarm} in ALARM since {firing['since']}" in report["attention"]
    finally:
        cloudwatch.set_alarm_state(AlarmName=alarm, StateValue="OK", StateReason="webctl status test done")
    assert webctl(local, "status", "local").returncode == 0


def test_a_certificate_that_expires_within_30_days_needs_attention(launched_local):
    local = launched_local
    acm = local.client("acm")
    arn = local.state.certificate_arn  # the listener's: the one the local launch imported
    original = acm.get_certificate(CertificateArn=arn)
    key = (local.workdir / "server.key").read_bytes()
    ca = certificate_authority.make_ca(local.workdir / "short-lived-ca", "webctl test CA")
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=10, hours=1)
    leaf = certificate_authority.issue(ca, [local.settings["domain_name"]], not_after=soon)
    acm.import_certificate(CertificateArn=arn, Certificate=leaf.pem(), PrivateKey=leaf.key_pem())
    try:
        result = webctl(local, "status", "local")
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"certificate {local.settings['domain_name']} expires in 10 days" in result.stdout
    finally:
        acm.import_certificate(
            CertificateArn=arn,
            Certificate=original["Certificate"].encode(),
            PrivateKey=key,
            CertificateChain=original["CertificateChain"].encode(),
        )
    assert webctl(local, "status", "local").returncode == 0


def emulator_state(local) -> dict:
    """What the environment's resources look like through the emulator's describe calls: their
    settings, not what running tasks change by themselves (the local task runner's tasks write log
    lines, and their health and counts move as they start)."""
    project = local.settings["project_code"]
    cloudformation, alb_ecs = local.client("cloudformation"), outputs(local, "alb-ecs")
    stacks = [
        s
        for s in cloudformation.describe_stacks()["Stacks"]
        if s["StackName"].startswith(f"{project}-local-")
    ]
    logs = local.client("logs")
    [service] = local.client("ecs").describe_services(
        cluster=alb_ecs["ClusterName"], services=[alb_ecs["ServiceName"]]
    )["services"]
    return {
        "stacks": stacks,
        "resources": {
            s["StackName"]: cloudformation.list_stack_resources(StackName=s["StackName"])[
                "StackResourceSummaries"
            ]
            for s in stacks
        },
        "service": {
            key: service.get(key) for key in ("desiredCount", "taskDefinition", "status", "loadBalancers")
        },
        "task definitions": local.client("ecs").list_task_definitions()["taskDefinitionArns"],
        "target groups": local.client("elbv2").describe_target_groups()["TargetGroups"],
        "alarms": [
            {k: v for k, v in alarm.items() if k not in ("StateReasonData",)}
            for alarm in local.client("cloudwatch").describe_alarms()["MetricAlarms"]
        ],
        "log groups": [
            {k: v for k, v in group.items() if k != "storedBytes"}  # grows as the tasks log
            for group in logs.describe_log_groups()["logGroups"]
        ],
        "certificate": local.client("acm").describe_certificate(CertificateArn=local.state.certificate_arn)[
            "Certificate"
        ],
        "images": local.client("ecr").describe_images(repositoryName="webapp")["imageDetails"],
    }


def test_status_and_logs_change_nothing(launched_local):
    local = launched_local
    before = emulator_state(local)
    assert webctl(local, "status", "local").returncode == 0
    assert webctl(local, "status", "local", "--json").returncode == 0
    assert webctl(local, "logs", "local", "--since", "1h").returncode == 0
    assert webctl(local, "logs", "local", "--filter", "ERROR").returncode == 0
    assert emulator_state(local) == before


# ------------------------------------------------------------------ cannot tell: exit 2


def run(*args: str, env: dict | None) -> subprocess.CompletedProcess:
    """`webctl <args>` in the project itself (nothing launched there)."""
    return subprocess.run(
        [str(WEBCTL), *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_status_of_an_environment_not_launched_names_every_missing_stack(aws):
    result = run("status", "local", env=None)
    assert result.returncode == 2, result.stdout + result.stderr
    for stack in ("network", "cognito", "edge", "alb-ecs", "monitoring"):
        assert f"webapp-local-{stack} (local/{stack}.yaml)" in result.stderr
    assert "not launched: run `sceptre launch local` first" in result.stderr
    assert result.stdout == ""
