"""What both resolvers share: the AWS target of a lookup, calls with clear errors, the cache.

Every call goes through the stack's `connection_manager.call`, so the stack's region, profile and
sceptre_role apply unless the resolver's argument overrides one of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from typing import Any, NamedTuple

from botocore.exceptions import BotoCoreError, ClientError
from sceptre.exceptions import InvalidAWSCredentialsError, RetryLimitExceededError

from sceptre_fargate_cognito import pagination, rules
from sceptre_fargate_cognito.plugin_base.errors import ResolverError


class Target(NamedTuple):
    """Where a lookup happens: the stack's settings with the argument's overrides applied (one
    lookup per argument per target, whatever the stack)."""

    region: str
    profile: str | None
    sceptre_role: str | None

    def describe(self) -> str:
        parts = [f"region {self.region}"]
        if self.profile:
            parts.append(f"profile {self.profile}")
        if self.sceptre_role:
            parts.append(f"role {self.sceptre_role}")
        return ", ".join(parts)


def check_target_overrides(values: dict, field_error: Callable[[str], None]) -> None:
    """Validate region/profile/sceptre_role given in an argument; calls field_error on a bad one."""
    region = values.get("region")
    if isinstance(region, str) and not rules.REGION_NAME.allows(region):
        field_error(f"region {region!r} is not an AWS region name (like eu-west-1)")
    profile = values.get("profile")
    if isinstance(profile, str) and not profile.strip():
        field_error("profile must not be empty")
    role = values.get("sceptre_role")
    if isinstance(role, str) and not rules.IAM_ROLE_ARN.allows(role):
        field_error(f"sceptre_role {role!r} is not {rules.IAM_ROLE_ARN.expected}")


def target_for(stack, overrides: dict) -> Target:
    """The stack's region/profile/role, each replaced by the argument's value when given."""
    manager = stack.connection_manager
    return Target(
        region=overrides.get("region") or manager.region,
        profile=overrides.get("profile") or manager.profile,
        sceptre_role=overrides.get("sceptre_role") or manager.sceptre_role,
    )


class AwsCaller:
    """Makes one stack's AWS calls for one target, turning every failure into a ResolverError."""

    def __init__(self, stack, target: Target, resolver_name: str):
        self.stack = stack
        self.target = target
        self.resolver_name = resolver_name

    def call(self, service: str, command: str, **kwargs: Any) -> dict:
        try:
            return self.stack.connection_manager.call(
                service,
                command,
                kwargs,
                profile=self.target.profile,
                region=self.target.region,
                sceptre_role=self.target.sceptre_role,
            )
        except ClientError as err:
            error = err.response.get("Error", {})
            code = str(error.get("Code") or "Unknown")
            message = error.get("Message") or str(err)
            raise ResolverError(
                f"!{self.resolver_name}: {service} {_operation(command)} failed in "
                f"{self.target.describe()}: {code}: {message}{_hint(code, service, command)}",
                aws_code=code,
            ) from err
        except (BotoCoreError, InvalidAWSCredentialsError, RetryLimitExceededError) as err:
            # No AWS answer at all: no credentials, unknown profile, unreachable endpoint (an
            # unknown region), or throttled past every retry.
            raise ResolverError(
                f"!{self.resolver_name}: {service} {_operation(command)} failed in "
                f"{self.target.describe()}: {err}"
            ) from err

    def pages(self, service: str, command: str, token_key: str, **kwargs: Any) -> Iterator[dict]:
        """Every page of a paginated call: `token_key` is NextToken (ACM) or nextToken (ECR)."""
        return pagination.pages(lambda arguments: self.call(service, command, **arguments), token_key, kwargs)

    def account_id(self) -> str:
        """The account the target's credentials belong to, or a placeholder: only for messages."""
        try:
            return self.call("sts", "get_caller_identity")["Account"]
        except ResolverError:
            return "(unknown account: sts GetCallerIdentity failed)"


def _operation(command: str) -> str:
    """describe_images -> DescribeImages, as AWS names the operation in its docs and policies."""
    return "".join(part.capitalize() for part in command.split("_"))


def _hint(code: str, service: str, command: str) -> str:
    if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
        return f" (the credentials need {service}:{_operation(command)})"
    if code in ("UnrecognizedClientException", "InvalidClientTokenId", "ExpiredTokenException"):
        return " (check the profile or credentials Sceptre runs with)"
    return ""


class _Outcome(NamedTuple):
    value: Any
    error: str | None
    aws_code: str | None


_cache: dict[Hashable, _Outcome] = {}
_locks: dict[Hashable, threading.Lock] = {}
_locks_guard = threading.Lock()


def cached(key: Hashable, lookup: Callable[[], Any]) -> Any:
    """Run `lookup` once per key for the whole process; every other caller gets its outcome.

    Sceptre resolves stacks in parallel threads: a lock per key makes the second stack wait for
    the first one's answer instead of asking AWS again. A failure is remembered too, so a launch
    with ten stacks reports the same missing image once per stack without ten lookups.
    """
    with _locks_guard:
        lock = _locks.setdefault(key, threading.Lock())
    with lock:
        outcome = _cache.get(key)
        if outcome is None:
            try:
                outcome = _Outcome(lookup(), None, None)
            except ResolverError as err:
                outcome = _Outcome(None, str(err), err.aws_code)
            _cache[key] = outcome
    if outcome.error is not None:
        # A fresh exception per caller: threads must not share one traceback.
        raise ResolverError(outcome.error, aws_code=outcome.aws_code)
    return outcome.value


def clear_cache() -> None:
    """Forget every lookup (tests, or a long-lived process that runs several launches)."""
    with _locks_guard:
        _cache.clear()
        _locks.clear()
