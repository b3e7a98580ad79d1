"""Every key an environment's config.yaml may set: its meaning, its check, whether it is required.

Defaults live in config/config.yaml, where operators see and change them; this module only says
what a valid value is. A key without a default there is required in every environment.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sceptre_fargate_cognito.config_schema import app_platform


class ConfigError(ValueError):
    """An environment's config.yaml is missing a value or holds a malformed one."""


@dataclass(frozen=True)
class Key:
    name: str
    meaning: str
    check: Callable[[Any], Any]
    required: bool = True


def _pattern(regex: str, expected: str, allow_empty: bool = False):
    compiled = re.compile(regex)

    def check(value):
        if allow_empty and value in ("", None):
            return ""
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise ValueError(f"expected {expected}")
        return value

    return check


def _integer(low: int, high: int, choices: tuple[int, ...] | None = None):
    def check(value):
        # bool is an int in Python; `true` is never a count.
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number from {low} to {high}")
        if choices is not None and value not in choices:
            raise ValueError(f"expected one of {', '.join(map(str, choices))}")
        if not low <= value <= high:
            raise ValueError(f"expected a whole number from {low} to {high}")
        return value

    return check


def _boolean(value):
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _cidr(value):
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise ValueError("expected an IPv4 network in CIDR form, such as 10.0.0.0/16") from None
    if not 16 <= network.prefixlen <= 22:
        # Each AZ gets a public and a private subnet carved from it; /22 is the smallest that fits six.
        raise ValueError("expected a prefix length from /16 to /22, such as 10.0.0.0/16")
    return str(network)


def _mapping(value):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("expected a mapping of option: value")
    return value


_HOSTNAME = r"(?=.{1,253}$)(?!-)([a-z0-9-]{1,63}(?<!-)\.)+[a-z]{2,63}"
# CloudWatch Logs accepts only these retention periods.
_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Fargate's valid (cpu, memory) pairs, memory in MiB.
FARGATE_SIZES = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}

KEYS: tuple[Key, ...] = (
    Key(
        "region",
        "AWS region of every stack of the environment.",
        _pattern(r"[a-z]{2}(-gov)?-[a-z]+-\d", "an AWS region such as eu-west-1"),
    ),
    Key(
        "domain_name",
        "The application's DNS name; the certificate must cover it and Cognito redirects to it.",
        _pattern(_HOSTNAME, "a lower-case DNS name such as app.example.com"),
    ),
    Key(
        "hosted_zone_id",
        "Route 53 hosted zone for domain_name; when set, an alias record is created. Empty: manage DNS yourself.",
        _pattern(
            r"Z[A-Z0-9]{1,31}",
            "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, or empty",
            allow_empty=True,
        ),
        required=False,
    ),
    Key("vpc_cidr", "IPv4 range of the VPC, split into a public and a private subnet per AZ.", _cidr),
    Key(
        "az_count",
        "Availability zones the VPC spans (the ALB needs at least 2).",
        _integer(2, 6),
        required=False,
    ),
    Key(
        "nat_gateways",
        "NAT gateways: 1 is cheaper, one per AZ survives the loss of an AZ; 0 needs vpc_endpoints.",
        _integer(0, 6),
        required=False,
    ),
    Key(
        "vpc_endpoints",
        "Create S3 gateway and ECR api/dkr + CloudWatch Logs interface endpoints, so tasks pull and log without NAT.",
        _boolean,
        required=False,
    ),
    Key(
        "container_port",
        "Port the container listens on; the ALB forwards to it.",
        _integer(1024, 65535),
        required=False,
    ),
    Key(
        "cpu", "Task CPU units (256 = 0.25 vCPU).", _integer(256, 16384, tuple(FARGATE_SIZES)), required=False
    ),
    Key(
        "memory",
        "Task memory in MiB; must be valid for cpu on Fargate.",
        _integer(512, 122880),
        required=False,
    ),
    Key("desired_count", "Tasks running after a launch.", _integer(1, 1000), required=False),
    Key("min_capacity", "Fewest tasks autoscaling may leave.", _integer(1, 1000), required=False),
    Key("max_capacity", "Most tasks autoscaling may start.", _integer(1, 1000), required=False),
    Key(
        "image_repository",
        "ECR repository of the application image, in the environment's account and region.",
        _pattern(
            r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
            "an ECR repository name such as chat-app",
        ),
    ),
    Key(
        "image_tag",
        "Tag to deploy; resolved to its digest at launch, so `sceptre diff` shows a moved tag.",
        _pattern(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", "an image tag such as 1.4.2"),
    ),
    Key(
        "deletion_protection",
        "ALB deletion protection and CloudFormation termination protection.",
        _boolean,
        required=False,
    ),
    Key(
        "access_log_bucket",
        "S3 bucket for ALB access logs (its policy must allow the ELB log delivery). Empty: no access logs.",
        _pattern(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "an S3 bucket name, or empty", allow_empty=True),
        required=False,
    ),
    Key(
        "waf_web_acl_arn",
        "WAFv2 web ACL (REGIONAL scope) to associate with the ALB. Empty: none.",
        _pattern(
            r"arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[A-Za-z0-9_-]+/[a-f0-9-]+",
            "a regional WAFv2 web ACL ARN, or empty",
            allow_empty=True,
        ),
        required=False,
    ),
    Key(
        "log_retention_days",
        "Days CloudWatch keeps the service's logs and the VPC flow logs.",
        _integer(1, 3653, _RETENTION_DAYS),
        required=False,
    ),
    Key(
        "cognito_mfa",
        "Cognito MFA: OFF, OPTIONAL (users may enrol) or ON (required, TOTP).",
        _pattern(r"OFF|OPTIONAL|ON", "one of OFF, OPTIONAL, ON"),
        required=False,
    ),
    Key(
        "deregistration_delay",
        "Seconds the ALB lets in-flight requests finish on a task being replaced; raise it for long requests.",
        _integer(0, 3600),
        required=False,
    ),
    Key(
        "app_table_arn",
        "DynamoDB table the application reads and writes (item actions on it and its indexes). Empty: no DynamoDB access.",
        _pattern(
            r"arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[\w.-]+",
            "a DynamoDB table ARN, or empty",
            allow_empty=True,
        ),
        required=False,
    ),
    Key(
        "bedrock_model_id",
        "Bedrock foundation model the application invokes. Empty: no Bedrock access.",
        _pattern(
            r"[\w.:-]+",
            "a Bedrock model id such as anthropic.claude-3-haiku-20240307-v1:0, or empty",
            allow_empty=True,
        ),
        required=False,
    ),
    Key(
        "health_check",
        "Options for the after-launch HTTPS health check (see the health-check section).",
        _mapping,
        required=False,
    ),
    # issue 11: what every platform gives an application (checks in app_platform.py)
    Key(
        "capacity",
        "Where tasks run: on_demand_base tasks on Fargate first, the rest split by on_demand_weight and spot_weight (Fargate Spot).",
        app_platform.capacity,
        required=False,
    ),
    Key(
        "container_health_check",
        "A check the image carries (command, interval, timeout, retries, start_period); ECS replaces a task that fails it. Empty: none.",
        app_platform.container_health_check,
        required=False,
    ),
    Key(
        "app_environment",
        "Plain configuration for the container, NAME: value (PORT, AWS_* and ECS_* are the platform's; secrets go in app_secrets).",
        app_platform.app_environment,
        required=False,
    ),
    Key(
        "app_secrets",
        "Secrets for the container, NAME: Secrets Manager secret ARN (optionally :<json key>::) or SSM parameter name or ARN; only the execution role reads them.",
        app_platform.app_secrets,
        required=False,
    ),
    Key(
        "app_secrets_kms_key_arn",
        "Customer-managed KMS key that encrypts the app_secrets; the execution role may decrypt with it through Secrets Manager and SSM. Empty: AWS-managed keys.",
        app_platform.kms_key_arn,
        required=False,
    ),
)

_BY_NAME = {key.name: key for key in KEYS}


def validate(values: dict, environment: str) -> dict:
    """Check an environment's merged values; return them normalised, or raise ConfigError.

    Every problem is reported at once, each naming the key and the file to fix.
    """
    where = f"config/{environment}/config.yaml"
    problems = []
    settings = {}
    for key in KEYS:
        if values.get(key.name) is None:
            if key.required:
                problems.append(f"{key.name} is missing ({key.meaning})")
            continue
        try:
            settings[key.name] = key.check(values[key.name])
        except ValueError as err:
            problems.append(f"{key.name} is {values[key.name]!r}: {err}")

    if not problems:
        problems += _cross_checks(settings)
    if problems:
        raise ConfigError(f"environment '{environment}': fix {where}:\n  - " + "\n  - ".join(problems))
    return settings


def _cross_checks(s: dict) -> list[str]:
    problems = []
    if (
        "min_capacity" in s
        and "max_capacity" in s
        and "desired_count" in s
        and not s["min_capacity"] <= s["desired_count"] <= s["max_capacity"]
    ):
        problems.append(
            f"desired_count {s['desired_count']} must lie between min_capacity "
            f"{s['min_capacity']} and max_capacity {s['max_capacity']}"
        )
    if "nat_gateways" in s and "az_count" in s and s["nat_gateways"] > s["az_count"]:
        problems.append(f"nat_gateways {s['nat_gateways']} is more than az_count {s['az_count']}")
    if s.get("nat_gateways") == 0 and s.get("vpc_endpoints") is False:
        problems.append(
            "nat_gateways is 0 and vpc_endpoints is false: tasks could not pull images; enable one"
        )
    if "cpu" in s and "memory" in s and s["memory"] not in FARGATE_SIZES[s["cpu"]]:
        valid = FARGATE_SIZES[s["cpu"]]
        problems.append(
            f"memory {s['memory']} is not valid with cpu {s['cpu']} on Fargate: "
            f"choose from {valid[0]} to {valid[-1]} in steps of {valid[1] - valid[0]}"
        )
    problems += app_platform.cross_checks(s)  # issue 11
    return problems


def load_environment(project_root, environment: str, environment_variables=None) -> dict:
    """An environment's settings as Sceptre sees them (root config.yaml, then the environment's,
    each rendered with Jinja first), validated. For tools outside Sceptre: bin/launch-local, tests."""
    import os
    from pathlib import Path

    import jinja2
    import yaml

    config = Path(project_root) / "config"
    values: dict = {}
    for path in (config / "config.yaml", config / environment / "config.yaml"):
        if not path.is_file():
            raise ConfigError(f"environment '{environment}': {path} does not exist")
        text = jinja2.Template(path.read_text()).render(
            stack_group_path=environment,
            environment_variable=os.environ if environment_variables is None else environment_variables,
        )
        loaded = yaml.safe_load(text) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(
                f"environment '{environment}': {path} must hold key: value pairs, not a {type(loaded).__name__}"
            )
        values.update(loaded)
    return values | validate(values, environment=environment)
