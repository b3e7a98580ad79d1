"""The network stack: a VPC for the web application, synthesised offline by sceptre-cdk-handler.

Public subnets hold the ALB and the NAT gateways; private subnets hold the Fargate tasks and the
interface endpoints. Two security groups are exported for alb-ecs: the ALB's (443/80 from the
internet) and the service's (the container port from the ALB's group only).

The stack is environment-agnostic: no region, account, partition or availability zone is written
into the template, so one generated template fits any account and region.
"""

# No `from __future__ import annotations`: sceptre-cdk-handler loads this file without a
# sys.modules entry, and dataclasses then cannot resolve string annotations.
import ipaddress
from dataclasses import dataclass
from typing import Any

from aws_cdk import Aws, CfnOutput, Fn, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from sceptre_cdk_handler import SceptreCdkStack

# The project's shared rules (installed with it): the config schema checks the same values.
from sceptre_fargate_cognito import rules

HTTPS = 443
HTTP = 80


class NetworkConfigError(ValueError):
    """sceptre_user_data for the network stack is missing a value or holds a malformed one."""


@dataclass(frozen=True)
class NetworkSettings:
    export_prefix: str
    vpc_cidr: str
    az_count: int
    nat_gateways: int
    vpc_endpoints: bool
    container_port: int
    flow_log_retention_days: int
    # What the application calls besides ECR and CloudWatch Logs: with vpc_endpoints it gets an
    # endpoint too, so a VPC without NAT gateways can still reach it.
    app_uses_dynamodb: bool
    app_uses_bedrock: bool

    @classmethod
    def from_user_data(cls, data: Any) -> "NetworkSettings":
        if not isinstance(data, dict):
            raise NetworkConfigError(
                f"network stack: sceptre_user_data must be a mapping, got {type(data).__name__}"
            )
        expected = set(cls.__dataclass_fields__)
        missing = sorted(expected - set(data))
        unknown = sorted(set(data) - expected)
        if missing or unknown:
            raise NetworkConfigError(
                "network stack: sceptre_user_data "
                + "; ".join(
                    filter(
                        None,
                        [
                            missing and f"is missing {', '.join(missing)}",
                            unknown and f"has unknown keys {', '.join(unknown)}",
                        ],
                    )
                )
            )

        def integer(key: str, rule: rules.Rule) -> int:
            value = data[key]
            # bool is an int in Python; `true` is never a count.
            if isinstance(value, bool) or not isinstance(value, int) or not rule.allows(value):
                raise NetworkConfigError(
                    f"network stack: sceptre_user_data.{key} must be {rule.expected}, got {value!r}"
                )
            return value

        prefix = data["export_prefix"]
        # Export names allow letters, digits, '-' and ':'; ours are `<project>-<env>`.
        if (
            not isinstance(prefix, str)
            or not prefix
            or not all(c.isascii() and (c.isalnum() or c in "-:") for c in prefix)
        ):
            raise NetworkConfigError(
                "network stack: sceptre_user_data.export_prefix must be letters, digits and '-', "
                f"such as webapp-prod, got {prefix!r}"
            )

        def by_rule(key: str, rule: rules.Rule):
            # bool is an int in Python; `true` is never a number of days.
            try:
                if isinstance(data[key], bool):
                    raise rules.RuleError(f"expected {rule.expected}")
                return rule.check(data[key])
            except rules.RuleError as err:
                raise NetworkConfigError(
                    f"network stack: sceptre_user_data.{key} is {data[key]!r}: {err}"
                ) from None

        vpc_cidr = by_rule("vpc_cidr", rules.VPC_CIDR)
        az_count = integer("az_count", rules.AZ_COUNT)
        nat_gateways = integer("nat_gateways", rules.whole_number(0, az_count))

        def boolean(key: str) -> bool:
            if not isinstance(data[key], bool):
                raise NetworkConfigError(
                    f"network stack: sceptre_user_data.{key} must be true or false, got {data[key]!r}"
                )
            return data[key]

        vpc_endpoints = boolean("vpc_endpoints")
        if nat_gateways == 0 and not vpc_endpoints:
            raise NetworkConfigError(
                "network stack: sceptre_user_data.nat_gateways is 0 and vpc_endpoints is false: "
                "tasks in the private subnets could neither pull images nor write logs"
            )
        retention = by_rule("flow_log_retention_days", rules.LOG_RETENTION_DAYS)
        return cls(
            export_prefix=prefix,
            vpc_cidr=vpc_cidr,
            az_count=az_count,
            nat_gateways=nat_gateways,
            vpc_endpoints=vpc_endpoints,
            container_port=integer("container_port", rules.CONTAINER_PORT),
            flow_log_retention_days=retention,
            app_uses_dynamodb=boolean("app_uses_dynamodb"),
            app_uses_bedrock=boolean("app_uses_bedrock"),
        )


def subnet_cidrs(vpc_cidr: str, az_index: int) -> tuple[str, str]:
    """(public, private) CIDR of the subnets in the AZ at az_index.

    Each AZ's ranges depend on its index alone, so raising az_count adds subnets without
    renumbering (and so replacing) the existing ones, as CDK's sequential allocation would.
    Private subnets (tasks, endpoints) get 1/8 of the VPC each, the first six eighths; public
    subnets (ALB, NAT) 1/32 each, in the last quarter. A /22 still gives a /27 public subnet,
    the ALB's minimum.
    """
    network = ipaddress.IPv4Network(vpc_cidr)
    private = list(network.subnets(prefixlen_diff=3))[az_index]
    last_quarter = list(network.subnets(prefixlen_diff=2))[3]
    public = list(last_quarter.subnets(prefixlen_diff=3))[az_index]
    return str(public), str(private)


class NetworkStack(SceptreCdkStack):
    def __init__(self, scope, id: str, sceptre_user_data: Any, **kwargs):
        # Validated before super().__init__ so a bad value fails before any construct exists.
        settings = NetworkSettings.from_user_data(sceptre_user_data)
        self._az_count = settings.az_count
        super().__init__(scope, id, sceptre_user_data, **kwargs)
        self.settings = settings

        private_type = (
            ec2.SubnetType.PRIVATE_WITH_EGRESS if settings.nat_gateways else ec2.SubnetType.PRIVATE_ISOLATED
        )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(settings.vpc_cidr),
            max_azs=settings.az_count,
            nat_gateways=settings.nat_gateways,
            subnet_configuration=[
                # Public subnets hold only the ALB and the NAT gateways, which get their addresses
                # from AWS; anything else launched there must not silently get a public IP.
                ec2.SubnetConfiguration(
                    name="Public", subnet_type=ec2.SubnetType.PUBLIC, map_public_ip_on_launch=False
                ),
                ec2.SubnetConfiguration(name="Private", subnet_type=private_type),
            ],
            enable_dns_hostnames=True,  # required by interface endpoints' private DNS
            enable_dns_support=True,
            # CDK's restrictDefaultSecurityGroup empties the default group with a Lambda asset (no
            # offline synth, no local emulator); the network stack config's
            # !close_default_security_group hook revokes its rules after every launch instead.
            restrict_default_security_group=False,
        )
        self._pin_subnet_cidrs()
        private_subnets = ec2.SubnetSelection(subnet_type=private_type)

        self._flow_logs(settings.flow_log_retention_days)
        self.alb_sg, self.service_sg = self._security_groups(settings.container_port)
        if settings.vpc_endpoints:
            self._endpoints(private_subnets, settings)
        self._outputs(settings.export_prefix)

    @property
    def availability_zones(self) -> list[str]:
        # An env-agnostic stack gets only two AZs from CDK; select as many as asked from
        # Fn::GetAZs, so the template names no AZ and works in any region.
        return [Fn.select(i, Fn.get_azs()) for i in range(self._az_count)]

    def _pin_subnet_cidrs(self) -> None:
        for index, (public, private) in enumerate(
            zip(self.vpc.public_subnets, self.vpc.private_subnets + self.vpc.isolated_subnets, strict=False)
        ):
            public_cidr, private_cidr = subnet_cidrs(self.settings.vpc_cidr, index)
            public.node.default_child.cidr_block = public_cidr
            private.node.default_child.cidr_block = private_cidr

    def _flow_logs(self, retention_days: int) -> None:
        log_group = logs.LogGroup(
            self,
            "FlowLogGroup",
            # Deleting the environment deletes its flow logs; they are kept for the retention
            # period while it exists.
            removal_policy=RemovalPolicy.DESTROY,
        )
        # RetentionDays is an enum of names; the validated number goes straight to CloudFormation.
        log_group.node.default_child.retention_in_days = retention_days
        role = iam.Role(
            self,
            "FlowLogRole",
            # Only flow logs of this account may assume it (confused-deputy guard).
            assumed_by=iam.ServicePrincipal(
                "vpc-flow-logs.amazonaws.com",
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {
                        "aws:SourceArn": Fn.sub(
                            "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-flow-log/*"
                        )
                    },
                },
            ),
            description="Lets VPC flow logs write to the flow log group of this VPC only",
        )
        flow_log = self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(log_group, role),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )
        # Created after the role's policy, so the first deliveries are not refused.
        flow_log.node.add_dependency(role.node.find_child("DefaultPolicy"))

    def _security_groups(self, container_port: int):
        alb_sg = ec2.SecurityGroup(
            self,
            "AlbSecurityGroup",
            vpc=self.vpc,
            allow_all_outbound=False,
            description="ALB: HTTPS and HTTP from the internet; out to the service port and Cognito",
        )
        service_sg = ec2.SecurityGroup(
            self,
            "ServiceSecurityGroup",
            vpc=self.vpc,
            allow_all_outbound=False,
            description="ECS service: the container port from the ALB only",
        )
        alb_sg.add_ingress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(HTTPS), "HTTPS from the internet")
        # Port 80 exists only to answer a redirect to HTTPS.
        alb_sg.add_ingress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(HTTP), "HTTP from the internet, redirected to HTTPS"
        )
        alb_sg.add_egress_rule(service_sg, ec2.Port.tcp(container_port), "To the ECS service container port")
        # authenticate-cognito: the ALB itself calls Cognito's token and userInfo endpoints
        # (public, no fixed addresses) when a user comes back from sign-in; without this every
        # sign-in ends in HTTP 500 at /oauth2/idpresponse.
        alb_sg.add_egress_rule(
            ec2.Peer.any_ipv4(), ec2.Port.tcp(HTTPS), "HTTPS to the Cognito token and userInfo endpoints"
        )
        service_sg.add_ingress_rule(alb_sg, ec2.Port.tcp(container_port), "Container port from the ALB only")
        # Tasks call AWS APIs (ECR, CloudWatch Logs, the app's own AWS services) over HTTPS,
        # through the NAT gateways or the interface endpoints; DNS to the VPC resolver is not
        # subject to security groups.
        service_sg.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(HTTPS), "HTTPS to AWS APIs and ECR")
        return alb_sg, service_sg

    def _endpoints(self, private_subnets: ec2.SubnetSelection, settings: NetworkSettings) -> None:
        # ECR image layers are served from S3: the gateway endpoint keeps them off the NAT.
        self.vpc.add_gateway_endpoint(
            "S3Endpoint", service=ec2.GatewayVpcEndpointAwsService.S3, subnets=[private_subnets]
        )
        if settings.app_uses_dynamodb:
            # Gateway endpoints cost nothing; the service's HTTPS egress rule already covers it.
            self.vpc.add_gateway_endpoint(
                "DynamoDbEndpoint",
                service=ec2.GatewayVpcEndpointAwsService.DYNAMODB,
                subnets=[private_subnets],
            )
        endpoint_sg = ec2.SecurityGroup(
            self,
            "EndpointSecurityGroup",
            vpc=self.vpc,
            allow_all_outbound=False,
            description="Interface endpoints: HTTPS from the ECS service only",
        )
        endpoint_sg.add_ingress_rule(self.service_sg, ec2.Port.tcp(HTTPS), "HTTPS from the ECS service")
        interface = [
            ("EcrApiEndpoint", ec2.InterfaceVpcEndpointAwsService.ECR),
            ("EcrDkrEndpoint", ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER),
            ("LogsEndpoint", ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS),
        ]
        if settings.app_uses_bedrock:
            interface.append(("BedrockRuntimeEndpoint", ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME))
        for name, service in interface:
            self.vpc.add_interface_endpoint(
                name,
                service=service,
                subnets=private_subnets,
                private_dns_enabled=True,
                security_groups=[endpoint_sg],
                open=False,  # not the whole VPC CIDR: only the service's group, above
            )

    def _outputs(self, prefix: str) -> None:
        private_subnets = self.vpc.private_subnets + self.vpc.isolated_subnets
        outputs = {
            "VpcId": (self.vpc.vpc_id, "ID of the VPC"),
            "VpcCidr": (self.vpc.vpc_cidr_block, "IPv4 CIDR block of the VPC"),
            "PublicSubnetIds": (
                Fn.join(",", [s.subnet_id for s in self.vpc.public_subnets]),
                "Comma-separated public subnet IDs, one per AZ (ALB, NAT)",
            ),
            "PrivateSubnetIds": (
                Fn.join(",", [s.subnet_id for s in private_subnets]),
                "Comma-separated private subnet IDs, one per AZ (ECS tasks)",
            ),
            "AlbSecurityGroupId": (
                self.alb_sg.security_group_id,
                "Security group of the ALB: 443/80 from the internet",
            ),
            "ServiceSecurityGroupId": (
                self.service_sg.security_group_id,
                "Security group of the ECS service: container port from the ALB",
            ),
            "AvailabilityZones": (
                Fn.join(",", self.availability_zones),
                "Comma-separated availability zones, in subnet order",
            ),
        }
        for key, (value, description) in outputs.items():
            output = CfnOutput(self, key, value=value, description=description, export_name=f"{prefix}-{key}")
            output.override_logical_id(key)
