"""What a valid value is, once for the whole project: the config schema, the resolvers' arguments,
the health check's options and (through a test) the templates' parameter constraints use these.

A rule checks a value that already has the right type (the caller checks str/int first) and
raises `RuleError("expected ...")`; `allowed_pattern()` is the CloudFormation AllowedPattern.
"""

from __future__ import annotations

import difflib
import functools
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


class RuleError(ValueError):
    """A value breaks a rule; the message says what was expected."""


@dataclass(frozen=True)
class Rule:
    expected: str  # "a ... such as ...": the message after "expected"
    pattern: str | None = None  # full match; a template's AllowedPattern is ^pattern$
    values: tuple = ()  # the only valid values; a template's AllowedValues
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    extra: Callable[[Any], Any] | None = None  # a check a pattern cannot express; returns the value

    def check(self, value: Any) -> Any:
        if self.pattern is not None and not (isinstance(value, str) and re.fullmatch(self.pattern, value)):
            raise RuleError(f"expected {self.expected}")
        if self.max_length is not None and len(value) > self.max_length:
            raise RuleError(f"expected {self.expected} (at most {self.max_length} characters)")
        if self.values and value not in self.values:
            raise RuleError(f"expected one of {', '.join(map(str, self.values))}")
        if (
            self.minimum is not None
            and value < self.minimum
            or self.maximum is not None
            and value > self.maximum
        ):
            raise RuleError(f"expected {self.expected}")
        return self.extra(value) if self.extra else value

    def allows(self, value: Any) -> bool:
        try:
            self.check(value)
        except RuleError:
            return False
        return True

    def allowed_pattern(self, optional: bool = False) -> str:
        """The CloudFormation AllowedPattern; `optional` also admits the empty string."""
        return f"^({self.pattern})?$" if optional else f"^{self.pattern}$"


def whole_number(minimum: int, maximum: int) -> Rule:
    return Rule(f"a whole number from {minimum} to {maximum}", minimum=minimum, maximum=maximum)


# --- AWS regions, from botocore's own endpoint data (offline) -----------------------------------


@functools.cache
def _partitions() -> dict[str, tuple[re.Pattern, tuple[str, ...]]]:
    import botocore.session

    data = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    return {
        p["partition"]: (re.compile(p["regionRegex"]), tuple(sorted(p["regions"])))
        for p in data["partitions"]
    }


def all_regions() -> tuple[str, ...]:
    return tuple(region for _, regions in _partitions().values() for region in regions)


def partition_of(region: str) -> str | None:
    """The partition whose region names look like this one (aws, aws-cn, aws-us-gov...), or None."""
    # The most specific regex wins: us-gov-west-1 also matches the aws partition's ^(us|...)-\w+-\d+$.
    matching = [name for name, (regex, _) in _partitions().items() if regex.match(region)]
    return max(matching, key=len) if matching else None


def nearest(word: str, choices, n: int = 3) -> list[str]:
    return difflib.get_close_matches(word, list(choices), n=n, cutoff=0.6)


def _known_region(region: str) -> str:
    partition = partition_of(region)
    regions = _partitions()[partition][1] if partition else ()
    if region not in regions:
        close = sorted(nearest(region, regions or all_regions()))
        where = f"a region of the {partition} partition" if partition else "an AWS region"
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise RuleError(f"expected {where} (botocore knows no region {region}){hint}")
    return region


# --- the rules ------------------------------------------------------------------------------------

# The form of a region name; REGION also asks botocore whether the region exists. A resolver's
# region override is checked for form only: a region botocore does not know yet fails at its call.
REGION_NAME = Rule("an AWS region such as eu-west-1", pattern=r"[a-z]{2,4}(-[a-z]+)+-\d{1,2}")
REGION = Rule(REGION_NAME.expected, pattern=REGION_NAME.pattern, extra=_known_region)
# A fully qualified, lower-case DNS name, as the templates' DomainName accepts it.
DNS_NAME = Rule(
    "a lower-case DNS name such as app.example.com",
    pattern=r"(?!-)([a-z0-9-]{1,63}\.)+[a-z]{2,63}",
    max_length=253,
)
# Any host name (one label is enough, any case, an optional trailing dot): health-check targets.
HOST_NAME = Rule(
    "a host name such as myapp.auth.eu-west-1.amazoncognito.com",
    pattern=r"(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?",
)
ECR_REPOSITORY = Rule(
    "an ECR repository name (lower case, like team/app)",
    pattern=r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
    max_length=256,
)
IMAGE_TAG = Rule(
    "an image tag such as 1.4.2 (letters, digits, _ . -, at most 128)",
    pattern=r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}",
)
ECR_IMAGE_REFERENCE = Rule(
    "an ECR repository:tag such as busybox:1.36.1", pattern=f"{ECR_REPOSITORY.pattern}:{IMAGE_TAG.pattern}"
)
IMAGE_DIGEST = Rule("a digest like sha256:<64 lower-case hex digits>", pattern=r"sha256:[a-f0-9]{64}")
LOGICAL_ID = Rule("a CloudFormation logical id (letters and digits)", pattern=r"[A-Za-z0-9]{1,255}")
RESOURCE_TYPE = Rule("a resource type such as AWS::EC2::VPC", pattern=r"AWS::[A-Za-z0-9]+::[A-Za-z0-9]+")
ACCOUNT_ID = Rule("a 12-digit AWS account id", pattern=r"\d{12}")
IAM_ROLE_ARN = Rule(
    "an IAM role ARN (arn:aws:iam::<account>:role/<name>)",
    pattern=r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}",
)
HOSTED_ZONE_ID = Rule("a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ", pattern=r"Z[A-Z0-9]{1,31}")
S3_BUCKET = Rule("an S3 bucket name such as my-alb-logs", pattern=r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
WAF_WEB_ACL_ARN = Rule(
    "a regional WAFv2 web ACL ARN",
    pattern=r"arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional/webacl/[\w-]+/[a-f0-9-]+",
)
SNS_TOPIC_ARN = Rule(
    "an SNS topic ARN such as arn:aws:sns:eu-west-1:111122223333:alarms",
    pattern=r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}",
)
EMAIL = Rule("an email address such as ops@example.com", pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+", max_length=254)
# An address in a sender or an SES identity: no spaces, quotes or angle brackets around it.
_ADDRESS = r'[^@\s<>"\\]+@[^@\s<>"\\]+\.[^@\s<>"\\]+'
# Cognito's EmailConfiguration.From: an address, or a display name and the address in <...>.
EMAIL_SENDER = Rule(
    "an email address, or a name and an address such as Example App <no-reply@example.com>",
    # No quotes or backslashes in the name: the stack config writes it into a quoted YAML string.
    pattern=rf'[^"\\<>@\s][^"\\<>@]*<{_ADDRESS}>|{_ADDRESS}',
    max_length=254,
)
SES_IDENTITY_ARN = Rule(
    "an SES identity ARN such as arn:aws:ses:us-east-1:111122223333:identity/example.com",
    pattern=r'arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity/[^\s<>"\\]+',
)
# What the SES identity that sends invitations may be named as.
SES_IDENTITY = Rule(
    "an SES identity: an email address, a domain such as example.com, or an identity ARN such as "
    "arn:aws:ses:us-east-1:111122223333:identity/example.com",
    pattern=f"{_ADDRESS}|{DNS_NAME.pattern}|{SES_IDENTITY_ARN.pattern}",
)


def sender_address(sender: str) -> str:
    """The address of an EMAIL_SENDER value (the part in <...> of "Name <address>")."""
    return sender.split("<")[-1].rstrip(">").strip()


def ses_identity_name(identity: str) -> str:
    """An SES identity's name: the address or domain itself, or the last part of its ARN."""
    return identity.split(":identity/", 1)[1] if identity.startswith("arn:") else identity


def ses_identity_covers(identity: str, sender: str) -> bool:
    """Whether SES lets `identity` send as the address of `sender`: the same address (in any case),
    or its domain or a parent domain of it."""
    name, address = ses_identity_name(identity).lower(), sender_address(sender).lower()
    if "@" in name:
        return name == address
    domain = address.rsplit("@", 1)[1]
    return domain == name or domain.endswith("." + name)


KMS_KEY_ARN = Rule(
    "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)",
    pattern=r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/(mrk-[0-9a-f]{32}|[0-9a-f-]{36})",
)
DYNAMODB_TABLE_ARN = Rule(
    "a DynamoDB table ARN", pattern=r"arn:aws[a-z-]*:dynamodb:[a-z0-9-]+:\d{12}:table/[\w.-]+"
)
BEDROCK_MODEL_ID = Rule(
    "a Bedrock model id (provider.model, such as anthropic.claude-3-haiku-20240307-v1:0) or "
    "inference profile id (geo.provider.model, such as eu.anthropic.claude-3-7-sonnet-20250219-v1:0)",
    pattern=r"([a-z-]+\.)?[a-z0-9-]+\.[\w:-]+",
)


def _not_reserved_path(path: str) -> str:
    if path == "/oauth2/idpresponse":
        raise RuleError(
            "expected a path of the application's own: /oauth2/idpresponse is the ALB's sign-in callback"
        )
    return path


_LOOPBACK_HOSTS = re.compile(r"(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|[A-Za-z0-9.-]+\.localhost)")


def _https_unless_loopback(url: str) -> str:
    # A key fetched over plain HTTP could be swapped on the way, and with it any identity forged.
    if url.startswith("http://"):
        host = url[len("http://") :].split("/", 1)[0].rsplit(":", 1)[0]
        if not _LOOPBACK_HOSTS.fullmatch(host):
            raise RuleError(
                f"expected https://: keys fetched over http:// from {host} could be forged on the way"
            )
    return url


# A literal ALB path (no wildcards) for a page that must answer without sign-in; also part of a
# Cognito sign-out URL, so only characters that need no escaping there. At most 128, as the ALB's
# path-pattern. Not `/`, which would open the whole site, nor the ALB's own sign-in callback; the
# schema's cross-checks refuse the health path.
SIGNED_OUT_PATH = Rule(
    "an absolute path such as /signed-out (letters, digits, . _ - between slashes; not /)",
    pattern=r"(/[A-Za-z0-9._-]+)+",
    max_length=128,
    extra=_not_reserved_path,
)
# The base of the URL the ALB's public keys are fetched from (the key for kid K at <base>/K): https,
# or http to a loopback host (the local data plane's key server); no trailing slash, no query.
AUTH_PUBLIC_KEYS_URL = Rule(
    "an https:// URL without a trailing slash, such as https://keys.example.com/alb (http:// only on loopback)",
    pattern=r"https?://[A-Za-z0-9.-]+(:\d{1,5})?(/[A-Za-z0-9._~-]+)*",
    max_length=256,
    extra=_https_unless_loopback,
)
COGNITO_MFA = Rule("one of OFF, OPTIONAL, ON", values=("OFF", "OPTIONAL", "ON"))
# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = Rule(
    "a CloudWatch Logs retention period",
    values=(
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
    ),
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
FARGATE_CPU = Rule("Fargate task CPU units", values=tuple(FARGATE_SIZES))
FARGATE_MEMORY = whole_number(512, 122880)
# The ALB needs two; each AZ's private subnet takes an eighth of the VPC, and six are free
# (templates/network.py subnet_cidrs).
AZ_COUNT = whole_number(2, 6)
CONTAINER_PORT = whole_number(1024, 65535)  # unprivileged: the container runs as a non-root user
TASK_COUNT = whole_number(1, 1000)
DEREGISTRATION_DELAY = whole_number(0, 3600)
HEALTH_CHECK_GRACE_PERIOD = whole_number(0, 3600)
CPU_ARCHITECTURE = Rule("one of X86_64, ARM64", values=("X86_64", "ARM64"))  # ECS RuntimePlatform
# ECS's cpuArchitecture -> the OCI platform an image must have for it (the resolver checks it,
# the local launch builds for it).
CPU_ARCHITECTURE_PLATFORMS = dict(zip(CPU_ARCHITECTURE.values, ("linux/amd64", "linux/arm64"), strict=True))
ACCESS_LOG_EXPIRY_DAYS = whole_number(1, 3650)
# A WAFv2 rate-based rule's Limit (requests per IP per 5-minute window): AWS's bounds.
WAF_RATE_LIMIT = whole_number(10, 2_000_000_000)
ALARM_5XX_COUNT = whole_number(1, 100000)
ALARM_P99_LATENCY_MS = whole_number(10, 120000)
ALARM_UTILIZATION_PERCENT = whole_number(1, 100)


def _vpc_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except (ValueError, TypeError):
        raise RuleError("expected an IPv4 network in CIDR form, such as 10.0.0.0/16") from None
    if not 16 <= network.prefixlen <= 22:
        # Each AZ gets a public and a private subnet carved from it; /22 is the smallest that fits six.
        raise RuleError("expected a prefix length from /16 to /22, such as 10.0.0.0/16")
    return str(network)


VPC_CIDR = Rule("an IPv4 network in CIDR form, such as 10.0.0.0/16", extra=_vpc_cidr)


# --- machine clients: the API paths, scopes and clients (config_schema/api.py) -------------------

# An ALB path-pattern value: case-sensitive, at most 128 characters, of the characters the ALB
# documents (A-Z a-z 0-9 _ - . $ / ~ " ' @ : + &) and its two wildcards, * (0 or more characters)
# and ? (exactly one). Ours start with /: an API's paths, not a suffix such as *.json.
ALB_PATH_PATTERN = Rule(
    "an ALB path pattern such as /api/* (starting with /; letters, digits, _ - . $ / ~ \" ' @ : + & "
    "and the wildcards * and ?)",
    pattern=r"/[A-Za-z0-9_\-.$/~\"'@:+&*?]*",
    max_length=128,
)
# ALB quotas for one listener rule: condition values and wildcards (neither adjustable), and rules
# per load balancer (the health and signed-out rules take two of them).
ALB_CONDITION_VALUES_PER_RULE = 5
ALB_WILDCARDS_PER_RULE = 5


@functools.lru_cache(maxsize=512)
def _alb_wildcard(pattern: str, case_sensitive: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.S if case_sensitive else re.S | re.I)


def alb_wildcard_match(pattern: str, value: str, *, case_sensitive: bool) -> bool:
    """Whether an ALB condition value matches as the ALB compares them: * any run of characters
    (/ included), ? exactly one, everything else literal. The data plane's listener rules use it."""
    return _alb_wildcard(pattern, case_sensitive).fullmatch(value) is not None


def alb_path_matches(pattern: str, path: str) -> bool:
    """Whether an ALB path pattern matches a path (path patterns are case-sensitive)."""
    return alb_wildcard_match(pattern, path, case_sensitive=True)


# A Cognito resource server's scope name (ScopeName: no space, ", / or \) and its description.
# Cognito takes names and descriptions of up to 256 characters; the project's limits keep the cognito
# template within CloudFormation's inline size (config_schema/api.py).
OAUTH_SCOPE_NAME = Rule(
    "a scope name such as orders.read (no spaces, quotes, / or \\; at most 64 characters)",
    pattern=r"[!#-.0-\[\]-~]+",
    max_length=64,
)
OAUTH_SCOPE_DESCRIPTION = Rule(
    "a description of what the scope allows (1 to 100 characters)", pattern=r"[^\x00-\x1f]+", max_length=100
)
# A machine client's name: Cognito's ClientName, and part of the CloudFormation logical id of its
# app client (MachineClient<name>), so letters and digits only.
MACHINE_CLIENT_NAME = Rule(
    "a client name of letters and digits, starting with a letter, such as partnerSync (at most 64)",
    pattern=r"[A-Za-z][A-Za-z0-9]*",
    max_length=64,
)
# Cognito: custom scopes per resource server, and AllowedOAuthScopes of one app client. ALB
# jwt-validation: values of one claim (client_id).
COGNITO_SCOPES_PER_RESOURCE_SERVER = 100
JWT_CLAIM_VALUES = 10
