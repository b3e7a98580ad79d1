"""Who may reach what: the network exposure CloudFormation templates declare, as rows a person reads.

One row (a `Path`) per way in or out: a security-group rule (inline or its own resource, by
protocol, port and peer: a CIDR, a prefix list or a group), a resource placed in a group, a load
balancer and its scheme, a listener and its port, a public IP (an ECS task's `AssignPublicIp`, a
subnet's `MapPublicIpOnLaunch`, an instance's, an Elastic IP), and a VPC endpoint policy that
admits any principal. Settings that open nothing (`AssignPublicIp: DISABLED`) are no row, and
neither is a listener *rule*: which paths of the application need sign-in is the listener's
business, not who may reach the load balancer.

Names are what a reviewer recognises: `network:AlbSecurityGroup` for a resource of the network
stack (CDK's hash suffix dropped), so a row reads the same in every environment; a value that comes
from another stack (a parameter fed by `!stack_output`, an `Fn::ImportValue`) is named after the
resource the other stack's output points at when that stack's template is known. The tests hold
the picture of every environment equal to a designed table (tests/test_exposure.py); the diff
report calls out the rows a launch adds or removes (review/stack_changes.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

SECURITY_GROUP = "AWS::EC2::SecurityGroup"
INGRESS = "AWS::EC2::SecurityGroupIngress"
EGRESS = "AWS::EC2::SecurityGroupEgress"
LOAD_BALANCER = "AWS::ElasticLoadBalancingV2::LoadBalancer"
LISTENER = "AWS::ElasticLoadBalancingV2::Listener"
CLASSIC_LOAD_BALANCER = "AWS::ElasticLoadBalancing::LoadBalancer"
ELASTIC_IP = "AWS::EC2::EIP"
VPC_ENDPOINT = "AWS::EC2::VPCEndpoint"

# Every type that opens or closes a path by itself: only the network stack may declare these
# (tests/test_exposure.py). Network ACLs only ever narrow what the groups allow, but they are rules too.
RULE_TYPES = frozenset(
    {
        SECURITY_GROUP,
        INGRESS,
        EGRESS,
        "AWS::EC2::NetworkAcl",
        "AWS::EC2::NetworkAclEntry",
        "AWS::EC2::SubnetNetworkAclAssociation",
    }
)
# Types whose every change the diff report calls out as a change in exposure, even one that leaves
# the rows as they were: CloudFormation applies a modified rule by removing it and adding the new
# one (traffic drops in between), and a listener's certificate, TLS policy or default action
# decides what everyone who reaches it gets.
CALLED_OUT_TYPES = frozenset({SECURITY_GROUP, INGRESS, EGRESS, LISTENER})

# Properties that place a resource in security groups (ELB, ECS, EC2, endpoints, Lambda, RDS, ...).
_GROUP_KEYS = frozenset({"SecurityGroups", "SecurityGroupIds", "VPCSecurityGroups", "VpcSecurityGroupIds"})
# ... and, inside a network interface only (an IAM user's `Groups` are no security groups):
_INTERFACE_GROUP_KEYS = frozenset({"GroupSet", "Groups"})
# Properties that give what is launched a public address, and the values that do.
_PUBLIC_ADDRESS = {
    "AssignPublicIp": "ENABLED",
    "AssociatePublicIpAddress": "true",
    "MapPublicIpOnLaunch": "true",
    "AssignIpv6AddressOnCreation": "true",
    "PubliclyAccessible": "true",
}
_PROTOCOLS = {"-1": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}
_CDK_HASH = re.compile(r"^(.*[a-z])[0-9A-F]{8}$")
_SUB_NAME = re.compile(r"\$\{([^}!]+)\}")
_PSEUDO = {
    "AWS::Region": "{region}",
    "AWS::AccountId": "{account}",
    "AWS::Partition": "{partition}",
    "AWS::URLSuffix": "{url suffix}",
    "AWS::StackName": "{stack name}",
}
ANYWHERE = ("0.0.0.0/0", "::/0")


@dataclass(frozen=True, order=True)
class Path:
    """One way in or out, as the designed table writes it."""

    stack: str  # the stack that declares it
    kind: str  # ingress, egress, in group, load balancer, listener, public IP, endpoint policy
    who: str
    whom: str
    how: str  # the protocol and port ("tcp 443", "all traffic"), or the setting ("AssignPublicIp ENABLED")

    @property
    def text(self) -> str:
        """The path without its stack: `ingress: anywhere (0.0.0.0/0) → network:AlbSecurityGroup, tcp 443`."""
        how = "" if self.how == "—" else f", {self.how}"
        return f"{self.kind}: {self.who} → {self.whom}{how}"

    def __str__(self) -> str:
        return f"{self.stack}: {self.text}"


@dataclass(frozen=True)
class Opening:
    """A path and where it is declared."""

    path: Path
    logical_id: str
    type: str
    where: str = ""  # the part of the resource, e.g. "SecurityGroupIngress[1]"
    note: str = field(default="", compare=False)  # the rule's Description

    @property
    def resource(self) -> str:
        where = f" {self.where}" if self.where else ""
        return f"`{self.logical_id}` ({self.type}){where}"

    def __str__(self) -> str:
        note = f' "{self.note}"' if self.note else ""
        return f"{self.path} — {self.resource}{note}"


@dataclass(frozen=True)
class StackOutput:
    """A parameter value fed by another stack's output (`!stack_output <env>/<stack>.yaml::<key>`)."""

    stack: str
    key: str


def base_name(logical_id: str) -> str:
    """The logical id without the hash CDK appends (`AlbSecurityGroup86A59E99` -> `AlbSecurityGroup`)."""
    match = _CDK_HASH.match(logical_id)
    return match.group(1) if match else logical_id


class Environment:
    """The templates of the stacks of one environment, and how their parameters are fed.

    `parameters[stack]` maps a parameter to its value: text, a `StackOutput`, or None (known only
    at launch). A stack's own parameters may be missing: then a template default, or the name.
    """

    def __init__(
        self, templates: Mapping[str, dict], parameters: Mapping[str, Mapping[str, Any]] | None = None
    ):
        self.templates = dict(templates)
        self.parameters = {stack: dict((parameters or {}).get(stack) or {}) for stack in self.templates}
        self._exports: dict[str, StackOutput] | None = None

    def paths(self) -> list[Opening]:
        """Every opening of every stack, sorted by stack, then path."""
        found = [o for stack in self.templates for o in _Stack(self, stack).openings()]
        return sorted(found, key=lambda o: (o.path, o.logical_id, o.where))

    def output(self, reference: StackOutput) -> str:
        """What another stack's output names: the resource or value it points at, described there."""
        template = self.templates.get(reference.stack)
        outputs = (template or {}).get("Outputs") or {}
        if reference.key not in outputs:
            return f"{reference.stack} output {reference.key}"
        return _Stack(self, reference.stack).text(outputs[reference.key].get("Value"))

    def export(self, name: str) -> str:
        """What an `Fn::ImportValue` of `name` names, if a stack here exports it."""
        if self._exports is None:
            self._exports = {}
            for stack, template in self.templates.items():
                for key, output in ((template or {}).get("Outputs") or {}).items():
                    export = (output.get("Export") or {}).get("Name")
                    if export is not None:
                        self._exports[_Stack(self, stack).text(export)] = StackOutput(stack, key)
        found = self._exports.get(name)
        return self.output(found) if found else f"export {name}"


def stack_paths(stack: str, template: dict, parameters: Mapping[str, Any] | None = None) -> list[Opening]:
    """The openings one template declares, with its parameters' values (as a diff sees them)."""
    return Environment({stack: template}, {stack: parameters or {}}).paths()


class _Stack:
    def __init__(self, environment: Environment, name: str):
        self.environment = environment
        self.name = name
        self.template = environment.templates[name] or {}
        self.resources: dict[str, dict] = self.template.get("Resources") or {}
        self.parameters = environment.parameters.get(name, {})

    # --- naming -------------------------------------------------------------------------------

    def resource_name(self, logical_id: str) -> str:
        return f"{self.name}:{base_name(logical_id)}"

    def text(self, node: Any) -> str:
        """A template value as a reader names it: literals as written, references resolved."""
        if isinstance(node, bool):
            return str(node).lower()
        if isinstance(node, (str, int, float)):
            return str(node)
        if isinstance(node, list):
            return ", ".join(self.text(item) for item in node)
        if isinstance(node, dict) and len(node) == 1:
            ((key, value),) = node.items()
            handler = _INTRINSICS.get(key)
            if handler:
                return handler(self, value)
        return json.dumps(node, sort_keys=True, separators=(",", ":"))

    def ref(self, name: Any) -> str:
        name = str(name)
        if name in self.resources:
            return self.resource_name(name)
        if name in _PSEUDO:
            return _PSEUDO[name]
        if name in self.parameters:
            value = self.parameters[name]
            if isinstance(value, StackOutput):
                return self.environment.output(value)
            if value is not None:
                return self.text(value)
        default = ((self.template.get("Parameters") or {}).get(name) or {}).get("Default")
        if default is not None and name not in self.parameters:
            return self.text(default)
        return f"parameter {name}"

    def get_att(self, value: Any) -> str:
        target, attribute = value if isinstance(value, list) else str(value).split(".", 1)
        if isinstance(attribute, dict):
            attribute = self.text(attribute)
        name = self.ref(target) if target in self.resources else f"{self.name}:{target}"
        # A group's id, a resource's ARN or allocation id is the resource itself to a reader.
        return (
            name
            if attribute in ("GroupId", "Arn", "AllocationId", "LoadBalancerArn")
            else f"{name}.{attribute}"
        )

    def sub(self, value: Any) -> str:
        text, variables = (value[0], value[1]) if isinstance(value, list) else (value, {})

        def substitute(match: re.Match) -> str:
            name = match.group(1)
            if name in variables:
                return self.text(variables[name])
            if "." in name and name.split(".", 1)[0] in self.resources:
                return self.get_att(name)
            return self.ref(name)

        return _SUB_NAME.sub(substitute, str(text))

    def join(self, value: Any) -> str:
        separator, items = value
        if not isinstance(items, list):
            return self.text(items)
        return str(separator).join(self.text(item) for item in items)

    def select(self, value: Any) -> str:
        index, items = value
        if isinstance(items, list) and str(index).isdigit() and int(index) < len(items):
            return self.text(items[int(index)])
        return f"item {self.text(index)} of {self.text(items)}"

    def if_(self, value: Any) -> str:
        branches = [self.text(branch) for branch in value[1:3] if branch != {"Ref": "AWS::NoValue"}]
        return " or ".join(dict.fromkeys(branches))

    def import_value(self, value: Any) -> str:
        return self.environment.export(self.text(value))

    def values(self, node: Any) -> list[str]:
        """Each value a property may take: both branches of an Fn::If, each item of a list."""
        if isinstance(node, dict) and set(node) == {"Fn::If"}:
            return [v for branch in node["Fn::If"][1:3] for v in self.values(branch)]
        if isinstance(node, list):
            return [v for item in node for v in self.values(item)]
        if node == {"Ref": "AWS::NoValue"} or node is None:
            return []
        return [self.text(node)]

    # --- openings -----------------------------------------------------------------------------

    def openings(self) -> Iterator[Opening]:
        for logical_id, resource in self.resources.items():
            kind = resource.get("Type", "")
            properties = resource.get("Properties") or {}
            yield from self._rules(logical_id, kind, properties)
            yield from self._load_balancing(logical_id, kind, properties)
            yield from self._endpoint_policy(logical_id, kind, properties)
            yield from self._elastic_ip(logical_id, kind, properties)
            if kind not in (SECURITY_GROUP, INGRESS, EGRESS):
                yield from self._memberships(logical_id, kind, properties)
                yield from self._public_addresses(logical_id, kind, properties)

    def _opening(self, logical_id, kind, path_kind, who, whom, how, where="", note="") -> Opening:
        return Opening(Path(self.name, path_kind, who, whom, how), logical_id, kind, where, note or "")

    def _rules(self, logical_id: str, kind: str, properties: dict) -> Iterator[Opening]:
        if kind == SECURITY_GROUP:
            group = self.resource_name(logical_id)
            for index, rule in enumerate(properties.get("SecurityGroupIngress") or []):
                yield self._rule(logical_id, kind, "ingress", group, rule, f"SecurityGroupIngress[{index}]")
            if "SecurityGroupEgress" not in properties:
                # AWS gives a group created without egress rules its default: everything, anywhere.
                for anywhere in ANYWHERE:
                    yield self._opening(
                        logical_id,
                        kind,
                        "egress",
                        group,
                        f"anywhere ({anywhere})",
                        "all traffic",
                        "(AWS's default egress: the group declares none)",
                    )
            for index, rule in enumerate(properties.get("SecurityGroupEgress") or []):
                if not _no_traffic(rule):
                    yield self._rule(logical_id, kind, "egress", group, rule, f"SecurityGroupEgress[{index}]")
        elif kind in (INGRESS, EGRESS):
            direction = "ingress" if kind == INGRESS else "egress"
            group = self.text(properties.get("GroupId", properties.get("GroupName", "?")))
            yield self._rule(logical_id, kind, direction, group, properties)

    def _rule(self, logical_id: str, kind: str, direction: str, group: str, rule: dict, where="") -> Opening:
        peer = self._peer(rule, direction)
        who, whom = (peer, group) if direction == "ingress" else (group, peer)
        return self._opening(
            logical_id, kind, direction, who, whom, self._ports(rule), where, rule.get("Description")
        )

    def _peer(self, rule: dict, direction: str) -> str:
        side = "Source" if direction == "ingress" else "Destination"
        for key in ("CidrIp", "CidrIpv6"):
            if key in rule:
                cidr = self.text(rule[key])
                return f"anywhere ({cidr})" if cidr in ANYWHERE else cidr
        if f"{side}PrefixListId" in rule:
            return f"prefix list {self.text(rule[side + 'PrefixListId'])}"
        for key in (f"{side}SecurityGroupId", f"{side}SecurityGroupName"):
            if key in rule:
                owner = rule.get("SourceSecurityGroupOwnerId")
                return self.text(rule[key]) + (f" of account {self.text(owner)}" if owner else "")
        return "no peer"

    def _ports(self, rule: dict) -> str:
        protocol = self.text(rule.get("IpProtocol", "?")).lower()
        protocol = _PROTOCOLS.get(protocol, protocol)
        if protocol == "all":
            return "all traffic"
        low, high = self.text(rule.get("FromPort", "-1")), self.text(rule.get("ToPort", "-1"))
        if protocol.startswith("icmp"):
            return f"{protocol} type {low} code {high}".replace("-1", "any")
        if low == "-1" or (low, high) == ("0", "65535"):
            return f"{protocol} all ports"
        return f"{protocol} {low}" if low == high else f"{protocol} {low}-{high}"

    def _audience(self, load_balancer: dict) -> str:
        properties = load_balancer.get("Properties") or {}
        # Both kinds of load balancer are internet-facing unless the template says otherwise.
        schemes = self.values(properties.get("Scheme", "internet-facing")) or ["internet-facing"]
        return " or ".join(
            "the VPC (internal)" if s == "internal" else "internet" for s in dict.fromkeys(schemes)
        )

    def _load_balancing(self, logical_id: str, kind: str, properties: dict) -> Iterator[Opening]:
        if kind in (LOAD_BALANCER, CLASSIC_LOAD_BALANCER):
            flavour = self.text(properties.get("Type", "application")) if kind == LOAD_BALANCER else "classic"
            audience = self._audience({"Properties": properties})
            scheme = self.text(properties.get("Scheme", "internet-facing"))
            yield self._opening(
                logical_id,
                kind,
                f"load balancer ({flavour})",
                audience,
                self.resource_name(logical_id),
                f"scheme {scheme}",
            )
            for index, listener in enumerate(properties.get("Listeners") or []):  # classic: inline
                how = f"{self.text(listener.get('Protocol', '?'))} {self.text(listener.get('LoadBalancerPort', '?'))}"
                yield self._opening(
                    logical_id,
                    kind,
                    "listener",
                    audience,
                    self.resource_name(logical_id),
                    how,
                    f"Listeners[{index}]",
                )
        elif kind == LISTENER:
            target = properties.get("LoadBalancerArn")
            balancer_id = (target or {}).get("Ref") if isinstance(target, dict) else None
            balancer = self.resources.get(balancer_id or "")
            whom = self.text(target)
            audience = self._audience(balancer) if balancer else f"whoever reaches {whom}"
            how = f"{self.text(properties.get('Protocol', '?'))} {self.text(properties.get('Port', '?'))}"
            yield self._opening(logical_id, kind, "listener", audience, whom, how)

    def _endpoint_policy(self, logical_id: str, kind: str, properties: dict) -> Iterator[Opening]:
        if kind != VPC_ENDPOINT:
            return
        service = f"endpoint {self.text(properties.get('ServiceName', '?'))}"
        policy = properties.get("PolicyDocument")
        if policy is None:
            yield self._opening(
                logical_id,
                kind,
                "endpoint policy",
                "any principal (AWS's default policy)",
                service,
                "full access",
            )
            return
        if isinstance(policy, str):
            policy = json.loads(policy)
        statements = policy.get("Statement") or []
        for index, statement in enumerate(statements if isinstance(statements, list) else [statements]):
            if (
                statement.get("Effect") == "Allow"
                and _anyone(statement.get("Principal"))
                and not statement.get("Condition")
            ):
                actions = statement.get("Action", "?")
                yield self._opening(
                    logical_id,
                    kind,
                    "endpoint policy",
                    "any principal",
                    service,
                    ", ".join(actions) if isinstance(actions, list) else str(actions),
                    f"PolicyDocument.Statement[{index}]",
                )

    def _elastic_ip(self, logical_id: str, kind: str, properties: dict) -> Iterator[Opening]:
        if kind != ELASTIC_IP:
            return
        users = sorted(
            {
                resource.get("Type", "?").split("::")[-1]
                for other_id, resource in self.resources.items()
                if other_id != logical_id and _refers_to(resource.get("Properties"), logical_id)
            }
        )
        if "InstanceId" in properties:
            users.append("Instance")
        what = f"Elastic IP of {', '.join(users)}" if users else "Elastic IP"
        # A NAT gateway's address only answers connections its subnets opened.
        how = "outbound only" if users == ["NatGateway"] else "any port its holder's groups allow"
        yield self._opening(logical_id, kind, "public IP", "internet", what, how)

    def _memberships(self, logical_id: str, kind: str, properties: dict) -> Iterator[Opening]:
        member = self.resource_name(logical_id)
        found = list(_find(properties, _GROUP_KEYS | _INTERFACE_GROUP_KEYS))
        for where, value in found:
            if where.rsplit(".", 1)[-1] in _INTERFACE_GROUP_KEYS and "NetworkInterfaces" not in where:
                continue
            for group in self.values(value):
                # A comma-separated list parameter names several groups.
                for name in (g.strip() for g in group.split(",")):
                    yield self._opening(logical_id, kind, "in group", member, name, "—", where)

    def _public_addresses(self, logical_id: str, kind: str, properties: dict) -> Iterator[Opening]:
        for where, value in _find(properties, set(_PUBLIC_ADDRESS)):
            key = where.rsplit(".", 1)[-1]
            if _PUBLIC_ADDRESS[key] in (
                v.lower() if key != "AssignPublicIp" else v for v in self.values(value)
            ):
                yield self._opening(
                    logical_id,
                    kind,
                    "public IP",
                    "internet",
                    self.resource_name(logical_id),
                    f"{key} {_PUBLIC_ADDRESS[key]}",
                    where,
                )


_INTRINSICS = {
    "Ref": _Stack.ref,
    "Fn::GetAtt": _Stack.get_att,
    "Fn::Sub": _Stack.sub,
    "Fn::Join": _Stack.join,
    "Fn::Select": _Stack.select,
    "Fn::If": _Stack.if_,
    "Fn::ImportValue": _Stack.import_value,
}


def _no_traffic(rule: dict) -> bool:
    # CDK's stand-in for "no egress" (so AWS adds no default rule): ICMP type 252 code 86 to
    # 255.255.255.255, which no host sends.
    return rule.get("CidrIp") == "255.255.255.255/32" and str(rule.get("IpProtocol")) in ("icmp", "1")


def _anyone(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        values = principal.get("AWS", [])
        return values == "*" or (isinstance(values, list) and "*" in values)
    return False


def _refers_to(node: Any, logical_id: str) -> bool:
    if isinstance(node, dict):
        if node.get("Ref") == logical_id:
            return True
        target = node.get("Fn::GetAtt")
        if isinstance(target, list) and target and target[0] == logical_id:
            return True
        return any(_refers_to(value, logical_id) for value in node.values())
    if isinstance(node, list):
        return any(_refers_to(item, logical_id) for item in node)
    return False


def _find(node: Any, keys: set[str] | frozenset[str], path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every property named in `keys`, at any depth."""
    if isinstance(node, dict):
        if len(node) == 1 and next(iter(node)).startswith("Fn::") and next(iter(node)) != "Fn::If":
            return
        for key, value in node.items():
            where = f"{path}.{key}" if path else key
            if key in keys:
                yield where, value
            elif key != "Fn::If":
                yield from _find(value, keys, where)
            else:
                for index, branch in enumerate(value[1:3]):
                    yield from _find(branch, keys, f"{path}[if {'true' if index == 0 else 'false'}]")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _find(item, keys, f"{path}[{index}]")


def differences(actual: list[Opening], designed: set[Path]) -> list[str]:
    """Each path not designed (naming where it is declared) and each designed path missing."""
    lines = [f"new path: {opening}" for opening in actual if opening.path not in designed]
    found = {opening.path for opening in actual}
    lines += [f"designed path missing: {path}" for path in sorted(designed - found)]
    return lines


@dataclass(frozen=True)
class ExposureChange:
    """A path a launch opens or closes, or a rule or listener it changes, as the diff report says it."""

    verb: str  # opens | closes | changes
    text: str

    def __str__(self) -> str:
        return f"**{self.verb}** {self.text}"


def exposure_changes(
    before: list[Opening], after: list[Opening], modified: dict[str, str]
) -> list[ExposureChange]:
    """Paths opened and closed between two pictures of one stack, then each resource of
    CALLED_OUT_TYPES in `modified` (logical id -> type and why) that opened or closed none."""
    old, new = {o.path for o in before}, {o.path for o in after}
    opened = [o for o in after if o.path not in old]
    closed = [o for o in before if o.path not in new]
    result = [ExposureChange("opens", f"{o.path.text} — {o.resource}") for o in _first_per_path(opened)]
    result += [ExposureChange("closes", f"{o.path.text} — {o.resource}") for o in _first_per_path(closed)]
    named = {o.logical_id for o in opened + closed}
    result += [
        ExposureChange("changes", why)
        for logical_id, why in sorted(modified.items())
        if logical_id not in named
    ]
    return result


def _first_per_path(openings: list[Opening]) -> list[Opening]:
    """One line per path (three NAT gateways' addresses are one path), naming its first resource."""
    seen: dict[Path, Opening] = {}
    for opening in openings:
        seen.setdefault(opening.path, opening)
    return list(seen.values())
