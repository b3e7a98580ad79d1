"""Deleting a stack deletes every resource it created.

Stock moto has no delete for many types, so they outlive their stack: route tables and routes
(which then block the VPC's delete with DependencyViolation, failing the whole stack delete),
internet gateways and their attachments, Elastic IPs, NAT gateways, flow logs, VPC endpoints,
subnet associations, target groups, listeners and rules, ECS clusters, services and task
definitions, hosted zones and managed policies. moto deletes a stack resource through its
`delete(account_id, region_name)` method when it has one; this module gives one to each of those
types, calling the same backend operation the AWS API would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ec2.models.elastic_ip_addresses import ElasticAddress
from moto.ec2.models.flow_logs import FlowLogs
from moto.ec2.models.internet_gateways import InternetGateway
from moto.ec2.models.nat_gateways import NatGateway
from moto.ec2.models.route_tables import Route, RouteTable
from moto.ec2.models.subnets import SubnetRouteTableAssociation
from moto.ec2.models.vpcs import VPCEndPoint
from moto.ec2.models.vpn_gateway import VPCGatewayAttachment
from moto.ecs.models import Cluster, Service, TaskDefinition, ecs_backends
from moto.elbv2.models import FakeListener, FakeListenerRule, FakeTargetGroup, elbv2_backends
from moto.iam.models import ManagedPolicy, iam_backends
from moto.route53.models import FakeZone, route53_backends
from moto.utilities.utils import get_partition

from emulator import moto_internals


def _ec2(account_id: str, region_name: str):
    return ec2_backends[account_id][region_name]


def _delete_route(route: Route, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if route.route_table.id not in backend.route_tables or route.id not in route.route_table.routes:
        return  # its route table went first, taking its routes with it
    backend.delete_route(
        route.route_table.id,
        route.destination_cidr_block,
        destination_ipv6_cidr_block=route.destination_ipv6_cidr_block,
        destination_prefix_list_id=route.destination_prefix_list.id
        if route.destination_prefix_list
        else None,
    )


def _delete_route_table(table: RouteTable, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    for association_id in list(table.associations):
        backend.disassociate_route_table(association_id)
    # Associations made through AWS::EC2::SubnetRouteTableAssociation are kept apart by moto.
    for key in [k for k in backend.subnet_associations if k.startswith(f"{table.id}:")]:
        del backend.subnet_associations[key]
    backend.delete_route_table(table.id)


def _delete_subnet_association(
    association: SubnetRouteTableAssociation, account_id: str, region_name: str
) -> None:
    _ec2(account_id, region_name).subnet_associations.pop(
        f"{association.route_table_id}:{association.subnet_id}", None
    )


def _delete_gateway_attachment(attachment: VPCGatewayAttachment, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    if attachment.gateway_id and attachment.gateway_id.startswith("igw-"):
        gateway = backend.internet_gateways.get(attachment.gateway_id)
        if gateway is not None and gateway.vpc is not None and gateway.vpc.id == attachment.vpc_id:
            backend.detach_internet_gateway(attachment.gateway_id, attachment.vpc_id)
    elif attachment.gateway_id:
        backend.detach_vpn_gateway(attachment.gateway_id, attachment.vpc_id)


def _delete_internet_gateway(gateway: InternetGateway, account_id: str, region_name: str) -> None:
    # Still attached: this raises DependencyViolation and moto retries after the attachment went.
    _ec2(account_id, region_name).delete_internet_gateway(gateway.id)


def _delete_nat_gateway(gateway: NatGateway, account_id: str, region_name: str) -> None:
    backend = _ec2(account_id, region_name)
    backend.delete_nat_gateway(gateway.id)
    # AWS lists a deleted NAT gateway for a while; here it is simply gone, with its interface.
    backend.nat_gateways.pop(gateway.id, None)
    eni = moto_internals.nat_gateway_interface(gateway)
    if eni is not None:
        for address in backend.addresses:
            if address.eni is eni:
                backend.disassociate_address(address=address.public_ip)
        backend.delete_network_interface(eni.id)


def _release_address(address: ElasticAddress, account_id: str, region_name: str) -> None:
    if address in _ec2(account_id, region_name).addresses:
        _ec2(account_id, region_name).release_address(address=address.public_ip)


def _delete_listener(listener: FakeListener, account_id: str, region_name: str) -> None:
    backend = elbv2_backends[account_id][region_name]
    if listener.arn in {
        other.arn for lb in backend.load_balancers.values() for other in lb.listeners.values()
    }:
        backend.delete_listener(listener.arn)


def _delete_rule(rule: FakeListenerRule, account_id: str, region_name: str) -> None:
    backend = elbv2_backends[account_id][region_name]
    try:
        backend.delete_rule(rule.arn)
    except Exception:
        # Deleting the listener removes its rules too; nothing left to delete.
        if any(
            rule.arn in moto_internals.listener_rules(listener)
            for lb in backend.load_balancers.values()
            for listener in lb.listeners.values()
        ):
            raise


def _delete_target_group(group: FakeTargetGroup, account_id: str, region_name: str) -> None:
    backend = elbv2_backends[account_id][region_name]
    if group.arn in backend.target_groups:
        backend.delete_target_group(group.arn)


def _delete_service(service: Service, account_id: str, region_name: str) -> None:
    backend = ecs_backends[account_id][region_name]
    backend.delete_service(service.cluster_name, service.name, force=True)
    backend.services.pop(f"{service.cluster_name}:{service.name}", None)


def _delete_cluster(cluster: Cluster, account_id: str, region_name: str) -> None:
    backend = ecs_backends[account_id][region_name]
    if any(key.startswith(f"{cluster.name}:") for key in backend.services):
        # As AWS (ClusterContainsServicesException): moto retries once the service is gone.
        raise RuntimeError(f"cluster {cluster.name} still contains services")
    backend.delete_cluster(cluster.arn)
    # AWS lists a deleted cluster as INACTIVE for a while; here it is simply gone.
    backend.clusters.pop(cluster.name, None)


def _deregister_task_definition(definition: TaskDefinition, account_id: str, region_name: str) -> None:
    # As CloudFormation: deregistered, not deleted. The revision stays describable as INACTIVE (the
    # tasks of a rolling deployment still name it), ListTaskDefinitions leaves it out, and the
    # family's next revision number follows it.
    ecs_backends[account_id][region_name].deregister_task_definition(definition.arn)


def _delete_hosted_zone(zone: FakeZone, account_id: str, region_name: str) -> None:
    backend = route53_backends[account_id][get_partition(region_name)]
    # Only the records CloudFormation manages (RecordSets) go with their own resources; the zone
    # keeps its SOA/NS, which AWS deletes together with the zone.
    backend.delete_hosted_zone(zone.id)


def _delete_managed_policy(policy: ManagedPolicy, account_id: str, region_name: str) -> None:
    backend = iam_backends[account_id][get_partition(region_name)]
    for role in list(backend.roles.values()):
        role.managed_policies.pop(policy.arn, None)
    backend.managed_policies.pop(policy.arn, None)


DELETERS: dict[type, Callable[[Any, str, str], None]] = {
    Route: _delete_route,
    RouteTable: _delete_route_table,
    SubnetRouteTableAssociation: _delete_subnet_association,
    VPCGatewayAttachment: _delete_gateway_attachment,
    InternetGateway: _delete_internet_gateway,
    NatGateway: _delete_nat_gateway,
    ElasticAddress: _release_address,
    FlowLogs: lambda flow_log, a, r: _ec2(a, r).delete_flow_logs([flow_log.id]),
    VPCEndPoint: lambda endpoint, a, r: _ec2(a, r).delete_vpc_endpoints([endpoint.id]),
    FakeListener: _delete_listener,
    FakeListenerRule: _delete_rule,
    FakeTargetGroup: _delete_target_group,
    Service: _delete_service,
    Cluster: _delete_cluster,
    TaskDefinition: _deregister_task_definition,
    FakeZone: _delete_hosted_zone,
    ManagedPolicy: _delete_managed_policy,
}


def install() -> None:
    """Public hook: `delete(account_id, region_name)` is how moto deletes a stack resource."""
    for model, deleter in DELETERS.items():
        moto_internals.define(
            model,
            "delete",
            lambda self, account_id, region_name, deleter=deleter: deleter(self, account_id, region_name),
        )
