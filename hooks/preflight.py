"""!preflight: before a stack of the environment changes, every lookup the environment needs that
does not depend on another stack's outputs is made and checked; any failure stops the command.

    hooks:
      before_launch: [!preflight]         # on EVERY stack: Sceptre runs a stack's hooks when its
      before_diff: [!preflight review]    # turn comes, and the first stacks (network, cognito, edge) go in parallel

Checked, from the environment's validated config.yaml values: the certificate for domain_name and
the image repository:tag (through the resolvers themselves, found by their tags as Sceptre finds
them, so the alb-ecs stack's later `!acm_certificate_arn`/`!ecr_image` is a cache hit), and what the environment names that must
already exist: hosted_zone_id (route53 GetHostedZone), waf_web_acl_arn (wafv2 GetWebACL),
access_log_bucket (s3 HeadBucket), each app_secrets secret (secretsmanager DescribeSecret) or
parameter (ssm GetParameter), and the SES identity that sends invitations with
invitation_email_from (ses GetIdentityVerificationAttributes: it must exist and be verified, in its
region). Each lookup is made once per run, whichever stack asks first.

Before a launch (no argument), it also makes the service-linked roles a new account lacks
(sceptre_fargate_cognito/service_linked_roles.py). `!preflight review` (before a diff) changes nothing: it only looks up.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from sceptre.exceptions import SceptreException

from sceptre_fargate_cognito import rules, service_linked_roles
from sceptre_fargate_cognito.aws_lookup import AwsCaller, cached, target_for
from sceptre_fargate_cognito.config_schema import app_platform, validate
from sceptre_fargate_cognito.plugin_base.errors import ResolverError
from sceptre_fargate_cognito.plugin_base.hook import ProjectHook

NAME = "preflight"


class PreflightError(SceptreException):
    """A lookup failed before any stack changed."""


def resolver_arguments(settings: dict) -> dict[str, tuple[str, Any]]:
    """Per alb-ecs parameter, the resolver and its argument, from the environment's settings.

    They must be exactly what config/stacks/alb-ecs.yaml.j2 passes (tests/test_preflight.py checks it),
    so the resolver's later lookup has the same cache key.
    """

    def image(reference: str) -> dict:
        repository, tag = reference.rsplit(":", 1)
        return {"repository": repository, "tag": tag, "architecture": settings["cpu_architecture"]}

    app_image = f"{settings['image_repository']}:{settings['image_tag']}"
    return {
        "CertificateArn": ("acm_certificate_arn", settings["domain_name"]),
        "ImageUri": ("ecr_image", image(app_image)),
        "InitImageUri": ("ecr_image", image(settings["init_image"] or app_image)),
    }


@functools.cache  # each lookup reads every installed package's entry points: 20 ms, ten times a launch
def resolver_class(tag: str) -> type:
    """The resolver class Sceptre runs for `!<tag>`: its entry point, as Sceptre loads it (a hook
    does not import another plugin's module)."""
    (entry_point,) = entry_points(group="sceptre.resolvers", name=tag)
    return entry_point.load()


def _existence_checks(settings: dict) -> list[tuple[str, str, str, dict]]:
    """(key, AWS service, command, arguments) for each resource the environment names."""
    checks = []
    if settings["hosted_zone_id"]:
        checks.append(("hosted_zone_id", "route53", "get_hosted_zone", {"Id": settings["hosted_zone_id"]}))
    if settings["waf_web_acl_arn"]:
        # arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>
        name, acl_id = settings["waf_web_acl_arn"].split("/")[-2:]
        checks.append(
            ("waf_web_acl_arn", "wafv2", "get_web_acl", {"Name": name, "Id": acl_id, "Scope": "REGIONAL"})
        )
    if settings["access_log_bucket"]:
        checks.append(("access_log_bucket", "s3", "head_bucket", {"Bucket": settings["access_log_bucket"]}))
    # Each app secret: a secret is described (its value never fetched); a parameter is fetched
    # without decryption, and the answer kept only as "exists", so no value can be logged.
    for reference in app_platform.secret_references(settings):
        if reference.service == "secretsmanager":
            checks.append(
                ("app_secrets", "secretsmanager", "describe_secret", {"SecretId": reference.identifier})
            )
        else:
            checks.append(
                (
                    "app_secrets",
                    "ssm",
                    "get_parameter",
                    {"Name": reference.identifier, "WithDecryption": False},
                )
            )
    return checks


class Preflight(ProjectHook):
    """Makes every lookup of the environment; raises PreflightError naming each one that failed."""

    tag = f"!{NAME}"

    def setup(self) -> None:
        if self.argument not in (None, "", "review"):
            raise PreflightError(
                f"{self.where} takes no argument (before a launch) or `review` (before a diff), not {self.argument!r}"
            )

    def run(self) -> None:
        settings = self.environment_settings()
        problems: list[str] = []
        if self.argument != "review":
            self._attempt(problems, self._service_linked_roles)
        # The init image defaults to the app's: one lookup, and one message if it fails.
        lookups = {
            json.dumps(lookup, sort_keys=True): lookup for lookup in resolver_arguments(settings).values()
        }
        for name, argument in lookups.values():
            resolver = resolver_class(name)(argument).clone_for_stack(self.stack)
            self._attempt(problems, resolver.resolve)
        for key, service, command, kwargs in _existence_checks(settings):
            self._attempt(problems, self._exists(key, service, command, kwargs))
        if settings["invitation_email_from"]:
            self._attempt(problems, self._ses_identity(settings))
        if problems:
            raise PreflightError(
                f"{self.where}: stopped before any stack changed:\n  - " + "\n  - ".join(problems)
            )

    def environment_settings(self) -> dict:
        group = self.stack.name.rsplit("/", 1)[0] if "/" in self.stack.name else ""
        # Sceptre keeps the stack group's own keys in stack_group_config, its region on the stack.
        return validate(self.stack.stack_group_config | {"region": self.stack.region}, environment=group)

    def _attempt(self, problems: list[str], lookup: Callable[[], Any]) -> None:
        try:
            lookup()
        except SceptreException as err:
            # The resolvers prefix this stack's name, which the summary line already gives.
            problems.append(str(err).removeprefix(f"{self.stack.name} - "))

    def _service_linked_roles(self) -> None:
        target = target_for(self.stack, {})
        caller = AwsCaller(self.stack, target, NAME)

        def create() -> list[str]:
            made = service_linked_roles.create_missing(
                lambda service, command, **kw: caller.call(service, command, **kw)
            )
            if made:
                self.logger.info("%s: made the service-linked roles %s", self.tag, ", ".join(made))
            return made

        # Once per run and account, whichever stack asks first.
        cached((NAME, "service-linked-roles", *target), create)

    def _exists(self, key: str, service: str, command: str, kwargs: dict) -> Callable[[], Any]:
        target = target_for(self.stack, {})
        value = next(iter(kwargs.values()))

        def lookup():
            try:
                return AwsCaller(self.stack, target, NAME).call(service, command, **kwargs) and True
            except ResolverError as err:
                raise ResolverError(f"{key} {value} does not exist or cannot be read: {err}") from None

        return lambda: cached((NAME, service, command, tuple(sorted(kwargs.items())), *target), lookup)

    def _ses_identity(self, settings: dict) -> Callable[[], Any]:
        """The SES identity that sends invitations exists and is verified, in its region."""
        identity = settings["invitation_email_identity"] or rules.sender_address(
            settings["invitation_email_from"]
        )
        name = rules.ses_identity_name(identity)
        # arn:aws:ses:<region>:<account>:identity/<name>: Cognito uses SES in that region.
        target = target_for(
            self.stack, {"region": identity.split(":")[3]} if identity.startswith("arn:") else {}
        )
        key = (
            "invitation_email_identity" if settings["invitation_email_identity"] else "invitation_email_from"
        )

        def lookup() -> bool:
            found = AwsCaller(self.stack, target, NAME).call(
                "ses", "get_identity_verification_attributes", Identities=[name]
            )["VerificationAttributes"]
            if name not in found:
                raise ResolverError(
                    f"{key}: SES has no identity {name} in {target.region}: verify the address or its "
                    "domain in SES there (docs/operating.md), or name the identity that covers the "
                    "sender in invitation_email_identity"
                )
            status = found[name].get("VerificationStatus")
            if status != "Success":
                raise ResolverError(
                    f"{key}: SES identity {name} in {target.region} is not verified (status {status}): "
                    "finish its verification (the DNS records, or the link SES emailed) and launch again"
                )
            return True

        return lambda: cached((NAME, "ses", name, *target), lookup)
