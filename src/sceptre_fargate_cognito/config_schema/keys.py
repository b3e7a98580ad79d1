"""The schema: every key an environment's config.yaml may set, the one place that says its type,
default, valid values and meaning. Validation, the defaults and the key table of docs/configuration.md come from it.

A key with a default may be left out by every environment; one without (REQUIRED) must be set in
every environment's config.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sceptre.config.reader import (
    CONFIG_MERGE_STRATEGIES,
    STACK_CONFIG_ATTRIBUTES,
    STACK_GROUP_CONFIG_ATTRIBUTES,
)

from sceptre_fargate_cognito import rules
from sceptre_fargate_cognito.config_schema import api, app_platform
from sceptre_fargate_cognito.health_check.options import OPTION_NAMES
from sceptre_fargate_cognito.rules import Rule

REQUIRED = object()


@dataclass(frozen=True)
class Key:
    name: str
    type: type  # str, int, bool, dict or list
    description: str
    default: Any = REQUIRED
    rule: Rule | None = None
    empty_is_off: bool = False  # '' is allowed, and leaves the value to the project
    empty_means: str = "off"  # what '' does, for the key table
    options: tuple[str, ...] = ()  # the keys a mapping may hold

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def allowed(self) -> str:
        """The valid values, in words, for the key table."""
        if self.type is bool:
            text = "true, false"
        elif self.type is dict:
            text = "a mapping of " + ", ".join(f"`{o}`" for o in self.options)
        elif self.type is list and self.rule:
            text = self.rule.expected
        elif self.rule and self.rule.values:
            text = ", ".join(map(str, self.rule.values))
        elif self.rule and self.rule.minimum is not None:
            text = f"{self.rule.minimum} to {self.rule.maximum}"
        else:
            text = self.rule.expected if self.rule else "any"
        return text + (f"; `''`: {self.empty_means}" if self.empty_is_off else "")


KEYS: tuple[Key, ...] = (
    Key("region", str, "AWS region of every stack of the environment.", rule=rules.REGION),
    Key(
        "domain_name",
        str,
        "The application's DNS name; the certificate must cover it and Cognito redirects to it.",
        rule=rules.DNS_NAME,
    ),
    Key(
        "local_https_port",
        int,
        "Only for `local`: the loopback port its data plane serves the ALB's HTTPS listener and the "
        "hosted UI on (bin/launch-local sets it from LOCAL_ALB_HTTPS_PORT). Cognito then registers "
        "https://<domain_name>:<port> and the hosted UI is <prefix>.auth.<region>.localhost:<port>. "
        "0 (AWS): https://<domain_name> on 443, the hosted UI at <prefix>.auth.<region>.amazoncognito.com.",
        default=0,
        rule=rules.whole_number(0, 65535),
    ),
    Key(
        "hosted_zone_id",
        str,
        "Route 53 hosted zone for domain_name; when set, an alias record is created (the zone must exist).",
        default="",
        rule=rules.HOSTED_ZONE_ID,
        empty_is_off=True,
    ),
    Key(
        "vpc_cidr",
        str,
        "IPv4 range of the VPC, split into a public and a private subnet per AZ; /16 to /22.",
        rule=rules.VPC_CIDR,
    ),
    Key(
        "az_count",
        int,
        "Availability zones the VPC spans (the ALB needs at least 2).",
        2,
        rules.AZ_COUNT,
    ),
    Key(
        "nat_gateways",
        int,
        "NAT gateways: 1 is cheaper, one per AZ survives the loss of an AZ; 0 needs vpc_endpoints.",
        1,
        rules.whole_number(0, 6),
    ),
    Key(
        "vpc_endpoints",
        bool,
        "Create S3 gateway and ECR api/dkr + CloudWatch Logs interface endpoints, so tasks pull and log without NAT.",
        False,
    ),
    Key(
        "container_port",
        int,
        "Port the container listens on; the ALB forwards to it.",
        8080,
        rules.CONTAINER_PORT,
    ),
    Key("cpu", int, "Task CPU units (256 = 0.25 vCPU).", 256, rules.FARGATE_CPU),
    Key("memory", int, "Task memory in MiB; must be valid for cpu on Fargate.", 512, rules.FARGATE_MEMORY),
    Key("desired_count", int, "Tasks running after a launch.", 2, rules.TASK_COUNT),
    Key("min_capacity", int, "Fewest tasks autoscaling may leave.", 2, rules.TASK_COUNT),
    Key("max_capacity", int, "Most tasks autoscaling may start.", 4, rules.TASK_COUNT),
    Key(
        "image_repository",
        str,
        "ECR repository of the application image, in the environment's account and region.",
        rule=rules.ECR_REPOSITORY,
    ),
    Key(
        "image_tag",
        str,
        "Tag to deploy; resolved to its digest at launch, so `sceptre diff` shows a moved tag.",
        rule=rules.IMAGE_TAG,
    ),
    Key(
        "deletion_protection",
        bool,
        "ALB deletion protection, CloudFormation termination protection and stack policies.",
        False,
    ),
    Key(
        "access_log_bucket",
        str,
        "S3 bucket for ALB access logs (it must exist; its policy must allow the ELB log delivery).",
        default="",
        rule=rules.S3_BUCKET,
        empty_is_off=True,
        empty_means="the bucket the edge stack creates",
    ),
    Key(
        "access_logs",
        bool,
        "ALB access logs: to access_log_bucket if set, else to a bucket the edge stack creates (kept on delete).",
        True,
    ),
    Key(
        "access_log_expiry_days",
        int,
        "Days the bucket the edge stack creates keeps an access log before S3 deletes it.",
        90,
        rules.ACCESS_LOG_EXPIRY_DAYS,
    ),
    Key(
        "waf",
        bool,
        "Have the edge stack create a WAF web ACL for the ALB (AWS managed rules, a per-IP rate limit); not with waf_web_acl_arn.",
        False,
    ),
    Key(
        "waf_rate_limit",
        int,
        "Requests one IP address may make in 5 minutes before the created WAF blocks it.",
        2000,
        rules.WAF_RATE_LIMIT,
    ),
    Key(
        "waf_web_acl_arn",
        str,
        "WAFv2 web ACL of yours (REGIONAL scope, it must exist) to associate with the ALB instead; not with waf.",
        default="",
        rule=rules.WAF_WEB_ACL_ARN,
        empty_is_off=True,
        empty_means="the web ACL the edge stack creates with waf, else none",
    ),
    Key(
        "log_retention_days",
        int,
        "Days CloudWatch keeps the service's logs and the VPC flow logs.",
        30,
        rules.LOG_RETENTION_DAYS,
    ),
    Key(
        "cognito_mfa",
        str,
        "Cognito MFA: OFF, OPTIONAL (users may enrol) or ON (required, TOTP). Quote OFF and ON.",
        "OPTIONAL",
        rules.COGNITO_MFA,
    ),
    Key(
        "deregistration_delay",
        int,
        "Seconds the ALB lets in-flight requests finish on a task being replaced; raise it for long requests.",
        20,
        rules.DEREGISTRATION_DELAY,
    ),
    Key(
        "app_table_arn",
        str,
        "DynamoDB table the application reads and writes (item actions on it and its indexes).",
        default="",
        rule=rules.DYNAMODB_TABLE_ARN,
        empty_is_off=True,
    ),
    Key(
        "bedrock_model_id",
        str,
        "Bedrock foundation model the application invokes.",
        default="",
        rule=rules.BEDROCK_MODEL_ID,
        empty_is_off=True,
    ),
    Key(
        "alarm_email",
        str,
        "Email address the monitoring stack subscribes to its alarm topic (it must confirm); not with alarm_topic_arn.",
        default="",
        rule=rules.EMAIL,
        empty_is_off=True,
    ),
    Key(
        "alarm_topic_arn",
        str,
        "Existing SNS topic the alarms notify instead of the topic the monitoring stack creates.",
        default="",
        rule=rules.SNS_TOPIC_ARN,
        empty_is_off=True,
        empty_means="the topic the monitoring stack creates",
    ),
    Key(
        "alarm_5xx_count",
        int,
        "5xx responses (of the ALB, or of the targets) in 5 minutes that raise an alarm.",
        10,
        rules.ALARM_5XX_COUNT,
    ),
    Key(
        "alarm_p99_latency_ms",
        int,
        "p99 target response time, in milliseconds, over 5 minutes that raises an alarm.",
        2000,
        rules.ALARM_P99_LATENCY_MS,
    ),
    Key(
        "alarm_utilization_percent",
        int,
        "Service CPU or memory utilization, in percent, over 15 minutes that raises an alarm.",
        85,
        rules.ALARM_UTILIZATION_PERCENT,
    ),
    Key(
        "health_check",
        dict,
        "Options for the after-launch HTTPS health check (docs/health-check.md).",
        {"connect_to_alb": True},
        options=OPTION_NAMES,
    ),
    Key(
        "health_check_grace_period",
        int,
        "Seconds ECS ignores failing ALB health checks of a new task while it starts; raise it for slow starters.",
        120,
        rules.HEALTH_CHECK_GRACE_PERIOD,
    ),
    Key(
        "init_image",
        str,
        "Image (repository:tag in the environment's ECR, with sh, chown and chmod) of the init container "
        "that makes the app's scratch volume writable. Empty: the application image.",
        default="",
        rule=rules.ECR_IMAGE_REFERENCE,
        empty_is_off=True,
        empty_means="the application image",
    ),
    Key(
        "cognito_managed_login",
        bool,
        "Cognito sign-in pages: false pins the classic hosted UI; true uses managed login with Cognito's default branding.",
        False,
    ),
    Key(
        "invitation_email_from",
        str,
        "Sender of the invitation email, through your SES identity (see invitation_email_identity): "
        "an address or Name <address>; the invitation then names the application's URL.",
        default="",
        rule=rules.EMAIL_SENDER,
        empty_is_off=True,
        empty_means="Cognito's default sender (a few emails a day, Cognito's text)",
    ),
    Key(
        "invitation_email_identity",
        str,
        "The verified SES identity that sends as invitation_email_from: the address, its domain, or an "
        "identity ARN in another region Cognito can use; in the environment's account.",
        default="",
        rule=rules.SES_IDENTITY,
        empty_is_off=True,
        empty_means="the address of invitation_email_from, in the environment's region",
    ),
    Key(
        "signed_out_path",
        str,
        "Page Cognito sends a user to after sign-out; the ALB serves it (GET and HEAD) without sign-in. "
        "Registered as the app client's sign-out URL; not / nor the health path.",
        "/signed-out",
        rules.SIGNED_OUT_PATH,
    ),
    Key(
        "auth_public_keys_url",
        str,
        "Where the application fetches the ALB's public keys: `AUTH_PUBLIC_KEYS_URL`, the PEM key for kid K at "
        "`<url>/K` (local: the local data plane's key server).",
        default="",
        rule=rules.AUTH_PUBLIC_KEYS_URL,
        empty_is_off=True,
        empty_means="AWS's, `https://public-keys.auth.elb.<region>.amazonaws.com`",
    ),
    Key(
        "cpu_architecture",
        str,
        "CPU architecture of the tasks: X86_64 or ARM64 (Graviton, about 20 % cheaper); the image must "
        "have a linux/<arch> platform.",
        "X86_64",
        rules.CPU_ARCHITECTURE,
    ),
    # What every platform gives an application: the checks are in app_platform.py.
    Key(
        "capacity",
        dict,
        "Where tasks run: on_demand_base tasks on Fargate first, the rest split by on_demand_weight and spot_weight (Fargate Spot).",
        {"on_demand_base": 0, "on_demand_weight": 1, "spot_weight": 0},
        Rule("a mapping of on_demand_base, on_demand_weight, spot_weight", extra=app_platform.capacity),
    ),
    Key(
        "container_health_check",
        dict,
        "A check the image carries (command, interval, timeout, retries, start_period); ECS replaces a task that fails it. Empty: none.",
        {},
        Rule(
            "a mapping of command, interval, timeout, retries, start_period",
            extra=app_platform.container_health_check,
        ),
    ),
    Key(
        "app_environment",
        dict,
        "Plain configuration for the container, NAME: value (PORT, AUTH_*, AWS_* and ECS_* are the platform's; secrets go in app_secrets).",
        {},
        Rule("a mapping of NAME: value", extra=app_platform.app_environment),
    ),
    Key(
        "app_secrets",
        dict,
        "Secrets for the container, NAME: Secrets Manager secret ARN (optionally :<json key>::) or SSM parameter name or ARN; only the execution role reads them.",
        {},
        Rule("a mapping of NAME: secret or parameter", extra=app_platform.app_secrets),
    ),
    Key(
        "local_app_command",
        list,
        "local only: the command the local task runner runs for each task (a list, no shell, from the project "
        "root), instead of the image; it gets PORT, app_environment, app_secrets and AUTH_* as ECS gives them.",
        [".venv/bin/python", "sample_app/app.py"],
        Rule(
            "a list of strings, the program first, such as [.venv/bin/python, app.py]",
            extra=app_platform.command,
        ),
    ),
    Key(
        "app_secrets_kms_key_arn",
        str,
        "Customer-managed KMS key that encrypts the app_secrets; the execution role may decrypt with it through Secrets Manager and SSM.",
        default="",
        rule=rules.KMS_KEY_ARN,
        empty_is_off=True,
    ),
    # Machine clients: the checks are in api.py, the page is docs/machine-clients.md.
    Key(
        "api",
        dict,
        "Paths that take machine clients' access tokens instead of the browser sign-in (the ALB checks them, "
        "jwt-validation): `paths` (ALB path patterns such as /api/*), `scopes` (name: description) and "
        "`clients` (name: [scopes]), each client a Cognito app client with the client-credentials grant "
        "(docs/machine-clients.md). Empty: none.",
        {},
        Rule("a mapping of paths, scopes, clients", extra=api.check),
        options=api.OPTIONS,
    ),
)

BY_NAME = {key.name: key for key in KEYS}

# Keys that only mean something on `local` (bin/launch-local reads them): another environment
# that sets one is refused, so nobody believes it changes what runs on AWS.
LOCAL_ONLY = ("local_app_command",)
LOCAL_ENVIRONMENT = "local"

# What Sceptre itself reads from a config.yaml (sceptre/config/reader.py), and what it adds to the
# values a config file is rendered with.
SCEPTRE_KEYS = (
    frozenset(CONFIG_MERGE_STRATEGIES)
    | STACK_GROUP_CONFIG_ATTRIBUTES.required
    | (STACK_GROUP_CONFIG_ATTRIBUTES.optional | set(STACK_CONFIG_ATTRIBUTES.optional) | {"disable_rollback"})
)
SCEPTRE_RENDER_VALUES = frozenset(
    {"project_path", "stack_group_path", "stack_group_config", "var", "command_path", "environment_variable"}
)
