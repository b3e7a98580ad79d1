"""Real values for the Fn::GetAtt attributes our outputs and wiring use.

Stock moto rejects some (Subnet VpcId, LoadBalancerArn, ServiceArn), answers others with the raw
`{'Fn::GetAtt': ...}` text (Subnet AvailabilityZone, LoadBalancer CanonicalHostedZoneID and
SecurityGroups) and has none at all for target groups, listeners, route tables, NAT/internet
gateways and task definitions, which makes DescribeStacks drop every output. Each attribute here
reads the value from the moto object the stack created.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import RouteTable
from moto.ec2.models.security_groups import SecurityGroup
from moto.ec2.models.subnets import Subnet
from moto.ec2.models.vpcs import VPC, VPCEndPoint
from moto.ecs.models import Cluster, Service, TaskDefinition
from moto.elbv2.models import FakeListener, FakeListenerRule, FakeLoadBalancer, FakeTargetGroup
from moto.logs.models import LogGroup

from emulator import moto_internals

# The ALB's canonical hosted zone per region (AWS publishes these; alias records point at them).
ALB_HOSTED_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-west-3": "Z3Q77PNBQS71R4",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-north-1": "Z23TAZ7KKJ4NE5",
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
}


def _lb_region(lb: FakeLoadBalancer) -> str:
    return lb.arn.split(":")[3]


def _lb_hosted_zone(lb: FakeLoadBalancer) -> str:
    return ALB_HOSTED_ZONES.get(_lb_region(lb), lb.canonical_hosted_zone_id)


def _default_security_group(vpc: VPC) -> str:
    return vpc.ec2_backend.get_security_group_from_name("default", vpc_id=vpc.id).id


ATTRIBUTES: dict[type, dict[str, Callable[[Any], Any]]] = {
    VPC: {
        "CidrBlock": lambda r: r.cidr_block,
        "DefaultSecurityGroup": _default_security_group,
        "VpcId": lambda r: r.id,
        "CidrBlockAssociations": lambda r: [a["association_id"] for a in r.cidr_block_association_set],
        "Ipv6CidrBlocks": lambda r: [a["cidr_block"] for a in r.ipv6_cidr_block_association_set],
        "DefaultNetworkAcl": lambda r: next(
            (acl.id for acl in r.ec2_backend.network_acls.values() if acl.vpc_id == r.id and acl.default), ""
        ),
    },
    Subnet: {
        "AvailabilityZone": lambda r: r.availability_zone,
        "AvailabilityZoneId": lambda r: r.availability_zone_id,
        "VpcId": lambda r: r.vpc_id,
        "SubnetId": lambda r: r.id,
        "CidrBlock": lambda r: r.cidr_block,
        "NetworkAclAssociationId": lambda r: f"aclassoc-{r.id[7:]}",
        "Ipv6CidrBlocks": lambda r: [],
    },
    SecurityGroup: {
        "GroupId": lambda r: r.id,
        "VpcId": lambda r: r.vpc_id,
    },
    RouteTable: {"RouteTableId": lambda r: r.id},
    InternetGateway: {"InternetGatewayId": lambda r: r.id},
    NatGateway: {"NatGatewayId": lambda r: r.id},
    ElasticAddress: {
        "AllocationId": lambda r: r.allocation_id,
        "PublicIp": lambda r: r.public_ip,
    },
    FlowLogs: {"Id": lambda r: r.id},
    VPCEndPoint: {"Id": lambda r: r.id},
    FakeLoadBalancer: {
        "CanonicalHostedZoneID": _lb_hosted_zone,
        "DNSName": lambda r: r.dns_name,
        "LoadBalancerArn": lambda r: r.arn,
        "LoadBalancerFullName": lambda r: r.arn.split(":loadbalancer/", 1)[1],
        "LoadBalancerName": lambda r: r.name,
        "SecurityGroups": lambda r: list(r.security_groups or []),
    },
    FakeTargetGroup: {
        "TargetGroupArn": lambda r: r.arn,
        "TargetGroupFullName": lambda r: r.arn.split(":")[-1],
        "TargetGroupName": lambda r: r.name,
        "LoadBalancerArns": lambda r: list(dict.fromkeys(r.load_balancer_arns)),
    },
    FakeListener: {"ListenerArn": lambda r: r.arn},
    FakeListenerRule: {"RuleArn": lambda r: r.arn, "IsDefault": lambda r: "false"},
    Cluster: {"Arn": lambda r: r.arn},
    Service: {"Name": lambda r: r.name, "ServiceArn": lambda r: r.arn},
    TaskDefinition: {"TaskDefinitionArn": lambda r: r.arn},
    # AWS answers the log group ARN with a trailing `:*` (the form IAM policies use).
    LogGroup: {"Arn": lambda r: f"{r.arn}:*"},
}


def _add_attributes(model: Any, attributes: dict[str, Callable[[Any], Any]]) -> None:
    original_has = model.has_cfn_attr
    original_get = getattr(model, "get_cfn_attribute", None)

    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in attributes or original_has(attr)

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name in attributes:
            return attributes[attribute_name](self)
        if original_get is None:
            from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

            raise UnformattedGetAttTemplateException()
        return original_get(self, attribute_name)

    moto_internals.replace(model, "has_cfn_attr", classmethod(has_cfn_attr))
    moto_internals.define(model, "get_cfn_attribute", get_cfn_attribute)


def install() -> None:
    """Public hook: `has_cfn_attr`/`get_cfn_attribute` are how moto answers Fn::GetAtt."""
    for model, attributes in ATTRIBUTES.items():
        _add_attributes(model, attributes)
