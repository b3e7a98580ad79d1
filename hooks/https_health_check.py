"""`!https_health_check`: after a launch, prove from outside that the service answers over HTTPS
and that sign-in is enforced; fail the launch otherwise.

    hooks:
      after_launch:
        - !https_health_check {connect_to: ..., url: https://app.example.com, auth_domain: ...}

Every option is in src/sceptre_fargate_cognito/health_check/options.py. Without `url` the target is https:// + the stack output
AlbDnsName; without `auth_domain`, the stack output AuthDomain.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from sceptre.exceptions import SceptreException
from sceptre.resolvers import Resolver

from sceptre_fargate_cognito.health_check.check import HealthCheck
from sceptre_fargate_cognito.health_check.options import InvalidOptions, check_values, parse, require_targets
from sceptre_fargate_cognito.hooks.base import ProjectHook

ALB_DNS_OUTPUT = "AlbDnsName"
AUTH_DOMAIN_OUTPUT = "AuthDomain"


class HttpsHealthCheckError(SceptreException):
    """The health check's arguments are invalid, the stack did not launch, or the service is unhealthy.

    A SceptreException: Sceptre's CLI prints it and exits 1, so `sceptre launch` fails.
    """


class HttpsHealthCheck(ProjectHook):
    tag = "!https_health_check"

    def setup(self):
        # Runs when the config is read, before anything is launched: catch typos and bad values now.
        # Values that are resolvers (e.g. !stack_output) are checked once resolved, in run().
        try:
            check_values(self._argument, skip=lambda value: isinstance(value, Resolver))
        except InvalidOptions as err:
            raise HttpsHealthCheckError(f"{self.where}: invalid arguments: {err}") from None

    def run(self):
        where = self.where
        try:
            options = parse(self.argument)
        except InvalidOptions as err:
            raise HttpsHealthCheckError(f"{where}: invalid arguments: {err}") from None

        state = self.stack_state()
        if not state.completed:
            # Unlike the guards, the check fails: it is the launch's verdict, and a launch that did
            # not complete is unhealthy. Its message carries the stack's own failure reasons.
            raise HttpsHealthCheckError(f"{where}: {state.describe_problem()}")

        filled: dict[str, Any] = {}
        alb_dns = state.outputs.get(ALB_DNS_OUTPUT)
        if options.url is None and alb_dns:
            filled["url"] = "https://" + alb_dns
        if options.connect_to_alb and alb_dns:
            # Reach the ALB itself while SNI, Host and verification use the custom domain in url.
            filled["connect_to"], filled["connect_to_alb"] = alb_dns, False
        if options.auth_domain is None and state.outputs.get(AUTH_DOMAIN_OUTPUT):
            filled["auth_domain"] = state.outputs[AUTH_DOMAIN_OUTPUT]
        try:
            if filled:
                options = parse({**_given(options), **filled})
            require_targets(options)
        except InvalidOptions as err:
            raise HttpsHealthCheckError(
                f"{where}: {err} (stack outputs: {', '.join(sorted(state.outputs)) or 'none'})"
            ) from None

        engine = HealthCheck(options, emit=self.logger.info)
        verdict = engine.run()
        if verdict.certificate_warning:
            self.logger.warning(
                "certificate for %s expires in %s days", options.url, verdict.certificate_days_left
            )
        if not verdict.healthy:
            # The full summary is already logged above; Sceptre prints this one line on exit.
            raise HttpsHealthCheckError(f"{where}: {verdict.summary()[0]}")


def _given(options) -> dict[str, Any]:
    """The options as a mapping again, to re-validate with values filled in from the outputs."""
    return {key: value for key, value in asdict(options).items() if value is not None}
