"""The health check's options: names, types, defaults and validation, shared by the hook and the CLI."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlsplit

from sceptre_fargate_cognito.health_check.probe import DEFAULT_PORTS, authority, split_host_port
from sceptre_fargate_cognito.rules import HOST_NAME


class InvalidOptions(ValueError):
    """An unknown option or a bad value; the message names the option and what is expected."""


@dataclass(frozen=True)
class Target:
    """What one run checks, complete: `parse` fills and validates every field."""

    url: str
    connect_to: str | None = None
    ca_bundle: str | None = None
    check_health: bool = True
    health_path: str = "/healthz"
    expected_status: int = 200
    healthy_threshold: int = 3
    check_auth: bool = True
    protected_path: str = "/"
    auth_domain: str | None = None  # set whenever check_auth is on
    check_http_redirect: bool = True
    http_port: int = 80
    interval: float = 5.0
    timeout: float = 5.0
    deadline: float = 600.0
    certificate_warning_days: int = 30


@dataclass(frozen=True)
class StackOutputs:
    """What the hook read from its stack, for the options left out; the command line has none."""

    alb_dns_name: str | None = None  # url defaults to https:// + it; connect_to_alb connects to it
    auth_domain: str | None = None  # auth_domain's default
    names: tuple[str, ...] = ()  # every output the stack has, to say so when one is missing


# Options only the hook takes: they name a stack output, and become Target fields in parse.
HOOK_ONLY = ("connect_to_alb",)

# What each option is, for error messages, the CLI's --help and docs/health-check.md.
DESCRIPTIONS: dict[str, str] = {
    "url": "https:// base URL to check (scheme, host, optional port; no path). "
    "Hook default: https:// + the stack output AlbDnsName.",
    "connect_to": "host[:port] to connect to instead of the URL's host; SNI, Host and certificate "
    "verification still use the URL's host (check an ALB before DNS is cut over).",
    "connect_to_alb": "hook only: connect_to the stack output AlbDnsName (a custom-domain url checked "
    "through the ALB before DNS points at it).",
    "ca_bundle": "PEM file of CA certificates to trust instead of the system store "
    "(the system store honours SSL_CERT_FILE).",
    "check_health": "check that the health path answers expected_status healthy_threshold times in a row.",
    "health_path": "path of the health check.",
    "expected_status": "status the health path must answer.",
    "healthy_threshold": "successive good answers needed from the health path.",
    "check_auth": "check that an unauthenticated GET of protected_path is redirected (302) to the "
    "Cognito hosted UI (https://<auth_domain>/oauth2/authorize).",
    "protected_path": "path that must require sign-in.",
    "auth_domain": "host of the Cognito hosted UI, e.g. myapp.auth.eu-west-1.amazoncognito.com "
    "(with :port when not 443, as on local). Hook default: the stack output AuthDomain.",
    "check_http_redirect": "check that http:// answers 301/308 to https:// on the same host.",
    "http_port": "port of the plain-HTTP listener (on connect_to's host when given).",
    "interval": "seconds between health probes in a row, and the longest wait between retries.",
    "timeout": "seconds allowed for one request (connect, TLS handshake and response head).",
    "deadline": "seconds after which the check gives up on what is still healing.",
    "certificate_warning_days": "warn when the certificate expires in fewer days than this.",
}

OPTION_NAMES = (*(f.name for f in fields(Target)), *HOOK_ONLY)


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidOptions(f"{name} must be a non-empty string, not {value!r}")
    return value.strip()


def _bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidOptions(f"{name} must be true or false, not {value!r}")
    return value


def _int(name: str, value: Any, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidOptions(f"{name} must be a whole number, not {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InvalidOptions(f"{name} must be {bound}, not {value}")
    return value


def _seconds(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise InvalidOptions(f"{name} must be a number of seconds, not {value!r}")
    if value <= 0:
        raise InvalidOptions(f"{name} must be more than 0 seconds, not {value}")
    return float(value)


def _path(name: str, value: Any) -> str:
    value = _text(name, value)
    if not value.startswith("/") or any(c.isspace() for c in value) or "#" in value:
        raise InvalidOptions(f"{name} must be an absolute path such as /healthz, not {value!r}")
    return value


def _hostname(name: str, value: Any) -> str:
    value = _text(name, value)
    if "://" in value or "/" in value or not HOST_NAME.allows(value):
        raise InvalidOptions(
            f"{name} must be a host name such as myapp.auth.eu-west-1.amazoncognito.com, not {value!r}"
        )
    return value.rstrip(".").lower()


def _host_and_port(name: str, value: Any) -> str:
    """A host name with an optional :port (the local hosted UI is on a loopback port)."""
    text = _text(name, value)
    host, port = text, None
    if ":" in text:
        try:
            host, port = split_host_port(text)
        except ValueError:
            raise InvalidOptions(
                f"{name} must be a host name with an optional :port, such as "
                f"myapp.auth.eu-west-1.amazoncognito.com, not {value!r}"
            ) from None
    host = _hostname(name, host)
    return host if port in (None, DEFAULT_PORTS["https"]) else f"{host}:{port}"


def _url(name: str, value: Any) -> str:
    value = _text(name, value)
    parts = urlsplit(value)
    try:
        port = parts.port
    except ValueError:
        raise InvalidOptions(f"{name} has a bad port: {value!r}") from None
    if parts.scheme != "https":
        raise InvalidOptions(
            f"{name} must start with https:// (http:// is checked separately), not {value!r}"
        )
    if not parts.hostname or parts.username or parts.password:
        raise InvalidOptions(f"{name} must name a host, without credentials: {value!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise InvalidOptions(
            f"{name} must be a base URL without a path or query (use health_path), not {value!r}"
        )
    return f"https://{authority(parts.hostname, port or DEFAULT_PORTS['https'], 'https')}"


def _connect_to(name: str, value: Any) -> str:
    value = _text(name, value)
    try:
        split_host_port(value)
    except ValueError as err:
        raise InvalidOptions(
            f"{name} must be host[:port], such as my-alb-123.eu-west-1.elb.amazonaws.com or 127.0.0.1:8443: {err}"
        ) from None
    return value


def _file(name: str, value: Any) -> str:
    value = _text(name, value)
    if not os.path.isfile(value):
        raise InvalidOptions(
            f"{name} {value!r} is not a readable file (relative paths are from {os.getcwd()})"
        )
    return value


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "url": _url,
    "connect_to": _connect_to,
    "connect_to_alb": _bool,
    "ca_bundle": _file,
    "check_health": _bool,
    "health_path": _path,
    "expected_status": lambda n, v: _int(n, v, 100, 599),
    "healthy_threshold": lambda n, v: _int(n, v, 1, 100),
    "check_auth": _bool,
    "protected_path": _path,
    "auth_domain": _host_and_port,
    "check_http_redirect": _bool,
    "http_port": lambda n, v: _int(n, v, 1, 65535),
    "interval": _seconds,
    "timeout": _seconds,
    "deadline": _seconds,
    "certificate_warning_days": lambda n, v: _int(n, v, 0),
}
assert set(_CHECKS) == set(OPTION_NAMES)


def check_values(raw: Any, *, skip: Callable[[Any], bool] = lambda value: False) -> dict[str, Any]:
    """Validate what a user wrote (a mapping or None) and return the cleaned values given.

    `skip(value)` marks values that cannot be checked yet (a Sceptre resolver not resolved before the
    launch); they are left out. A None value means "use the default".
    """
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidOptions(
            f"the arguments must be a mapping such as {{url: https://app.example.com}}, not {raw!r}"
        )
    unknown = sorted(str(key) for key in raw if key not in _CHECKS)
    if unknown:
        raise InvalidOptions(
            f"unknown option(s) {', '.join(unknown)}; the options are {', '.join(OPTION_NAMES)}"
        )
    cleaned = {}
    for key, value in raw.items():
        if value is None or skip(value):
            continue
        cleaned[key] = _CHECKS[key](key, value)
    return cleaned


def parse(raw: Any, outputs: StackOutputs = StackOutputs()) -> Target:
    """The complete Target from what a user wrote (a mapping of option names to values; None: every
    default), with the stack's outputs filling url, auth_domain and connect_to_alb first."""
    values = check_values(raw)
    where = f" (stack outputs: {', '.join(outputs.names) or 'none'})" if outputs != StackOutputs() else ""
    if values.pop("connect_to_alb", False):
        if "connect_to" in values:
            raise InvalidOptions("give connect_to or connect_to_alb, not both")
        if not outputs.alb_dns_name:
            raise InvalidOptions(
                f"connect_to_alb needs the stack output AlbDnsName (it works in the hook only){where}"
            )
        # Reach the ALB itself while SNI, Host and verification use the custom domain in url.
        values["connect_to"] = _connect_to(
            "connect_to_alb (the stack output AlbDnsName)", outputs.alb_dns_name
        )
    if "url" not in values:
        if not outputs.alb_dns_name:
            raise InvalidOptions(
                f"url is required (the hook defaults it from the stack output AlbDnsName){where}"
            )
        values["url"] = _url(
            "url (https:// + the stack output AlbDnsName)", "https://" + outputs.alb_dns_name
        )
    if values.get("check_auth", True) and "auth_domain" not in values:
        if not outputs.auth_domain:
            raise InvalidOptions(
                "check_auth needs auth_domain (the Cognito hosted-UI host; the hook defaults it from the "
                f"stack output AuthDomain), or check_auth: false{where}"
            )
        values["auth_domain"] = _host_and_port(
            "auth_domain (the stack output AuthDomain)", outputs.auth_domain
        )
    target = Target(**values)
    if target.deadline < target.timeout:
        raise InvalidOptions(
            f"deadline ({target.deadline:g} s) must be at least one request timeout ({target.timeout:g} s)"
        )
    if not (target.check_health or target.check_auth or target.check_http_redirect):
        raise InvalidOptions(
            "every check is switched off: enable at least one of check_health, check_auth, check_http_redirect"
        )
    return target
