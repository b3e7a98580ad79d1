"""The `diff-report` command: what a launch would change, as Markdown a reviewer reads.

Rendering is tested on Sceptre's own StackDiff shapes; the no-false-difference property and a known
change are tested on the `local` environment the tests share (conftest's `launched_local`).
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sceptre.diffing.stack_differ import StackConfiguration, StackDiff

from sceptre_fargate_cognito.review import diff_report, update_behaviour
from sceptre_fargate_cognito.review.markdown import render
from sceptre_fargate_cognito.review.stack_changes import stack_changes
from templates import STACKS, template

DIFF_REPORT = Path(sys.executable).parent / "diff-report"

NETWORK = {
    "Parameters": {"Cidr": {"Type": "String"}},
    "Resources": {
        "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": {"Ref": "Cidr"}}},
        "Subnet": {
            "Type": "AWS::EC2::Subnet",
            "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "10.0.0.0/24"},
        },
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
    },
}


def config(parameters: dict, name="webapp-dev-network") -> StackConfiguration:
    return StackConfiguration(
        stack_name=name,
        parameters=parameters,
        stack_tags={"Project": "webapp"},
        notifications=[],
        cloudformation_service_role=None,
    )


def changes(
    old_template, new_template, old_parameters, new_parameters, deployed=True, name="dev/network.yaml"
):
    """StackChanges from the two sides, in the shape ReportDiffer hands them over."""
    diff = StackDiff(
        "webapp-dev-network",
        (old_template, new_template),
        (config(old_parameters) if deployed else None, config(new_parameters)),
        deployed,
        config(new_parameters),
        json.dumps(new_template),
    )
    return stack_changes(name, diff, region="eu-west-1")


def with_(template: dict, **resources) -> dict:
    copy = json.loads(json.dumps(template))
    for logical_id, resource in resources.items():
        if resource is None:
            del copy["Resources"][logical_id]
        else:
            copy["Resources"][logical_id] = resource
    return copy


# --- rendering ------------------------------------------------------------------------------


def test_a_stack_with_nothing_changed_says_no_change_and_exits_0():
    stack = changes(NETWORK, NETWORK, {"Cidr": "10.0.0.0/16"}, {"Cidr": "10.0.0.0/16"})
    report = render("dev", [stack])

    assert "**No change.** Launching `dev` now would change nothing." in report
    assert "| `dev/network.yaml` | no change |" in report
    assert "CAUTION" not in report
    assert diff_report.exit_status([stack]) == diff_report.NO_CHANGE


def test_a_changed_vpc_cidr_is_called_out_at_the_top_as_a_vpc_replacement_and_replaces_its_subnet():
    stack = changes(NETWORK, NETWORK, {"Cidr": "10.0.0.0/16"}, {"Cidr": "10.1.0.0/16"})
    report = render("dev", [stack])

    assert report.index("[!CAUTION]") < report.index("| stack | result |")
    assert (
        "> - `dev/network.yaml`: VPC (every subnet, endpoint and task in it) `Vpc` (AWS::EC2::VPC) "
        "will be **replaced** — because of parameter Cidr"
    ) in report
    assert "| `Cidr` | `10.0.0.0/16` | `10.1.0.0/16` |" in report
    assert "| modify | `Vpc` | AWS::EC2::VPC | **replace** | parameter Cidr |" in report
    assert "| modify | `Subnet` | AWS::EC2::Subnet | **replace** | new Vpc |" in report
    assert "`Logs`" not in report
    assert diff_report.exit_status([stack]) == diff_report.DESTRUCTIVE


def test_a_property_change_that_updates_in_place_is_a_modification_without_replacement():
    new = with_(NETWORK, Logs={"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 365}})
    stack = changes(NETWORK, new, {"Cidr": "10.0.0.0/16"}, {"Cidr": "10.0.0.0/16"})
    report = render("dev", [stack])

    assert "| modify | `Logs` | AWS::Logs::LogGroup | no | property RetentionInDays |" in report
    assert "| `dev/network.yaml` | resources: 1 modified |" in report
    assert "CAUTION" not in report
    assert diff_report.exit_status([stack]) == diff_report.CHANGES


def test_a_removed_log_group_and_an_added_resource_are_listed_and_the_removal_called_out():
    new = with_(NETWORK, Logs=None, Topic={"Type": "AWS::SNS::Topic"})
    report = render("dev", [changes(NETWORK, new, {"Cidr": "x"}, {"Cidr": "x"})])

    assert "| **remove** | `Logs` | AWS::Logs::LogGroup | — |  |" in report
    assert "| add | `Topic` | AWS::SNS::Topic | — |  |" in report
    assert "`Logs` (AWS::Logs::LogGroup) will be **removed**" in report
    assert "resources: 1 added, 1 removed" in report


def test_a_retained_user_pool_is_still_called_out_and_the_report_says_it_is_kept():
    pool = {
        "UserPool": {
            "Type": "AWS::Cognito::UserPool",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {"UsernameAttributes": ["email"]},
        }
    }
    old = {"Resources": pool}
    new = {
        "Resources": {
            "UserPool": {**pool["UserPool"], "Properties": {"UsernameAttributes": ["phone_number"]}}
        }
    }
    report = render("prod", [changes(old, new, {}, {}, name="prod/cognito.yaml")])

    assert (
        "`UserPool` (AWS::Cognito::UserPool) will be **replaced** — because of property UsernameAttributes "
        "(the old one is retained, not deleted, by its Retain policy)"
    ) in report


def test_a_parameter_feeding_a_create_only_property_replaces_the_resource():
    template = {
        "Parameters": {"VpcId": {"Type": "String"}, "Delay": {"Type": "String"}},
        "Resources": {
            "TargetGroup": {
                "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                "Properties": {
                    "VpcId": {"Ref": "VpcId"},
                    "TargetGroupAttributes": [{"Key": "d", "Value": {"Fn::Sub": "${Delay}"}}],
                },
            }
        },
    }

    moved_vpc = changes(
        template, template, {"VpcId": "vpc-1", "Delay": "20"}, {"VpcId": "vpc-2", "Delay": "20"}
    )
    slower = changes(template, template, {"VpcId": "vpc-1", "Delay": "20"}, {"VpcId": "vpc-1", "Delay": "60"})

    assert [(r.logical_id, r.replacement, r.causes) for r in moved_vpc.resources] == [
        ("TargetGroup", "True", ["parameter VpcId"])
    ]
    assert [(r.logical_id, r.replacement, r.causes) for r in slower.resources] == [
        ("TargetGroup", "False", ["parameter Delay"])
    ]


def test_a_changed_property_of_a_type_no_schema_describes_may_replace_the_resource():
    custom = {"Resources": {"Seed": {"Type": "Custom::Seed", "Properties": {"Size": 1}}}}
    grown = {"Resources": {"Seed": {"Type": "Custom::Seed", "Properties": {"Size": 2}}}}
    report = render("dev", [changes(custom, grown, {}, {})])

    assert "| modify | `Seed` | Custom::Seed | **may replace** | property Size |" in report


def test_without_cfn_lint_schemas_the_report_fails_rather_than_guess_may_replace(tmp_path, monkeypatch):
    monkeypatch.setattr(update_behaviour, "_cfn_lint_dir", lambda: tmp_path / "cfnlint")
    update_behaviour._schema.cache_clear()
    try:
        new = with_(NETWORK, Logs={"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 365}})
        with pytest.raises(update_behaviour.SchemasMissing, match="ships no resource schemas under"):
            changes(NETWORK, new, {"Cidr": "x"}, {"Cidr": "x"})
    finally:
        update_behaviour._schema.cache_clear()


def test_a_stack_not_launched_yet_is_a_new_stack_with_placeholders_for_outputs_not_known_yet():
    placeholder = "{ !StackOutput(dev/network.yaml::VpcId) }"
    report = render("dev", [changes({}, NETWORK, {}, {"Cidr": placeholder}, deployed=False)])

    assert "| `dev/network.yaml` | **new stack**: 3 resources to create |" in report
    assert (
        "| `Cidr` | _(not passed: template default)_ | _known after its dependency launches_ (`!stack_output dev/network.yaml::VpcId`) |"
        in report
    )
    assert "CAUTION" not in report


def test_noecho_parameters_are_masked_and_said_to_be_incomparable():
    report = render("dev", [changes(NETWORK, NETWORK, {"Cidr": "****"}, {"Cidr": "****"})])
    assert (
        "No change.\nNoEcho parameters cannot be compared (CloudFormation never returns them): Cidr."
        in report
    )


def test_a_pipe_in_a_value_does_not_break_the_table():
    report = render("dev", [changes(NETWORK, NETWORK, {"Cidr": "a|b"}, {"Cidr": "c"})])
    assert "| `Cidr` | `a\\|b` | `c` |" in report


def test_bad_arguments_exit_1_so_2_and_3_always_mean_changes():
    result = subprocess.run([str(DIFF_REPORT)], capture_output=True, text=True)
    assert result.returncode == 1 and "the following arguments are required: environment" in result.stderr


# --- exposure, from the real generated templates ----------------------------------------------

ALB_ECS_PARAMETERS = {
    "ServiceSecurityGroupId": "sg-0service",
    "AlbSecurityGroupId": "sg-0alb",
    "ContainerPort": "8080",
}
EXPOSURE_HEADING = "> **This change alters who may reach what (network exposure):**"


def generated(stack: str) -> dict:
    """A copy of dev's generated template of the stack, for a test to change."""
    return copy.deepcopy(template("dev", stack))


def alb_ecs_changes(new: dict, old_parameters=None, new_parameters=None):
    return changes(
        template("dev", "alb-ecs"),
        new,
        old_parameters or ALB_ECS_PARAMETERS,
        new_parameters or ALB_ECS_PARAMETERS,
        name="dev/alb-ecs.yaml",
    )


def test_a_new_ingress_rule_is_called_out_at_the_top_as_a_change_in_exposure_and_exits_3():
    new = generated("alb-ecs")
    new["Resources"]["OpenToEveryone"] = {
        "Type": "AWS::EC2::SecurityGroupIngress",
        "Properties": {
            "GroupId": {"Ref": "ServiceSecurityGroupId"},
            "IpProtocol": "tcp",
            "FromPort": {"Ref": "ContainerPort"},
            "ToPort": {"Ref": "ContainerPort"},
            "CidrIp": "0.0.0.0/0",
        },
    }
    stack = alb_ecs_changes(new)
    report = render("dev", [stack])

    assert report.index("[!CAUTION]") < report.index(EXPOSURE_HEADING) < report.index("| stack | result |")
    assert (
        "> - `dev/alb-ecs.yaml` **opens** ingress: anywhere (0.0.0.0/0) → sg-0service, tcp 8080 — "
        "`OpenToEveryone` (AWS::EC2::SecurityGroupIngress)\n"
    ) in report
    assert "replaces or removes" not in report
    assert diff_report.exit_status([stack]) == diff_report.DESTRUCTIVE


def test_a_moved_port_in_the_network_stack_opens_the_new_path_and_closes_the_old_one():
    old, new = generated("network"), generated("network")
    for resource in new["Resources"].values():
        rule = resource["Type"] in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress")
        if rule and resource["Properties"]["FromPort"] == 8080:
            resource["Properties"].update(FromPort=8081, ToPort=8081)
    stack = changes(old, new, {}, {}, name="dev/network.yaml")
    lines = [
        line for line in render("dev", [stack]).splitlines() if "**opens**" in line or "**closes**" in line
    ]

    assert [line.split(" — ")[0] for line in lines] == [
        "> - `dev/network.yaml` **opens** egress: network:AlbSecurityGroup → network:ServiceSecurityGroup, tcp 8081",
        "> - `dev/network.yaml` **opens** ingress: network:AlbSecurityGroup → network:ServiceSecurityGroup, tcp 8081",
        "> - `dev/network.yaml` **closes** egress: network:AlbSecurityGroup → network:ServiceSecurityGroup, tcp 8080",
        "> - `dev/network.yaml` **closes** ingress: network:AlbSecurityGroup → network:ServiceSecurityGroup, tcp 8080",
    ]


def test_a_second_listener_and_a_public_ip_on_the_tasks_are_called_out():
    new = generated("alb-ecs")
    https = new["Resources"]["HttpsListener"]
    new["Resources"]["AdminListener"] = {**https, "Properties": {**https["Properties"], "Port": 8443}}
    new["Resources"]["Service"]["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"][
        "AssignPublicIp"
    ] = "ENABLED"
    report = render("dev", [alb_ecs_changes(new)])

    assert (
        "> - `dev/alb-ecs.yaml` **opens** listener: internet → alb-ecs:LoadBalancer, HTTPS 8443 — "
        "`AdminListener` (AWS::ElasticLoadBalancingV2::Listener)"
    ) in report
    assert (
        "> - `dev/alb-ecs.yaml` **opens** public IP: internet → alb-ecs:Service, AssignPublicIp ENABLED — "
        "`Service` (AWS::ECS::Service) NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"
    ) in report


def test_an_internal_alb_is_called_out_as_a_replacement_and_as_a_change_in_exposure():
    new = generated("alb-ecs")
    new["Resources"]["LoadBalancer"]["Properties"]["Scheme"] = "internal"
    stack = alb_ecs_changes(new)
    report = render("dev", [stack])

    assert (
        "`LoadBalancer` (AWS::ElasticLoadBalancingV2::LoadBalancer) will be **replaced** — because of property Scheme"
        in report
    )
    assert (
        "**opens** load balancer (application): the VPC (internal) → alb-ecs:LoadBalancer, scheme internal"
    ) in report
    assert "**closes** listener: internet → alb-ecs:LoadBalancer, HTTPS 443" in report


def test_a_listener_or_rule_change_that_moves_no_path_is_still_called_out_as_a_change_in_exposure():
    tls = alb_ecs_changes(
        generated("alb-ecs"),
        {**ALB_ECS_PARAMETERS, "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06"},
        {**ALB_ECS_PARAMETERS, "SslPolicy": "ELBSecurityPolicy-TLS13-1-3-2021-06"},
    )
    described = generated("network")
    for resource in described["Resources"].values():
        if resource["Type"] == "AWS::EC2::SecurityGroupIngress":
            resource["Properties"]["Description"] = "reworded"
    rule = changes(template("dev", "network"), described, {}, {}, name="dev/network.yaml")

    assert [str(e) for e in tls.exposure] == [
        "**changes** `HttpsListener` (AWS::ElasticLoadBalancingV2::Listener) modified — because of parameter SslPolicy"
    ]
    assert [str(e).split(" (")[0] for e in rule.exposure] == [
        "**changes** `ServiceSecurityGroupfromCDKStackAlbSecurityGroupFEEAE7BF80801F78CB59`"
    ]
    assert str(rule.exposure[0]).endswith("modified — because of property Description")
    assert diff_report.exit_status([tls]) == diff_report.exit_status([rule]) == diff_report.DESTRUCTIVE


def test_a_new_listener_rule_is_a_change_but_not_a_change_in_exposure():
    new = generated("alb-ecs")
    rule = copy.deepcopy(new["Resources"]["HealthCheckRule"])
    rule["Properties"]["Priority"] = 2
    new["Resources"]["SignedOutRule"] = rule
    stack = alb_ecs_changes(new)

    assert stack.exposure == []
    assert "CAUTION" not in render("dev", [stack])
    assert diff_report.exit_status([stack]) == diff_report.CHANGES


def test_a_stack_not_launched_yet_is_listed_as_new_without_a_call_out_of_what_it_opens():
    # Everything a new stack has is new, and listed as added; the caution box (and exit 3) is for
    # what a launch changes in the exposure of what is deployed, as it is for replacements.
    stack = changes({}, template("dev", "network"), {}, {}, deployed=False, name="dev/network.yaml")

    report = render("dev", [stack])
    assert "AlbSecurityGroup" in report and "CAUTION" not in report
    assert stack.exposure == []
    assert diff_report.exit_status([stack]) == diff_report.CHANGES


# --- on a launched local environment --------------------------------------------------------


def run_report(local, tmp_path, *args):
    summary = tmp_path / "summary.md"
    env = {**local.env, "GITHUB_STEP_SUMMARY": str(summary)}
    result = subprocess.run(
        [str(DIFF_REPORT), "local", "--github-step-summary", *args],
        cwd=local.project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result, summary


@pytest.mark.e2e
def test_after_a_launch_every_stack_of_local_says_no_change(launched_local, tmp_path):
    result, summary = run_report(launched_local, tmp_path, "--output", str(tmp_path / "report.md"))

    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    for stack in STACKS:
        assert f"| `local/{stack}.yaml` | no change |" in result.stdout
    assert "**No change.** Launching `local` now would change nothing." in result.stdout
    assert summary.read_text() == result.stdout + "\n"
    assert (tmp_path / "report.md").read_text() == result.stdout


@pytest.mark.e2e
def test_a_moved_image_tag_shows_exactly_as_a_new_image_digest_and_a_replaced_task_definition(
    launched_local, tmp_path
):
    from sceptre_fargate_cognito.local_env.launch import local_image_seed
    from sceptre_fargate_cognito.local_env.seed import push_image_with_config

    ecr = launched_local.client("ecr")
    repository, tag = launched_local.settings["image_repository"], launched_local.settings["image_tag"]
    [before] = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])["imageDetails"]
    after = push_image_with_config(repository, tag, "a new build", client=ecr)
    registry = f"123456789012.dkr.ecr.{launched_local.settings['region']}.amazonaws.com/{repository}"
    try:
        check_the_moved_tag_report(launched_local, tmp_path, registry, before["imageDigest"], after)
    finally:
        # Give the shared environment back as the fixture made it: the tag on its first image, launched.
        push_image_with_config(repository, tag, local_image_seed(repository, tag), client=ecr)
        restored = launched_local.sceptre("launch", "local", "--yes")
        assert restored.returncode == 0, restored.stderr[-4000:]


def check_the_moved_tag_report(launched_local, tmp_path, registry, before, after):
    result, _ = run_report(launched_local, tmp_path)

    assert result.returncode == diff_report.CHANGES, result.stdout + result.stderr[-3000:]
    # The init container runs the app's own image unless init_image names another: both move.
    assert f"| `ImageUri` | `{registry}@{before}` | `{registry}@{after}` |" in result.stdout
    assert f"| `InitImageUri` | `{registry}@{before}` | `{registry}@{after}` |" in result.stdout
    assert (
        "| modify | `TaskDefinition` | AWS::ECS::TaskDefinition | **replace** | "
        "parameter ImageUri, parameter InitImageUri |" in result.stdout
    )
    assert "| `local/alb-ecs.yaml` | 2 parameters; resources: " in result.stdout
    for stack in set(STACKS) - {"alb-ecs"}:
        assert f"| `local/{stack}.yaml` | no change |" in result.stdout
    assert "CAUTION" not in result.stdout

    # Launching the change leaves nothing to report again.
    launch = launched_local.sceptre("launch", "local", "--yes")
    assert launch.returncode == 0, launch.stderr[-4000:]
    again, _ = run_report(launched_local, tmp_path)
    assert again.returncode == 0, again.stdout


@pytest.mark.e2e
def test_a_new_container_port_is_called_out_as_a_change_in_exposure(launched_local, tmp_path):
    from local_project import edited

    config = launched_local.project / "config" / "local" / "config.yaml"
    with edited(config, r"^desired_count: 1$", "desired_count: 1\ncontainer_port: 8081"):
        result, _ = run_report(launched_local, tmp_path)

    assert result.returncode == diff_report.DESTRUCTIVE, result.stdout + result.stderr[-3000:]
    exposure = result.stdout[
        result.stdout.index(EXPOSURE_HEADING) : result.stdout.index("| stack | result |")
    ]
    for verb, port in (("opens", 8081), ("closes", 8080)):
        for direction in ("egress", "ingress"):
            assert (
                f"> - `local/network.yaml` **{verb}** {direction}: network:AlbSecurityGroup → "
                f"network:ServiceSecurityGroup, tcp {port} — "
            ) in exposure
    # The target group is replaced (its port is create-only), so the listener forwards to a new one.
    assert [line for line in exposure.splitlines() if "local/alb-ecs.yaml" in line] == [
        "> - `local/alb-ecs.yaml` **changes** `HttpsListener` (AWS::ElasticLoadBalancingV2::Listener) "
        "modified — because of new TargetGroup"
    ]


# --- machine clients (docs/machine-clients.md) -------------------------------------------------


def cognito_with_api(folder: Path, clients: str) -> tuple[dict, dict]:
    """(dev's cognito template, its parameters) with an api whose clients are `clients` (YAML)."""
    from api_support import project_with_api, rendered

    api = f"\napi:\n  paths: [/api/*]\n  scopes: {{orders.read: Read orders}}\n  clients: {clients}\n"
    _, t = rendered(project_with_api(folder, "dev", api), "dev", "cognito")
    # What the stack config passes (strings), as CloudFormation's parameters are.
    return t.raw, {k: v for k, v in t.parameters.items() if isinstance(v, str)}


def test_a_new_machine_client_is_an_added_app_client_and_the_first_one_adds_the_resource_server(tmp_path):
    one, parameters = cognito_with_api(tmp_path / "one", "{partnerSync: [orders.read]}")
    two, _ = cognito_with_api(tmp_path / "two", "{partnerSync: [orders.read], nightly: [orders.read]}")
    without = template("dev", "cognito")

    added = render("dev", [changes(one, two, parameters, parameters, name="dev/cognito.yaml")])
    assert "| add | `MachineClientNightly` | AWS::Cognito::UserPoolClient | — |  |" in added
    assert "resources: 1 added" in added
    assert "| add | `MachineClientPartnerSync`" not in added

    first = render("dev", [changes(without, one, parameters, parameters, name="dev/cognito.yaml")])
    assert "| add | `ApiResourceServer` | AWS::Cognito::UserPoolResourceServer | — |  |" in first
    assert "| add | `MachineClientPartnerSync` | AWS::Cognito::UserPoolClient | — |  |" in first
    assert "resources: 2 added" in first
