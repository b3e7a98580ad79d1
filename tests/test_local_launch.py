"""The whole product end to end on `local`: sceptre, the resolvers and the health hook on the emulator."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import boto3
import pytest
from local_project import edited, start_local
from waiting import alive

from sceptre_fargate_cognito.config_schema import load_environment
from sceptre_fargate_cognito.local_env.launch import PROJECT_ROOT

pytestmark = pytest.mark.e2e

STACKS = {
    "network": "webapp-local-network",
    "cognito": "webapp-local-cognito",
    "edge": "webapp-local-edge",
    "alb-ecs": "webapp-local-alb-ecs",
    "monitoring": "webapp-local-monitoring",
}

WELL_FORMED = {
    "VpcId": r"vpc-[0-9a-f]+",
    "VpcCidr": r"10\.10\.0\.0/16",
    "PublicSubnetIds": r"subnet-[0-9a-f]+(,subnet-[0-9a-f]+)+",
    "PrivateSubnetIds": r"subnet-[0-9a-f]+(,subnet-[0-9a-f]+)+",
    "AlbSecurityGroupId": r"sg-[0-9a-f]+",
    "ServiceSecurityGroupId": r"sg-[0-9a-f]+",
    "AvailabilityZones": r"eu-west-1a,eu-west-1b",
    "UserPoolArn": r"arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_\w+",
    "UserPoolId": r"eu-west-1_\w+",
    "UserPoolClientId": r"\w+",
    "UserPoolDomain": r"webapp-local-123456789012",
    # local's hosted UI and app are on the data plane's loopback port (*.localhost: no hosts entry).
    "HostedUiDomain": r"webapp-local-123456789012\.auth\.eu-west-1\.localhost:\d+",
    "AlbDnsName": r"[\w-]+\.eu-west-1\.elb\.amazonaws\.com",
    "AlbHostedZoneId": r"Z[0-9A-Z]+",
    "ServiceUrl": r"https://app\.sceptre\.localhost:\d+",
    "AuthDomain": r"webapp-local-123456789012\.auth\.eu-west-1\.localhost:\d+",
    "ClusterName": r"[\w-]+",
    "ServiceName": r"[\w-]+",
    "TargetGroupArn": r"arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/[\w-]+/[0-9a-f]+",
    "LogGroupName": r"[\w/.-]+",
    "AccessLogBucketName": r"webapp-local-edge-accesslogbucketresource-\w+",
    "LoadBalancerFullName": r"app/[\w-]+/[0-9a-f]+",
    "TargetGroupFullName": r"targetgroup/[\w-]+/[0-9a-f]+",
    "AlarmTopicArn": r"arn:aws:sns:eu-west-1:123456789012:[\w-]+",
    "DashboardUrl": r"https://eu-west-1\.console\.aws\.amazon\.com/cloudwatch/home\?region=eu-west-1"
    r"#dashboards:name=webapp-local-service",
}


def stack(local, name):
    (found,) = local.client("cloudformation").describe_stacks(StackName=STACKS[name])["Stacks"]
    return found


def outputs(local, name):
    return {o["OutputKey"]: o["OutputValue"] for o in stack(local, name).get("Outputs", [])}


def parameters(local, name):
    return {p["ParameterKey"]: p["ParameterValue"] for p in stack(local, name)["Parameters"]}


def event_time(local, name, status):
    events = local.client("cloudformation").describe_stack_events(StackName=STACKS[name])["StackEvents"]
    return min(
        e["Timestamp"]
        for e in events
        if e["LogicalResourceId"] == STACKS[name] and e["ResourceStatus"] == status
    )


def sceptre_ok(local, *args):
    result = local.sceptre(*args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_monitoring_starts_after_alb_ecs_is_complete(launched_local):
    assert event_time(launched_local, "alb-ecs", "CREATE_COMPLETE") <= event_time(
        launched_local, "monitoring", "CREATE_IN_PROGRESS"
    )


def test_network_cognito_and_edge_are_complete_before_alb_ecs_starts(launched_local):
    alb_started = event_time(launched_local, "alb-ecs", "CREATE_IN_PROGRESS")
    for dependency in ("network", "cognito", "edge"):
        assert event_time(launched_local, dependency, "CREATE_COMPLETE") <= alb_started


def test_every_output_is_present_and_well_formed(launched_local):
    seen = {}
    for name in STACKS:
        assert stack(launched_local, name)["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
        seen |= outputs(launched_local, name)
    assert set(seen) == set(WELL_FORMED)
    for key, pattern in WELL_FORMED.items():
        assert re.fullmatch(pattern, seen[key]), f"{key} = {seen[key]!r}"


def test_alb_ecs_receives_the_resolved_certificate_and_image_digest(launched_local):
    passed = parameters(launched_local, "alb-ecs")
    assert passed["CertificateArn"] == launched_local.state.certificate_arn
    (image,) = launched_local.client("ecr").describe_images(
        repositoryName="webapp", imageIds=[{"imageTag": "local"}]
    )["imageDetails"]
    assert passed["ImageUri"] == (
        f"123456789012.dkr.ecr.eu-west-1.amazonaws.com/webapp@{image['imageDigest']}"
    )


def test_alb_ecs_receives_the_other_stacks_outputs(launched_local):
    passed = parameters(launched_local, "alb-ecs")
    network, cognito = outputs(launched_local, "network"), outputs(launched_local, "cognito")
    assert passed["PrivateSubnetIds"] == network["PrivateSubnetIds"]
    assert passed["UserPoolArn"] == cognito["UserPoolArn"]
    assert passed["UserPoolDomain"] == cognito["UserPoolDomain"]
    assert passed["AccessLogBucket"] == outputs(launched_local, "edge")["AccessLogBucketName"]


def default_security_group(local):
    vpc = outputs(local, "network")["VpcId"]
    (group,) = local.client("ec2").describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"]
    return group


def test_the_vpc_default_security_group_keeps_no_rule_even_one_added_by_hand(launched_local):
    group = default_security_group(launched_local)
    assert (group["IpPermissions"], group["IpPermissionsEgress"]) == ([], [])
    launched_local.client("ec2").authorize_security_group_ingress(
        GroupId=group["GroupId"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    sceptre_ok(launched_local, "launch", "local/network.yaml", "--yes")
    group = default_security_group(launched_local)
    assert (group["IpPermissions"], group["IpPermissionsEgress"]) == ([], [])


def test_diff_right_after_launch_shows_no_difference_for_any_stack(launched_local):
    for name in STACKS:
        result = sceptre_ok(launched_local, "diff", f"local/{name}.yaml")
        assert "No difference to deployed stack" in result.stdout, result.stdout


def test_a_second_launch_with_nothing_changed_is_a_no_op(launched_local):
    before = {name: stack(launched_local, name).get("LastUpdatedTime") for name in STACKS}
    result = sceptre_ok(launched_local, "launch", "local", "--yes")
    assert "No updates to perform" in result.stdout + result.stderr
    assert {name: stack(launched_local, name).get("LastUpdatedTime") for name in STACKS} == before


def test_a_config_change_shows_exactly_in_diff_then_launch_applies_it(launched_local):
    config = launched_local.project / "config" / "local" / "config.yaml"
    ecs = launched_local.client("ecs")
    service = outputs(launched_local, "alb-ecs")
    with edited(config, r"^desired_count: 1$", "desired_count: 2"):
        output = sceptre_ok(launched_local, "diff", "local/alb-ecs.yaml").stdout
        assert "No difference to deployed stack webapp-local-network" in output
        assert "No difference to deployed stack webapp-local-cognito" in output
        diff = output.split("Difference detected for stack webapp-local-alb-ecs")[1]
        assert re.findall(r"^\s+(root\S+):", diff, flags=re.M) == ["root.parameters['DesiredCount']"], diff
        assert re.search(r"new_value: '2'\s+old_value: '1'", diff), diff
        assert "No template difference" in diff

        sceptre_ok(launched_local, "launch", "local", "--yes")
        (running,) = ecs.describe_services(cluster=service["ClusterName"], services=[service["ServiceName"]])[
            "services"
        ]
        assert running["desiredCount"] == 2
    sceptre_ok(launched_local, "launch", "local", "--yes")
    (running,) = ecs.describe_services(cluster=service["ClusterName"], services=[service["ServiceName"]])[
        "services"
    ]
    assert running["desiredCount"] == 1


def test_a_missing_image_tag_stops_the_launch_in_the_preflight_with_the_resolver_message_and_changes_nothing(
    launched_local,
):
    config = launched_local.project / "config" / "local" / "config.yaml"
    before = {name: stack(launched_local, name)["StackStatus"] for name in STACKS}
    with edited(config, r"^image_tag: local$", "image_tag: not-pushed"):
        result = launched_local.sceptre("launch", "local", "--yes")
    assert result.returncode != 0
    output = " ".join((result.stdout + result.stderr).replace("\\n", " ").split())
    # Whichever stack of the first level asks first (network, cognito or edge) stops the launch.
    assert re.search(
        r"local/(network|cognito|edge) - !preflight: stopped before any stack changed: "
        r"- !ecr_image: repository webapp \(registry \(this account\), region eu-west-1\) "
        r"has no image with tag not-pushed\. Most recently pushed tags: local\.",
        output,
    ), output
    assert "Traceback" not in output
    assert {name: stack(launched_local, name)["StackStatus"] for name in STACKS} == before


def test_a_failing_health_check_fails_the_launch_with_the_hook_summary(launched_local):
    config = launched_local.project / "config" / "local" / "config.yaml"
    with (
        edited(config, r"^  deadline: \d+$", "  deadline: 3\n  timeout: 1"),
        edited(config, r"^  connect_to: .*$", '  connect_to: "127.0.0.1:9"'),
    ):
        result = launched_local.sceptre("launch", "local", "--yes")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "UNHEALTHY" in output
    assert "refused" in output.lower()


@pytest.fixture
def fresh_local(tmp_path):
    local = start_local(tmp_path)
    try:
        yield local
    finally:
        local.stop()


def test_a_missing_certificate_fails_the_launch_and_leaves_no_stack_half_made(fresh_local):
    acm = fresh_local.client("acm")
    acm.delete_certificate(CertificateArn=fresh_local.state.certificate_arn)
    result = fresh_local.sceptre("launch", "local", "--yes")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "app.sceptre.localhost" in output and "eu-west-1" in output and "123456789012" in output
    assert "Traceback" not in output
    statuses = {
        s["StackName"]: s["StackStatus"]
        for s in fresh_local.client("cloudformation").describe_stacks()["Stacks"]
    }
    assert STACKS["alb-ecs"] not in statuses
    assert all(status.endswith("_COMPLETE") and "ROLLBACK" not in status for status in statuses.values()), (
        statuses
    )


def leftovers(local) -> dict[str, list]:
    """Everything of ours the emulator still holds (the default VPC and its parts excepted)."""
    ec2 = local.client("ec2")
    vpcs = [v["VpcId"] for v in ec2.describe_vpcs()["Vpcs"] if not v.get("IsDefault")]
    return {
        "vpcs": vpcs,
        "subnets": [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"] if s["VpcId"] in vpcs],
        "nat gateways": [
            n["NatGatewayId"] for n in ec2.describe_nat_gateways()["NatGateways"] if n["State"] != "deleted"
        ],
        "elastic ips": [a.get("AllocationId") for a in ec2.describe_addresses()["Addresses"]],
        "load balancers": [
            lb["LoadBalancerArn"] for lb in local.client("elbv2").describe_load_balancers()["LoadBalancers"]
        ],
        "target groups": [
            tg["TargetGroupArn"] for tg in local.client("elbv2").describe_target_groups()["TargetGroups"]
        ],
        "ecs clusters": local.client("ecs").list_clusters()["clusterArns"],
        "task definitions": local.client("ecs").list_task_definitions()["taskDefinitionArns"],
        "log groups": [g["logGroupName"] for g in local.client("logs").describe_log_groups()["logGroups"]],
        "roles": [
            r["RoleName"]
            for r in local.client("iam").list_roles()["Roles"]
            if not r["Path"].startswith("/aws-service-role/")
        ],
        "scalable targets": local.client("application-autoscaling").describe_scalable_targets(
            ServiceNamespace="ecs"
        )["ScalableTargets"],
        "alarms": local.client("cloudwatch").describe_alarms()["MetricAlarms"],
        "dashboards": local.client("cloudwatch").list_dashboards()["DashboardEntries"],
        "topics": local.client("sns").list_topics()["Topics"],
        "stacks": [s["StackName"] for s in local.client("cloudformation").describe_stacks()["Stacks"]],
        "buckets": [b["Name"] for b in local.client("s3").list_buckets()["Buckets"]],
    }


def test_delete_removes_every_stack_and_leaves_only_the_retained_user_pool_and_log_bucket(fresh_local):
    sceptre_ok(fresh_local, "launch", "local", "--yes")
    assert any(leftovers(fresh_local).values())
    log_bucket = outputs(fresh_local, "edge")["AccessLogBucketName"]
    sceptre_ok(fresh_local, "delete", "local", "--yes")
    left = {kind: items for kind, items in leftovers(fresh_local).items() if items}
    # The access logs are kept by design (DeletionPolicy: RetainExceptOnCreate), still TLS-only.
    assert left == {"buckets": [log_bucket]}
    assert "aws:SecureTransport" in fresh_local.client("s3").get_bucket_policy(Bucket=log_bucket)["Policy"]
    # The user pool is retained by design (DeletionPolicy: RetainExceptOnCreate), and nothing else of Cognito.
    pools = fresh_local.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"]
    assert len(pools) == 1


def test_bin_launch_local_runs_every_step_and_stops_what_it_started(tmp_path):
    # The README's first command, as a user runs it (setup is already done by bin/test).
    result = subprocess.run(
        [sys.executable, "-m", "sceptre_fargate_cognito.local_env.launch", "--state-dir", str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for step in (
        "[1/5]",
        "[2/5]",
        "[3/5]",
        "[4/5]",
        "task runner",
        "[5/5]",
        "HEALTHY",
        "stopped the task runner",
    ):
        assert step in result.stdout + result.stderr
    assert not (tmp_path / "state.json").exists()


def test_keep_prints_the_app_url_and_stop_stops_the_task_runner_and_every_task_it_started(tmp_path):
    def launch_local(*args: str) -> subprocess.CompletedProcess:
        # Output to a file, not a pipe: what --keep leaves running may hold the pipe open.
        output = tmp_path / f"launch-local{'-'.join(args)}.txt"
        with output.open("w") as out:
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "sceptre_fargate_cognito.local_env.launch",
                    "--state-dir",
                    str(tmp_path),
                    *args,
                ],
                cwd=PROJECT_ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=600,
            )
        result.stdout = output.read_text()
        return result

    kept = launch_local("--keep")
    try:
        assert kept.returncode == 0, kept.stdout
        state = json.loads((tmp_path / "state.json").read_text())
        domain = re.escape(load_environment(PROJECT_ROOT, "local")["domain_name"])
        assert re.search(
            rf"LOCAL_APP_URL=https://{domain}:{state['https_port']}/?( |$)", kept.stdout, re.M
        ), kept.stdout
        assert alive(state["runner_pid"]), "the task runner is kept running"
        # The default local_app_command, the sample application, runs and passes its health checks.
        ecs = boto3.client(
            "ecs",
            endpoint_url=state["endpoint"],
            region_name=load_environment(PROJECT_ROOT, "local")["region"],
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        (cluster,) = ecs.list_clusters()["clusterArns"]
        (service_arn,) = ecs.list_services(cluster=cluster)["serviceArns"]
        deadline = time.monotonic() + 90
        while True:
            (service,) = ecs.describe_services(cluster=cluster, services=[service_arn])["services"]
            if service["runningCount"] == service["desiredCount"] or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert service["runningCount"] == service["desiredCount"], (tmp_path / "task-runner.log").read_text()
    finally:
        stopped = launch_local("--stop")
    assert stopped.returncode == 0, stopped.stdout
    assert not alive(state["runner_pid"])
    started = re.findall(
        r"started on 127\.0\.0\.1:\d+ \(pid (\d+)\)", (tmp_path / "task-runner.log").read_text()
    )
    assert started, "the runner started the service's task"
    assert not [pid for pid in map(int, started) if alive(pid)], "no task outlives the runner"
