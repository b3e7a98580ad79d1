"""Who may reach what, across every stack of every environment.

The exposure the generated templates declare (sceptre_fargate_cognito.review.exposure: every
security-group rule, group membership, load balancer, listener, public IP and VPC endpoint policy)
must equal DESIGNED below, so any new path in or out fails naming the stack, the resource and the
rule; and only the network stack may declare security groups and rules. The mutation tests change
a copy of the generated templates the way a regression would and show that each one fails.
"""

from __future__ import annotations

import copy

import pytest
from cdk_app import synthesize
from test_environment_config import merged

from sceptre_fargate_cognito.review import exposure
from sceptre_fargate_cognito.review.exposure import Path, StackOutput
from templates import ENVIRONMENTS, STACKS, stack_parameters, template

# The designed exposure: one row per path. `when` names the config keys that must all be set for
# the row to exist in an environment (empty: every environment). Add a row here, with its why,
# only together with the rule in templates/network.py that opens it (see docs/architecture.md, "Who
# may reach what"). Listener *rules* (which paths need sign-in) are no row: they change no port or peer.
DESIGNED = """
| stack   | kind                        | who                                  | whom                                            | how                    | when                           | why |
|---------|-----------------------------|--------------------------------------|-------------------------------------------------|------------------------|--------------------------------|-----|
| network | ingress                     | anywhere (0.0.0.0/0)                 | network:AlbSecurityGroup                        | tcp 443                |                                | the front door: HTTPS to the ALB |
| network | ingress                     | anywhere (0.0.0.0/0)                 | network:AlbSecurityGroup                        | tcp 80                 |                                | answered with a 301 to HTTPS, nothing else |
| network | egress                      | network:AlbSecurityGroup             | network:ServiceSecurityGroup                    | tcp {container_port}   |                                | the ALB forwards requests to the tasks |
| network | ingress                     | network:AlbSecurityGroup             | network:ServiceSecurityGroup                    | tcp {container_port}   |                                | the tasks take requests from the ALB only |
| network | egress                      | network:AlbSecurityGroup             | anywhere (0.0.0.0/0)                            | tcp 443                |                                | authenticate-cognito: the ALB calls Cognito's token and userInfo endpoints, which have no fixed addresses |
| network | egress                      | network:ServiceSecurityGroup         | anywhere (0.0.0.0/0)                            | tcp 443                |                                | the tasks call AWS APIs and pull their image, through NAT or the endpoints |
| network | public IP                   | internet                             | Elastic IP of NatGateway                        | outbound only          | nat_gateways                   | the private subnets' way out; answers only connections they opened |
| network | ingress                     | network:ServiceSecurityGroup         | network:EndpointSecurityGroup                   | tcp 443                | vpc_endpoints                  | the interface endpoints take calls from the tasks only |
| network | in group                    | network:VpcEcrApiEndpoint            | network:EndpointSecurityGroup                   | —                      | vpc_endpoints                  | image pulls without NAT |
| network | in group                    | network:VpcEcrDkrEndpoint            | network:EndpointSecurityGroup                   | —                      | vpc_endpoints                  | image pulls without NAT |
| network | in group                    | network:VpcLogsEndpoint              | network:EndpointSecurityGroup                   | —                      | vpc_endpoints                  | logs without NAT |
| network | in group                    | network:VpcBedrockRuntimeEndpoint    | network:EndpointSecurityGroup                   | —                      | vpc_endpoints bedrock_model_id | the application's Bedrock calls without NAT |
| network | endpoint policy             | any principal (AWS's default policy) | endpoint com.amazonaws.{region}.ecr.api         | full access            | vpc_endpoints                  | reachable from the tasks only (above); what a caller may do is its own IAM policy's call |
| network | endpoint policy             | any principal (AWS's default policy) | endpoint com.amazonaws.{region}.ecr.dkr         | full access            | vpc_endpoints                  | as above |
| network | endpoint policy             | any principal (AWS's default policy) | endpoint com.amazonaws.{region}.logs            | full access            | vpc_endpoints                  | as above |
| network | endpoint policy             | any principal (AWS's default policy) | endpoint com.amazonaws.{region}.s3              | full access            | vpc_endpoints                  | gateway endpoint: a route in the private subnets only (ECR's layers) |
| network | endpoint policy             | any principal (AWS's default policy) | endpoint com.amazonaws.{region}.dynamodb        | full access            | vpc_endpoints app_table_arn    | gateway endpoint: a route in the private subnets only |
| network | endpoint policy             | any principal (AWS's default policy) | endpoint com.amazonaws.{region}.bedrock-runtime | full access            | vpc_endpoints bedrock_model_id | as the ECR endpoints |
| alb-ecs | load balancer (application) | internet                             | alb-ecs:LoadBalancer                            | scheme internet-facing |                                | the application is on the internet, behind sign-in |
| alb-ecs | listener                    | internet                             | alb-ecs:LoadBalancer                            | HTTPS 443              |                                | TLS 1.3 policy; Cognito sign-in, then forward |
| alb-ecs | listener                    | internet                             | alb-ecs:LoadBalancer                            | HTTP 80                |                                | a 301 to HTTPS, nothing else |
| alb-ecs | in group                    | alb-ecs:LoadBalancer                 | network:AlbSecurityGroup                        | —                      |                                | the ALB gets the ALB group's rules |
| alb-ecs | in group                    | alb-ecs:Service                      | network:ServiceSecurityGroup                    | —                      |                                | the tasks (private subnets, no public IP) get the service group's rules |
"""


def designed(settings: dict) -> set[Path]:
    """The rows of DESIGNED that apply to an environment with these settings."""
    rows = set()
    for line in DESIGNED.strip().splitlines()[2:]:
        stack, kind, who, whom, how, when, _why = (
            cell.strip() for cell in line.strip().strip("|").split("|")
        )
        if all(settings.get(key) for key in when.split()):
            how = how.replace("{container_port}", str(settings["container_port"]))
            rows.add(Path(stack, kind, who, whom, how))
    return rows


def wiring(environment: str) -> dict[str, dict]:
    """Each stack's parameters as its config passes them: text, or another stack's output."""
    result: dict[str, dict] = {}
    for stack in STACKS:
        result[stack] = {}
        for name, value in stack_parameters(environment, stack).items():
            if type(value).__name__ == "StackOutput":  # !stack_output <env>/<stack>.yaml::<key>
                path, key = value.argument.split("::")
                result[stack][name] = StackOutput(path.split("/")[-1].removesuffix(".yaml"), key)
            else:
                result[stack][name] = value if isinstance(value, str) else None  # other resolvers: at launch
    return result


def templates_of(environment: str) -> dict[str, dict]:
    """A copy of every generated template of the environment, for a test to change."""
    return {stack: copy.deepcopy(template(environment, stack)) for stack in STACKS}


def picture(environment: str, templates: dict[str, dict] | None = None) -> list[exposure.Opening]:
    return exposure.Environment(templates or templates_of(environment), wiring(environment)).paths()


def problems(environment: str, templates: dict[str, dict] | None = None) -> list[str]:
    return exposure.differences(picture(environment, templates), designed(merged(environment)))


def declared_outside_network(templates: dict[str, dict]) -> list[str]:
    return [
        f"{stack}: `{logical_id}` ({resource['Type']}): security groups and their rules belong to the "
        "network stack (templates/network.py); add the rule there and its row to DESIGNED"
        for stack, body in templates.items()
        if stack != "network"
        for logical_id, resource in (body.get("Resources") or {}).items()
        if resource.get("Type") in exposure.RULE_TYPES
    ]


# --- the picture equals the design -----------------------------------------------------------------


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_who_may_reach_what_in_every_stack_is_exactly_the_designed_table(environment):
    found = problems(environment)
    assert not found, (
        f"{environment}: the exposure differs from DESIGNED in tests/test_exposure.py:\n"
        + "\n".join(found)
        + "\nIf the change is meant, open it in templates/network.py and add its row, with why, to DESIGNED."
    )


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_only_the_network_stack_declares_security_groups_and_rules(environment):
    found = declared_outside_network(templates_of(environment))
    assert not found, "\n".join(found)


def test_the_design_covers_a_network_with_every_endpoint_and_no_nat_gateway():
    # No environment uses these settings yet: synthesise the network stack for them, as the
    # network template's own tests do, and hold its rows to the same table.
    raw = synthesize(nat_gateways=0, vpc_endpoints=True, app_uses_dynamodb=True, app_uses_bedrock=True)
    settings = {
        "container_port": 8080,
        "nat_gateways": 0,
        "vpc_endpoints": True,
        "app_table_arn": "arn:aws:dynamodb:eu-west-1:111122223333:table/app",
        "bedrock_model_id": "eu.anthropic.claude-3-7-sonnet-20250219-v1:0",
    }
    found = exposure.Environment({"network": raw}).paths()
    network_rows = {row for row in designed(settings) if row.stack == "network"}
    assert not exposure.differences(found, network_rows)


# --- each regression the design rules out fails, naming the stack, resource and rule ---------------

ENVIRONMENT = "dev"


def service_group(templates: dict[str, dict]) -> str:
    """The network stack's logical id of the group its ServiceSecurityGroupId output names."""
    return templates["network"]["Outputs"]["ServiceSecurityGroupId"]["Value"]["Fn::GetAtt"][0]


def alb_group(templates: dict[str, dict]) -> str:
    return templates["network"]["Outputs"]["AlbSecurityGroupId"]["Value"]["Fn::GetAtt"][0]


def add(templates: dict[str, dict], stack: str, logical_id: str, resource: dict) -> None:
    templates[stack]["Resources"][logical_id] = resource


def open_the_service_group_to_everyone(templates: dict[str, dict], stack: str) -> str:
    """Adds ingress on the container port from anywhere to the service's group, the way `stack` can."""
    port = {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "0.0.0.0/0"}
    if stack == "network":
        group = templates["network"]["Resources"][service_group(templates)]["Properties"]
        group.setdefault("SecurityGroupIngress", []).append(port)
        return f"`{service_group(templates)}` (AWS::EC2::SecurityGroup) SecurityGroupIngress[0]"
    if stack == "alb-ecs":
        group_id = {"Ref": "ServiceSecurityGroupId"}  # the parameter alb-ecs already has
    else:
        group_id = {"Fn::ImportValue": f"webapp-{ENVIRONMENT}-ServiceSecurityGroupId"}  # the network's export
    add(
        templates,
        stack,
        "OpenToEveryone",
        {"Type": exposure.INGRESS, "Properties": {"GroupId": group_id, **port}},
    )
    return "`OpenToEveryone` (AWS::EC2::SecurityGroupIngress)"


@pytest.mark.parametrize("stack", STACKS)
def test_a_new_ingress_on_the_service_group_from_anywhere_fails_in_any_stack(stack):
    templates = templates_of(ENVIRONMENT)
    resource = open_the_service_group_to_everyone(templates, stack)

    assert problems(ENVIRONMENT, templates) == [
        f"new path: {stack}: ingress: anywhere (0.0.0.0/0) → network:ServiceSecurityGroup, tcp 8080 — {resource}"
    ]
    assert bool(declared_outside_network(templates)) is (stack != "network")


EGRESS_BEYOND_DESIGN = [
    pytest.param(
        "network",
        {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"},
        "egress: network:AlbSecurityGroup → anywhere (0.0.0.0/0), all traffic",
        id="all traffic from the network stack",
    ),
    pytest.param(
        "alb-ecs",
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "10.0.0.0/8"},
        "egress: network:AlbSecurityGroup → 10.0.0.0/8, tcp 5432",
        id="a database port from alb-ecs",
    ),
    pytest.param(
        "monitoring",
        {"IpProtocol": "udp", "FromPort": 0, "ToPort": 65535, "DestinationPrefixListId": "pl-6da54004"},
        "egress: network:AlbSecurityGroup → prefix list pl-6da54004, udp all ports",
        id="a prefix list from monitoring",
    ),
]


@pytest.mark.parametrize("stack, rule, path", EGRESS_BEYOND_DESIGN)
def test_an_egress_from_the_alb_group_beyond_the_container_port_and_cognito_fails(stack, rule, path):
    templates = templates_of(ENVIRONMENT)
    if stack == "network":
        group = templates["network"]["Resources"][alb_group(templates)]["Properties"]
        group["SecurityGroupEgress"].append({**rule, "Description": "everything"})
        resource = f'`{alb_group(templates)}` (AWS::EC2::SecurityGroup) SecurityGroupEgress[1] "everything"'
    else:
        group_id = (
            {"Ref": "AlbSecurityGroupId"}
            if stack == "alb-ecs"
            else {"Fn::ImportValue": f"webapp-{ENVIRONMENT}-AlbSecurityGroupId"}
        )
        add(
            templates, stack, "AlbOut", {"Type": exposure.EGRESS, "Properties": {"GroupId": group_id, **rule}}
        )
        resource = "`AlbOut` (AWS::EC2::SecurityGroupEgress)"

    assert problems(ENVIRONMENT, templates) == [f"new path: {stack}: {path} — {resource}"]


def test_a_second_listener_fails():
    templates = templates_of(ENVIRONMENT)
    https = templates["alb-ecs"]["Resources"]["HttpsListener"]
    add(templates, "alb-ecs", "AdminListener", {**https, "Properties": {**https["Properties"], "Port": 8443}})

    assert problems(ENVIRONMENT, templates) == [
        "new path: alb-ecs: listener: internet → alb-ecs:LoadBalancer, HTTPS 8443 — "
        "`AdminListener` (AWS::ElasticLoadBalancingV2::Listener)"
    ]


def test_a_second_load_balancer_fails_with_each_of_its_paths():
    templates = templates_of(ENVIRONMENT)
    resources = templates["alb-ecs"]["Resources"]
    add(templates, "alb-ecs", "Backdoor", copy.deepcopy(resources["LoadBalancer"]))
    listener = copy.deepcopy(resources["HttpListener"])
    listener["Properties"]["LoadBalancerArn"] = {"Ref": "Backdoor"}
    add(templates, "alb-ecs", "BackdoorListener", listener)

    assert problems(ENVIRONMENT, templates) == [
        "new path: alb-ecs: in group: alb-ecs:Backdoor → network:AlbSecurityGroup — "
        "`Backdoor` (AWS::ElasticLoadBalancingV2::LoadBalancer) SecurityGroups",
        "new path: alb-ecs: listener: internet → alb-ecs:Backdoor, HTTP 80 — "
        "`BackdoorListener` (AWS::ElasticLoadBalancingV2::Listener)",
        "new path: alb-ecs: load balancer (application): internet → alb-ecs:Backdoor, scheme internet-facing — "
        "`Backdoor` (AWS::ElasticLoadBalancingV2::LoadBalancer)",
    ]


def with_scheme(scheme: str | None) -> dict[str, dict]:
    templates = templates_of(ENVIRONMENT)
    properties = templates["alb-ecs"]["Resources"]["LoadBalancer"]["Properties"]
    if scheme is None:
        del properties["Scheme"]
    else:
        properties["Scheme"] = scheme
    return templates


def test_the_internet_facing_alb_becoming_internal_fails():
    found = problems(ENVIRONMENT, with_scheme("internal"))

    assert (
        "new path: alb-ecs: load balancer (application): the VPC (internal) → alb-ecs:LoadBalancer, "
        "scheme internal — `LoadBalancer` (AWS::ElasticLoadBalancingV2::LoadBalancer)"
    ) in found
    assert (
        "new path: alb-ecs: listener: the VPC (internal) → alb-ecs:LoadBalancer, HTTPS 443 — "
        "`HttpsListener` (AWS::ElasticLoadBalancingV2::Listener)"
    ) in found
    assert (
        "designed path missing: alb-ecs: load balancer (application): internet → alb-ecs:LoadBalancer, "
        "scheme internet-facing"
    ) in found


@pytest.mark.parametrize("scheme", ["internet-facing", None], ids=["written", "left to the default"])
def test_an_internal_alb_becoming_internet_facing_fails(scheme):
    internal = {o.path for o in picture(ENVIRONMENT, with_scheme("internal"))}

    found = exposure.differences(picture(ENVIRONMENT, with_scheme(scheme)), internal)

    assert (
        "new path: alb-ecs: load balancer (application): internet → alb-ecs:LoadBalancer, "
        "scheme internet-facing — `LoadBalancer` (AWS::ElasticLoadBalancingV2::LoadBalancer)"
    ) in found
    assert (
        "new path: alb-ecs: listener: internet → alb-ecs:LoadBalancer, HTTP 80 — "
        "`HttpListener` (AWS::ElasticLoadBalancingV2::Listener)"
    ) in found


def test_a_task_with_a_public_ip_fails():
    templates = templates_of(ENVIRONMENT)
    service = templates["alb-ecs"]["Resources"]["Service"]["Properties"]
    service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] = "ENABLED"

    assert problems(ENVIRONMENT, templates) == [
        "new path: alb-ecs: public IP: internet → alb-ecs:Service, AssignPublicIp ENABLED — "
        "`Service` (AWS::ECS::Service) NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"
    ]


def first_public_subnet(templates: dict[str, dict]) -> str:
    public = templates["network"]["Outputs"]["PublicSubnetIds"]["Value"]["Fn::Join"][1]
    return public[0]["Ref"]


def subnet_with_public_ips(templates):
    subnet = first_public_subnet(templates)
    templates["network"]["Resources"][subnet]["Properties"]["MapPublicIpOnLaunch"] = True
    return (
        f"new path: network: public IP: internet → network:{exposure.base_name(subnet)}, MapPublicIpOnLaunch true"
        f" — `{subnet}` (AWS::EC2::Subnet) MapPublicIpOnLaunch"
    )


def group_of_its_own(templates):
    add(
        templates,
        "edge",
        "Scratch",
        {"Type": exposure.SECURITY_GROUP, "Properties": {"GroupDescription": "x"}},
    )
    return [
        f"new path: edge: egress: edge:Scratch → anywhere ({anywhere}), all traffic — "
        "`Scratch` (AWS::EC2::SecurityGroup) (AWS's default egress: the group declares none)"
        for anywhere in ("0.0.0.0/0", "::/0")
    ]


def endpoint_open_to_anyone(templates):
    add(
        templates,
        "network",
        "AnyoneEndpoint",
        {
            "Type": exposure.VPC_ENDPOINT,
            "Properties": {
                "ServiceName": "com.amazonaws.eu-west-1.sqs",
                "VpcId": "vpc-1",
                "PolicyDocument": {
                    "Statement": [
                        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:*", "Resource": "*"}
                    ]
                },
            },
        },
    )
    return (
        "new path: network: endpoint policy: any principal → endpoint com.amazonaws.eu-west-1.sqs, sqs:* — "
        "`AnyoneEndpoint` (AWS::EC2::VPCEndpoint) PolicyDocument.Statement[0]"
    )


def public_ip_only_on_a_condition(templates):
    service = templates["alb-ecs"]["Resources"]["Service"]["Properties"]
    service["NetworkConfiguration"]["AwsvpcConfiguration"]["AssignPublicIp"] = {
        "Fn::If": ["ExecEnabled", "ENABLED", "DISABLED"]
    }
    return (
        "new path: alb-ecs: public IP: internet → alb-ecs:Service, AssignPublicIp ENABLED — "
        "`Service` (AWS::ECS::Service) NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp"
    )


@pytest.mark.parametrize(
    "widen",
    [subnet_with_public_ips, group_of_its_own, endpoint_open_to_anyone, public_ip_only_on_a_condition],
)
def test_every_other_way_to_widen_exposure_fails_too(widen):
    templates = templates_of(ENVIRONMENT)
    expected = widen(templates)
    assert problems(ENVIRONMENT, templates) == (expected if isinstance(expected, list) else [expected])


def test_a_new_listener_rule_is_no_new_path():
    # Which paths need sign-in is the listener rules' business (a signed-out page, an API rule):
    # they open no port to anyone new, so they need no row.
    templates = templates_of(ENVIRONMENT)
    rule = copy.deepcopy(templates["alb-ecs"]["Resources"]["HealthCheckRule"])
    rule["Properties"]["Priority"] = 2
    add(templates, "alb-ecs", "SignedOutRule", rule)

    assert problems(ENVIRONMENT, templates) == []


def test_a_designed_rule_that_is_removed_is_reported_missing():
    templates = templates_of(ENVIRONMENT)
    del templates["network"]["Resources"][alb_group(templates)]["Properties"]["SecurityGroupIngress"][1]

    assert problems(ENVIRONMENT, templates) == [
        "designed path missing: network: ingress: anywhere (0.0.0.0/0) → network:AlbSecurityGroup, tcp 80"
    ]
