"""What an ALB listener's rules say about one request, as the ELB documentation describes it.

Pure functions over the shapes `DescribeRules` returns: which rule matches (priority order, the
default last; conditions ANDed, each condition's values ORed), and what its redirect or fixed
response is. Performing the actions (sign-in, forwarding) is the data plane's job.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from sceptre_fargate_cognito.rules import alb_wildcard_match as wildcard_match

Rule = Mapping[str, Any]
Action = Mapping[str, Any]

# Actions that end a rule; authenticate-* run before them (by Order).
FINAL_ACTIONS = ("forward", "redirect", "fixed-response")
DEFAULT_PORTS = {"HTTP": 80, "HTTPS": 443}


@dataclass(frozen=True)
class Request:
    """What the rules look at: the listener's protocol and port, and the request itself."""

    protocol: str  # HTTP or HTTPS (the listener's)
    port: int  # the listener's port (the ALB's, e.g. 443), not a local one
    method: str
    host: str  # the Host header without its port, lower-case
    path: str  # without the query
    query: str  # without the "?"
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    source_ip: str = "127.0.0.1"


def _values(condition: Mapping[str, Any], config: str) -> list[Any]:
    # DescribeRules returns both the legacy Values and the <Field>Config form; either may be set.
    return list((condition.get(config) or {}).get("Values") or condition.get("Values") or [])


def condition_matches(condition: Mapping[str, Any], request: Request) -> bool:
    field_name = condition.get("Field")
    if field_name == "path-pattern":
        return any(
            wildcard_match(v, request.path, case_sensitive=True)
            for v in _values(condition, "PathPatternConfig")
        )
    if field_name == "host-header":
        return any(
            wildcard_match(v, request.host, case_sensitive=False)
            for v in _values(condition, "HostHeaderConfig")
        )
    if field_name == "http-request-method":
        return request.method in _values(condition, "HttpRequestMethodConfig")
    if field_name == "http-header":
        config = condition.get("HttpHeaderConfig") or {}
        value = request.headers.get(str(config.get("HttpHeaderName", "")).lower())
        return value is not None and any(
            wildcard_match(v, value, case_sensitive=False) for v in config.get("Values") or []
        )
    if field_name == "query-string":
        pairs = parse_qsl(request.query, keep_blank_values=True)
        return any(
            any(
                (want.get("Key") is None or wildcard_match(want["Key"], k, case_sensitive=False))
                and wildcard_match(want.get("Value", ""), v, case_sensitive=False)
                for k, v in pairs
            )
            for want in _values(condition, "QueryStringConfig")
        )
    if field_name == "source-ip":
        try:
            address = ipaddress.ip_address(request.source_ip)
        except ValueError:
            return False
        return any(
            address in ipaddress.ip_network(v, strict=False) for v in _values(condition, "SourceIpConfig")
        )
    # A condition this data plane does not know never matches: fail closed, never open.
    return False


def _priority(rule: Rule) -> float:
    return (
        float("inf") if rule.get("IsDefault") or rule.get("Priority") == "default" else int(rule["Priority"])
    )


def matching_rule(rules: Sequence[Rule], request: Request) -> Rule | None:
    """The first rule, by priority, whose every condition matches; the default rule last."""
    for rule in sorted(rules, key=_priority):
        if all(condition_matches(c, request) for c in rule.get("Conditions") or []):
            return rule
    return None


def ordered_actions(rule: Rule) -> list[Action]:
    """The rule's actions in Order (an action without one keeps its place)."""
    actions = list(rule.get("Actions") or [])
    return sorted(actions, key=lambda a: (a.get("Order") is None, a.get("Order") or 0))


def _substitute(template: str, values: Mapping[str, str]) -> str:
    return re.sub(r"#\{(protocol|host|port|path|query)\}", lambda m: values[m.group(1)], template)


def redirect_location(config: Mapping[str, Any], request: Request, local_ports: Mapping[int, int]) -> str:
    """The Location of a redirect action. #{path} is the path without its leading "/" (the
    default Path is "/#{path}"); a port of the protocol's default is left out. `local_ports` maps
    the ALB's listener ports to the loopback ports this data plane serves them on."""
    values = {
        "protocol": request.protocol.lower(),
        "host": request.host,
        "port": str(request.port),
        "path": request.path[1:] if request.path.startswith("/") else request.path,
        "query": request.query,
    }
    protocol = _substitute(config.get("Protocol") or "#{protocol}", values).upper()
    host = _substitute(config.get("Host") or "#{host}", values)
    port = int(_substitute(config.get("Port") or "#{port}", values))
    path = _substitute(config.get("Path") or "/#{path}", values)
    query_template = config.get("Query")
    query = _substitute("#{query}" if query_template is None else str(query_template), values)
    port = local_ports.get(port, port)
    authority = host if port == DEFAULT_PORTS.get(protocol) else f"{host}:{port}"
    return f"{protocol.lower()}://{authority}{path}" + (f"?{query}" if query else "")


def redirect_status(config: Mapping[str, Any]) -> int:
    return 301 if config.get("StatusCode") == "HTTP_301" else 302


def forward_target_groups(action: Action) -> list[tuple[str, int]]:
    """(target group ARN, weight) of a forward action, in either of its two forms."""
    if action.get("TargetGroupArn"):
        return [(action["TargetGroupArn"], 1)]
    groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
    return [(g["TargetGroupArn"], int(g.get("Weight", 1))) for g in groups]
