"""The network stack as each environment deploys it: every security and reliability property.

Resources are found the way alb-ecs finds them, through the stack's outputs and the routes, not
through CDK's generated logical ids. Expected values come from the environment's config.
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
from functools import cache

import pytest
from cdk_app import VALID, network_module, synthesize
from test_environment_config import merged

from templates import ENVIRONMENTS, template

OUTPUTS = (
    "VpcId",
    "VpcCidr",
    "PublicSubnetIds",
    "PrivateSubnetIds",
    "AlbSecurityGroupId",
    "ServiceSecurityGroupId",
    "AvailabilityZones",
)
ANYWHERE = {"CidrIp": "0.0.0.0/0"}
HTTPS, HTTP = 443, 80


def ref_id(node) -> str:
    """Logical id a Ref or GetAtt points at."""
    if "Ref" in node:
        return node["Ref"]
    return node["Fn::GetAtt"][0]


class Network:
    def __init__(self, environment: str):
        self.environment = environment
        self.settings = merged(environment)
        self.raw = template(environment, "network")
        self.resources = self.raw["Resources"]
        self.outputs = self.raw.get("Outputs", {})

    def of_type(self, type_: str) -> dict[str, dict]:
        return {k: v.get("Properties", {}) for k, v in self.resources.items() if v["Type"] == type_}

    def output_ids(self, key: str) -> list[str]:
        value = self.outputs[key]["Value"]
        if "Fn::Join" in value:
            return [ref_id(item) for item in value["Fn::Join"][1]]
        return [ref_id(value)]

    @property
    def vpc(self) -> str:
        (vpc,) = self.of_type("AWS::EC2::VPC")
        return vpc

    @property
    def alb_sg(self) -> str:
        return self.output_ids("AlbSecurityGroupId")[0]

    @property
    def service_sg(self) -> str:
        return self.output_ids("ServiceSecurityGroupId")[0]

    def route_table_of(self, subnet: str) -> str:
        (table,) = [
            a["RouteTableId"]["Ref"]
            for a in self.of_type("AWS::EC2::SubnetRouteTableAssociation").values()
            if a["SubnetId"]["Ref"] == subnet
        ]
        return table

    def default_routes(self, route_table: str) -> list[dict]:
        return [
            r
            for r in self.of_type("AWS::EC2::Route").values()
            if r["RouteTableId"]["Ref"] == route_table and r.get("DestinationCidrBlock") == "0.0.0.0/0"
        ]

    def is_public(self, subnet: str) -> bool:
        igws = set(self.of_type("AWS::EC2::InternetGateway"))
        return any(
            r.get("GatewayId", {}).get("Ref") in igws
            for r in self.default_routes(self.route_table_of(subnet))
        )

    def subnets(self, public: bool) -> list[str]:
        return [s for s in self.of_type("AWS::EC2::Subnet") if self.is_public(s) == public]

    def az_index(self, subnet: str) -> int:
        index, azs = self.of_type("AWS::EC2::Subnet")[subnet]["AvailabilityZone"]["Fn::Select"]
        assert azs == {"Fn::GetAZs": ""}, f"{subnet} names its AZ otherwise than from Fn::GetAZs"
        return int(index)

    def rules(self, group: str, direction: str) -> list[dict]:
        """Every rule of a security group, inline or as its own resource."""
        inline_key = {"ingress": "SecurityGroupIngress", "egress": "SecurityGroupEgress"}[direction]
        inline = self.of_type("AWS::EC2::SecurityGroup")[group].get(inline_key, [])
        separate = [
            r for r in self.of_type(f"AWS::EC2::{inline_key}").values() if ref_id(r["GroupId"]) == group
        ]
        return inline + separate

    def endpoints(self, endpoint_type: str) -> dict[str, dict]:
        return {
            service_name(p["ServiceName"]): p
            for p in self.of_type("AWS::EC2::VPCEndpoint").values()
            if p["VpcEndpointType"] == endpoint_type
        }


def service_name(node) -> str:
    """com.amazonaws.{region}.ecr.api from the template's Fn::Join."""
    if isinstance(node, str):
        return node
    separator, parts = node["Fn::Join"]
    return separator.join("{region}" if p == {"Ref": "AWS::Region"} else p for p in parts)


def ports(rule: dict) -> tuple[str, int, int]:
    return rule["IpProtocol"], int(rule["FromPort"]), int(rule["ToPort"])


def is_no_traffic_placeholder(rule: dict) -> bool:
    # CDK's stand-in for "no egress": ICMP type 252 to 255.255.255.255, which no host sends.
    return rule.get("CidrIp") == "255.255.255.255/32" and rule["IpProtocol"] == "icmp"


@cache
def network(environment: str) -> Network:
    return Network(environment)


@pytest.fixture(params=ENVIRONMENTS)
def net(request) -> Network:
    return network(request.param)


# --- generation ---------------------------------------------------------------------------------


def test_the_network_stack_generates_offline(net):
    assert net.resources, f"{net.environment}/network generated no resources"


def test_the_stack_has_no_assets_custom_resources_or_lambdas(net):
    # restrictDefaultSecurityGroup and friends bring a Lambda asset: no offline synth, no emulator.
    types = {r["Type"] for r in net.resources.values()}
    assert not {
        t
        for t in types
        if t.startswith(("Custom::", "AWS::Lambda::")) or t == "AWS::CloudFormation::CustomResource"
    }
    assert not net.raw.get("Parameters"), "bootstrapless synth with no asset needs no parameter"


def test_nothing_names_a_region_account_partition_or_availability_zone(net):
    text = json.dumps(net.raw)
    assert net.settings["region"] not in text
    assert not re.search(r"\b[a-z]{2}(-gov)?-[a-z]+-\d[a-z]?\b", text), "a hard-coded region or AZ"
    assert not re.search(r"(?<!\d)\d{12}(?!\d)", text), "a hard-coded account id"
    assert "arn:aws:" not in text and "arn:aws-" not in text, "a hard-coded partition"


def test_replaceable_resources_have_no_hard_coded_names(net):
    named = {
        "AWS::Logs::LogGroup": "LogGroupName",
        "AWS::IAM::Role": "RoleName",
        "AWS::EC2::SecurityGroup": "GroupName",
        "AWS::IAM::Policy": None,
    }
    for logical_id, resource in net.resources.items():
        key = named.get(resource["Type"])
        assert not key or key not in resource.get("Properties", {}), f"{logical_id} has a fixed {key}"


# --- availability zones and subnets -------------------------------------------------------------


def test_the_vpc_has_the_configured_cidr_and_dns_for_private_endpoints(net):
    vpc = net.of_type("AWS::EC2::VPC")[net.vpc]
    assert vpc["CidrBlock"] == net.settings["vpc_cidr"]
    assert vpc["EnableDnsSupport"] is True and vpc["EnableDnsHostnames"] is True


def test_each_configured_az_has_one_public_and_one_private_subnet(net):
    az_count = net.settings["az_count"]
    public = sorted(net.az_index(s) for s in net.subnets(public=True))
    private = sorted(net.az_index(s) for s in net.subnets(public=False))
    assert public == list(range(az_count))
    assert private == list(range(az_count))


def test_prod_spans_three_availability_zones():
    assert network("prod").settings["az_count"] == 3
    assert len(network("prod").subnets(public=False)) == 3


def test_no_subnet_gives_what_is_launched_in_it_a_public_ip(net):
    # The ALB and the NAT gateways get their public addresses from AWS, not from the subnet.
    subnets = net.of_type("AWS::EC2::Subnet")
    assert net.subnets(public=True) and net.subnets(public=False)
    assert all(subnets[s]["MapPublicIpOnLaunch"] is False for s in subnets)


def test_subnets_lie_inside_the_vpc_without_overlapping(net):
    vpc = ipaddress.IPv4Network(net.settings["vpc_cidr"])
    cidrs = [ipaddress.IPv4Network(p["CidrBlock"]) for p in net.of_type("AWS::EC2::Subnet").values()]
    assert all(c.subnet_of(vpc) for c in cidrs)
    assert all(not a.overlaps(b) for i, a in enumerate(cidrs) for b in cidrs[i + 1 :])


def test_a_subnet_range_depends_only_on_its_az_so_adding_an_az_replaces_no_subnet(net):
    # Private: the i-th eighth of the VPC; public: the i-th 1/32 of its last quarter.
    vpc = ipaddress.IPv4Network(net.settings["vpc_cidr"])
    subnets = net.of_type("AWS::EC2::Subnet")
    for subnet in net.subnets(public=False):
        expected = list(vpc.subnets(prefixlen_diff=3))[net.az_index(subnet)]
        assert subnets[subnet]["CidrBlock"] == str(expected)
    last_quarter = list(vpc.subnets(prefixlen_diff=2))[3]
    for subnet in net.subnets(public=True):
        expected = list(last_quarter.subnets(prefixlen_diff=3))[net.az_index(subnet)]
        assert subnets[subnet]["CidrBlock"] == str(expected)
        assert expected.prefixlen <= 27, "an ALB needs at least a /27"


# --- NAT ----------------------------------------------------------------------------------------


def test_nat_gateways_follow_the_environment_and_sit_in_public_subnets(net):
    nats = net.of_type("AWS::EC2::NatGateway")
    assert len(nats) == net.settings["nat_gateways"]
    assert all(n["SubnetId"]["Ref"] in net.subnets(public=True) for n in nats.values())


def test_dev_has_one_nat_gateway_and_prod_one_per_az():
    assert len(network("dev").of_type("AWS::EC2::NatGateway")) == 1
    prod = network("prod")
    nat_azs = {prod.az_index(n["SubnetId"]["Ref"]) for n in prod.of_type("AWS::EC2::NatGateway").values()}
    assert nat_azs == set(range(prod.settings["az_count"]))


def test_private_subnets_reach_the_internet_only_through_a_nat_gateway(net):
    nats = net.of_type("AWS::EC2::NatGateway")
    for subnet in net.subnets(public=False):
        routes = net.default_routes(net.route_table_of(subnet))
        if net.settings["nat_gateways"]:
            assert [set(r) - {"DestinationCidrBlock", "RouteTableId"} for r in routes] == [{"NatGatewayId"}]
            assert routes[0]["NatGatewayId"]["Ref"] in nats
        else:
            assert routes == []


def test_with_a_nat_gateway_per_az_each_private_subnet_uses_the_one_in_its_own_az(net):
    if net.settings["nat_gateways"] != net.settings["az_count"]:
        pytest.skip(f"{net.environment} shares NAT gateways between AZs by choice")
    nats = net.of_type("AWS::EC2::NatGateway")
    for subnet in net.subnets(public=False):
        (route,) = net.default_routes(net.route_table_of(subnet))
        nat_subnet = nats[route["NatGatewayId"]["Ref"]]["SubnetId"]["Ref"]
        assert net.az_index(nat_subnet) == net.az_index(subnet)


# --- VPC endpoints ------------------------------------------------------------------------------

INTERFACE_SERVICES = {
    "com.amazonaws.{region}.ecr.api",
    "com.amazonaws.{region}.ecr.dkr",
    "com.amazonaws.{region}.logs",
}


def test_the_applications_own_services_get_endpoints_with_the_others(net):
    if not net.settings["vpc_endpoints"]:
        pytest.skip(f"{net.environment} has no VPC endpoints")
    gateways = set(net.endpoints("Gateway"))
    interfaces = set(net.endpoints("Interface"))
    assert ("com.amazonaws.{region}.dynamodb" in gateways) is bool(net.settings["app_table_arn"])
    assert ("com.amazonaws.{region}.bedrock-runtime" in interfaces) is bool(net.settings["bedrock_model_id"])


def test_endpoints_exist_exactly_when_the_environment_asks_for_them(net):
    expected = net.settings["vpc_endpoints"]
    assert bool(net.of_type("AWS::EC2::VPCEndpoint")) is expected


def test_prod_has_endpoints_and_dev_does_not():
    assert network("prod").of_type("AWS::EC2::VPCEndpoint")
    assert not network("dev").of_type("AWS::EC2::VPCEndpoint")


def test_s3_gateway_endpoint_serves_every_private_route_table(net):
    if not net.settings["vpc_endpoints"]:
        pytest.skip(f"{net.environment} has no VPC endpoints")
    gateways = net.endpoints("Gateway")
    assert "com.amazonaws.{region}.s3" in gateways
    private_tables = {net.route_table_of(s) for s in net.subnets(public=False)}
    for gateway in gateways.values():
        assert {t["Ref"] for t in gateway["RouteTableIds"]} == private_tables


def test_ecr_and_logs_interface_endpoints_sit_in_private_subnets_with_private_dns(net):
    if not net.settings["vpc_endpoints"]:
        pytest.skip(f"{net.environment} has no VPC endpoints")
    endpoints = net.endpoints("Interface")
    assert set(endpoints) - {"com.amazonaws.{region}.bedrock-runtime"} == INTERFACE_SERVICES
    for endpoint in endpoints.values():
        assert endpoint["PrivateDnsEnabled"] is True
        assert {s["Ref"] for s in endpoint["SubnetIds"]} == set(net.subnets(public=False))


def test_interface_endpoints_accept_only_https_from_the_service(net):
    if not net.settings["vpc_endpoints"]:
        pytest.skip(f"{net.environment} has no VPC endpoints")
    groups = {ref_id(g) for e in net.endpoints("Interface").values() for g in e["SecurityGroupIds"]}
    (group,) = groups
    assert group not in (net.alb_sg, net.service_sg)
    ingress = net.rules(group, "ingress")
    assert [(ports(r), ref_id(r["SourceSecurityGroupId"])) for r in ingress] == [
        (("tcp", HTTPS, HTTPS), net.service_sg)
    ]
    assert all(is_no_traffic_placeholder(r) for r in net.rules(group, "egress"))


# --- flow logs ----------------------------------------------------------------------------------


def test_flow_logs_capture_all_traffic_of_the_vpc_into_a_log_group_with_the_configured_retention(net):
    (flow_log,) = net.of_type("AWS::EC2::FlowLog").values()
    assert flow_log["ResourceType"] == "VPC" and flow_log["ResourceId"] == {"Ref": net.vpc}
    assert flow_log["TrafficType"] == "ALL"
    assert flow_log["LogDestinationType"] == "cloud-watch-logs"
    log_group = net.of_type("AWS::Logs::LogGroup")[flow_log["LogGroupName"]["Ref"]]
    assert log_group["RetentionInDays"] == net.settings["log_retention_days"]


def test_the_flow_log_role_can_only_write_to_its_own_log_group(net):
    (flow_log,) = net.of_type("AWS::EC2::FlowLog").values()
    role = ref_id(flow_log["DeliverLogsPermissionArn"])
    log_group = flow_log["LogGroupName"]["Ref"]
    assert not net.of_type("AWS::IAM::Role")[role].get("Policies")
    policies = [p for p in net.of_type("AWS::IAM::Policy").values() if {"Ref": role} in p["Roles"]]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    assert statements
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert statement["Effect"] == "Allow"
        assert all(a.startswith("logs:") and "*" not in a for a in actions)
        assert set(actions) <= {"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}
        assert statement["Resource"] == {"Fn::GetAtt": [log_group, "Arn"]}


def test_only_flow_logs_of_this_account_may_assume_the_flow_log_role(net):
    (flow_log,) = net.of_type("AWS::EC2::FlowLog").values()
    role = net.of_type("AWS::IAM::Role")[ref_id(flow_log["DeliverLogsPermissionArn"])]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


# --- security groups ----------------------------------------------------------------------------


def test_nothing_uses_or_opens_the_default_security_group(net):
    # The !close_default_security_group hook empties the group after launch (tested end to end
    # in test_local_launch); the template's part is to place nothing in it and add no rule to it.
    assert "DefaultSecurityGroup" not in json.dumps(net.raw)
    for endpoint in net.endpoints("Interface").values():
        assert endpoint["SecurityGroupIds"], "an endpoint without a group lands in the default one"


def test_the_alb_accepts_exactly_https_and_http_from_anywhere(net):
    ingress = net.rules(net.alb_sg, "ingress")
    seen = sorted((ports(r), {k: v for k, v in r.items() if k in ("CidrIp", "CidrIpv6")}) for r in ingress)
    expected = sorted([(("tcp", HTTP, HTTP), ANYWHERE), (("tcp", HTTPS, HTTPS), ANYWHERE)])
    assert seen == expected


def test_the_alb_sends_only_to_the_service_port_and_https_for_cognito_sign_in(net):
    port = net.settings["container_port"]
    egress = [r for r in net.rules(net.alb_sg, "egress") if not is_no_traffic_placeholder(r)]
    # Explicit egress rules, or AWS's default allow-all egress would stay; HTTPS out is what
    # authenticate-cognito needs to reach Cognito's token endpoint.
    assert sorted(
        (
            ports(r),
            ref_id(r["DestinationSecurityGroupId"]) if "DestinationSecurityGroupId" in r else r.get("CidrIp"),
        )
        for r in egress
    ) == sorted([(("tcp", port, port), net.service_sg), (("tcp", HTTPS, HTTPS), "0.0.0.0/0")])


def test_the_service_accepts_only_the_container_port_and_only_from_the_alb(net):
    port = net.settings["container_port"]
    ingress = net.rules(net.service_sg, "ingress")
    assert [(ports(r), ref_id(r["SourceSecurityGroupId"])) for r in ingress] == [
        (("tcp", port, port), net.alb_sg)
    ]


def test_the_service_sends_only_https(net):
    egress = net.rules(net.service_sg, "egress")
    assert egress, "without an explicit rule AWS allows all egress"
    assert all(ports(r) == ("tcp", HTTPS, HTTPS) for r in egress)


def test_every_security_group_rule_says_why_it_exists(net):
    for group in net.of_type("AWS::EC2::SecurityGroup"):
        assert net.of_type("AWS::EC2::SecurityGroup")[group]["GroupDescription"]
        for direction in ("ingress", "egress"):
            assert all(r.get("Description") for r in net.rules(group, direction)), f"{group} {direction}"


def test_no_security_group_allows_all_protocols(net):
    for group in net.of_type("AWS::EC2::SecurityGroup"):
        for direction in ("ingress", "egress"):
            assert all(str(r["IpProtocol"]) != "-1" for r in net.rules(group, direction)), (
                f"{group} {direction}"
            )


# --- outputs ------------------------------------------------------------------------------------


def test_every_output_is_described_and_exported_as_project_environment_name(net):
    project_code = merged(net.environment)["project_code"]
    assert set(net.outputs) == set(OUTPUTS)
    for key, output in net.outputs.items():
        assert output.get("Description"), f"{key} has no description"
        assert output["Export"]["Name"] == f"{project_code}-{net.environment}-{key}"


def test_outputs_point_at_the_vpc_and_its_subnets_in_az_order(net):
    assert net.output_ids("VpcId") == [net.vpc]
    assert net.outputs["VpcCidr"]["Value"] == {"Fn::GetAtt": [net.vpc, "CidrBlock"]}
    for key, public in (("PublicSubnetIds", True), ("PrivateSubnetIds", False)):
        ids = net.output_ids(key)
        assert sorted(ids) == sorted(net.subnets(public=public))
        assert [net.az_index(s) for s in ids] == list(range(net.settings["az_count"]))
    separator, azs = net.outputs["AvailabilityZones"]["Value"]["Fn::Join"]
    assert separator == ","
    assert azs == [{"Fn::Select": [i, {"Fn::GetAZs": ""}]} for i in range(net.settings["az_count"])]


def test_subnet_and_zone_lists_are_comma_separated(net):
    for key in ("PublicSubnetIds", "PrivateSubnetIds", "AvailabilityZones"):
        assert net.outputs[key]["Value"]["Fn::Join"][0] == ","


# --- the stack's own checks, for use outside this project's validated config --------------------


@pytest.mark.parametrize(
    "change, named",
    [
        ({"vpc_cidr": "10.20.0.0/24"}, "vpc_cidr"),
        ({"vpc_cidr": "10.20.0.1/16"}, "vpc_cidr"),
        ({"az_count": 1}, "az_count"),
        ({"az_count": True}, "az_count"),
        ({"nat_gateways": 3}, "nat_gateways"),
        ({"nat_gateways": 0}, "nat_gateways"),
        ({"vpc_endpoints": "yes"}, "vpc_endpoints"),
        ({"app_uses_dynamodb": "yes"}, "app_uses_dynamodb"),
        ({"app_uses_bedrock": None}, "app_uses_bedrock"),
        ({"container_port": 70000}, "container_port"),
        ({"flow_log_retention_days": 31}, "flow_log_retention_days"),
        ({"export_prefix": "webapp prod"}, "export_prefix"),
        ({"vpc_cidr": None, "extra": 1}, "extra"),
    ],
)
def test_a_malformed_setting_is_refused_naming_the_key(change, named):
    module = network_module()
    data = {k: v for k, v in {**VALID, **change}.items() if v is not None}
    with pytest.raises(module.NetworkConfigError, match=named):
        module.NetworkSettings.from_user_data(data)


def test_valid_settings_are_accepted():
    settings = network_module().NetworkSettings.from_user_data(VALID)
    assert settings.az_count == 2 and settings.vpc_cidr == "10.20.0.0/16"


def test_without_nat_gateways_private_subnets_are_isolated_and_served_by_endpoints(monkeypatch):
    raw = synthesize(nat_gateways=0, vpc_endpoints=True, az_count=3)
    monkeypatch.setattr(sys.modules[__name__], "template", lambda environment, stack: raw)
    net = Network("dev")
    net.settings = {**net.settings, "az_count": 3, "nat_gateways": 0, "vpc_endpoints": True}
    assert not net.of_type("AWS::EC2::NatGateway")
    test_private_subnets_reach_the_internet_only_through_a_nat_gateway(net)
    test_each_configured_az_has_one_public_and_one_private_subnet(net)
    test_ecr_and_logs_interface_endpoints_sit_in_private_subnets_with_private_dns(net)
    test_s3_gateway_endpoint_serves_every_private_route_table(net)


def test_without_nat_an_app_that_calls_dynamodb_and_bedrock_reaches_them_through_endpoints(monkeypatch):
    raw = synthesize(nat_gateways=0, vpc_endpoints=True, app_uses_dynamodb=True, app_uses_bedrock=True)
    monkeypatch.setattr(sys.modules[__name__], "template", lambda environment, stack: raw)
    net = Network("dev")
    net.settings = {
        **net.settings,
        "nat_gateways": 0,
        "vpc_endpoints": True,
        "app_table_arn": "arn:aws:dynamodb:eu-west-1:111122223333:table/app",
        "bedrock_model_id": "eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
    }
    test_the_applications_own_services_get_endpoints_with_the_others(net)
    test_s3_gateway_endpoint_serves_every_private_route_table(net)
    test_ecr_and_logs_interface_endpoints_sit_in_private_subnets_with_private_dns(net)
    test_interface_endpoints_accept_only_https_from_the_service(net)
